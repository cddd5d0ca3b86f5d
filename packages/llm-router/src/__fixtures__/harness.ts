import type { LlmConfig } from '@graphiti/llm-config';
import { defaultConfig } from '@graphiti/llm-config';
import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { pino } from 'pino';
import type { Logger } from '../types.js';

/** The cloud key used by every test: it must never show up in a log line, an error or a queued row. */
export const API_KEY = 'sk-test-SECRET-0123456789abcdef';

type DeepPartial<T> = {
  -readonly [K in keyof T]?: T[K] extends readonly unknown[]
    ? T[K]
    : T[K] extends object
      ? DeepPartial<T[K]>
      : T[K];
};

function merge<T>(base: T, patch: DeepPartial<T> | undefined): T {
  if (patch === undefined) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] =
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current !== null &&
      typeof current === 'object'
        ? merge(current, value as DeepPartial<typeof current>)
        : value;
  }
  return out as T;
}

/** A config pointing at the two fakes, with millisecond-scale retries and timeouts. */
export function testConfig(
  cloud: { url: string } | undefined,
  local: { url: string },
  patch?: DeepPartial<LlmConfig>,
): LlmConfig {
  const base = defaultConfig({});
  const mine = merge(base, {
    cloud: {
      endpoint: cloud?.url ?? 'http://127.0.0.1:9',
      api_key: cloud === undefined ? undefined : API_KEY,
    },
    local: { endpoint: local.url, models: ['gemma2:9b', 'llama3.2:3b'] },
    retry: { max_attempts: 3, delay_seconds: 0.01, timeout_seconds: 5 },
    timeouts: {
      cloud: { connect: 0.2, read: 0.3, write: 1, pool: 1 },
      local: { connect: 0.2, read: 0.3, write: 1, pool: 1 },
    },
    cooldown: { rate_limit_seconds: 600 },
  } as DeepPartial<LlmConfig>);
  return merge(mine, patch);
}

/** A real pino logger writing JSON lines into memory. */
export interface CapturedLog {
  readonly logger: Logger;
  /** Every line as written. */
  text(): string;
  /** Parsed lines. */
  lines(): Record<string, unknown>[];
  /** Lines whose `event` is name. */
  events(name: string): Record<string, unknown>[];
}

export function captureLog(): CapturedLog {
  const written: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => written.push(line) });
  return {
    logger,
    text: () => written.join(''),
    lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
    events: (name) =>
      written
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .filter((line) => line.event === name),
  };
}

export interface Fakes {
  readonly cloud: OllamaFake;
  readonly local: OllamaFake;
  close(): Promise<void>;
}

/** A cloud fake (needs the API key, serves gpt-oss:120b) and a local fake (gemma2:9b, llama3.2:3b, nomic-embed-text). */
export async function startFakes(): Promise<Fakes> {
  const cloud = await startOllamaFake({ apiKey: API_KEY, models: ['gpt-oss:120b', 'nomic-embed-text'] });
  const local = await startOllamaFake({ models: ['gemma2:9b', 'llama3.2:3b', 'nomic-embed-text'] });
  return {
    cloud,
    local,
    async close() {
      await Promise.all([cloud.close(), local.close()]);
    },
  };
}

/** Requests a fake saw on one path. */
export function hits(fake: OllamaFake, path: string): number {
  return fake.requests.filter((request) => request.path === path).length;
}

export const messages = [{ role: 'user', content: 'Why is the sky blue?' }];

/**
 * A TCP listener that never accepts: its accept queue is filled and its thread is blocked, so further
 * connection attempts hang in SYN (a blackholed host), and only a connect timeout ends them.
 */
export async function startBlackhole(): Promise<{ url: string; close(): Promise<void> }> {
  const { Worker } = await import('node:worker_threads');
  const net = await import('node:net');
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const net = require('node:net');
     const server = net.createServer(() => {});
     server.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
       parentPort.postMessage(server.address().port);
       parentPort.once('message', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));
     });`,
    { eval: true },
  );
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  worker.postMessage('block');
  await new Promise((resolve) => setTimeout(resolve, 50));
  // Fill the accept queue until a connection attempt stays pending.
  const fillers: import('node:net').Socket[] = [];
  for (let index = 0; index < 16; index++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => {});
    fillers.push(socket);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 100);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) break;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of fillers) socket.destroy();
      await worker.terminate();
    },
  };
}
