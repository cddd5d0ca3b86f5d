import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runChild } from './__fixtures__/run-child.js';
import { backends } from './__fixtures__/test-backends.js';
import { openStorage, type Storage } from './open-storage.js';

describe.each(backends())('StateStore.increment on $name', (backend) => {
  let url: string;
  const opened: Storage[] = [];
  let clock = 1_800_000_000_000;

  beforeAll(async () => {
    url = await backend.fresh();
  });
  afterEach(async () => {
    for (const storage of opened.splice(0)) await storage.close();
  });
  afterAll(async () => {
    await backend.cleanup();
  });

  async function open(): Promise<Storage> {
    const storage = await openStorage(url, { now: () => clock });
    opened.push(storage);
    await storage.db.deleteFrom('graphiti_state').execute();
    return storage;
  }

  it('starts a missing key at 0, returns the new total and keeps integers integral', async () => {
    const { state } = await open();
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
    const { state } = await open();
    await state.set('counter', 40, { ttlSeconds: 1 });
    expect(await state.increment('counter', 2)).toBe(42);
    clock += 1000;
    expect(await state.increment('counter', 2)).toBe(2);
    clock += 10_000; // no longer expires once restarted by increment
    expect(await state.getNumber('counter')).toBe(2);
    await state.set('cooldown', { until: 1 });
    await expect(state.increment('cooldown', 1)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(state.getNumber('cooldown')).rejects.toThrow(/"cooldown" is not a number/);
    expect(await state.get('cooldown')).toEqual({ until: 1 });
    await expect(state.increment('counter', Number.NaN)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('loses no increment from 4 processes × 250 concurrent increments', async () => {
    const storage = await open();
    await storage.state.set('shared', 0);
    const perProcess = 250;
    const children = Array.from({ length: 4 }, () =>
      runChild('increment', url, { key: 'shared', count: perProcess }),
    );
    for (const child of children) expect(await child.next()).toEqual({ ready: true });
    for (const child of children) child.process.stdin?.write('go\n');
    const outputs = await Promise.all(children.map((child) => child.next()));
    expect(await Promise.all(children.map((child) => child.exited))).toEqual([0, 0, 0, 0]);
    expect(await storage.state.getNumber('shared')).toBe(4 * perProcess);
    // Every total a child saw is distinct: each increment was applied exactly once, atomically.
    const totals = outputs.flatMap((output) => output.totals as number[]);
    expect(new Set(totals).size).toBe(4 * perProcess);
    expect(Math.max(...totals)).toBe(4 * perProcess);
  }, 120_000);
});
