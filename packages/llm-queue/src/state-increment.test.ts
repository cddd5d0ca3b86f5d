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

  it('loses no increment from 4 processes × 250 concurrent increments', async () => {
    const storage = await suite.open();
    await storage.state.set('shared', 0);
    const perProcess = 250;
    const children = Array.from({ length: 4 }, () =>
      runChild('increment', suite.url, { key: 'shared', count: perProcess }),
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
