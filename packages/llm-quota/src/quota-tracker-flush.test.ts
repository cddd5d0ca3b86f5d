import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { quotaCounterKey, quotaDayKey } from './counter-flusher.js';
import type { Logger } from './logger.js';
import { createQuotaTracker, HEADERS_KEY } from './quota-tracker.js';
import { createMemoryStateStore, type StateBatch, type StateStore } from './state-store.js';

const START = Date.UTC(2026, 10, 25, 12, 0, 0);
const DAY = '2026-11-25';

/** A memory store that records every call, optionally with an atomic `increment` (contract A). */
function recordingStore(withIncrement: boolean): StateStore & { calls: string[] } {
  const inner = createMemoryStateStore({ now: () => START });
  const calls: string[] = [];
  const store: StateStore & { calls: string[] } = {
    calls,
    get: (key) => {
      calls.push(`get ${key}`);
      return inner.get(key);
    },
    set: (key, value, options) => {
      calls.push(`set ${key}`);
      return inner.set(key, value, options);
    },
    compareAndSet: (key, expected, value, options) => {
      calls.push(`cas ${key}`);
      return inner.compareAndSet(key, expected, value, options);
    },
  };
  if (withIncrement) {
    // Atomic within the process: the read and the write happen in one synchronous step.
    const numbers = new Map<string, number>();
    store.increment = async (key, delta) => {
      calls.push(`increment ${key} ${delta}`);
      const total = (numbers.get(key) ?? 0) + delta;
      numbers.set(key, total);
      await inner.set(key, total);
      return total;
    };
  }
  return store;
}

function warnings(): Logger & { events: Record<string, unknown>[] } {
  const events: Record<string, unknown>[] = [];
  const ignore = (): void => {};
  return {
    events,
    debug: ignore,
    info: ignore,
    error: (object) => events.push(object as Record<string, unknown>),
    warn: (object) => events.push(object as Record<string, unknown>),
  };
}

describe('createQuotaTracker: no storage I/O per answer', () => {
  it('update() and addTokens() touch no storage; one flush writes them all at once', async () => {
    const store = recordingStore(false);
    const quota = createQuotaTracker({ stateStore: store, now: () => START, dailyRequestLimit: 100 });
    for (let index = 0; index < 100; index++) {
      await quota.update({ 'x-other': '1' }, { status: 200 });
      await quota.addTokens({ promptTokens: 2, completionTokens: 3 });
    }
    expect(store.calls).toEqual([]);
    await quota.flush();
    expect(store.calls.filter((call) => call.startsWith('cas'))).toEqual([`cas ${quotaDayKey(DAY)}`]);
    expect(await store.get(quotaDayKey(DAY))).toEqual({
      day: DAY,
      requests: 100,
      promptTokens: 200,
      completionTokens: 300,
    });
    await quota.close();
  });

  it('flushes by itself after the interval, and at most once per interval', async () => {
    const store = recordingStore(false);
    const quota = createQuotaTracker({ stateStore: store, now: () => START, flushIntervalMs: 40 });
    const until = Date.now() + 400;
    let updates = 0;
    while (Date.now() < until) {
      await quota.update({}, { status: 200 });
      updates++;
      await sleep(2);
    }
    await sleep(80);
    const writes = store.calls.filter((call) => call.startsWith('cas')).length;
    expect(writes).toBeGreaterThanOrEqual(3);
    expect(writes).toBeLessThanOrEqual(Math.ceil(480 / 40) + 1);
    expect(writes).toBeLessThan(updates / 5);
    expect(await store.get(quotaDayKey(DAY))).toMatchObject({ requests: updates });
    await quota.close();
  });

  it('uses the store’s atomic increment when it has one: no compare-and-set, no read per flush', async () => {
    const store = recordingStore(true);
    const quota = createQuotaTracker({ stateStore: store, now: () => START });
    await quota.update({}, { status: 200 });
    await quota.update({}, { status: 200 });
    await quota.addTokens({ promptTokens: 5 });
    await quota.flush();
    await quota.update({}, { status: 200 });
    await quota.flush();
    expect(store.calls).toEqual([
      `get ${quotaDayKey(DAY)}`, // the compare-and-set record of older versions, read once per day
      `increment ${quotaCounterKey(DAY, 'requests')} 2`,
      `increment ${quotaCounterKey(DAY, 'prompt_tokens')} 5`,
      `increment ${quotaCounterKey(DAY, 'requests')} 1`,
    ]);
    expect((await quota.snapshot()).counters).toEqual({
      day: DAY,
      requests: 3,
      promptTokens: 5,
      completionTokens: 0,
    });
    await quota.close();
  });

  it('with a batch, one flush is one transaction: every counter and the headers together', async () => {
    const store = recordingStore(true);
    const batches: StateBatch[] = [];
    let failNext = false;
    store.batch = async (writes) => {
      batches.push(writes);
      if (failNext) {
        failNext = false;
        throw new Error('disk I/O error');
      }
      const totals: number[] = [];
      for (const { key, delta } of writes.increments) totals.push(await store.increment!(key, delta));
      for (const { key, value } of writes.sets) await store.set(key, value);
      return totals;
    };
    const quota = createQuotaTracker({ stateStore: store, now: () => START });
    await quota.update({ 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '90' }, { status: 200 });
    await quota.update({}, { status: 200 });
    await quota.addTokens({ promptTokens: 5, completionTokens: 7 });
    await quota.flush();
    expect(batches).toHaveLength(1);
    expect(batches[0]?.increments.map(({ key, delta }) => `${key} ${delta}`)).toEqual([
      `${quotaCounterKey(DAY, 'requests')} 2`,
      `${quotaCounterKey(DAY, 'prompt_tokens')} 5`,
      `${quotaCounterKey(DAY, 'completion_tokens')} 7`,
    ]);
    expect(batches[0]?.sets.map(({ key }) => key)).toEqual([HEADERS_KEY]);
    // a failed transaction wrote nothing: all of it is written by the next flush
    failNext = true;
    await quota.update({}, { status: 200 });
    await quota.flush();
    await quota.flush();
    expect(batches).toHaveLength(3);
    expect(batches[2]?.increments.map(({ key, delta }) => `${key} ${delta}`)).toEqual([
      `${quotaCounterKey(DAY, 'requests')} 1`,
    ]);
    expect((await quota.snapshot()).counters).toEqual({
      day: DAY,
      requests: 3,
      promptTokens: 5,
      completionTokens: 7,
    });
    await quota.close();
  });

  it('adds the increment counters to a compare-and-set record an older version wrote', async () => {
    const store = recordingStore(true);
    await store.set(quotaDayKey(DAY), { day: DAY, requests: 10, promptTokens: 1, completionTokens: 2 });
    const quota = createQuotaTracker({ stateStore: store, now: () => START, dailyRequestLimit: 20 });
    await quota.update({}, { status: 200 });
    expect(await quota.snapshot()).toMatchObject({
      remaining: 9,
      counters: { requests: 11, promptTokens: 1, completionTokens: 2 },
    });
    await quota.close();
  });

  it('two trackers on one incrementing store never lose a count', async () => {
    const store = recordingStore(true);
    const a = createQuotaTracker({ stateStore: store, now: () => START });
    const b = createQuotaTracker({ stateStore: store, now: () => START });
    const work: Promise<void>[] = [];
    for (let index = 0; index < 50; index++) {
      work.push(
        a.update({}, { status: 200 }),
        b.update({}, { status: 200 }),
        b.addTokens({ promptTokens: 1 }),
      );
      if (index % 10 === 0) work.push(a.flush(), b.flush());
    }
    await Promise.all(work);
    await Promise.all([a.close(), b.close()]);
    expect((await a.snapshot()).counters).toMatchObject({ requests: 100, promptTokens: 50 });
  });

  it('keeps counts whose write failed and writes them at the next flush', async () => {
    const inner = createMemoryStateStore({ now: () => START });
    let broken = true;
    const flaky: StateStore = {
      get: (key) => (broken ? Promise.reject(new Error('database is locked')) : inner.get(key)),
      set: (key, value, options) => inner.set(key, value, options),
      compareAndSet: (key, expected, value, options) => inner.compareAndSet(key, expected, value, options),
    };
    const logger = warnings();
    const quota = createQuotaTracker({ stateStore: flaky, logger, now: () => START });
    await quota.update({}, { status: 200 });
    await quota.addTokens({ completionTokens: 4 });
    await quota.flush();
    expect(logger.events.map((event) => event.event)).toEqual(['quota_state_error']);
    broken = false;
    await quota.update({}, { status: 200 });
    await quota.flush();
    expect(await inner.get(quotaDayKey(DAY))).toEqual({
      day: DAY,
      requests: 2,
      promptTokens: 0,
      completionTokens: 4,
    });
    await quota.close();
  });

  it('warns from counting at once, before any flush, and writes the header observation at the flush', async () => {
    const store = recordingStore(false);
    const logger = warnings();
    const quota = createQuotaTracker({
      stateStore: store,
      logger,
      now: () => START,
      dailyRequestLimit: 2,
      warningThreshold: 1,
    });
    await quota.update({}, { status: 200 });
    await quota.update({}, { status: 200 });
    expect(logger.events).toMatchObject([{ event: 'quota_warning', source: 'counted', remaining: 0 }]);
    await quota.update({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '9' }, { status: 200 });
    expect(store.calls).toEqual([]);
    await quota.flush();
    expect(await store.get(HEADERS_KEY)).toMatchObject({ limit: 10, remaining: 9 });
    await quota.close();
  });

  it('close() writes what is pending and stops the timer', async () => {
    const store = recordingStore(false);
    const quota = createQuotaTracker({ stateStore: store, now: () => START, flushIntervalMs: 60_000 });
    await quota.update({}, { status: 200 });
    await quota.close();
    expect(await store.get(quotaDayKey(DAY))).toMatchObject({ requests: 1 });
    await quota.close();
  });
});

describe('createQuotaTracker: quota_headers_seen scrubs secret values', () => {
  it('replaces the API key wherever an upstream echoes it in a header', async () => {
    const logged: unknown[] = [];
    const logger: Logger = {
      debug: (object) => logged.push(object),
      info: () => {},
      warn: () => {},
      error: () => {},
    };
    const apiKey = 'ollama-key-0123456789';
    const quota = createQuotaTracker({ logger, apiKey, now: () => START });
    await quota.update(
      { 'x-echo': `Bearer ${apiKey}`, 'x-request-id': `req-${apiKey}-1`, 'x-ratelimit-remaining': '4' },
      { status: 401 },
    );
    expect(logged).toEqual([
      {
        event: 'quota_headers_seen',
        status: 401,
        headers: {
          'x-echo': 'Bearer [redacted]',
          'x-request-id': 'req-[redacted]-1',
          'x-ratelimit-remaining': '4',
        },
      },
    ]);
    expect(JSON.stringify(logged)).not.toContain(apiKey);
    await quota.close();
  });
});
