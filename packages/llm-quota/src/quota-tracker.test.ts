import { describe, expect, it } from 'vitest';
import type { Logger } from './logger.js';
import { QuotaError } from './quota-error.js';
import { COOLDOWN_KEY, createQuotaTracker, HEADERS_KEY, quotaDayKey, usageWindow } from './quota-tracker.js';
import { createMemoryStateStore, type StateStore } from './state-store.js';

const START = Date.UTC(2026, 10, 25, 12, 0, 0);

function clock(start = START): { now: () => number; advance: (ms: number) => void } {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

interface Entry {
  level: 'debug' | 'info' | 'warn' | 'error';
  object: Record<string, unknown>;
  message: string | undefined;
}

function recordingLogger(): Logger & { entries: Entry[]; events: (name: string) => Entry[] } {
  const entries: Entry[] = [];
  const log =
    (level: Entry['level']) =>
    (object: object, message?: string): void => {
      entries.push({ level, object: object as Record<string, unknown>, message });
    };
  return {
    entries,
    events: (name) => entries.filter((entry) => entry.object.event === name),
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
  };
}

/** A memory store whose operations each wait a random few milliseconds, so concurrent writers interleave. */
function jitteryStore(inner: StateStore): StateStore & { conflicts: number } {
  const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.random() * 2));
  const store = {
    conflicts: 0,
    async get<T>(key: string): Promise<T | undefined> {
      await pause();
      return inner.get<T>(key);
    },
    async set(key: string, value: unknown, options?: { ttlSeconds?: number }): Promise<void> {
      await pause();
      return inner.set(key, value, options);
    },
    async compareAndSet(
      key: string,
      expected: unknown,
      value: unknown,
      options?: { ttlSeconds?: number },
    ): Promise<boolean> {
      await pause();
      const wrote = await inner.compareAndSet(key, expected, value, options);
      if (!wrote) store.conflicts++;
      return wrote;
    },
  };
  return store;
}

describe('createQuotaTracker: local counting', () => {
  it('counts requests and tokens per UTC day when the cloud sends no limit headers', async () => {
    const time = clock();
    const quota = createQuotaTracker({ dailyRequestLimit: 10, now: time.now });
    await quota.update({ 'content-type': 'application/x-ndjson' }, { status: 200 });
    await quota.update(new Headers(), { status: 200 });
    await quota.addTokens({ promptTokens: 26, completionTokens: 282 });
    await quota.addTokens({ promptTokens: 4 });
    expect(await quota.snapshot()).toEqual({
      source: 'counted',
      limit: 10,
      remaining: 8,
      usedFraction: 0.2,
      resetAt: '2026-11-26T00:00:00.000Z',
      counters: { day: '2026-11-25', requests: 2, promptTokens: 30, completionTokens: 282 },
      warningThreshold: 0.8,
    });
  });

  it('reports no limit while daily_request_limit is 0 (unknown)', async () => {
    const quota = createQuotaTracker({ now: clock().now });
    await quota.update({}, { status: 200 });
    const snapshot = await quota.snapshot();
    expect(snapshot.source).toBe('counted');
    expect(snapshot.limit).toBeUndefined();
    expect(snapshot.usedFraction).toBeUndefined();
    expect(snapshot.counters.requests).toBe(1);
  });

  it('does not count error responses', async () => {
    const quota = createQuotaTracker({ now: clock().now });
    await quota.update({}, { status: 503 });
    await quota.update({}, { status: 429, body: '{"error":"hourly usage limit"}' });
    await quota.update({}, { status: 401 });
    expect((await quota.snapshot()).counters.requests).toBe(0);
  });

  it('starts a new count on a new UTC day', async () => {
    const time = clock(Date.UTC(2026, 10, 25, 23, 59, 0));
    const quota = createQuotaTracker({ dailyRequestLimit: 5, now: time.now });
    await quota.update({}, { status: 200 });
    time.advance(2 * 60_000);
    await quota.update({}, { status: 200 });
    const snapshot = await quota.snapshot();
    expect(snapshot.counters).toEqual({
      day: '2026-11-26',
      requests: 1,
      promptTokens: 0,
      completionTokens: 0,
    });
    expect(snapshot.remaining).toBe(4);
  });

  it('ignores negative and non-numeric token counts', async () => {
    const quota = createQuotaTracker({ now: clock().now });
    await quota.addTokens({ promptTokens: -5, completionTokens: Number.NaN });
    await quota.addTokens({ promptTokens: 3 });
    expect((await quota.snapshot()).counters).toMatchObject({ promptTokens: 3, completionTokens: 0 });
  });
});

describe('createQuotaTracker: rate-limit headers', () => {
  it('reports the header values with source "headers"', async () => {
    const time = clock();
    const quota = createQuotaTracker({ now: time.now });
    await quota.update(
      { 'x-ratelimit-limit': '200', 'x-ratelimit-remaining': '150', 'x-ratelimit-reset': '600' },
      { status: 200 },
    );
    expect(await quota.snapshot()).toMatchObject({
      source: 'headers',
      limit: 200,
      remaining: 150,
      usedFraction: 0.25,
      resetAt: new Date(START + 600_000).toISOString(),
      observedAt: new Date(START).toISOString(),
      counters: { requests: 1 },
    });
  });

  it('returns to counting once the header window has reset', async () => {
    const time = clock();
    const quota = createQuotaTracker({ dailyRequestLimit: 100, now: time.now });
    await quota.update({
      'x-ratelimit-limit': '10',
      'x-ratelimit-remaining': '1',
      'x-ratelimit-reset': '60',
    });
    expect((await quota.snapshot()).source).toBe('headers');
    time.advance(61_000);
    expect(await quota.snapshot()).toMatchObject({ source: 'counted', limit: 100, remaining: 99 });
  });

  it('treats a 429 with Retry-After as a used-up window', async () => {
    const quota = createQuotaTracker({ now: clock().now });
    await quota.update({ 'retry-after': '300' }, { status: 429 });
    expect(await quota.snapshot()).toMatchObject({
      source: 'headers',
      remaining: 0,
      usedFraction: 1,
      resetAt: new Date(START + 300_000).toISOString(),
    });
  });

  it('ignores malformed values without throwing and keeps counting', async () => {
    const quota = createQuotaTracker({ dailyRequestLimit: 4, now: clock().now });
    await quota.update({ 'x-ratelimit-remaining': 'abc', 'x-ratelimit-limit': '0' }, { status: 200 });
    await quota.update({ 'x-ratelimit-remaining': '-3' }, { status: 200 });
    expect(await quota.snapshot()).toMatchObject({ source: 'counted', limit: 4, remaining: 2 });
  });
});

describe('createQuotaTracker: quota_warning', () => {
  it('warns once per crossing and re-arms after usage falls below the threshold', async () => {
    const logger = recordingLogger();
    const quota = createQuotaTracker({ warningThreshold: 0.8, logger, now: clock().now });
    const seen = (remaining: number) =>
      quota.update(
        { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': String(remaining) },
        { status: 200 },
      );
    await seen(30);
    await seen(21);
    expect(logger.events('quota_warning')).toHaveLength(0);
    await seen(20);
    await seen(10);
    await seen(0);
    expect(logger.events('quota_warning')).toHaveLength(1);
    const [first] = logger.events('quota_warning');
    expect(first).toEqual({
      level: 'warn',
      message: 'quota_warning',
      object: {
        event: 'quota_warning',
        used_fraction: 0.8,
        limit: 100,
        remaining: 20,
        source: 'headers',
        threshold: 0.8,
      },
    });
    await seen(100); // the window reset
    await seen(15);
    expect(logger.events('quota_warning')).toHaveLength(2);
    expect(logger.events('quota_warning')[1]?.object).toMatchObject({ used_fraction: 0.85, remaining: 15 });
  });

  it('warns from local counting against daily_request_limit, once', async () => {
    const logger = recordingLogger();
    const quota = createQuotaTracker({
      warningThreshold: 0.5,
      dailyRequestLimit: 4,
      logger,
      now: clock().now,
    });
    for (let index = 0; index < 4; index++) await quota.update({}, { status: 200 });
    expect(logger.events('quota_warning').map((entry) => entry.object)).toEqual([
      {
        event: 'quota_warning',
        used_fraction: 0.5,
        limit: 4,
        remaining: 2,
        source: 'counted',
        threshold: 0.5,
      },
    ]);
  });

  it('re-arms the counted warning on a new day', async () => {
    const logger = recordingLogger();
    const time = clock(Date.UTC(2026, 10, 25, 23, 0, 0));
    const quota = createQuotaTracker({ warningThreshold: 0.5, dailyRequestLimit: 2, logger, now: time.now });
    await quota.update({}, { status: 200 });
    time.advance(3_600_000);
    await quota.update({}, { status: 200 }); // 1 of 2 on the new day: a new window, so it warns again
    expect(logger.events('quota_warning')).toHaveLength(2);
  });
});

describe('createQuotaTracker: quota_headers_seen', () => {
  it('logs the first response headers once at debug level, secrets redacted', async () => {
    const logger = recordingLogger();
    const quota = createQuotaTracker({ logger, now: clock().now });
    await quota.update(
      { 'x-ratelimit-remaining': '5', 'set-cookie': 'session=abc', authorization: 'Bearer sk-1' },
      { status: 200 },
    );
    await quota.update({ 'x-other': '1' }, { status: 200 });
    const seen = logger.events('quota_headers_seen');
    expect(seen).toEqual([
      {
        level: 'debug',
        message: 'quota_headers_seen',
        object: {
          event: 'quota_headers_seen',
          status: 200,
          headers: { 'x-ratelimit-remaining': '5', 'set-cookie': '[redacted]', authorization: '[redacted]' },
        },
      },
    ]);
    expect(JSON.stringify(logger.entries)).not.toContain('sk-1');
  });
});

describe('createQuotaTracker: cooldown', () => {
  it('shows the cooldown the router recorded, with the usage window named in its reason', async () => {
    const time = clock();
    const stateStore = createMemoryStateStore({ now: time.now });
    await stateStore.set(COOLDOWN_KEY, {
      until: START + 600_000,
      reason: "you've reached your hourly usage limit, please wait or upgrade to continue",
      status: 429,
      since: START - 1000,
    });
    const quota = createQuotaTracker({ stateStore, now: time.now });
    expect((await quota.snapshot()).cooldown).toEqual({
      until: new Date(START + 600_000).toISOString(),
      reason: "you've reached your hourly usage limit, please wait or upgrade to continue",
      window: 'hourly',
      status: 429,
      since: new Date(START - 1000).toISOString(),
    });
    time.advance(600_000);
    expect((await quota.snapshot()).cooldown).toBeUndefined();
  });

  it('ignores a malformed cooldown record', async () => {
    const stateStore = createMemoryStateStore();
    await stateStore.set(COOLDOWN_KEY, { until: 'tomorrow' });
    const quota = createQuotaTracker({ stateStore });
    expect((await quota.snapshot()).cooldown).toBeUndefined();
  });

  it.each([
    ['you (user) have reached your session usage limit, upgrade for higher limits', 'session'],
    ['... weekly usage limit ... (ref: 1)', 'weekly'],
    ['Monthly usage limit reached', 'monthly'],
    ['rate limited', undefined],
  ])('usageWindow(%s) = %s', (text, expected) => {
    expect(usageWindow(text)).toBe(expected);
  });
});

describe('createQuotaTracker: persistence', () => {
  it("keeps today's count across a new tracker on the same store", async () => {
    const time = clock();
    const stateStore = createMemoryStateStore({ now: time.now });
    const first = createQuotaTracker({ stateStore, dailyRequestLimit: 10, now: time.now });
    await first.update({}, { status: 200 });
    await first.update({}, { status: 200 });
    await first.addTokens({ promptTokens: 7, completionTokens: 9 });
    await first.flush();
    const second = createQuotaTracker({ stateStore, dailyRequestLimit: 10, now: time.now });
    await second.update({}, { status: 200 });
    expect(await second.snapshot()).toMatchObject({
      remaining: 7,
      counters: { day: '2026-11-25', requests: 3, promptTokens: 7, completionTokens: 9 },
    });
    expect(await stateStore.get(quotaDayKey('2026-11-25'))).toEqual({
      day: '2026-11-25',
      requests: 3,
      promptTokens: 7,
      completionTokens: 9,
    });
  });

  it('shares a header observation between trackers on one store', async () => {
    const stateStore = createMemoryStateStore();
    const gateway = createQuotaTracker({ stateStore });
    await gateway.update({ 'x-ratelimit-limit': '50', 'x-ratelimit-remaining': '40' });
    await gateway.flush();
    const cli = createQuotaTracker({ stateStore });
    expect(await cli.snapshot()).toMatchObject({ source: 'headers', limit: 50, remaining: 40 });
    expect(await stateStore.get(HEADERS_KEY)).toMatchObject({ limit: 50, remaining: 40 });
  });

  it('never loses an increment when two trackers on one store count concurrently', async () => {
    const stateStore = jitteryStore(createMemoryStateStore());
    const a = createQuotaTracker({ stateStore });
    const b = createQuotaTracker({ stateStore });
    const work: Promise<void>[] = [];
    for (let index = 0; index < 60; index++) {
      work.push(a.update({}, { status: 200 }), b.update({}, { status: 200 }));
      work.push(a.addTokens({ promptTokens: 1, completionTokens: 2 }), b.addTokens({ promptTokens: 1 }));
      // Counts are flushed in the background; flush both trackers at once now and then, so they collide.
      if (index % 10 === 9) work.push(a.flush(), b.flush());
    }
    await Promise.all(work);
    await Promise.all([a.flush(), b.flush()]);
    expect(stateStore.conflicts).toBeGreaterThan(0); // the writers really did collide
    expect((await a.snapshot()).counters).toMatchObject({
      requests: 120,
      promptTokens: 120,
      completionTokens: 120,
    });
  });
});

describe('createQuotaTracker: batching', () => {
  it('writes concurrent increments of one tracker together, in fewer store writes than updates', async () => {
    const stateStore = jitteryStore(createMemoryStateStore());
    let writes = 0;
    const counting: StateStore = {
      get: (key) => stateStore.get(key),
      set: (key, value, options) => stateStore.set(key, value, options),
      compareAndSet: (key, expected, value, options) => {
        writes++;
        return stateStore.compareAndSet(key, expected, value, options);
      },
    };
    const quota = createQuotaTracker({ stateStore: counting });
    await Promise.all(Array.from({ length: 50 }, () => quota.update({}, { status: 200 })));
    expect((await quota.snapshot()).counters.requests).toBe(50);
    expect(writes).toBeLessThanOrEqual(5);
  });

  it('shows every update made before a snapshot', async () => {
    const quota = createQuotaTracker({ stateStore: jitteryStore(createMemoryStateStore()) });
    for (let index = 1; index <= 3; index++) {
      await quota.update({}, { status: 200 });
      expect((await quota.snapshot()).counters.requests).toBe(index);
    }
  });
});

describe('createQuotaTracker: failures', () => {
  it('logs a failing store as quota_state_error instead of throwing', async () => {
    const logger = recordingLogger();
    const broken: StateStore = {
      get: () => Promise.reject(new Error('database is locked')),
      set: () => Promise.reject(new Error('database is locked')),
      compareAndSet: () => Promise.reject(new Error('database is locked')),
    };
    const quota = createQuotaTracker({ stateStore: broken, logger });
    await expect(quota.update({}, { status: 200 })).resolves.toBeUndefined();
    await quota.flush(); // the store is written in the background, at a flush
    await expect(quota.addTokens({ promptTokens: 1 })).resolves.toBeUndefined();
    await quota.flush();
    expect(logger.events('quota_state_error').map((entry) => entry.level)).toEqual(['error', 'error']);
  });

  it.each([
    [{ warningThreshold: 0 }],
    [{ warningThreshold: 1.5 }],
    [{ warningThreshold: Number.NaN }],
    [{ dailyRequestLimit: -1 }],
    [{ dailyRequestLimit: 2.5 }],
  ])('rejects invalid options %j with a QuotaError', (options) => {
    let caught: unknown;
    try {
      createQuotaTracker(options);
    } catch (error) {
      caught = error;
    }
    expect(QuotaError.isInstance(caught)).toBe(true);
    expect((caught as QuotaError).code).toBe('INVALID_OPTION');
  });
});
