import { join } from 'node:path';
import type { LlmConfig } from '@graphiti/llm-config';
import { openStorage, type Storage } from '@graphiti/llm-queue';
import { createTestDatabase, pgTestUrl } from '@graphiti/llm-queue/test';
import { createMemoryStateStore as createQuotaStateStore, createQuotaTracker } from '@graphiti/llm-quota';
import { startOllamaFake } from '@graphiti/ollama-fake';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { API_KEY, type Fakes, hits, messages, startBlackhole, testConfig } from './__fixtures__/harness.js';
import { failure, useRouterFixture } from './__fixtures__/router-fixture.js';
import { COOLDOWN_KEY } from './cooldown.js';
import { createRouter } from './create-router.js';
import { LLMRequestError, LLMUnavailableError, StreamInterruptedError } from './errors.js';
import { createMemoryStateStore } from './file-state-store.js';
import type { StateStore } from './types.js';

const pgUrl = await pgTestUrl();
const fixture = useRouterFixture();
const { fakes, log, make } = fixture;

/** Requests a fake saw, without the router's model-list lookups (`/api/tags`). */
const inference = (fake: Fakes['cloud']) => fake.requests.filter((request) => request.path !== '/api/tags');

const cloudText = (): string => fakes.cloud.expectedText({ model: 'gpt-oss:120b', messages });
const localText = (model = 'gemma2:9b'): string => fakes.local.expectedText({ model, messages });

async function collect(stream: AsyncIterable<{ message: { content: string } }>): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.message.content;
  return text;
}

describe('createRouter: cloud first, retries, failover', () => {
  it('serves from the cloud when it answers, with the key and without a -cloud suffix', async () => {
    const router = make({ cloud: { default_model: 'gpt-oss:120b-cloud' } as LlmConfig['cloud'] });
    const answer = await router.chat({ model: 'default', messages });
    expect(answer.provider).toBe('cloud');
    expect(answer.model).toBe('gpt-oss:120b');
    expect(answer.message.content).toBe(cloudText());
    expect(answer.done).toBe(true);
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
    expect(inference(fakes.cloud)[0]?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(inference(fakes.cloud)[0]?.model).toBe('gpt-oss:120b');
    expect(hits(fakes.local, '/api/chat')).toBe(0);
    expect(log.events('llm_failover')).toEqual([]);
  });

  it('retries a 503 and serves from the cloud when the retry succeeds', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'status', status: 503, times: 1 });
    const router = make();
    const answer = await router.chat({ messages });
    expect(answer.provider).toBe('cloud');
    expect(answer.message.content).toBe(cloudText());
    expect(hits(fakes.cloud, '/api/chat')).toBe(2);
    expect(hits(fakes.local, '/api/chat')).toBe(0);
    expect(log.events('llm_failover')).toEqual([]);
  });

  it('fails over to the first local model after retry.max_attempts 503s', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    const router = make();
    const answer = await router.chat({ messages });
    expect(answer).toMatchObject({ provider: 'local', model: 'gemma2:9b' });
    expect(answer.message.content).toBe(localText());
    expect(hits(fakes.cloud, '/api/chat')).toBe(3);
    expect(hits(fakes.local, '/api/chat')).toBe(1);
    expect(log.events('llm_failover')).toMatchObject([
      {
        from_provider: 'cloud',
        to_provider: 'local',
        reason: 'transient',
        error_code: 503,
        model: 'gpt-oss:120b',
        to_model: 'gemma2:9b',
        attempts: 3,
      },
    ]);
  });

  it('waits retry.delay_seconds between cloud attempts', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'status', status: 500 });
    const router = make({ retry: { max_attempts: 3, delay_seconds: 0.05, timeout_seconds: 5 } });
    expect((await router.chat({ messages })).provider).toBe('local');
    const times = inference(fakes.cloud).map((request) => request.time);
    expect(times).toHaveLength(3);
    expect((times[1] as number) - (times[0] as number)).toBeGreaterThanOrEqual(45);
    expect((times[2] as number) - (times[1] as number)).toBeGreaterThanOrEqual(45);
  });

  it('emits no llm_failover when logging.failover_events is false', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'status', status: 401 });
    const router = make({ logging: { level: 'info', failover_events: false } });
    expect((await router.chat({ messages })).provider).toBe('local');
    expect(log.events('llm_failover')).toEqual([]);
  });

  it('retries a refused connection, then fails over with reason connection', async () => {
    const router = make();
    await fakes.cloud.stop();
    try {
      const answer = await router.chat({ messages });
      expect(answer).toMatchObject({ provider: 'local', model: 'gemma2:9b' });
      expect(log.events('llm_failover')).toMatchObject([
        {
          from_provider: 'cloud',
          to_provider: 'local',
          reason: 'connection',
          error_code: 'ECONNREFUSED',
          attempts: 3,
        },
      ]);
      expect(hits(fakes.local, '/api/chat')).toBe(1);
    } finally {
      await fakes.cloud.start();
    }
  });

  it('fails over after the connect timeout when the cloud never accepts the connection', async () => {
    const blackhole = await startBlackhole();
    try {
      const router = createRouter({
        config: testConfig(blackhole, fakes.local, {
          retry: { max_attempts: 2, delay_seconds: 0.01, timeout_seconds: 30 },
          // a read timeout far above the connect timeout: the failover must not wait for it
          timeouts: { cloud: { connect: 0.2, read: 30, write: 1, pool: 1 } } as LlmConfig['timeouts'],
        }),
        logger: log.logger,
      });
      fixture.closeLater(router);
      const answer = await router.chat({ messages });
      expect(answer).toMatchObject({ provider: 'local', model: 'gemma2:9b' });
      expect(log.events('llm_failover')).toMatchObject([
        { from_provider: 'cloud', reason: 'connection', error_code: 'UND_ERR_CONNECT_TIMEOUT', attempts: 2 },
      ]);
    } finally {
      await blackhole.close();
    }
  });

  it('fails over at once (no retry) when the cloud accepts and goes silent: read timeout', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'hang' });
    const router = make();
    const answer = await router.chat({ messages });
    expect(answer).toMatchObject({ provider: 'local', model: 'gemma2:9b' });
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
    expect(log.events('llm_failover')).toMatchObject([
      { from_provider: 'cloud', reason: 'timeout', error_code: 'UND_ERR_HEADERS_TIMEOUT', attempts: 1 },
    ]);
  });

  it('caps a cloud attempt at retry.timeout_seconds when that is shorter than the read timeout', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'delay', delayMs: 2000 });
    const router = make({
      retry: { max_attempts: 3, delay_seconds: 0.01, timeout_seconds: 0.1 },
      timeouts: { cloud: { connect: 1, read: 30, write: 1, pool: 1 } } as LlmConfig['timeouts'],
    });
    const answer = await router.chat({ messages });
    expect(answer.provider).toBe('local');
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
    expect(log.events('llm_failover')).toMatchObject([
      { reason: 'timeout', error_code: 'ATTEMPT_TIMEOUT', attempts: 1 },
    ]);
  });

  it('fails over on 401 without retrying and warns once that the key is wrong', async () => {
    const router = createRouter({
      config: {
        ...testConfig(fakes.cloud, fakes.local),
        cloud: { ...testConfig(fakes.cloud, fakes.local).cloud, api_key: 'sk-wrong' },
      },
      logger: log.logger,
    });
    fixture.closeLater(router);
    const first = await router.chat({ messages });
    const second = await router.chat({ messages });
    expect([first.provider, second.provider]).toEqual(['local', 'local']);
    expect(hits(fakes.cloud, '/api/chat')).toBe(2);
    expect(log.events('llm_failover')).toMatchObject([
      { reason: 'auth', error_code: 401 },
      { reason: 'auth', error_code: 401 },
    ]);
    expect(log.events('llm_cloud_auth_failed')).toHaveLength(1);
    expect(log.text()).not.toContain('sk-wrong');
  });

  it('returns a cloud 400 with its status and text: no local substitute, no retry, never queued', async () => {
    // The contract changed (routing rule 2): a 400 is the request's fault, so the local chain is not asked.
    const storage = await fixture.openQueue();
    fakes.cloud.fault({
      path: '/api/chat',
      kind: 'status',
      status: 400,
      message: 'invalid think value: "huge"',
    });
    const router = make(undefined, { failedRequests: storage.queue });
    const error = await failure(router.chat({ messages }));
    expect(LLMRequestError.isInstance(error)).toBe(true);
    expect(LLMUnavailableError.isInstance(error)).toBe(false);
    expect((error as LLMRequestError).status).toBe(400);
    expect((error as LLMRequestError).upstreamMessage).toBe('invalid think value: "huge"');
    expect((error as Error).message).toContain('invalid think value');
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
    expect(hits(fakes.local, '/api/chat')).toBe(0);
    expect((await storage.queue.stats()).counts.ready).toBe(0);
    expect(log.events('llm_request_queued')).toEqual([]);
    expect(log.events('llm_failover')).toEqual([]);
  });

  it('returns a local 400 as LLMRequestError without trying the next local model', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    fakes.local.fault({
      path: '/api/chat',
      kind: 'status',
      status: 400,
      message: 'invalid think value: "huge"',
    });
    const router = make({ retry: { max_attempts: 1, delay_seconds: 0.01, timeout_seconds: 5 } });
    const error = await failure(router.chat({ messages }));
    expect((error as LLMRequestError).status).toBe(400);
    expect(hits(fakes.local, '/api/chat')).toBe(1);
  });
});

describe('createRouter: 429 cooldown', () => {
  it('starts a persisted cooldown on 429, skips the cloud after it (also in a fresh router) until it expires', async () => {
    let clock = Date.parse('2026-11-25T12:00:00Z');
    const now = (): number => clock;
    fakes.cloud.fault({
      path: '/api/chat',
      kind: 'status',
      status: 429,
      times: 1,
      message: "you've reached your hourly usage limit, please wait or upgrade to continue",
    });
    const router = make(undefined, { now });
    const first = await router.chat({ messages });
    expect(first.provider).toBe('local');
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
    expect(log.events('llm_failover')).toMatchObject([
      { reason: 'rate_limit', error_code: 429, attempts: 1 },
    ]);
    expect(log.events('llm_cooldown_started')).toMatchObject([
      { until: new Date(clock + 600_000).toISOString(), status: 429 },
    ]);
    expect(String(log.events('llm_cooldown_started')[0]?.reason)).toContain('hourly usage limit');

    const second = await router.chat({ messages });
    expect(second.provider).toBe('local');
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);

    // a restart during the cooldown still skips the cloud (the cooldown is in the state file)
    clock += 5_000;
    const restarted = make(undefined, { now });
    expect((await restarted.chat({ messages })).provider).toBe('local');
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
    expect(await restarted.cooldown()).toMatchObject({
      status: 429,
      until: Date.parse('2026-11-25T12:10:00Z'),
    });

    clock += 600_000;
    const after = await restarted.chat({ messages });
    expect(after.provider).toBe('cloud');
    expect(hits(fakes.cloud, '/api/chat')).toBe(2);
    expect(log.events('llm_cooldown_started')).toHaveLength(1);
  });

  it('lets a longer Retry-After win over cooldown.rate_limit_seconds, and not a shorter one', async () => {
    let clock = 1_800_000_000_000;
    const state = createMemoryStateStore({ now: () => clock });
    fakes.cloud.fault({
      path: '/api/chat',
      kind: 'status',
      status: 429,
      times: 1,
      headers: { 'Retry-After': '3600' },
    });
    const router = make(undefined, { now: () => clock, stateStore: state });
    expect((await router.chat({ messages })).provider).toBe('local');
    expect(await state.get(COOLDOWN_KEY)).toMatchObject({
      until: clock + 3_600_000,
      status: 429,
      since: clock,
    });

    clock += 3_600_001;
    fakes.cloud.fault({
      path: '/api/chat',
      kind: 'status',
      status: 429,
      times: 1,
      headers: { 'Retry-After': '5' },
    });
    expect((await router.chat({ messages })).provider).toBe('local');
    expect(await state.get(COOLDOWN_KEY)).toMatchObject({ until: clock + 600_000 });
  });

  it('shares the cooldown between instances on one SQLite database', async () => {
    const first = await openStorage(`sqlite:${join(fixture.directory, 'shared.db')}`);
    const second = await openStorage(`sqlite:${join(fixture.directory, 'shared.db')}`);
    try {
      fakes.cloud.fault({ path: '/api/chat', kind: 'status', status: 429, times: 1 });
      const a = make(undefined, { stateStore: first.state });
      const b = make(undefined, { stateStore: second.state });
      expect((await a.chat({ messages })).provider).toBe('local');
      expect((await b.chat({ messages })).provider).toBe('local');
      expect(hits(fakes.cloud, '/api/chat')).toBe(1);
      expect(await second.state.get(COOLDOWN_KEY)).toMatchObject({ status: 429 });
    } finally {
      await first.close();
      await second.close();
    }
  });

  it.skipIf(!pgUrl)('shares the cooldown between instances on one PostgreSQL database', async () => {
    const database = await createTestDatabase({ prefix: 'llm_router' });
    const first = await openStorage(database.url);
    const second = await openStorage(database.url);
    try {
      fakes.cloud.fault({ path: '/api/chat', kind: 'status', status: 429 });
      const a = make(undefined, { stateStore: first.state });
      const b = make(undefined, { stateStore: second.state });
      // both instances hit the 429 at the same time: one cooldown record, one event
      const answers = await Promise.all([
        ...Array.from({ length: 10 }, () => a.chat({ messages })),
        ...Array.from({ length: 10 }, () => b.chat({ messages })),
      ]);
      expect(answers.every((answer) => answer.provider === 'local')).toBe(true);
      expect(log.events('llm_cooldown_started')).toHaveLength(1);
      const before = hits(fakes.cloud, '/api/chat');
      const c = make(undefined, { stateStore: second.state });
      expect((await c.chat({ messages })).provider).toBe('local');
      expect(hits(fakes.cloud, '/api/chat')).toBe(before);
    } finally {
      await first.close();
      await second.close();
      await database.drop();
    }
  });

  it('writes one cooldown for 50 concurrent requests that all hit 429', async () => {
    const inner = createMemoryStateStore();
    let writes = 0;
    const counting: StateStore = {
      get: (key) => inner.get(key),
      set: async (key, value, options) => {
        writes++;
        await inner.set(key, value, options);
      },
      compareAndSet: async (key, expected, value, options) => {
        const wrote = await inner.compareAndSet(key, expected, value, options);
        if (wrote) writes++;
        return wrote;
      },
    };
    fakes.cloud.fault({ path: '/api/chat', kind: 'status', status: 429 });
    // 50 concurrent local answers on a loaded 2-core machine: a read timeout that load cannot trip
    const router = make(
      { timeouts: { local: { connect: 1, read: 5, write: 1, pool: 1 } } as LlmConfig['timeouts'] },
      { stateStore: counting },
    );
    const answers = await Promise.all(Array.from({ length: 50 }, () => router.chat({ messages })));
    expect(answers.every((answer) => answer.provider === 'local')).toBe(true);
    expect(writes).toBe(1);
    expect(log.events('llm_cooldown_started')).toHaveLength(1);
    expect(hits(fakes.cloud, '/api/chat')).toBeLessThanOrEqual(50);
    expect(hits(fakes.local, '/api/chat')).toBe(50);
    // the cooldown is in force: the next request does not touch the cloud
    const before = hits(fakes.cloud, '/api/chat');
    await router.chat({ messages });
    expect(hits(fakes.cloud, '/api/chat')).toBe(before);
  });
});

describe('createRouter: local fallback chain', () => {
  it('skips a local model that answers 404 and serves from the next one', async () => {
    fakes.cloud.fault({ kind: 'status', status: 503 });
    fakes.local.fault({ path: '/api/chat', model: 'gemma2:9b', kind: 'status', status: 404 });
    const router = make({ retry: { max_attempts: 1, delay_seconds: 0.01, timeout_seconds: 5 } });
    const answer = await router.chat({ messages });
    expect(answer).toMatchObject({ provider: 'local', model: 'llama3.2:3b' });
    expect(answer.message.content).toBe(localText('llama3.2:3b'));
    expect(
      fakes.local.requests.filter((request) => request.path === '/api/chat').map((request) => request.model),
    ).toEqual(['gemma2:9b', 'llama3.2:3b']);
    expect(log.events('llm_failover')).toMatchObject([
      { from_provider: 'cloud', to_provider: 'local', reason: 'transient', to_model: 'gemma2:9b' },
      {
        from_provider: 'local',
        to_provider: 'local',
        reason: 'not_found',
        error_code: 404,
        model: 'gemma2:9b',
        to_model: 'llama3.2:3b',
      },
    ]);
  });

  it('tries the caller-named model first when it is pulled locally, then the configured chain', async () => {
    fakes.cloud.setModels(['gpt-oss:120b', 'nomic-embed-text', 'llama3.2:3b']);
    fakes.cloud.fault({ path: '/api/chat', kind: 'status', status: 404 });
    const router = make();
    const answer = await router.chat({ model: 'llama3.2:3b', messages });
    expect(answer).toMatchObject({ provider: 'local', model: 'llama3.2:3b' });
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
    expect(inference(fakes.cloud)[0]?.model).toBe('llama3.2:3b');
    expect(log.events('llm_failover')).toMatchObject([{ reason: 'not_found', error_code: 404 }]);
  });

  it('skips configured models that are not pulled, warning once, not on every request', async () => {
    const config = testConfig(undefined, fakes.local, {
      local: { models: ['mistral:7b', 'llama3.2:3b'] } as unknown as LlmConfig['local'],
    });
    const router = createRouter({ config, logger: log.logger });
    fixture.closeLater(router);
    const answers = [await router.chat({ messages }), await router.chat({ messages })];
    expect(answers.map((answer) => answer.model)).toEqual(['llama3.2:3b', 'llama3.2:3b']);
    expect(log.events('local_models_missing')).toMatchObject([{ missing: ['mistral:7b'] }]);
    expect(String(log.events('local_models_missing')[0]?.msg)).toContain('ollama pull mistral:7b');
  });

  it('uses all pulled models, largest first, when local.models is empty', async () => {
    fakes.cloud.fault({ kind: 'status', status: 503 });
    fakes.local.setModels(['llama3.2:3b', 'qwen2.5:14b', 'gemma2:9b']);
    const router = make({ local: { models: [] } as unknown as LlmConfig['local'] });
    const answer = await router.chat({ messages });
    expect(answer).toMatchObject({ provider: 'local', model: 'qwen2.5:14b' });
  });

  it('queues the request with a clear message when no local model is pulled', async () => {
    const storage = await fixture.openQueue();
    fakes.cloud.fault({ kind: 'status', status: 503 });
    fakes.local.setModels([]);
    const router = make(undefined, { failedRequests: storage.queue });
    const error = await failure(router.chat({ messages }));
    expect(LLMUnavailableError.isInstance(error)).toBe(true);
    expect((error as LLMUnavailableError).queued).toBe(true);
    expect((error as Error).message).toContain('ollama pull gemma2:9b');
    expect(hits(fakes.local, '/api/chat')).toBe(0);
    expect(log.events('llm_request_queued')).toHaveLength(1);
  });
});

describe('createRouter: streaming', () => {
  it('streams from the cloud, every chunk saying who serves it', async () => {
    const router = make();
    const stream = await router.chat({ messages, stream: true });
    expect([stream.provider, stream.model]).toEqual(['cloud', 'gpt-oss:120b']);
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.message.content).join('')).toBe(cloudText());
    expect(chunks.every((chunk) => chunk.provider === 'cloud')).toBe(true);
    expect(chunks.at(-1)?.done).toBe(true);
  });

  it('fails over when the stream errors before its first chunk', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'stream-error', afterChunks: 0, times: 1 });
    const router = make();
    const stream = await router.chat({ messages, stream: true });
    expect(stream.provider).toBe('local');
    expect(await collect(stream)).toBe(localText());
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
    expect(log.events('llm_failover')).toMatchObject([{ reason: 'stream', error_code: 'STREAM_ERROR' }]);
  });

  it('raises StreamInterruptedError with the partial text on an in-stream error after the first chunk', async () => {
    fakes.cloud.fault({
      path: '/api/chat',
      kind: 'stream-error',
      afterChunks: 2,
      message: 'model runner crashed',
    });
    const router = make();
    const stream = await router.chat({ messages, stream: true });
    let received = '';
    const error = await failure(
      (async () => {
        for await (const chunk of stream) received += chunk.message.content;
      })(),
    );
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    const interrupted = error as StreamInterruptedError;
    expect(interrupted.partial).toBe(received);
    expect(received.length).toBeGreaterThan(0);
    expect(cloudText().startsWith(received)).toBe(true);
    expect(received).not.toBe(cloudText());
    expect([interrupted.provider, interrupted.model]).toEqual(['cloud', 'gpt-oss:120b']);
    expect(interrupted.message).toContain('model runner crashed');
    expect(hits(fakes.local, '/api/chat')).toBe(0);
    expect(log.events('llm_failover')).toEqual([]);
    expect(log.events('llm_stream_interrupted')).toMatchObject([{ reason: 'stream', provider: 'cloud' }]);
  });

  it('drops a malformed line, logs it through the logger, and delivers the complete answer', async () => {
    const warn = vi.spyOn(console, 'warn');
    try {
      fakes.cloud.fault({ path: '/api/chat', kind: 'malformed', afterChunks: 1 });
      const router = make();
      const stream = await router.chat({ messages, stream: true });
      expect(await collect(stream)).toBe(cloudText());
      expect(stream.provider).toBe('cloud');
      expect(log.events('stream_malformed_line')).toMatchObject([
        { provider: 'cloud', model: 'gpt-oss:120b' },
      ]);
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  });

  it("with malformedLines: 'error', a malformed line breaks the stream: failover before the first chunk, StreamInterruptedError after", async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'malformed', afterChunks: 0, times: 1 });
    const router = make(undefined, { malformedLines: 'error' });
    const before = await router.chat({ messages, stream: true });
    expect(before.provider).toBe('local');
    expect(await collect(before)).toBe(localText());
    expect(log.events('llm_failover')).toMatchObject([{ reason: 'stream', error_code: 'MALFORMED_LINE' }]);

    // lines that arrive in separate reads: the malformed one comes after the first chunk reached the caller
    const paced = await startOllamaFake({ apiKey: API_KEY, models: ['gpt-oss:120b'], chunkDelayMs: 10 });
    try {
      paced.fault({ path: '/api/chat', kind: 'malformed', afterChunks: 2 });
      const pacedRouter = createRouter({
        config: testConfig(paced, fakes.local),
        logger: log.logger,
        malformedLines: 'error',
      });
      fixture.closeLater(pacedRouter);
      const after = await pacedRouter.chat({ messages, stream: true });
      expect(after.provider).toBe('cloud');
      const error = await failure(collect(after));
      expect(StreamInterruptedError.isInstance(error)).toBe(true);
      expect((error as StreamInterruptedError).partial.length).toBeGreaterThan(0);
      expect(log.events('llm_stream_interrupted')).toMatchObject([{ error_code: 'MALFORMED_LINE' }]);
    } finally {
      await paced.close();
    }
  });

  it('raises StreamInterruptedError when the stream is cut without its final chunk', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'truncate', afterChunks: 2 });
    const router = make();
    const stream = await router.chat({ messages, stream: true });
    const error = await failure(collect(stream));
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as StreamInterruptedError).partial.length).toBeGreaterThan(0);
    expect(log.events('llm_stream_interrupted')).toMatchObject([{ error_code: 'STREAM_TRUNCATED' }]);
  });

  it('fails over when the stream is cut before its first chunk', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'truncate', afterChunks: 0 });
    const router = make();
    const stream = await router.chat({ messages, stream: true });
    expect(stream.provider).toBe('local');
    expect(await collect(stream)).toBe(localText());
    expect(log.events('llm_failover')).toMatchObject([
      { reason: 'stream', error_code: 'STREAM_TRUNCATED', attempts: 1 },
    ]);
  });

  it('raises StreamInterruptedError when the stream stalls past the read timeout', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'stall', afterChunks: 2 });
    const router = make();
    const stream = await router.chat({ messages, stream: true });
    const error = await failure(collect(stream));
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect(log.events('llm_stream_interrupted')).toMatchObject([
      { reason: 'timeout', error_code: 'UND_ERR_BODY_TIMEOUT' },
    ]);
  });

  it('streams generate too, and fails over before the first chunk', async () => {
    fakes.cloud.fault({ path: '/api/generate', kind: 'stall', afterChunks: 0 });
    const router = make();
    const stream = await router.generate({ prompt: 'Say hi', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.response;
    expect(stream.provider).toBe('local');
    expect(text).toBe(fakes.local.expectedText({ model: 'gemma2:9b', prompt: 'Say hi' }));
    expect(log.events('llm_failover')).toMatchObject([
      { reason: 'timeout', error_code: 'UND_ERR_BODY_TIMEOUT' },
    ]);
  });

  it('cancels the upstream request at once when the caller aborts mid-stream', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'stall', afterChunks: 1 });
    const router = make({
      timeouts: { cloud: { connect: 1, read: 30, write: 1, pool: 1 } } as LlmConfig['timeouts'],
    });
    const controller = new AbortController();
    const stream = await router.chat({ messages, stream: true }, { signal: controller.signal });
    const error = await failure(
      (async () => {
        for await (const _chunk of stream) controller.abort();
      })(),
    );
    expect((error as Error).name).toBe('AbortError');
    expect(hits(fakes.local, '/api/chat')).toBe(0);
    expect(log.events('llm_failover')).toEqual([]);
  });

  it('stream.abort() ends the stream with an AbortError and no StreamInterruptedError', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'stall', afterChunks: 1 });
    const router = make({
      timeouts: { cloud: { connect: 1, read: 30, write: 1, pool: 1 } } as LlmConfig['timeouts'],
    });
    const stream = await router.chat({ messages, stream: true });
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    const pending = iterator.next();
    stream.abort();
    const error = await failure(pending);
    expect((error as Error).name).toBe('AbortError');
    expect(StreamInterruptedError.isInstance(error)).toBe(false);
    expect(log.events('llm_stream_interrupted')).toEqual([]);
  });

  it('close() does not wait for a stream nobody finishes reading', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'stall', afterChunks: 1 });
    const router = createRouter({
      config: testConfig(fakes.cloud, fakes.local, {
        timeouts: { cloud: { connect: 1, read: 60, write: 1, pool: 1 } } as LlmConfig['timeouts'],
      }),
    });
    const stream = await router.chat({ messages, stream: true });
    expect(stream.provider).toBe('cloud');
    await router.close();
    await expect(router.chat({ messages })).rejects.toMatchObject({ code: 'ROUTER_CLOSED' });
  });

  it('rejects at once when the caller aborts while the cloud is silent, without failing over or queueing', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'hang' });
    const storage = await fixture.openQueue();
    const router = make(
      { timeouts: { cloud: { connect: 1, read: 30, write: 1, pool: 1 } } as LlmConfig['timeouts'] },
      { failedRequests: storage.queue },
    );
    const controller = new AbortController();
    const pending = router.chat({ messages }, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    const error = await failure(pending);
    expect((error as Error).name).toBe('AbortError');
    expect(hits(fakes.local, '/api/chat')).toBe(0);
    expect((await storage.queue.stats()).counts.ready).toBe(0);
  });
});

describe('createRouter: non-streaming requests that fail mid-answer are restarted on local', () => {
  it.each([
    ['a body cut in the middle', { kind: 'truncate' as const }, 'stream', 'MALFORMED_RESPONSE'],
    ['a body that stalls', { kind: 'stall' as const }, 'timeout', 'UND_ERR_BODY_TIMEOUT'],
  ])('%s', async (_name, fault, reason, code) => {
    fakes.cloud.fault({ path: '/api/chat', ...fault });
    const router = make();
    const answer = await router.chat({ messages });
    expect(answer).toMatchObject({ provider: 'local', model: 'gemma2:9b', done: true });
    expect(answer.message.content).toBe(localText());
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
    expect(log.events('llm_failover')).toMatchObject([{ reason, error_code: code, attempts: 1 }]);
  });

  it('an error during generation (500 with stream:false) is retried, then served by local', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'stream-error' });
    const router = make();
    const answer = await router.chat({ messages });
    expect(answer).toMatchObject({ provider: 'local' });
    expect(answer.message.content).toBe(localText());
    expect(hits(fakes.cloud, '/api/chat')).toBe(3);
    expect(log.events('llm_failover')).toMatchObject([{ reason: 'transient', error_code: 500 }]);
  });

  it('a malformed-line fault does not disturb a non-streaming answer', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'malformed' });
    const router = make();
    const answer = await router.chat({ messages });
    expect(answer.provider).toBe('cloud');
    expect(answer.message.content).toBe(cloudText());
  });
});

describe('createRouter: embeddings', () => {
  it('only ever uses embeddings.model, on both sides', async () => {
    fakes.cloud.fault({ path: '/api/embed', kind: 'status', status: 503 });
    const router = make();
    const answer = await router.embed({ input: 'graph' });
    expect(answer).toMatchObject({ provider: 'local', model: 'nomic-embed-text' });
    expect(answer.embeddings[0]).toEqual(fakes.local.expectedEmbedding('nomic-embed-text', 'graph'));
    expect(new Set(inference(fakes.cloud).map((request) => request.model))).toEqual(
      new Set(['nomic-embed-text']),
    );
    expect(
      fakes.local.requests.filter((request) => request.path === '/api/embed').map((r) => r.model),
    ).toEqual(['nomic-embed-text']);
  });

  it('never substitutes another model when the embedding model is missing locally', async () => {
    fakes.cloud.fault({ kind: 'status', status: 503 });
    fakes.local.setModels(['gemma2:9b', 'llama3.2:3b']);
    const router = make();
    const error = await failure(router.embed({ input: 'graph' }));
    expect(LLMUnavailableError.isInstance(error)).toBe(true);
    expect((error as LLMUnavailableError).queued).toBe(false);
    expect(
      fakes.local.requests.filter((request) => request.path === '/api/embed').map((r) => r.model),
    ).toEqual(['nomic-embed-text']);
  });

  it("uses the caller's explicit embedding model on both sides", async () => {
    fakes.cloud.setModels(['gpt-oss:120b', 'nomic-embed-text', 'mxbai-embed-large']);
    fakes.cloud.fault({ path: '/api/embed', kind: 'status', status: 404 });
    fakes.local.setModels(['gemma2:9b', 'mxbai-embed-large']);
    const router = make();
    const answer = await router.embed({ model: 'mxbai-embed-large', input: 'graph' });
    expect(answer).toMatchObject({ provider: 'local', model: 'mxbai-embed-large' });
    expect(inference(fakes.cloud).map((request) => request.model)).toEqual(['mxbai-embed-large']);
    expect(log.events('llm_failover')).toMatchObject([
      { reason: 'not_found', to_model: 'mxbai-embed-large' },
    ]);
  });

  it('serves embeddings from the cloud when it answers', async () => {
    const router = make();
    const answer = await router.embed({ input: ['a', 'b'] });
    expect(answer.provider).toBe('cloud');
    expect(answer.embeddings).toHaveLength(2);
    expect(hits(fakes.local, '/api/embed')).toBe(0);
  });
});

describe('createRouter: both sides down', () => {
  let storage: Storage;
  beforeEach(async () => {
    storage = await fixture.openQueue({ maxSize: 2 });
  });

  it('queues the request (no secrets in the row) and raises LLMUnavailableError with its id', async () => {
    fakes.cloud.fault({ kind: 'status', status: 503 });
    await fakes.local.stop();
    try {
      const router = make(undefined, { failedRequests: storage.queue });
      const error = await failure(router.chat({ model: 'default', messages, options: { temperature: 0 } }));
      expect(LLMUnavailableError.isInstance(error)).toBe(true);
      const unavailable = error as LLMUnavailableError;
      expect(unavailable.queued).toBe(true);
      expect(unavailable.requestId).toEqual(expect.any(String));
      expect(unavailable.message).toContain(unavailable.requestId);
      expect(unavailable.message).not.toContain(API_KEY);
      const row = await storage.queue.get(unavailable.requestId as string);
      expect(row).toMatchObject({
        operation: 'chat',
        status: 'ready',
        params: { model: 'default', messages, options: { temperature: 0 } },
      });
      expect(JSON.stringify(row)).not.toContain(API_KEY);
      expect(String(row?.lastError)).toContain('503');
      expect(log.events('llm_request_queued')).toMatchObject([
        { request_id: unavailable.requestId, operation: 'chat', reason: 'connection' },
      ]);
      expect(log.events('llm_failover')).toMatchObject([{ from_provider: 'cloud', to_provider: 'local' }]);
    } finally {
      await fakes.local.start();
    }
  });

  it('passes the idempotency key to the queue, so a retried call is queued once', async () => {
    fakes.cloud.fault({ kind: 'status', status: 503 });
    await fakes.local.stop();
    try {
      const router = make(undefined, { failedRequests: storage.queue });
      const first = await failure(router.chat({ messages }, { idempotencyKey: 'client-42' }));
      const second = await failure(router.chat({ messages }, { idempotencyKey: 'client-42' }));
      expect((first as LLMUnavailableError).requestId).toBe((second as LLMUnavailableError).requestId);
      expect((await storage.queue.stats()).counts.ready).toBe(1);
    } finally {
      await fakes.local.start();
    }
  });

  it('says the request was not queued when the queue is full', async () => {
    await storage.queue.put('chat', { messages });
    await storage.queue.put('chat', { messages });
    fakes.cloud.fault({ kind: 'status', status: 503 });
    await fakes.local.stop();
    try {
      const router = make(undefined, { failedRequests: storage.queue });
      const error = await failure(router.chat({ messages }));
      expect(LLMUnavailableError.isInstance(error)).toBe(true);
      expect((error as LLMUnavailableError).queued).toBe(false);
      expect((error as LLMUnavailableError).requestId).toBeUndefined();
      expect((error as Error).message).toContain('NOT queued');
      expect((error as Error).message).toContain('full');
      expect(log.events('llm_request_not_queued')).toMatchObject([{ error_code: 'QUEUE_FULL' }]);
    } finally {
      await fakes.local.start();
    }
  });
});

describe('createRouter: a flapping cloud', () => {
  it('serves from local during the outage and from the cloud on the first request after recovery', async () => {
    const router = make({ retry: { max_attempts: 2, delay_seconds: 0.01, timeout_seconds: 5 } });
    expect((await router.chat({ messages })).provider).toBe('cloud');
    await fakes.cloud.stop();
    const during = [await router.chat({ messages }), await router.chat({ messages })];
    expect(during.map((answer) => answer.provider)).toEqual(['local', 'local']);
    await fakes.cloud.start();
    fakes.cloud.fault({ path: '/api/chat', kind: 'status', status: 502, times: 2 });
    // still down (502 twice): local again
    expect((await router.chat({ messages })).provider).toBe('local');
    // healthy: no circuit breaker, so the very next request is the cloud's
    const after = await router.chat({ messages });
    expect(after.provider).toBe('cloud');
    expect(after.message.content).toBe(cloudText());
    expect(log.events('llm_failover')).toHaveLength(3);
  });
});

describe('createRouter: quota, generate', () => {
  it('feeds cloud headers and token counts to the quota tracker', async () => {
    const quota = createQuotaTracker({ stateStore: createQuotaStateStore() });
    fakes.cloud.fault({
      path: '/api/chat',
      kind: 'headers',
      headers: { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '90' },
      times: 1,
    });
    const router = make(undefined, { quota });
    const answer = await router.chat({ messages });
    // the router does not await the tracker on the response path
    await vi.waitFor(async () => {
      const snapshot = await quota.snapshot();
      expect(snapshot).toMatchObject({ source: 'headers', limit: 100, remaining: 90 });
      expect(snapshot.counters.completionTokens).toBe(answer.eval_count);
    });
  });

  it('sends image strings as they are: a path-like string is never read from the local disk', async () => {
    const router = make();
    // '/usr/bin/env' is an existing file and also valid base64 (the fake, like Ollama, rejects invalid base64)
    await router.chat({ messages: [{ role: 'user', content: 'look', images: ['/usr/bin/env'] }] });
    const body = inference(fakes.cloud)[0]?.body as { messages: { images: string[] }[] };
    expect(body.messages[0]?.images).toEqual(['/usr/bin/env']);
  });

  it('generate answers with provider and model', async () => {
    const router = make();
    const answer = await router.generate({ prompt: 'Say hi' });
    expect(answer).toMatchObject({ provider: 'cloud', model: 'gpt-oss:120b', done: true });
    expect(answer.response).toBe(fakes.cloud.expectedText({ model: 'gpt-oss:120b', prompt: 'Say hi' }));
  });

  it('skips the cloud entirely when no API key is configured', async () => {
    const config = testConfig(undefined, fakes.local);
    const router = createRouter({ config, logger: log.logger });
    fixture.closeLater(router);
    const answer = await router.chat({ messages });
    expect(answer.provider).toBe('local');
    expect(fakes.cloud.requests).toEqual([]);
    expect(log.events('llm_failover')).toEqual([]);
  });
});
