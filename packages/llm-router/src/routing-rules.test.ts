import type { LlmConfig } from '@graphiti/llm-config';
import { describe, expect, it } from 'vitest';
import { API_KEY, hits, messages } from './__fixtures__/harness.js';
import { failure, useRouterFixture } from './__fixtures__/router-fixture.js';
import { COOLDOWN_KEY, MODEL_COOLDOWNS_KEY } from './cooldown.js';
import { LLMRequestError, type LLMUnavailableError, StreamInterruptedError } from './errors.js';
import { createMemoryStateStore } from './file-state-store.js';
import { rawBody } from './raw-body.js';

const fixture = useRouterFixture({ cloudModels: ['gpt-oss:120b', 'glm-5', 'nomic-embed-text'] });
const { fakes, log, events, make } = fixture;

const cloudFault = (status: number, message: string, times?: number): void => {
  fakes.cloud.fault({
    path: '/api/chat',
    kind: 'status',
    status,
    message,
    ...(times === undefined ? {} : { times }),
  });
};

describe('the cloud answer table (routing rule 2)', () => {
  it('429 concurrency slot: fails over at once with reason concurrency and starts no cooldown', async () => {
    const state = createMemoryStateStore();
    cloudFault(429, 'timed out waiting for a concurrent request slot', 1);
    const router = make(undefined, { stateStore: state });
    expect((await router.chat({ messages })).provider).toBe('local');
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
    expect(log.events('llm_failover')).toMatchObject([{ reason: 'concurrency', error_code: 429 }]);
    expect(await state.get(COOLDOWN_KEY)).toBeUndefined();
    expect(log.events('llm_cooldown_started')).toEqual([]);
    // the very next request tries the cloud again
    expect((await router.chat({ messages })).provider).toBe('cloud');
  });

  it('429 naming a usage window: cloud cooldown of at least cooldown.rate_limit_seconds, window reported', async () => {
    const clock = Date.parse('2026-11-25T12:00:00Z');
    const state = createMemoryStateStore({ now: () => clock });
    cloudFault(
      429,
      'you (ana) have reached your session usage limit, upgrade for higher limits: https://ollama.com/upgrade',
      1,
    );
    const router = make(undefined, { stateStore: state, now: () => clock });
    expect((await router.chat({ messages })).provider).toBe('local');
    expect(log.events('llm_failover')).toMatchObject([{ reason: 'rate_limit', error_code: 429 }]);
    expect(await state.get(COOLDOWN_KEY)).toMatchObject({
      until: clock + 600_000,
      window: 'session',
      status: 429,
    });
    expect(events.filter((event) => event.type === 'cooldown')).toMatchObject([
      { scope: 'cloud', window: 'session', until: clock + 600_000 },
    ]);
    expect((await router.chat({ messages })).provider).toBe('local');
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
  });

  it('a 429 naming a window cools the cloud until the reset the usage endpoints report', async () => {
    const clock = Date.parse('2026-11-25T12:00:00Z');
    const state = createMemoryStateStore({ now: () => clock });
    const resets: (string | undefined)[] = [];
    cloudFault(
      429,
      'you (ana) have reached your weekly usage limit, upgrade or add extra usage: x (ref: 1)',
      1,
    );
    const router = make(undefined, {
      stateStore: state,
      now: () => clock,
      usageResetAt: (window) => {
        resets.push(window);
        return Date.parse('2026-11-30T00:00:00Z');
      },
    });
    expect((await router.chat({ messages })).provider).toBe('local');
    expect(resets).toEqual(['weekly']);
    expect(await state.get(COOLDOWN_KEY)).toMatchObject({
      until: Date.parse('2026-11-30T00:00:00Z'),
      window: 'weekly',
    });
  });

  it('an unrecognised 429 is a usage limit of unknown reset: cooldown of cooldown.rate_limit_seconds', async () => {
    const state = createMemoryStateStore();
    cloudFault(429, 'monthly credits exhausted', 1);
    const router = make({ cooldown: { rate_limit_seconds: 1200 } }, { stateStore: state });
    const before = Date.now();
    expect((await router.chat({ messages })).provider).toBe('local');
    const stored = (await state.get(COOLDOWN_KEY)) as { until: number };
    expect(stored.until).toBeGreaterThanOrEqual(before + 1_200_000);
  });

  it.each([
    [402, 'this model uses extra usage only (not included plan usage) and your extra usage balance is empty'],
    [403, 'this model requires a subscription, upgrade for access'],
  ])(
    '%i: that model is cooled (reason model_unavailable); other cloud models still go to the cloud',
    async (status, text) => {
      const state = createMemoryStateStore();
      fakes.cloud.fault({ path: '/api/chat', model: 'gpt-oss:120b', kind: 'status', status, message: text });
      const router = make(undefined, { stateStore: state });
      expect((await router.chat({ messages })).provider).toBe('local');
      expect(log.events('llm_failover')).toMatchObject([{ reason: 'model_unavailable', error_code: status }]);
      expect(await state.get(COOLDOWN_KEY)).toBeUndefined();
      expect(await state.get(MODEL_COOLDOWNS_KEY)).toMatchObject({ 'gpt-oss:120b': { status } });
      // the cooled model skips the cloud; another cloud model is served by it
      expect((await router.chat({ messages })).provider).toBe('local');
      expect(hits(fakes.cloud, '/api/chat')).toBe(1);
      const other = await router.chat({ model: 'glm-5', messages });
      expect([other.provider, other.model]).toEqual(['cloud', 'glm-5']);
    },
  );

  it('403 other than a subscription is auth: fail over, no cooldown', async () => {
    cloudFault(403, 'forbidden');
    const router = make();
    expect((await router.chat({ messages })).provider).toBe('local');
    expect(log.events('llm_failover')).toMatchObject([{ reason: 'auth', error_code: 403 }]);
    expect(log.events('llm_cloud_auth_failed')).toHaveLength(1);
    expect((await router.chat({ messages })).provider).toBe('local');
    expect(hits(fakes.cloud, '/api/chat')).toBe(2);
  });

  it('503 Server overloaded is transient: retried, then failed over', async () => {
    cloudFault(503, 'Server overloaded, please retry shortly (ref: 1)');
    const router = make();
    expect((await router.chat({ messages })).provider).toBe('local');
    expect(hits(fakes.cloud, '/api/chat')).toBe(3);
    expect(log.events('llm_failover')).toMatchObject([{ reason: 'transient', error_code: 503, attempts: 3 }]);
  });

  it('a stream with no first chunk within first_token fails over at once (not retried), reason timeout', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'delay', delayMs: 1500 });
    const router = make({
      timeouts: {
        cloud: { connect: 1, read: 5, write: 1, pool: 1, first_token: 0.15 },
      } as LlmConfig['timeouts'],
    });
    const started = Date.now();
    const stream = await router.chat({ messages, stream: true });
    expect(stream.provider).toBe('local');
    expect(Date.now() - started).toBeLessThan(1200);
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
    expect(log.events('llm_failover')).toMatchObject([
      { reason: 'timeout', error_code: 'FIRST_TOKEN_TIMEOUT' },
    ]);
    for await (const _chunk of stream) {
      // drain
    }
  });

  it('404 for a named model the local server lacks: LLMRequestError 404 as Ollama answers, no substitute', async () => {
    const storage = await fixture.openQueue();
    cloudFault(404, "model 'glm-5' not found");
    const router = make(undefined, { failedRequests: storage.queue });
    const error = await failure(router.chat({ model: 'glm-5', messages }));
    expect(LLMRequestError.isInstance(error)).toBe(true);
    expect((error as LLMRequestError).status).toBe(404);
    expect((error as LLMRequestError).upstreamMessage).toBe("model 'glm-5' not found");
    expect(hits(fakes.local, '/api/chat')).toBe(0);
    expect((await storage.queue.stats()).counts.ready).toBe(0);
  });

  it('404 for the default model: the local chain answers, cloud_model_not_found warned once', async () => {
    cloudFault(404, "model 'gpt-oss:120b' not found");
    const router = make();
    const answers = [await router.chat({ messages }), await router.chat({ model: 'default', messages })];
    expect(answers.map((answer) => [answer.provider, answer.model])).toEqual([
      ['local', 'gemma2:9b'],
      ['local', 'gemma2:9b'],
    ]);
    expect(log.events('cloud_model_not_found')).toHaveLength(1);
  });
});

describe('model policy (routing rules 1 and 3)', () => {
  it('a model only the local server has goes straight to local: no cloud round trip', async () => {
    const router = make();
    const answer = await router.chat({ model: 'llama3.2:3b', messages });
    expect([answer.provider, answer.model]).toEqual(['local', 'llama3.2:3b']);
    expect(hits(fakes.cloud, '/api/chat')).toBe(0);
    expect(log.events('llm_failover')).toEqual([]);
  });

  it('reads the cloud model list once and reuses it (~10 minutes)', async () => {
    const router = make();
    await router.chat({ messages });
    await router.chat({ model: 'llama3.2:3b', messages });
    await router.chat({ messages });
    expect(hits(fakes.cloud, '/api/tags')).toBe(1);
    const listed = await router.cloudModels();
    const names = listed?.map((entry) => String(entry.name).replace(/:latest$/, ''));
    expect(names).toEqual(expect.arrayContaining(['gpt-oss:120b', 'glm-5']));
    expect(hits(fakes.cloud, '/api/tags')).toBe(1);
  });

  it('a typo model on neither side is a 404 and is never answered by another model', async () => {
    const router = make();
    const error = await failure(router.chat({ model: 'mistral:7b', messages }));
    expect(LLMRequestError.isInstance(error)).toBe(true);
    expect((error as LLMRequestError).status).toBe(404);
    expect((error as Error).message).toBe("model 'mistral:7b' not found");
    expect(hits(fakes.cloud, '/api/chat')).toBe(0);
    expect(hits(fakes.local, '/api/chat')).toBe(0);
  });

  it('name:local forces local even when the cloud lists the model', async () => {
    fakes.cloud.setModels(['gpt-oss:120b', 'gemma2:9b']);
    const router = make();
    const answer = await router.chat({ model: 'gemma2:9b:local', messages });
    expect([answer.provider, answer.model]).toEqual(['local', 'gemma2:9b']);
    expect(hits(fakes.cloud, '/api/chat')).toBe(0);
    expect(fakes.local.requests.find((request) => request.path === '/api/chat')?.model).toBe('gemma2:9b');
  });

  it('name:cloud forces the cloud (suffix stripped) even when its list does not name it', async () => {
    fakes.cloud.setModels(['gpt-oss:120b']);
    const router = make();
    // the router caches a list without the model; the fake serves it from now on
    expect((await router.cloudModels())?.map((entry) => entry.name)).not.toContain('qwen3-coder:480b');
    fakes.cloud.setModels(['gpt-oss:120b', 'qwen3-coder:480b']);
    const answer = await router.chat({ model: 'qwen3-coder:480b-cloud', messages });
    expect([answer.provider, answer.model]).toEqual(['cloud', 'qwen3-coder:480b']);
    expect(fakes.cloud.requests.find((request) => request.path === '/api/chat')?.model).toBe(
      'qwen3-coder:480b',
    );
  });

  it('embeddings never go to the cloud unless it lists the model', async () => {
    fakes.local.setModels(['gemma2:9b', 'mxbai-embed-large']);
    const router = make();
    const answer = await router.embed({ model: 'mxbai-embed-large', input: 'graph' });
    expect([answer.provider, answer.model]).toEqual(['local', 'mxbai-embed-large']);
    expect(hits(fakes.cloud, '/api/embed')).toBe(0);
  });

  it('cloud.max_concurrency: a request past the cap goes to the local chain at once', async () => {
    fakes.cloud.fault({ path: '/api/chat', kind: 'stall', afterChunks: 1, times: 1 });
    const router = make({
      cloud: { max_concurrency: 1 } as LlmConfig['cloud'],
      timeouts: { cloud: { connect: 1, read: 30, write: 1, pool: 1 } } as LlmConfig['timeouts'],
    });
    const held = await router.chat({ messages, stream: true });
    expect(held.provider).toBe('cloud');
    const next = await router.chat({ messages });
    expect(next.provider).toBe('local');
    expect(hits(fakes.cloud, '/api/chat')).toBe(1);
    expect(log.events('llm_failover')).toMatchObject([
      { reason: 'concurrency', error_code: 'MAX_CONCURRENCY' },
    ]);
    // the slot is free again once the stream is aborted, even unread
    held.abort();
    expect((await router.chat({ messages })).provider).toBe('cloud');
  });

  it('an unload request (keep_alive: 0, no messages) goes to the local server only', async () => {
    fakes.cloud.setModels(['gpt-oss:120b', 'gemma2:9b']);
    const router = make();
    const answer = await router.chat({ model: 'gemma2:9b', messages: [], keep_alive: 0 });
    expect(answer.provider).toBe('local');
    expect(hits(fakes.cloud, '/api/chat')).toBe(0);
    expect(hits(fakes.local, '/api/chat')).toBe(1);
  });
});

describe('raw pass-through and events', () => {
  it('lines() yields the upstream lines unchanged, inspected, with provider and model beside the stream', async () => {
    const router = make();
    const stream = await router.chat({ messages, stream: true }, { callId: 'call-7' });
    const lines: string[] = [];
    for await (const line of stream.lines()) lines.push(line);
    expect([stream.provider, stream.model]).toEqual(['cloud', 'gpt-oss:120b']);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.every((line) => !line.includes('provider') && !line.endsWith('\n'))).toBe(true);
    const parsed = lines.map((line) => JSON.parse(line) as { message?: { content: string }; done: boolean });
    expect(parsed.map((chunk) => chunk.message?.content ?? '').join('')).toBe(
      fakes.cloud.expectedText({ model: 'gpt-oss:120b', messages }),
    );
    expect(parsed.at(-1)?.done).toBe(true);
    expect(
      events
        .filter((event) => 'callId' in event)
        .every((event) => (event as { callId?: string }).callId === 'call-7'),
    ).toBe(true);
    expect(events.map((event) => event.type)).toEqual(['answered', 'attempt']);
    expect(events[1]).toMatchObject({
      type: 'attempt',
      provider: 'cloud',
      outcome: 'ok',
      firstChunkMs: expect.any(Number),
    });
  });

  it('lines() raises StreamInterruptedError on an error line after the first chunk', async () => {
    fakes.cloud.fault({
      path: '/api/chat',
      kind: 'stream-error',
      afterChunks: 2,
      message: 'model runner crashed',
    });
    const router = make();
    const stream = await router.chat({ messages, stream: true });
    const lines: string[] = [];
    const error = await failure(
      (async () => {
        for await (const line of stream.lines()) lines.push(line);
      })(),
    );
    expect(StreamInterruptedError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('model runner crashed');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.includes('"error"'))).toBe(false);
  });

  it('rawBody() is the exact JSON text of a non-streaming answer', async () => {
    const router = make();
    const answer = await router.chat({ messages });
    const raw = rawBody(answer);
    expect(typeof raw).toBe('string');
    expect(raw).not.toContain('"provider"');
    const { provider: _provider, ...rest } = answer as unknown as Record<string, unknown>;
    expect(JSON.parse(raw as string)).toEqual(rest);
    expect(rawBody({})).toBeUndefined();
  });

  it('emits failover and answered events with the call id', async () => {
    cloudFault(503, 'Server overloaded', 3);
    const router = make();
    await router.chat({ messages }, { callId: 'c1' });
    expect(events.filter((event) => event.type !== 'attempt')).toMatchObject([
      {
        type: 'failover',
        callId: 'c1',
        from_provider: 'cloud',
        to_provider: 'local',
        reason: 'transient',
        error_code: 503,
        model: 'gpt-oss:120b',
        to_model: 'gemma2:9b',
      },
      { type: 'answered', callId: 'c1', provider: 'local', model: 'gemma2:9b', stream: false },
    ]);
    expect(events.filter((event) => event.type === 'attempt')).toHaveLength(4);
  });

  it('emits queued with the request id when both sides are down', async () => {
    const storage = await fixture.openQueue();
    cloudFault(503, 'Server overloaded');
    await fakes.local.stop();
    try {
      const router = make(undefined, { failedRequests: storage.queue });
      const error = (await failure(router.chat({ messages }, { callId: 'c2' }))) as LLMUnavailableError;
      expect(error.queued).toBe(true);
      expect(events.filter((event) => event.type === 'queued')).toMatchObject([
        { type: 'queued', callId: 'c2', requestId: error.requestId, operation: 'chat' },
      ]);
    } finally {
      await fakes.local.start();
    }
  });
});

describe('secrets scrubbed by value', () => {
  it('an upstream that echoes the key reaches no error, log line, event or queued row', async () => {
    const storage = await fixture.openQueue();
    fakes.cloud.fault({
      path: '/api/chat',
      kind: 'status',
      status: 400,
      message: `bad header Bearer ${API_KEY}`,
      times: 1,
    });
    const router = make(undefined, { failedRequests: storage.queue });
    const rejected = (await failure(router.chat({ messages }))) as LLMRequestError;
    expect(rejected.status).toBe(400);
    expect(rejected.upstreamMessage).toBe('bad header Bearer [redacted]');
    expect(`${rejected.message} ${JSON.stringify(rejected.failures)}`).not.toContain(API_KEY);

    fakes.cloud.fault({
      path: '/api/chat',
      kind: 'status',
      status: 503,
      message: `overloaded for ${API_KEY}`,
    });
    await fakes.local.stop();
    try {
      const queued = (await failure(router.chat({ messages }))) as LLMUnavailableError;
      expect(queued.queued).toBe(true);
      expect(queued.message).not.toContain(API_KEY);
      expect(JSON.stringify(await storage.queue.get(queued.requestId as string))).not.toContain(API_KEY);
    } finally {
      await fakes.local.start();
    }
  });
});

describe('router.show', () => {
  it('asks the local server for a model it has, the cloud for a cloud model, and 404s a typo', async () => {
    const router = make();
    expect(await router.show({ model: 'gemma2:9b' })).toMatchObject({
      provider: 'local',
      model: 'gemma2:9b',
    });
    const cloud = await router.show({ model: 'glm-5' });
    expect(cloud).toMatchObject({ provider: 'cloud', model: 'glm-5' });
    expect(fakes.cloud.requests.find((request) => request.path === '/api/show')?.headers.authorization).toBe(
      `Bearer ${API_KEY}`,
    );
    const error = await failure(router.show({ model: 'mistral:7b' }));
    expect(LLMRequestError.isInstance(error)).toBe(true);
    expect((error as LLMRequestError).status).toBe(404);
  });
});
