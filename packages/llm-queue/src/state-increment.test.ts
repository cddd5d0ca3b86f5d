import { describe, expect, it } from 'vitest';
import { runChild } from './__fixtures__/run-child.js';
import { useStorageSuite } from './__fixtures__/storage-suite.js';
import { backends } from './__fixtures__/test-backends.js';

describe.each(backends())('StateStore.increment on $name', (backend) => {
  const suite = useStorageSuite(backend);

  it('starts a missing key at 0, returns the new total and keeps integers integral', async () => {
    const { state } = await suite.open();
    expect(await state.getNumber('quota:requests')).toBe(0);
    expect(await state.increment('quota:requests', 3)).toBe(3);
    expect(await state.increment('quota:requests', 4)).toBe(7);
    expect(await state.increment('quota:requests', -2)).toBe(5);
    expect(await state.get('quota:requests')).toBe(5);
    expect(await state.getNumber('quota:requests')).toBe(5);
    expect(await state.increment('cost', 0.25)).toBe(0.25);
    expect(await state.increment('cost', 0.5)).toBe(0.75);
    // The stored text is plain JSON: compareAndSet and get agree with it.
    expect(await state.compareAndSet('quota:requests', 5, 6)).toBe(true);
    expect(await state.increment('quota:requests', 1)).toBe(7);
  });

  it('restarts an expired key at 0 and refuses a value that is not a number', async () => {
    const { state } = await suite.open();
    await state.set('counter', 40, { ttlSeconds: 1 });
    expect(await state.increment('counter', 2)).toBe(42);
    suite.clock += 1000;
    expect(await state.increment('counter', 2)).toBe(2);
    suite.clock += 10_000; // no longer expires once restarted by increment
    expect(await state.getNumber('counter')).toBe(2);
    await state.set('cooldown', { until: 1 });
    await expect(state.increment('cooldown', 1)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(state.getNumber('cooldown')).rejects.toThrow(/"cooldown" is not a number/);
    expect(await state.get('cooldown')).toEqual({ until: 1 });
    await expect(state.increment('counter', Number.NaN)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  /** Runs `perProcess` increments of `key` by 1 in each of 4 child processes at once; returns every total seen. */
  async function incrementFromChildren(
    key: string,
    perProcess: number,
    options: { ttlSeconds?: number } = {},
  ): Promise<number[]> {
    const children = Array.from({ length: 4 }, () =>
      runChild('increment', suite.url, { key, count: perProcess, ...options }),
    );
    for (const child of children) expect(await child.next()).toEqual({ ready: true });
    for (const child of children) child.process.stdin?.write('go\n');
    const outputs = await Promise.all(children.map((child) => child.next()));
    expect(await Promise.all(children.map((child) => child.exited))).toEqual([0, 0, 0, 0]);
    return outputs.flatMap((output) => output.totals as number[]);
  }

  it('loses no increment from 4 processes × 250 concurrent increments', async () => {
    const storage = await suite.open();
    await storage.state.set('shared', 0);
    const perProcess = 250;
    const totals = await incrementFromChildren('shared', perProcess);
    expect(await storage.state.getNumber('shared')).toBe(4 * perProcess);
    // Every total a child saw is distinct: each increment was applied exactly once, atomically.
    expect(new Set(totals).size).toBe(4 * perProcess);
    expect(Math.max(...totals)).toBe(4 * perProcess);
  }, 120_000);

  describe('with ttlSeconds', () => {
    const key = 'quota:2027-01-15:requests';

    it('expires the counter ttlSeconds after its last increment; an expired one restarts from delta', async () => {
      const { state } = await suite.open();
      expect(await state.increment(key, 3, { ttlSeconds: 60 })).toBe(3);
      suite.clock += 30_000;
      expect(await state.increment(key, 2, { ttlSeconds: 60 })).toBe(5);
      suite.clock += 59_999; // 89.999 s after the first increment, 59.999 s after the last one
      expect(await state.getNumber(key)).toBe(5);
      suite.clock += 1;
      expect(await state.get(key)).toBeUndefined();
      expect(await state.getNumber(key)).toBe(0);
      expect(await state.increment(key, 4, { ttlSeconds: 60 })).toBe(4);
      suite.clock += 60_000;
      expect(await state.get(key)).toBeUndefined();
      expect(await state.increment(key, 1, { ttlSeconds: 60 })).toBe(1);
    });

    it('gives a value that had no expiry one, and an increment without a ttl keeps the expiry it finds', async () => {
      const { state } = await suite.open();
      await state.set(key, 10);
      expect(await state.increment(key, 1, { ttlSeconds: 5 })).toBe(11);
      expect(await state.increment(key, 1)).toBe(12);
      suite.clock += 4_999;
      expect(await state.getNumber(key)).toBe(12);
      suite.clock += 1;
      expect(await state.get(key)).toBeUndefined();
      // A set with a ttl, then increments with one: the expiry moves with every increment.
      await state.set('cost', 0.5, { ttlSeconds: 1 });
      expect(await state.increment('cost', 0.25, { ttlSeconds: 10 })).toBe(0.75);
      suite.clock += 9_999;
      expect(await state.getNumber('cost')).toBe(0.75);
    });

    it('refuses a ttl that is not a positive number, as set does, and changes nothing', async () => {
      const { state } = await suite.open();
      expect(await state.increment(key, 1)).toBe(1);
      for (const ttlSeconds of [0, -1, Number.NaN, '60' as unknown as number]) {
        await expect(state.increment(key, 1, { ttlSeconds })).rejects.toMatchObject({
          code: 'INVALID_ARGUMENT',
          message: expect.stringMatching(/ttlSeconds must be a positive number/),
        });
        await expect(state.set(key, 1, { ttlSeconds })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      }
      expect(await state.getNumber(key)).toBe(1);
    });

    it('still refuses a value that is not a number, and leaves it and its expiry alone', async () => {
      const { state } = await suite.open();
      await state.set('cooldown', { until: 1 }, { ttlSeconds: 10 });
      await expect(state.increment('cooldown', 1, { ttlSeconds: 3600 })).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      suite.clock += 9_999;
      expect(await state.get('cooldown')).toEqual({ until: 1 });
      suite.clock += 1;
      expect(await state.get('cooldown')).toBeUndefined();
    });

    it('purges expired rows from the table on a later write', async () => {
      const storage = await suite.open();
      const { state } = storage;
      await state.increment('quota:2027-01-14:requests', 7, { ttlSeconds: 60 });
      await state.set('cloud_cooldown', { until: 1 }, { ttlSeconds: 60 });
      await state.increment('no-expiry', 1);
      await state.increment('quota:2027-01-15:requests', 1, { ttlSeconds: 8 * 86_400 });
      const keys = async () =>
        (await storage.db.selectFrom('graphiti_state').select('key').orderBy('key').execute()).map(
          (row) => row.key,
        );
      expect(await keys()).toHaveLength(4);
      suite.clock += 86_400_000; // a day later: two rows expired long ago
      await state.increment('quota:2027-01-16:requests', 1, { ttlSeconds: 8 * 86_400 });
      expect(await keys()).toEqual(['no-expiry', 'quota:2027-01-15:requests', 'quota:2027-01-16:requests']);
      expect(await state.getNumber('quota:2027-01-15:requests')).toBe(1);
    });

    it('restarts an expired counter exactly once under 4 processes × 250 concurrent increments', async () => {
      const storage = await suite.open();
      // The children run on the real clock: this value expired a minute before they start.
      suite.clock = Date.now() - 61_000;
      await storage.state.set(key, 500, { ttlSeconds: 1 });
      const perProcess = 250;
      const before = Date.now();
      const totals = await incrementFromChildren(key, perProcess, { ttlSeconds: 3600 });
      const after = Date.now();
      // The old 500 is gone, and no restart threw away another child's increments.
      expect(new Set(totals).size).toBe(4 * perProcess);
      expect(Math.min(...totals)).toBe(1);
      expect(Math.max(...totals)).toBe(4 * perProcess);
      const row = await storage.db
        .selectFrom('graphiti_state')
        .select(['value', 'expires_at'])
        .where('key', '=', key)
        .executeTakeFirstOrThrow();
      expect(Number(row.value)).toBe(4 * perProcess);
      expect(Number(row.expires_at)).toBeGreaterThanOrEqual(before + 3_600_000);
      expect(Number(row.expires_at)).toBeLessThanOrEqual(after + 3_600_000);
    }, 120_000);
  });
});
