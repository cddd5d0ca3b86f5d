import { connect } from 'node:net';
import { startOllamaFake } from '@graphiti/ollama-fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOUD_KEY,
  CLOUD_MODEL,
  type Fixture,
  LOCAL_MODEL,
  postJson,
  startFixture,
} from './__fixtures__/gateway-fixture.js';
import { type RecordingUpstream, startRecordingUpstream } from './__fixtures__/recording-upstream.js';
import { processBodyBudget } from './body-budget.js';

const TOKEN = 'http-layer-token-31337';
let releasePull: () => void = () => {};

describe('the gateway passes model management and unknown /api/* paths to the local server', () => {
  let local: RecordingUpstream;
  let fixture: Fixture;

  beforeAll(async () => {
    local = await startRecordingUpstream(async (request, response) => {
      if (request.url === '/api/pull') {
        response.writeHead(200, { 'content-type': 'application/x-ndjson', 'x-upstream': 'yes' });
        response.write('{"status":"pulling manifest"}\n');
        // the rest only once the test has read the first line: a gateway that buffers would hang here
        await new Promise<void>((resolve) => {
          releasePull = resolve;
        });
        response.write('{"status":"verifying sha256 digest"}\n');
        response.end('{"status":"success"}\n');
        return;
      }
      if (request.url === '/api/tags') {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ models: [] }));
        return;
      }
      response.writeHead(request.method === 'HEAD' ? 404 : 200, { 'content-type': 'application/json' });
      response.end(request.method === 'HEAD' ? undefined : JSON.stringify({ seen: request.url }));
    });
    fixture = await startFixture({ token: TOKEN, overrides: { local: { endpoint: local.url } } });
  });
  afterAll(async () => {
    await fixture.close();
    await local.close();
  });

  it('streams /api/pull status lines as they come, with neither the client token nor the cloud key', async () => {
    const response = await postJson(fixture, '/api/pull', { model: 'qwen3:0.6b' }, { 'x-custom': 'kept' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-upstream')).toBe('yes');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toBe('{"status":"pulling manifest"}\n');
    releasePull();
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) {
      rest += new TextDecoder().decode(part.value);
    }
    expect(rest.trim().split('\n').at(-1)).toBe('{"status":"success"}');
    const seen = local.requests.find((request) => request.url === '/api/pull');
    expect(seen?.body).toBe(JSON.stringify({ model: 'qwen3:0.6b' }));
    expect(seen?.headers.authorization).toBeUndefined();
    expect(seen?.headers['x-custom']).toBe('kept');
    expect(JSON.stringify(seen?.headers)).not.toContain(CLOUD_KEY);
    expect(JSON.stringify(seen?.headers)).not.toContain(TOKEN);
  });

  it('passes unknown /api/* paths, blobs and query strings unchanged', async () => {
    const status = await fixture.fetch('/api/status?x=1');
    expect(await status.json()).toEqual({ seen: '/api/status?x=1' });
    const blob = await fixture.fetch('/api/blobs/sha256:abc', { method: 'HEAD' });
    expect(blob.status).toBe(404);
    expect(local.requests.at(-1)).toMatchObject({ method: 'HEAD', url: '/api/blobs/sha256:abc' });
  });

  it('validates model-management bodies before anything goes upstream', async () => {
    const before = local.requests.length;
    const response = await fixture.fetch('/api/delete', {
      method: 'DELETE',
      body: JSON.stringify({ model: 5 }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/"model" must be a string/);
    expect(local.requests.length).toBe(before);
  });

  it('sends an unload (keep_alive 0, no prompt) to the local server, never to the cloud', async () => {
    const cloudChats = () =>
      fixture.cloud.requests.filter((request) => request.path === '/api/generate').length;
    const before = cloudChats();
    const response = await postJson(fixture, '/api/generate', { model: CLOUD_MODEL, keep_alive: 0 });
    expect(response.status).toBe(200);
    expect(local.requests.at(-1)).toMatchObject({ method: 'POST', url: '/api/generate' });
    expect(cloudChats()).toBe(before);
  });

  it('answers CORS preflights without auth, marks allowed origins and refuses others', async () => {
    const preflight = await fetch(`${fixture.gateway.url}/api/chat`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:3000', 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    const allowed = await fixture.fetch('/api/version', { headers: { origin: 'vscode-webview://abc' } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('vscode-webview://abc');
    const refused = await fixture.fetch('/api/version', { headers: { origin: 'https://evil.example' } });
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: string }).error).toMatch(/evil\.example/);
  });
});

describe('the gateway with no local server', () => {
  it('answers a passthrough path with a 503 naming the local server and how to start it', async () => {
    const fixture = await startFixture({ overrides: { local: { endpoint: 'http://127.0.0.1:9' } } });
    try {
      const response = await postJson(fixture, '/api/pull', { model: 'x' });
      expect(response.status).toBe(503);
      expect(await response.json()).toEqual({
        error:
          'local Ollama server at http://127.0.0.1:9 is not reachable: start it with OLLAMA_HOST=127.0.0.1:9 ollama serve',
      });
    } finally {
      await fixture.close();
    }
  });
});

describe('hostile input', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(async () => {
    await fixture.close();
  });

  it('answers Node HTTP parser errors with JSON', async () => {
    const url = new URL(fixture.gateway.url);
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(Number(url.port), url.hostname, () =>
        socket.write('GARBAGE \u0001 HTTP/9\r\n\r\n'),
      );
      let text = '';
      socket.on('data', (data) => {
        text += data.toString();
      });
      socket.on('close', () => resolve(text));
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(raw).toMatch(/content-type: application\/json/);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4))).toEqual({
      error: expect.stringMatching(/bad HTTP request/),
    });
  });

  it('refuses bodies past the process-wide budget with 503 and Retry-After, and recovers', async () => {
    const limit = processBodyBudget.limit;
    processBodyBudget.setLimit(1000);
    try {
      const big = await postJson(fixture, '/api/chat', {
        model: CLOUD_MODEL,
        messages: [{ role: 'user', content: 'x'.repeat(5000) }],
      });
      expect(big.status).toBe(503);
      expect(big.headers.get('retry-after')).toBe('1');
      expect(((await big.json()) as { error: string }).error).toMatch(/retry shortly/);
      expect(processBodyBudget.used).toBe(0);
    } finally {
      processBodyBudget.setLimit(limit);
    }
    const small = await postJson(fixture, '/api/chat', {
      model: CLOUD_MODEL,
      messages: [{ role: 'user', content: 'hi' }],
      stream: false,
    });
    expect(small.status).toBe(200);
  });

  it("feeds the latency histograms from the router's typed events, joined on the call id", async () => {
    const answer = await postJson(fixture, '/api/chat', {
      model: CLOUD_MODEL,
      messages: [{ role: 'user', content: 'timing' }],
      stream: false,
    });
    expect(answer.status).toBe(200);
    const streamed = await postJson(fixture, '/api/chat', {
      model: CLOUD_MODEL,
      messages: [{ role: 'user', content: 'timing, streamed' }],
    });
    expect((await streamed.text()).trim().split('\n').length).toBeGreaterThan(1);
    const text = await (await fixture.fetch('/metrics')).text();
    const count = (name: string) =>
      Number(
        text
          .split('\n')
          .find((line) => line.startsWith(`${name} `))
          ?.slice(name.length + 1) ?? 0,
      );
    expect(
      count('graphiti_upstream_total_seconds_count{provider="cloud",operation="chat"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(
      count('graphiti_upstream_first_chunk_seconds_count{provider="cloud",operation="chat"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(count('graphiti_gateway_added_seconds_count{path="/api/chat"}')).toBeGreaterThanOrEqual(1);
    expect(
      count('graphiti_llm_requests_total{provider="cloud",model="gpt-oss:120b",outcome="ok"}'),
    ).toBeGreaterThanOrEqual(1);
  });

  it('refuses the image-amplification body with a 400 naming the field', async () => {
    const before = [...fixture.cloud.requests, ...fixture.local.requests].filter(
      (r) => r.path === '/api/chat',
    ).length;
    const response = await postJson(fixture, '/api/chat', {
      model: CLOUD_MODEL,
      messages: [{ role: 'user', content: 'x', images: [{ length: 3e7 }] }],
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid request: "messages[0].images[0]" must be a base64 string, got an object',
    });
    expect(
      [...fixture.cloud.requests, ...fixture.local.requests].filter((r) => r.path === '/api/chat').length,
    ).toBe(before);
  });
});

describe('header values and secrets', () => {
  it('percent-encodes a model name outside Latin-1 in x-graphiti-model', async () => {
    const name = 'модель:1b';
    const cloud = await startOllamaFake({ models: [name], apiKey: CLOUD_KEY });
    const local = await startOllamaFake({ models: [LOCAL_MODEL] });
    const fixture = await startFixture({ fakes: { cloud, local } });
    try {
      const response = await postJson(fixture, '/api/chat', {
        model: name,
        messages: [{ role: 'user', content: 'hi' }],
        stream: false,
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-graphiti-model')).toBe(encodeURIComponent(name));
    } finally {
      await fixture.close();
      await Promise.all([cloud.close(), local.close()]);
    }
  });

  it('scrubs the cloud key by value from an upstream error that quotes it', async () => {
    const echo = await startRecordingUpstream((request, response) => {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: `bad request, you sent ${request.headers.authorization}` }));
    });
    const fixture = await startFixture({ overrides: { cloud: { endpoint: echo.url } } });
    try {
      const response = await postJson(fixture, '/api/show', { model: 'only-on-cloud:1b' });
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(text).toContain('[redacted]');
      expect(text).not.toContain(CLOUD_KEY);
    } finally {
      await fixture.close();
      await echo.close();
    }
  });
});

describe('startGateway', () => {
  it('refuses a local endpoint that is its own listen address', async () => {
    const probe = await startRecordingUpstream(() => {});
    const port = probe.port;
    await probe.close();
    const error = await startFixture({
      overrides: { local: { endpoint: `http://localhost:${port}` } },
      gateway: { port },
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'INVALID_OPTION' });
    expect((error as Error).message).toMatch(/own address/);
  });
});
