import { afterEach, describe, expect, it } from 'vitest';
import { createReplayScheduler, type ReplayScheduler } from './replay-scheduler.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
let scheduler: ReplayScheduler | undefined;
afterEach(() => scheduler?.stop());

describe('createReplayScheduler', () => {
  it('wakes when the earliest item is due, long before the interval', async () => {
    const runs: number[] = [];
    const started = Date.now();
    let due: Date | undefined = new Date(started + 300);
    scheduler = createReplayScheduler({
      intervalMs: 60_000,
      minDelayMs: 10,
      nextDueAt: async () => due,
      run: async () => {
        runs.push(Date.now() - started);
        due = undefined;
      },
    });
    await sleep(700);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toBeGreaterThanOrEqual(250);
    expect(runs[0]).toBeLessThan(650);
  });

  it('never runs more often than minDelayMs for an item that stays due', async () => {
    let runs = 0;
    scheduler = createReplayScheduler({
      intervalMs: 60_000,
      minDelayMs: 100,
      nextDueAt: async () => new Date(0),
      run: async () => {
        runs++;
      },
    });
    await sleep(550);
    expect(runs).toBeGreaterThanOrEqual(2);
    expect(runs).toBeLessThanOrEqual(6);
  });

  it('poke() runs at once, and a poke during a run runs again after it', async () => {
    let runs = 0;
    let release: (() => void) | undefined;
    scheduler = createReplayScheduler({
      intervalMs: 60_000,
      minDelayMs: 10,
      run: () =>
        new Promise<void>((resolve) => {
          runs++;
          release = resolve;
        }),
    });
    scheduler.poke();
    await sleep(50);
    expect(runs).toBe(1);
    scheduler.poke();
    release?.();
    await sleep(50);
    expect(runs).toBe(2);
    release?.();
  });

  it('falls back to the interval when the due time cannot be read', async () => {
    let runs = 0;
    const errors: unknown[] = [];
    scheduler = createReplayScheduler({
      intervalMs: 150,
      minDelayMs: 10,
      nextDueAt: async () => {
        throw new Error('storage down');
      },
      onError: (error) => errors.push(error),
      run: async () => {
        runs++;
      },
    });
    await sleep(400);
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(3);
    expect(errors.length).toBeGreaterThan(0);
  });
});
