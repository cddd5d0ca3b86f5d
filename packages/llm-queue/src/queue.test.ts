import { describe, expect, it } from 'vitest';
import { useStorageSuite } from './__fixtures__/storage-suite.js';
import { backends } from './__fixtures__/test-backends.js';
import { QueueError, QueueFullError } from './errors.js';
import { openStorage } from './open-storage.js';

const hour = 3_600_000;

describe.each(backends())('queue on $name', (backend) => {
  const suite = useStorageSuite(backend);

  describe('put and get', () => {
    it('stores operation, params, time and status, readable by the returned id', async () => {
      const { queue } = await suite.open();
      const params = {
        model: 'gemma2:9b',
        messages: [{ role: 'user', content: 'héllo ✓' }],
        options: { n: 1.5 },
      };
      const id = await queue.put('chat', params, { lastError: 'cloud 503, local down' });
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const record = await queue.get(id);
      expect(record).toMatchObject({
        id,
        operation: 'chat',
        params,
        status: 'ready',
        attempts: 0,
        lastError: 'cloud 503, local down',
        leaseUntil: null,
        result: undefined,
        idempotencyKey: null,
      });
      expect(record?.createdAt.getTime()).toBe(suite.clock);
    });

    it('returns undefined for an unknown id', async () => {
      const { queue } = await suite.open();
      expect(await queue.get('01234567-0000-7000-8000-000000000000')).toBeUndefined();
    });

    it('returns the existing id for an idempotency key already in the queue', async () => {
      const { queue } = await suite.open();
      const first = await queue.put('embed', { input: 'a' }, { idempotencyKey: 'req-1' });
      // Contract A: the same key with the same params (a retry) gets the first id; with different
      // params it is a conflict (tested below), no longer silently the first id.
      const again = await queue.put('embed', { input: 'a' }, { idempotencyKey: 'req-1' });
      const other = await queue.put('embed', { input: 'a' }, { idempotencyKey: 'req-2' });
      expect(again).toBe(first);
      expect(other).not.toBe(first);
      expect((await queue.get(first))?.params).toEqual({ input: 'a' });
      expect((await queue.stats()).pending).toBe(2);
    });

    it('refuses params that are not JSON-serialisable, naming the problem, and stores nothing', async () => {
      const { queue } = await suite.open();
      const circular: Record<string, unknown> = { a: 1 };
      circular.self = circular;
      await expect(queue.put('chat', { messages: [{ n: 10n }] })).rejects.toThrow(
        /params of "chat"\.messages\[0\]\.n is a BigInt/,
      );
      await expect(queue.put('chat', circular)).rejects.toThrow(
        /params of "chat"\.self is a circular reference/,
      );
      await expect(queue.put('chat', { f: () => 1 })).rejects.toThrow(/\.f is a function/);
      await expect(queue.put('chat', { x: Number.NaN })).rejects.toThrow(/\.x is NaN/);
      await expect(queue.put('chat', undefined)).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
      const error = await queue.put('chat', { m: new Map() }).catch((caught: unknown) => caught);
      expect(QueueError.isInstance(error) && error.code).toBe('INVALID_PARAMS');
      expect((await queue.stats()).pending).toBe(0);
    });
  });

  describe('max size', () => {
    it('throws QueueFullError (QUEUE_FULL) when full and keeps every old item', async () => {
      const { queue } = await suite.open({ maxSize: 3 });
      const ids = [
        await queue.put('chat', { n: 1 }),
        await queue.put('chat', { n: 2 }),
        await queue.put('chat', { n: 3 }),
      ];
      const error = await queue.put('chat', { n: 4 }).catch((caught: unknown) => caught);
      expect(QueueFullError.isInstance(error)).toBe(true);
      expect(QueueError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ code: 'QUEUE_FULL', maxSize: 3 });
      expect((error as Error).message).toMatch(/was not queued.*queue\.max_size/);
      const listed = await queue.list();
      expect(listed.map((item) => item.id)).toEqual(ids);
    });

    it('counts only items not yet done: leased items count, acked and failed ones do not', async () => {
      const { queue } = await suite.open({ maxSize: 2 });
      const a = await queue.put('chat', { n: 1 });
      await queue.put('chat', { n: 2 });
      await queue.lease({ count: 1, leaseSeconds: 60 });
      await expect(queue.put('chat', { n: 3 })).rejects.toMatchObject({ code: 'QUEUE_FULL' });
      await queue.ack(a, { ok: true });
      const c = await queue.put('chat', { n: 3 });
      await queue.fail(c, 'bad');
      await queue.put('chat', { n: 4 });
      expect((await queue.stats()).pending).toBe(2);
    });

    it('stays exact when many puts race from several storages', async () => {
      await suite.open();
      const storages = await Promise.all(
        Array.from({ length: 3 }, () => openStorage(suite.url, { maxSize: 10 })),
      );
      suite.closeLater(...storages);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 45 }, (_, n) => storages[n % 3]!.queue.put('chat', { n })),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(10);
      for (const outcome of outcomes) {
        if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'QUEUE_FULL' });
      }
      expect((await storages[0]!.queue.stats()).pending).toBe(10);
    });

    it('returns the existing id for a known idempotency key even when full', async () => {
      const { queue } = await suite.open({ maxSize: 1 });
      const id = await queue.put('chat', {}, { idempotencyKey: 'k' });
      expect(await queue.put('chat', {}, { idempotencyKey: 'k' })).toBe(id);
      await expect(queue.put('chat', {}, { idempotencyKey: 'other' })).rejects.toMatchObject({
        code: 'QUEUE_FULL',
      });
    });
  });

  describe('lease', () => {
    it('hands out ready items oldest first and not again while the lease is live', async () => {
      const { queue } = await suite.open();
      const ids: string[] = [];
      for (let n = 0; n < 5; n++) ids.push(await queue.put('generate', { n }));
      const first = await queue.lease({ count: 2, leaseSeconds: 30 });
      expect(first.map((item) => item.id)).toEqual(ids.slice(0, 2));
      expect(first[0]).toMatchObject({
        status: 'leased',
        operation: 'generate',
        params: { n: 0 },
        attempts: 0,
      });
      expect(first[0]?.leaseUntil?.getTime()).toBe(suite.clock + 30_000);
      const second = await queue.lease({ count: 10, leaseSeconds: 30 });
      expect(second.map((item) => item.id)).toEqual(ids.slice(2));
      expect(await queue.lease({ count: 10, leaseSeconds: 30 })).toEqual([]);
      expect((await queue.get(ids[0]!))?.status).toBe('leased');
    });

    it('hands an item out again once its lease has expired', async () => {
      const { queue } = await suite.open();
      const id = await queue.put('chat', {});
      expect((await queue.lease({ count: 1, leaseSeconds: 10 })).map((item) => item.id)).toEqual([id]);
      suite.clock += 9_999;
      expect(await queue.lease({ count: 1, leaseSeconds: 10 })).toEqual([]);
      suite.clock += 1;
      expect((await queue.get(id))?.status).toBe('ready');
      const again = await queue.lease({ count: 1, leaseSeconds: 10 });
      expect(again.map((item) => item.id)).toEqual([id]);
    });

    it('rejects a count or leaseSeconds that is not positive', async () => {
      const { queue } = await suite.open();
      await expect(queue.lease({ count: 0, leaseSeconds: 1 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expect(queue.lease({ count: 1, leaseSeconds: 0 })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
    });
  });

  describe('ack, nack, fail', () => {
    it('ack stores the result, readable by id until purged', async () => {
      const { queue } = await suite.open();
      const id = await queue.put('chat', { q: 1 });
      await queue.lease({ count: 1, leaseSeconds: 30 });
      suite.clock += 500;
      await queue.ack(id, { message: { content: 'answer' }, provider: 'cloud' });
      const record = await queue.get(id);
      expect(record).toMatchObject({
        status: 'done',
        result: { message: { content: 'answer' }, provider: 'cloud' },
      });
      expect(record?.updatedAt.getTime()).toBe(suite.clock);
      expect(await queue.lease({ count: 1, leaseSeconds: 30 })).toEqual([]);
      expect(await queue.purge()).toBe(1);
      expect(await queue.get(id)).toBeUndefined();
    });

    it('refuses to ack an item twice or an unknown id, with a code', async () => {
      const { queue } = await suite.open();
      const id = await queue.put('chat', {});
      await queue.ack(id, null);
      await expect(queue.ack(id, null)).rejects.toMatchObject({ code: 'INVALID_STATE' });
      await expect(queue.ack(id, null)).rejects.toThrow(/already done/);
      await expect(queue.nack('nope', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('nack counts an attempt and makes the item ready again, then failed at maxAttempts', async () => {
      const { queue } = await suite.open({ maxAttempts: 3 });
      const id = await queue.put('embed', { input: 'x' });
      for (let attempt = 1; attempt <= 2; attempt++) {
        const [item] = await queue.lease({ count: 1, leaseSeconds: 30 });
        expect(item?.id).toBe(id);
        expect(item?.attempts).toBe(attempt - 1);
        await queue.nack(id, `local down ${attempt}`);
        expect(await queue.get(id)).toMatchObject({
          status: 'ready',
          attempts: attempt,
          lastError: `local down ${attempt}`,
        });
        suite.clock += hour; // past the item's backoff (contract A: a nack defers the item)
      }
      await queue.lease({ count: 1, leaseSeconds: 30 });
      await queue.nack(id, 'local down 3');
      expect(await queue.get(id)).toMatchObject({ status: 'failed', attempts: 3, lastError: 'local down 3' });
      expect(await queue.lease({ count: 1, leaseSeconds: 30 })).toEqual([]);
    });

    it('fail marks an item failed at once with the reason', async () => {
      const { queue } = await suite.open();
      const id = await queue.put('chat', {});
      await queue.lease({ count: 1, leaseSeconds: 30 });
      await queue.fail(id, 'every provider answered 400');
      expect(await queue.get(id)).toMatchObject({
        status: 'failed',
        lastError: 'every provider answered 400',
      });
      await expect(queue.fail(id, 'again')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    });
  });

  describe('ttl', () => {
    it('expires items older than ttlHours instead of handing them out, and counts them', async () => {
      const { queue } = await suite.open({ ttlHours: 24 });
      const old = await queue.put('chat', { n: 'old' });
      suite.clock += 23 * hour;
      const young = await queue.put('chat', { n: 'young' });
      suite.clock += hour;
      expect((await queue.get(old))?.status).toBe('expired');
      const leased = await queue.lease({ count: 10, leaseSeconds: 30 });
      expect(leased.map((item) => item.id)).toEqual([young]);
      const stats = await queue.stats();
      expect(stats.counts).toEqual({ ready: 0, leased: 1, done: 0, failed: 0, expired: 1 });
      expect((await queue.list({ status: 'expired' })).map((item) => item.id)).toEqual([old]);
    });

    it('does not count expired items against maxSize', async () => {
      const { queue } = await suite.open({ maxSize: 1, ttlHours: 1 });
      await queue.put('chat', {});
      suite.clock += hour;
      await queue.put('chat', {});
      expect((await queue.stats()).counts.expired).toBe(1);
    });
  });

  describe('list, stats, purge', () => {
    it('lists oldest first, filtered by status, limit and olderThan', async () => {
      const { queue } = await suite.open();
      const ids: string[] = [];
      for (let n = 0; n < 4; n++) {
        ids.push(await queue.put('chat', { n }));
        suite.clock += 1000;
      }
      await queue.lease({ count: 1, leaseSeconds: 60 });
      await queue.ack(ids[1]!, 'r');
      expect((await queue.list()).map((item) => item.id)).toEqual(ids);
      expect((await queue.list({ status: 'ready' })).map((item) => item.id)).toEqual([ids[2], ids[3]]);
      expect((await queue.list({ status: 'leased' })).map((item) => item.id)).toEqual([ids[0]]);
      expect((await queue.list({ status: ['done', 'leased'] })).map((item) => item.id)).toEqual([
        ids[0],
        ids[1],
      ]);
      expect((await queue.list({ limit: 2 })).map((item) => item.id)).toEqual(ids.slice(0, 2));
      const createdAt = (await queue.get(ids[2]!))!.createdAt;
      expect((await queue.list({ olderThan: createdAt })).map((item) => item.id)).toEqual(ids.slice(0, 2));
      await expect(queue.list({ status: 'bogus' as never })).rejects.toThrow(/Unknown queue status "bogus"/);
    });

    it('reports counts per status and the age of the oldest ready item', async () => {
      const { queue } = await suite.open({ maxSize: 50 });
      const a = await queue.put('chat', {});
      suite.clock += 2000;
      await queue.put('chat', {});
      const c = await queue.put('chat', {});
      await queue.put('chat', {});
      await queue.lease({ count: 1, leaseSeconds: 60 });
      await queue.fail(c, 'x');
      suite.clock += 3000;
      expect(await queue.stats()).toEqual({
        counts: { ready: 2, leased: 1, done: 0, failed: 1, expired: 0 },
        pending: 3,
        maxSize: 50,
        oldestReadyAgeSeconds: 3,
      });
      await queue.ack(a, 1);
      expect((await queue.stats()).counts.done).toBe(1);
    });

    it('purges finished items by default and pending ones only when asked', async () => {
      const { queue } = await suite.open();
      const done = await queue.put('chat', {});
      const failed = await queue.put('chat', {});
      suite.clock += 1000;
      const ready = await queue.put('chat', {});
      await queue.ack(done, 'ok');
      await queue.fail(failed, 'no');
      expect(await queue.purge({ status: 'done', olderThan: suite.clock })).toBe(1);
      expect(await queue.purge()).toBe(1);
      expect(await queue.get(ready)).toBeDefined();
      expect(await queue.purge({ status: 'ready' })).toBe(1);
      expect((await queue.stats()).pending).toBe(0);
    });
  });

  describe('state store', () => {
    it('gets and sets JSON values, and expires them after ttlSeconds', async () => {
      const { state } = await suite.open();
      expect(await state.get('cloud_cooldown')).toBeUndefined();
      const cooldown = {
        until: suite.clock + 600_000,
        reason: 'hourly usage limit',
        status: 429,
        since: suite.clock,
      };
      await state.set('cloud_cooldown', cooldown, { ttlSeconds: 600 });
      expect(await state.get('cloud_cooldown')).toEqual(cooldown);
      await state.set('quota:2027-01-15', { requests: 3 });
      suite.clock += 600_000;
      expect(await state.get('cloud_cooldown')).toBeUndefined();
      expect(await state.get('quota:2027-01-15')).toEqual({ requests: 3 });
      expect(await state.delete('quota:2027-01-15')).toBe(true);
      expect(await state.get('quota:2027-01-15')).toBeUndefined();
    });

    it('compareAndSet writes only when the current value equals expected (JSON equality)', async () => {
      const { state } = await suite.open();
      expect(await state.compareAndSet('k', undefined, { a: 1, b: [1, 2] })).toBe(true);
      expect(await state.compareAndSet('k', undefined, { a: 2 })).toBe(false);
      expect(await state.compareAndSet('k', { a: 9 }, { a: 2 })).toBe(false);
      expect(await state.compareAndSet('k', { b: [1, 2], a: 1 }, { a: 2 }, { ttlSeconds: 1 })).toBe(true);
      expect(await state.get('k')).toEqual({ a: 2 });
      suite.clock += 1000;
      expect(await state.compareAndSet('k', { a: 2 }, { a: 3 })).toBe(false);
      expect(await state.compareAndSet('k', undefined, { a: 3 })).toBe(true);
      expect(await state.get('k')).toEqual({ a: 3 });
    });

    it('lets exactly one of many concurrent compareAndSet calls win', async () => {
      const { state } = await suite.open();
      await state.set('counter', { n: 0 });
      const other = await openStorage(suite.url, { now: suite.now });
      suite.closeLater(other);
      const stores = [state, other.state];
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          stores[index % 2]!.compareAndSet('counter', { n: 0 }, { n: index + 1 }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = results.indexOf(true) + 1;
      expect(await state.get('counter')).toEqual({ n: winner });
    });

    it('refuses values that are not JSON-serialisable', async () => {
      const { state } = await suite.open();
      await expect(state.set('k', { n: 1n })).rejects.toMatchObject({ code: 'INVALID_PARAMS' });
    });
  });

  describe('migrations', () => {
    it('run again on every open without error and keep the data', async () => {
      const first = await suite.open();
      const id = await first.queue.put('chat', { kept: true });
      const second = await openStorage(suite.url, { now: suite.now });
      suite.closeLater(second);
      expect((await second.queue.get(id))?.params).toEqual({ kept: true });
    });

    it('are safe when several storages open a fresh database at once', async () => {
      const freshUrl = await backend.fresh();
      const storages = await Promise.all(Array.from({ length: 4 }, () => openStorage(freshUrl)));
      suite.closeLater(...storages);
      const ids = await Promise.all(storages.map((storage, index) => storage.queue.put('chat', { index })));
      expect(new Set(ids).size).toBe(4);
      expect((await storages[0]!.queue.stats()).pending).toBe(4);
    });
  });
});
