import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, type Storage } from '@graphiti/llm-queue';
import { createTestDatabase, pgTestUrl } from '@graphiti/llm-queue/test';
import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureLog, messages, testConfig } from './__fixtures__/harness.js';
import { createRouter, type Router } from './create-router.js';
import { processPending, type ReplayProgress } from './process-pending.js';
import type { ReplayQueue } from './types.js';

let local: OllamaFake;
let directory: string;
let storage: Storage;
let router: Router;
/** The storage's clock: a nacked item is backed off, so the tests move time past its not_before. */
let clock = Date.now();
const pastBackoff = (): void => {
  clock += 2 * 60 * 60 * 1000;
};

beforeAll(async () => {
  local = await startOllamaFake({ models: ['gemma2:9b', 'llama3.2:3b', 'nomic-embed-text'] });
});
afterAll(async () => {
  await local.close();
});
beforeEach(async () => {
  local.reset();
  directory = await mkdtemp(join(tmpdir(), 'llm-router-replay-'));
  clock = Date.now();
  storage = await openStorage(`sqlite:${join(directory, 'queue.db')}`, { maxAttempts: 3, now: () => clock });
  // no API key: replays go to the local fake only
  router = createRouter({ config: testConfig(undefined, local), logger: captureLog().logger });
});
afterEach(async () => {
  await router.close();
  await storage.close();
  await rm(directory, { recursive: true, force: true });
});

describe('processPending', () => {
  it('acks answered items with their result and fails invalid ones at once', async () => {
    const chat = await storage.queue.put('chat', { model: 'default', messages });
    const embed = await storage.queue.put('embed', { input: 'graph' });
    const invalid = await storage.queue.put('generate', { prompt: 'x' });
    const unknown = await storage.queue.put('pull', { model: 'x' });
    local.fault({ path: '/api/generate', kind: 'status', status: 400, message: 'invalid input type' });
    const progress: ReplayProgress[] = [];
    const result = await processPending(storage.queue, router, { onProgress: (p) => progress.push(p) });

    expect(result).toEqual({ processed: 4, succeeded: 2, requeued: 0, failed: 2 });
    const chatRow = await storage.queue.get(chat);
    expect(chatRow).toMatchObject({ status: 'done', result: { provider: 'local', model: 'gemma2:9b' } });
    const chatResult = chatRow?.result as { message: { content: string } } | undefined;
    expect(chatResult?.message.content).toBe(local.expectedText({ model: 'gemma2:9b', messages }));
    expect(await storage.queue.get(embed)).toMatchObject({
      status: 'done',
      result: {
        provider: 'local',
        model: 'nomic-embed-text',
        embeddings: [local.expectedEmbedding('nomic-embed-text', 'graph')],
      },
    });
    expect(await storage.queue.get(invalid)).toMatchObject({ status: 'failed' });
    expect(String((await storage.queue.get(invalid))?.lastError)).toContain('invalid input type');
    expect(await storage.queue.get(unknown)).toMatchObject({ status: 'failed' });
    expect(progress.map((p) => p.outcome).sort()).toEqual(['done', 'done', 'failed', 'failed']);
    expect(progress.at(-1)?.processed).toBe(4);
  });

  it('nacks items when both providers are still down, and the queue fails them at queue.max_attempts', async () => {
    const id = await storage.queue.put('chat', { messages });
    await local.stop();
    try {
      const first = await processPending(storage.queue, router);
      expect(first).toEqual({ processed: 1, succeeded: 0, requeued: 1, failed: 0 });
      expect(await storage.queue.get(id)).toMatchObject({ status: 'ready', attempts: 1 });
      // backed off: not replayed again before its not_before
      expect(await processPending(storage.queue, router)).toMatchObject({ processed: 0 });
      pastBackoff();
      await processPending(storage.queue, router);
      pastBackoff();
      await processPending(storage.queue, router);
      expect(await storage.queue.get(id)).toMatchObject({ status: 'failed', attempts: 3 });
      // a failed item is not leased again
      pastBackoff();
      expect(await processPending(storage.queue, router)).toMatchObject({ processed: 0 });
    } finally {
      await local.start();
    }
  });

  it('drains valid items behind 10 failing ones in one run, each failing item pushed back alone', async () => {
    const failing: string[] = [];
    for (let index = 0; index < 10; index++)
      failing.push(await storage.queue.put('embed', { input: `x${index}` }));
    const valid: string[] = [];
    for (let index = 0; index < 3; index++) valid.push(await storage.queue.put('chat', { messages }));
    local.fault({ path: '/api/embed', kind: 'status', status: 503, message: 'server busy' });
    const result = await processPending(storage.queue, router);
    expect(result).toEqual({ processed: 13, succeeded: 3, requeued: 10, failed: 0 });
    for (const id of valid) expect(await storage.queue.get(id)).toMatchObject({ status: 'done' });
    for (const id of failing) {
      const row = await storage.queue.get(id);
      expect(row).toMatchObject({ status: 'ready', attempts: 1 });
      expect(row?.notBefore?.getTime()).toBeGreaterThan(clock);
    }
    // the next run leaves them alone until their backoff passed
    expect(await processPending(storage.queue, router)).toMatchObject({ processed: 0 });
  });

  it('fails items that already reached maxAttempts without replaying them', async () => {
    const id = await storage.queue.put('chat', { messages });
    for (let round = 0; round < 2; round++) {
      const [item] = await storage.queue.lease({ count: 1, leaseSeconds: 60 });
      await storage.queue.nack(item?.id as string, 'down');
      pastBackoff();
    }
    const result = await processPending(storage.queue, router, { maxAttempts: 2 });
    expect(result).toEqual({ processed: 1, succeeded: 0, requeued: 0, failed: 1 });
    expect(await storage.queue.get(id)).toMatchObject({ status: 'failed' });
    expect(local.requests.filter((request) => request.path === '/api/chat')).toEqual([]);
  });

  it('stops at limit and when the signal is aborted', async () => {
    for (let index = 0; index < 5; index++) await storage.queue.put('embed', { input: `text ${index}` });
    expect(await processPending(storage.queue, router, { limit: 2, batchSize: 1 })).toMatchObject({
      processed: 2,
      succeeded: 2,
    });
    const controller = new AbortController();
    controller.abort();
    expect(await processPending(storage.queue, router, { signal: controller.signal })).toMatchObject({
      processed: 0,
    });
    expect((await storage.queue.stats()).counts.ready).toBe(3);
  });
});

describe('processPending with a queue that checks lease owners', () => {
  it("passes each leased item's lease token to ack, nack and fail", async () => {
    const calls: { op: string; id: string; token: string | undefined }[] = [];
    const tokens = new Map<string, string>();
    const owned: ReplayQueue = {
      async lease(leaseOptions) {
        const items = await storage.queue.lease(leaseOptions);
        return items.map((item) => {
          const leaseToken = `token-${item.id}`;
          tokens.set(item.id, leaseToken);
          return { ...item, leaseToken };
        });
      },
      ack: async (id, result, ackOptions) => {
        calls.push({ op: 'ack', id, token: ackOptions?.leaseToken });
        await storage.queue.ack(id, result);
      },
      nack: async (id, error, nackOptions) => {
        calls.push({ op: 'nack', id, token: nackOptions?.leaseToken });
        await storage.queue.nack(id, error);
      },
      fail: async (id, reason, failOptions) => {
        calls.push({ op: 'fail', id, token: failOptions?.leaseToken });
        await storage.queue.fail(id, reason);
      },
    };
    const good = await storage.queue.put('chat', { messages });
    const bad = await storage.queue.put('pull', { model: 'x' });
    await processPending(owned, router);
    expect(calls.sort((a, b) => a.op.localeCompare(b.op))).toEqual([
      { op: 'ack', id: good, token: tokens.get(good) },
      { op: 'fail', id: bad, token: tokens.get(bad) },
    ]);
    expect(tokens.size).toBe(2);
  });
});

const pgUrl = await pgTestUrl();

describe.skipIf(!pgUrl)('processPending on PostgreSQL', () => {
  it('replays each item exactly once when two processes drain one queue at the same time', async () => {
    const database = await createTestDatabase({ prefix: 'llm_router' });
    const first = await openStorage(database.url);
    const second = await openStorage(database.url);
    const other = createRouter({ config: testConfig(undefined, local), logger: captureLog().logger });
    try {
      const ids: string[] = [];
      for (let index = 0; index < 20; index++) {
        ids.push(
          await first.queue.put('chat', { messages: [{ role: 'user', content: `question ${index}` }] }),
        );
      }
      const results = await Promise.all([
        processPending(first.queue, router, { batchSize: 3 }),
        processPending(second.queue, other, { batchSize: 3 }),
      ]);
      expect(results.reduce((sum, result) => sum + result.succeeded, 0)).toBe(20);
      expect(local.requests.filter((request) => request.path === '/api/chat')).toHaveLength(20);
      for (const id of ids) expect(await first.queue.get(id)).toMatchObject({ status: 'done' });
    } finally {
      await other.close();
      await first.close();
      await second.close();
      await database.drop();
    }
  });
});
