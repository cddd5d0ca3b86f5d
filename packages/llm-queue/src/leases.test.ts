import { describe, expect, it } from 'vitest';
import { useStorageSuite } from './__fixtures__/storage-suite.js';
import { backends } from './__fixtures__/test-backends.js';
import { QueueError } from './errors.js';

const second = 1000;
const minute = 60 * second;
const hour = 60 * minute;

describe.each(backends())('leases, deferral and idempotency on $name', (backend) => {
  const suite = useStorageSuite(backend);

  async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
    const error = await promise.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    return QueueError.isInstance(error) ? error.code : error === undefined ? undefined : String(error);
  }

  describe('lease tokens', () => {
    it('gives every lease a fresh token and refuses a stale worker (LEASE_LOST), changing nothing', async () => {
      const { queue } = await suite.open();
      const id = await queue.put('chat', { n: 1 });
      const [first] = await queue.lease({ count: 1, leaseSeconds: 10 });
      expect(first?.leaseToken).toMatch(/^[\w-]{16,}$/);
      expect(first?.notBefore).toBeNull();
      suite.clock += 10 * second; // the first worker's lease ran out
      const [taken] = await queue.lease({ count: 1, leaseSeconds: 10 });
      expect(taken?.id).toBe(id);
      expect(taken?.leaseToken).not.toBe(first?.leaseToken);

      const stale = { leaseToken: first!.leaseToken };
      expect(await codeOf(queue.ack(id, { from: 'stale' }, stale))).toBe('LEASE_LOST');
      expect(await codeOf(queue.nack(id, 'stale', stale))).toBe('LEASE_LOST');
      expect(await codeOf(queue.fail(id, 'stale', stale))).toBe('LEASE_LOST');
      expect(await codeOf(queue.extend(id, first!.leaseToken, 60))).toBe('LEASE_LOST');
      expect(await queue.get(id)).toMatchObject({ status: 'leased', attempts: 0, lastError: null });
      expect((await queue.get(id))?.leaseUntil?.getTime()).toBe(suite.clock + 10 * second);

      await queue.ack(id, { from: 'holder' }, { leaseToken: taken!.leaseToken });
      expect(await queue.get(id)).toMatchObject({ status: 'done', result: { from: 'holder' } });
      // Once settled: the holder's second ack is a state error, a stranger's still a lost lease.
      expect(await codeOf(queue.ack(id, null, { leaseToken: taken!.leaseToken }))).toBe('INVALID_STATE');
      expect(await codeOf(queue.ack(id, null, stale))).toBe('LEASE_LOST');
    });

    it('lets the holder settle after its lease ran out as long as nobody took the item', async () => {
      const { queue } = await suite.open();
      const id = await queue.put('chat', {});
      const [item] = await queue.lease({ count: 1, leaseSeconds: 1 });
      suite.clock += 5 * second;
      await queue.fail(id, 'bad request', { leaseToken: item!.leaseToken });
      expect(await queue.get(id)).toMatchObject({ status: 'failed', lastError: 'bad request' });
    });

    it('extend keeps the item away from other workers for leaseSeconds more', async () => {
      const { queue } = await suite.open();
      const id = await queue.put('chat', {});
      const [item] = await queue.lease({ count: 1, leaseSeconds: 10 });
      suite.clock += 8 * second;
      await queue.extend(id, item!.leaseToken, 10);
      expect((await queue.get(id))?.leaseUntil?.getTime()).toBe(suite.clock + 10 * second);
      suite.clock += 8 * second; // 16 s after the lease: without the extension it would be free
      expect(await queue.lease({ count: 1, leaseSeconds: 10 })).toEqual([]);
      suite.clock += 2 * second;
      expect((await queue.lease({ count: 1, leaseSeconds: 10 })).map((record) => record.id)).toEqual([id]);
      await expect(queue.extend(id, item!.leaseToken, 0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await codeOf(queue.extend('01234567-0000-7000-8000-000000000000', 'x', 5))).toBe('NOT_FOUND');
    });
  });

  describe('deferral', () => {
    it('does not hand out an item before the notBefore given to put', async () => {
      const { queue } = await suite.open();
      const later = await queue.put(
        'chat',
        { n: 'later' },
        { notBefore: new Date(suite.clock + 5 * minute) },
      );
      const now = await queue.put('chat', { n: 'now' });
      expect((await queue.get(later))?.notBefore?.getTime()).toBe(suite.clock + 5 * minute);
      expect((await queue.lease({ count: 10, leaseSeconds: 30 })).map((item) => item.id)).toEqual([now]);
      suite.clock += 5 * minute;
      const [item] = await queue.lease({ count: 10, leaseSeconds: 30 });
      expect(item?.id).toBe(later);
      expect(item?.notBefore?.getTime()).toBe(suite.clock);
    });

    it('backs a nacked item off by 30 s × 2^(attempts-1), capped at 1 h, or until the notBefore given', async () => {
      const { queue } = await suite.open({ maxAttempts: 20 });
      const id = await queue.put('chat', {});
      const expected = [30, 60, 120, 240, 480, 960, 1920, 3600, 3600].map((seconds) => seconds * second);
      for (const backoff of expected) {
        const [item] = await queue.lease({ count: 1, leaseSeconds: 30 });
        expect(item?.id).toBe(id);
        await queue.nack(id, 'local down', { leaseToken: item!.leaseToken });
        expect((await queue.get(id))?.notBefore?.getTime()).toBe(suite.clock + backoff);
        suite.clock += backoff - 1;
        expect(await queue.lease({ count: 1, leaseSeconds: 30 })).toEqual([]);
        suite.clock += 1;
      }
      const [item] = await queue.lease({ count: 1, leaseSeconds: 30 });
      const reset = new Date(suite.clock + 3 * hour);
      await queue.nack(id, 'weekly limit', { leaseToken: item!.leaseToken, notBefore: reset });
      expect((await queue.get(id))?.notBefore).toEqual(reset);
    });

    it('drains the valid items behind 10 failing ones at the head, and fails those after maxAttempts', async () => {
      const { queue } = await suite.open({ maxAttempts: 3 });
      const failing: string[] = [];
      for (let n = 0; n < 10; n++) failing.push(await queue.put('chat', { bad: n }));
      const valid: string[] = [];
      for (let n = 0; n < 5; n++) valid.push(await queue.put('chat', { good: n }));
      const done: string[] = [];
      // A replay worker: one item at a time, as the gateway's replay does.
      for (let round = 0; round < 200; round++) {
        const [item] = await queue.lease({ count: 1, leaseSeconds: 30 });
        if (!item) {
          const due = await queue.nextDueAt();
          if (!due) break;
          suite.clock = due.getTime();
          continue;
        }
        if ((item.params as { bad?: number }).bad !== undefined) {
          await queue.nack(item.id, 'fails every time', { leaseToken: item.leaseToken });
        } else {
          await queue.ack(item.id, 'ok', { leaseToken: item.leaseToken });
          done.push(item.id);
        }
      }
      expect(done).toEqual(valid);
      const stats = await queue.stats();
      expect(stats.counts).toMatchObject({ ready: 0, leased: 0, done: 5, failed: 10 });
      for (const id of failing) expect(await queue.get(id)).toMatchObject({ status: 'failed', attempts: 3 });
      expect(await queue.nextDueAt()).toBeUndefined();
    });

    it('nextDueAt is now when an item is due, else the earliest notBefore or end of a dead lease', async () => {
      const { queue } = await suite.open();
      expect(await queue.nextDueAt()).toBeUndefined();
      await queue.put('chat', {}, { notBefore: new Date(suite.clock + 10 * minute) });
      await queue.put('chat', {}, { notBefore: new Date(suite.clock + 2 * minute) });
      expect((await queue.nextDueAt())?.getTime()).toBe(suite.clock + 2 * minute);
      await queue.put('chat', {});
      expect((await queue.nextDueAt())?.getTime()).toBe(suite.clock);
      await queue.lease({ count: 1, leaseSeconds: 60 }); // takes the due one: its lease ends in 1 min
      expect((await queue.nextDueAt())?.getTime()).toBe(suite.clock + minute);
      suite.clock += 3 * minute;
      expect((await queue.nextDueAt())?.getTime()).toBe(suite.clock);
    });

    it('wake() makes backed-off and deferred ready items due now, and leaves leased ones alone', async () => {
      const { queue } = await suite.open();
      const deferred = await queue.put('chat', { n: 1 }, { notBefore: new Date(suite.clock + hour) });
      const backedOff = await queue.put('chat', { n: 2 });
      const held = await queue.put('chat', { n: 3 });
      const [first] = await queue.lease({ count: 1, leaseSeconds: 60 });
      await queue.nack(first!.id, 'down', { leaseToken: first!.leaseToken });
      const [holding] = await queue.lease({ count: 1, leaseSeconds: 60 });
      expect([first?.id, holding?.id]).toEqual([backedOff, held]);
      expect(await queue.lease({ count: 5, leaseSeconds: 60 })).toEqual([]);

      expect(await queue.wake()).toBe(2);
      const woken = await queue.lease({ count: 5, leaseSeconds: 60 });
      expect(woken.map((item) => item.id).sort()).toEqual([deferred, backedOff].sort());
      expect(await queue.get(held)).toMatchObject({ status: 'leased' });
    });

    it('rejects a notBefore that is not a valid Date', async () => {
      const { queue } = await suite.open();
      await expect(queue.put('chat', {}, { notBefore: new Date(Number.NaN) })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
      });
      await expect(queue.put('chat', {}, { notBefore: 5 as never })).rejects.toThrow(
        /notBefore must be a valid Date/,
      );
      expect((await queue.stats()).pending).toBe(0);
    });
  });

  describe('idempotency', () => {
    it('refuses the same key with different params (IDEMPOTENCY_CONFLICT), storing nothing', async () => {
      const { queue } = await suite.open();
      const params = {
        model: 'm',
        messages: [{ role: 'user', content: 'a' }],
        options: { seed: 1, top_k: 2 },
      };
      const id = await queue.put('chat', params, { idempotencyKey: 'key-1' });
      // Same request with its keys in another order: the same canonical JSON, the first id.
      const reordered = {
        options: { top_k: 2, seed: 1 },
        messages: [{ content: 'a', role: 'user' }],
        model: 'm',
      };
      expect(await queue.put('chat', reordered, { idempotencyKey: 'key-1' })).toBe(id);
      const error = await queue
        .put('chat', { ...params, messages: [{ role: 'user', content: 'b' }] }, { idempotencyKey: 'key-1' })
        .catch((caught: unknown) => caught);
      expect(QueueError.isInstance(error) && error.code).toBe('IDEMPOTENCY_CONFLICT');
      expect((error as Error).message).toMatch(
        /Idempotency key "key-1" was already used for a different request/,
      );
      expect(await codeOf(queue.put('generate', params, { idempotencyKey: 'key-1' }))).toBe(
        'IDEMPOTENCY_CONFLICT',
      );
      expect((await queue.list()).map((item) => item.id)).toEqual([id]);
      expect((await queue.get(id))?.params).toEqual(params);
    });
  });

  describe('odd input', () => {
    it('treats an id with a NUL byte or other odd text as not found, never a driver error', async () => {
      const { queue } = await suite.open();
      await queue.put('chat', {});
      for (const id of [
        'a\u0000b',
        '\u0000',
        'x'.repeat(10_000),
        '\ud800',
        "'; drop table graphiti_queue; --",
      ]) {
        expect(await queue.get(id)).toBeUndefined();
        expect(await codeOf(queue.ack(id, null))).toBe('NOT_FOUND');
        expect(await codeOf(queue.nack(id, 'x'))).toBe('NOT_FOUND');
        expect(await codeOf(queue.fail(id, 'x'))).toBe('NOT_FOUND');
        expect(await codeOf(queue.extend(id, 'token', 5))).toBe('NOT_FOUND');
      }
      expect((await queue.stats()).pending).toBe(1);
    });

    it('stores error texts with NUL bytes, and refuses a NUL in a key with a clear error', async () => {
      const { queue, state } = await suite.open();
      const id = await queue.put('chat', {}, { lastError: 'upstream said \u0000 oops' });
      expect((await queue.get(id))?.lastError).toBe('upstream said \\0 oops');
      const [item] = await queue.lease({ count: 1, leaseSeconds: 5 });
      await queue.nack(id, 'again \u0000', { leaseToken: item!.leaseToken });
      expect((await queue.get(id))?.lastError).toBe('again \\0');
      await expect(queue.put('chat', {}, { idempotencyKey: 'k\u0000' })).rejects.toThrow(
        /idempotencyKey must be a non-empty string without NUL bytes/,
      );
      await expect(state.get('k\u0000')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await queue.put('chat', { text: 'a\u0000b' })).toBeTypeOf('string');
    });
  });
});
