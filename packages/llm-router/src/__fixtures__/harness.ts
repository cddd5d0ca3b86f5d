import type { LlmConfig } from '@graphiti/llm-config';
import { defaultConfig } from '@graphiti/llm-config';
import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { pino } from 'pino';
import type { Logger } from '../types.js';

/** The cloud key used by every test: it must never show up in a log line, an error or a queued row. */
export const API_KEY = 'sk-test-SECRET-0123456789abcdef';

type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T>(base: T, patch: DeepPartial<T> | undefined): T {
  if (patch === undefined) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) {
    const current = out[key];
    out[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object'
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
  return merge(base, {
    cloud: { endpoint: cloud?.url ?? 'http://127.0.0.1:9', api_key: cloud === undefined ? undefined : API_KEY },
    local: { endpoint: local.url, models: ['gemma2:9b', 'llama3.2:3b'] },
    retry: { max_attempts: 3, delay_seconds: 0.01, timeout_seconds: 5 },
    timeouts: {
      cloud: { connect: 0.2, read: 0.3, write: 1, pool: 1 },
      local: { connect: 0.2, read: 0.3, write: 1, pool: 1 },
    },
    cooldown: { rate_limit_seconds: 600 },
    ...patch,
  } as DeepPartial<LlmConfig>);
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
      written.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === name),
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
