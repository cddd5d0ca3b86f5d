import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Anthropic, { type ClientOptions as AnthropicOptions } from '@anthropic-ai/sdk';
import { type ConfigOverrides, type LlmConfig, loadConfig } from '@graphiti/llm-config';
import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { Ollama } from 'ollama';
import OpenAI, { type ClientOptions as OpenAiOptions } from 'openai';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type Gateway, type GatewayOptions, startGateway } from '../start-gateway.js';

export const CLOUD_KEY = 'cloud-secret-key-4242';
export const CLOUD_MODEL = 'gpt-oss:120b';
export const LOCAL_MODEL = 'llama3.2:3b';
export const EMBED_MODEL = 'nomic-embed-text';

export interface Fixture {
  readonly cloud: OllamaFake;
  readonly local: OllamaFake;
  readonly gateway: Gateway;
  readonly config: LlmConfig;
  readonly dir: string;
  /** Headers of the last response the client returned by `ollama()` received. */
  readonly lastHeaders: () => Headers | undefined;
  /** An `ollama` client pointed at the gateway (with the token when one is set). */
  ollama(token?: string): Ollama;
  /** An `openai` client at the gateway's `/v1`, the token as its API key, no retries; `options` win. */
  openai(options?: OpenAiOptions): OpenAI;
  /** An `@anthropic-ai/sdk` client at the gateway, the token as its bearer token, no retries; `options` win. */
  anthropic(options?: AnthropicOptions): Anthropic;
  /** fetch against the gateway (adds the token when one is set). */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export interface FixtureOptions {
  readonly token?: string;
  /** Give the cloud fake's key to the gateway. @default true */
  readonly cloud?: boolean;
  readonly overrides?: ConfigOverrides;
  readonly gateway?: Partial<GatewayOptions>;
  /** Storage URL. @default a SQLite file in a temp dir */
  readonly storageUrl?: string;
  /** Reuse fakes (for several gateways on one pair of fakes). */
  readonly fakes?: { readonly cloud: OllamaFake; readonly local: OllamaFake };
}

export function buildConfig(
  dir: string,
  cloud: OllamaFake,
  local: OllamaFake,
  options: FixtureOptions = {},
): LlmConfig {
  const extra = options.overrides ?? {};
  return loadConfig({
    path: join(dir, 'absent.toml'),
    env: {},
    overrides: {
      ...extra,
      cloud: {
        endpoint: cloud.url,
        default_model: CLOUD_MODEL,
        ...(options.cloud === false ? {} : { api_key: CLOUD_KEY }),
        ...extra.cloud,
      },
      local: { endpoint: local.url, models: [LOCAL_MODEL], ...extra.local },
      embeddings: { model: EMBED_MODEL, ...extra.embeddings },
      retry: { max_attempts: 3, delay_seconds: 0.01, timeout_seconds: 10, ...extra.retry },
      storage: { url: options.storageUrl ?? `sqlite:${join(dir, 'graphiti.db')}`, ...extra.storage },
      logging: { level: 'silent', ...extra.logging },
      server: {
        host: '127.0.0.1',
        port: 0,
        ...(options.token === undefined ? {} : { auth_token: options.token }),
        ...extra.server,
      },
    },
  });
}

/** The two fakes a fixture plays cloud and local with: the cloud needs {@link CLOUD_KEY}. */
export async function startFakes(): Promise<{ readonly cloud: OllamaFake; readonly local: OllamaFake }> {
  const cloud = await startOllamaFake({ models: [CLOUD_MODEL, EMBED_MODEL], apiKey: CLOUD_KEY });
  const local = await startOllamaFake({ models: [LOCAL_MODEL, EMBED_MODEL] });
  return { cloud, local };
}

export async function startFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'graphiti-server-test-'));
  const ownsFakes = options.fakes === undefined;
  const { cloud, local } = options.fakes ?? (await startFakes());
  const config = buildConfig(dir, cloud, local, options);
  let gateway: Gateway;
  try {
    gateway = await startGateway({
      config,
      port: 0,
      readyCacheMs: 0,
      replayIntervalMs: 0,
      shutdownTimeoutMs: 2000,
      ...options.gateway,
    });
  } catch (error) {
    if (ownsFakes) await Promise.all([cloud.close(), local.close()]);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let headers: Headers | undefined;
  const capturing: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    headers = response.headers;
    return response;
  };
  return {
    cloud,
    local,
    gateway,
    config,
    dir,
    lastHeaders: () => headers,
    ollama(token = options.token) {
      return new Ollama({
        host: gateway.url,
        fetch: capturing,
        ...(token === undefined ? {} : { headers: { Authorization: `Bearer ${token}` } }),
      });
    },
    openai(clientOptions = {}) {
      return new OpenAI({
        baseURL: `${gateway.url}/v1`,
        apiKey: options.token ?? 'no-token',
        maxRetries: 0,
        ...clientOptions,
      });
    },
    anthropic(clientOptions = {}) {
      return new Anthropic({
        baseURL: gateway.url,
        apiKey: null,
        ...(options.token === undefined ? {} : { authToken: options.token }),
        maxRetries: 0,
        ...clientOptions,
      });
    },
    fetch(path, init = {}) {
      const requestHeaders = new Headers(init.headers);
      if (options.token !== undefined && !requestHeaders.has('authorization')) {
        requestHeaders.set('authorization', `Bearer ${options.token}`);
      }
      return fetch(`${gateway.url}${path}`, { ...init, headers: requestHeaders });
    },
    async close() {
      await gateway.close();
      if (ownsFakes) await Promise.all([cloud.close(), local.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fixture for the tests of the enclosing `describe`: started before them, closed after them, and after
 * each test both fakes lose their faults and request logs and are started again if a test stopped them.
 * Returns a live view of the fixture: read its members inside tests and hooks (registered after this call),
 * not while the suite is being collected.
 */
export function useGateway(options: FixtureOptions = {}): Fixture {
  let started: Fixture | undefined;
  const current = (): Fixture => {
    if (started === undefined) throw new Error('useGateway: the fixture is read before its beforeAll ran');
    return started;
  };
  beforeAll(async () => {
    started = await startFixture(options);
  });
  afterAll(async () => {
    await started?.close();
  });
  afterEach(async () => {
    const { cloud, local } = current();
    cloud.reset();
    local.reset();
    await Promise.all([cloud.start().catch(() => {}), local.start().catch(() => {})]);
  });
  return {
    get cloud() {
      return current().cloud;
    },
    get local() {
      return current().local;
    },
    get gateway() {
      return current().gateway;
    },
    get config() {
      return current().config;
    },
    get dir() {
      return current().dir;
    },
    lastHeaders: () => current().lastHeaders(),
    ollama: (token) => current().ollama(token),
    openai: (clientOptions) => current().openai(clientOptions),
    anthropic: (clientOptions) => current().anthropic(clientOptions),
    fetch: (path, init) => current().fetch(path, init),
    close: () => current().close(),
  };
}

/** POSTs JSON to the gateway through the fixture. */
export function postJson(
  fixture: Fixture,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  return fixture.fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** What `GET /graphiti/queue` says of the background replay. */
export interface ReplayReport {
  readonly runs: number;
  readonly running: boolean;
  readonly processed: number;
  readonly succeeded: number;
  readonly requeued: number;
  readonly failed: number;
}

/**
 * `POST /graphiti/queue/retry` (202 at once), then waits until the replay run it started has finished and
 * returns what that run did, as `GET /graphiti/queue` reports it.
 */
export async function replayNow(fixture: Pick<Fixture, 'fetch'>, timeoutMs = 20_000): Promise<ReplayReport> {
  const status = async (): Promise<ReplayReport> =>
    ((await (await fixture.fetch('/graphiti/queue?limit=1')).json()) as { replay: ReplayReport }).replay;
  const before = (await status()).runs;
  const started = await fixture.fetch('/graphiti/queue/retry', { method: 'POST' });
  if (started.status !== 202) throw new Error(`POST /graphiti/queue/retry answered ${started.status}`);
  await started.arrayBuffer();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const report = await status();
    if (report.runs > before && !report.running) return report;
    if (Date.now() > deadline) throw new Error(`the replay did not finish within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
