import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SpawnedGateway, spawnGateway } from './__fixtures__/spawned-gateway.js';
import { MAX_BODY_BYTES } from './http-utils.js';
import { MAX_TEXT_CHARS } from './native-schemas.js';

const CLOUD_MODEL = 'gpt-oss:120b';
const LOCAL_MODEL = 'llama3.2:3b';
const KEY = 'memory-cap-cloud-key-3141';
const HEAP_MB = 512;
const CONCURRENT = 16;
/** A sanity bound on the child's peak RSS: the heap cap plus room for buffers, code and SQLite. */
const PEAK_RSS_BOUND_MB = 1536;

type Route = 'chat' | 'generate';

/**
 * A request body of exactly `bytes` bytes, each text field within MAX_TEXT_CHARS: a chat message with two
 * base64 images, or a generate prompt with one image; the remainder is JSON whitespace.
 */
function bodyOfSize(route: Route, bytes: number): Buffer {
  const head =
    route === 'chat'
      ? `{"model":"${CLOUD_MODEL}","stream":false,"messages":[{"role":"user","content":"what is in these?","images":["`
      : `{"model":"${CLOUD_MODEL}","stream":false,"prompt":"`;
  const middle = route === 'chat' ? '","' : '","images":["';
  const tail = route === 'chat' ? '"]}]' : '"]';
  const field = Math.floor((bytes - head.length - middle.length - tail.length - 1) / 2 / 4) * 4;
  const body = Buffer.alloc(bytes, 'Q');
  let at = 0;
  for (const [part, skip] of [
    [head, field],
    [middle, field],
    [tail, 0],
  ] as const) {
    at += body.write(part, at, 'latin1') + skip;
  }
  body.fill(' ', at, bytes - 1);
  body.write('}', bytes - 1, 'latin1');
  return body;
}

/** Every string in a JSON value. */
function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object' || value === null) return [];
  return Object.values(value).flatMap(textsOf);
}

interface Outcome {
  readonly route: Route;
  readonly status: number;
  readonly contentType: string | null;
  readonly retryAfter: string | null;
  readonly body: Record<string, unknown>;
}

/** What an answer was, for the test output: served, refused by the body budget, queued, or its error. */
function kindOf(outcome: Outcome): string {
  if (outcome.status === 200) return 'answered';
  const error = String(outcome.body.error);
  if (/of request bodies/.test(error)) return 'body budget';
  if (typeof outcome.body.request_id === 'string') return 'queued';
  return error.slice(0, 60);
}

describe(`the gateway (node dist/main.js) with its heap capped at ${HEAP_MB} MB`, () => {
  let cloud: OllamaFake;
  let local: OllamaFake;
  let dir: string;
  let gateway: SpawnedGateway;
  const bodies = {
    chat: bodyOfSize('chat', MAX_BODY_BYTES),
    generate: bodyOfSize('generate', MAX_BODY_BYTES),
  };

  beforeAll(async () => {
    cloud = await startOllamaFake({ models: [CLOUD_MODEL], apiKey: KEY });
    local = await startOllamaFake({ models: [LOCAL_MODEL] });
    dir = mkdtempSync(join(tmpdir(), 'graphiti-memory-cap-'));
    const configPath = join(dir, 'llm.toml');
    const toml = [
      `[cloud]\nendpoint = "${cloud.url}"\ndefault_model = "${CLOUD_MODEL}"`,
      `[local]\nendpoint = "${local.url}"\nmodels = ["${LOCAL_MODEL}"]`,
      '[retry]\ndelay_seconds = 0.01\ntimeout_seconds = 20',
      // no background replay of what gets queued while the test runs
      '[queue]\nretry_interval_seconds = 3600',
      `[storage]\nurl = "sqlite:${join(dir, 'graphiti.db')}"`,
    ];
    writeFileSync(configPath, `${toml.join('\n')}\n`);
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      GRAPHITI_HOME: dir,
      GRAPHITI_LLM_CONFIG: configPath,
      OLLAMA_API_KEY: KEY,
      GRAPHITI_SERVER_PORT: '0',
      LOG_LEVEL: 'info',
    };
    gateway = await spawnGateway(env, [`--max-old-space-size=${HEAP_MB}`]);
  });

  afterAll(async () => {
    await gateway?.stop();
    await Promise.all([cloud?.close(), local?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function post(route: Route, body: Buffer): Promise<Outcome> {
    const response = await fetch(`${gateway.url}/api/${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { unparsable: text.slice(0, 200) };
    }
    return {
      route,
      status: response.status,
      contentType: response.headers.get('content-type'),
      retryAfter: response.headers.get('retry-after'),
      body: parsed,
    };
  }

  /** Sends CONCURRENT maximum-size bodies, the n-th `staggerMs * n` after the first, and checks every answer. */
  async function burst(label: string, staggerMs: number): Promise<void> {
    const routes = Array.from({ length: CONCURRENT }, (_, n): Route => (n % 2 === 0 ? 'chat' : 'generate'));
    // sampled while the burst runs too, so that the peak is known even when the child dies
    let peakMb = gateway.peakRssMb() ?? 0;
    const sampler = setInterval(() => {
      peakMb = Math.max(peakMb, gateway.peakRssMb() ?? 0);
    }, 100);
    const settled = await Promise.allSettled(
      routes.map(async (route, n) => {
        await new Promise((resolve) => setTimeout(resolve, n * staggerMs));
        return post(route, bodies[route]);
      }),
    );
    clearInterval(sampler);
    peakMb = Math.max(peakMb, gateway.peakRssMb() ?? 0);
    const tally = new Map<string, number>();
    for (const result of settled) {
      const key =
        result.status === 'fulfilled' ? `${result.value.status} ${kindOf(result.value)}` : 'no answer';
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    console.log(
      `memory-cap, ${label}: ${CONCURRENT} x ${MAX_BODY_BYTES} B, heap cap ${HEAP_MB} MB: answers ${JSON.stringify(Object.fromEntries(tally))}; peak RSS (VmHWM) so far ${peakMb.toFixed(0)} MB${gateway.alive() ? '' : ' (then it died)'}`,
    );
    expect(gateway.alive(), `the gateway died:\n${gateway.output().slice(-1500)}`).toBe(true);
    for (const result of settled) {
      if (result.status === 'rejected') throw new Error(`a request got no answer: ${String(result.reason)}`);
      const outcome = result.value;
      expect(outcome.contentType).toMatch(/^application\/json/);
      if (outcome.status === 200) {
        expect(outcome.body.done).toBe(true);
        const message = outcome.body.message as { content?: unknown } | undefined;
        expect(outcome.route === 'chat' ? message?.content : outcome.body.response).toEqual(
          expect.any(String),
        );
        continue;
      }
      expect(outcome.status === 503 || (outcome.status >= 400 && outcome.status < 500), kindOf(outcome)).toBe(
        true,
      );
      expect(outcome.body.error).toEqual(expect.any(String));
      if (outcome.status === 503) expect(outcome.retryAfter).toMatch(/^\d+$/);
    }
    expect(peakMb).toBeLessThan(PEAK_RSS_BOUND_MB);
  }

  it('builds bodies of exactly the maximum size, valid JSON with every text field within its limit', () => {
    for (const body of Object.values(bodies)) {
      expect(body.length).toBe(MAX_BODY_BYTES);
      const lengths = textsOf(JSON.parse(body.toString('latin1'))).map((text) => text.length);
      expect(Math.max(...lengths)).toBeLessThanOrEqual(MAX_TEXT_CHARS);
      expect(Math.max(...lengths)).toBeGreaterThan(MAX_BODY_BYTES / 2 - 200);
    }
  });

  it('refuses a body one byte past the maximum with a 413', async () => {
    const refused = await post('chat', Buffer.concat([bodies.chat, Buffer.from(' ')]));
    expect(refused.status).toBe(413);
    expect(refused.body.error).toMatch(/larger than/);
  });

  it(`survives ${CONCURRENT} maximum-size bodies arriving at once, answering each cleanly`, async () => {
    await burst('at once', 0);
  }, 60_000);

  it(`survives ${CONCURRENT} maximum-size bodies arriving 300 ms apart (each read while earlier ones are still being forwarded)`, async () => {
    await burst('300 ms apart', 300);
  }, 60_000);

  it('serves a normal request afterwards', async () => {
    const messages = [{ role: 'user', content: 'still there?' }];
    const normal = await fetch(`${gateway.url}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: CLOUD_MODEL, messages, stream: false }),
    });
    expect(normal.status).toBe(200);
    const answer = (await normal.json()) as { message: { content: string }; done: boolean };
    expect(answer.done).toBe(true);
    expect(answer.message.content).toBe(cloud.expectedText({ model: CLOUD_MODEL, messages }));
  });
});
