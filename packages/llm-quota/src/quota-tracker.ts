import type { Logger } from './logger.js';
import { QuotaError } from './quota-error.js';
import {
  type HeaderInput,
  parseRateLimitHeaders,
  type RateLimitObservation,
  redactHeaders,
} from './rate-limit-headers.js';
import { createMemoryStateStore, type StateStore } from './state-store.js';

/** Options of {@link createQuotaTracker}. */
export interface QuotaTrackerOptions {
  /** Usage fraction at which one `quota_warning` is logged (`quota.warning_threshold`), in (0, 1]. @default 0.8 */
  readonly warningThreshold?: number;
  /** Requests per UTC day for local counting when the cloud sends no limit headers (`quota.daily_request_limit`); 0 = unknown. @default 0 */
  readonly dailyRequestLimit?: number;
  /** Where counters live; share one store between instances to share the count. @default createMemoryStateStore() */
  readonly stateStore?: StateStore;
  /** Receives `quota_warning` (warn), `quota_headers_seen` (debug) and `quota_state_error` (error). */
  readonly logger?: Logger;
  /** Clock in epoch milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** Today's local counters (UTC day). */
export interface QuotaCounters {
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  /** Cloud responses with a status below 400 (or none given) counted today. */
  readonly requests: number;
  /** Sum of Ollama's `prompt_eval_count` today. */
  readonly promptTokens: number;
  /** Sum of Ollama's `eval_count` today. */
  readonly completionTokens: number;
}

/** The cloud's rate-limit cooldown, as the router recorded it. */
export interface QuotaCooldown {
  /** ISO time the cooldown ends. */
  readonly until: string;
  /** Why: the 429 body (e.g. "you've reached your hourly usage limit…") or another reason. */
  readonly reason: string;
  /** The usage window named in the reason: `hourly`, `daily`, `session`, `weekly` or `monthly`. */
  readonly window?: string;
  /** The HTTP status that started it, when recorded. */
  readonly status?: number;
  /** ISO time it started, when recorded. */
  readonly since?: string;
}

/** What `graphiti quota` and `GET /graphiti/quota` show. */
export interface QuotaSnapshot {
  /** `headers`: limit/remaining from the cloud's rate-limit headers; `counted`: local counting. */
  readonly source: 'headers' | 'counted';
  /** The limit of the current window (headers) or `quota.daily_request_limit` (counted, when set). */
  readonly limit?: number;
  /** Left in the current window or day. */
  readonly remaining?: number;
  /** Fraction used, 0..1 (counting may exceed 1 when the real limit is higher than configured). */
  readonly usedFraction?: number;
  /** ISO time the window resets (counted: the next UTC midnight). */
  readonly resetAt?: string;
  /** Today's local counters. */
  readonly counters: QuotaCounters;
  /** The configured warning threshold. */
  readonly warningThreshold: number;
  /** Present while the cloud is in its rate-limit cooldown. */
  readonly cooldown?: QuotaCooldown;
  /** ISO time of the header observation in use (source `headers`). */
  readonly observedAt?: string;
}

/** Usage tracking for Ollama Cloud. */
export interface QuotaTracker {
  /**
   * After every cloud HTTP response (any status): reads rate-limit headers, and counts one request locally
   * when the status is below 400. Never throws (storage failures are logged as `quota_state_error`).
   */
  update(
    headers: Headers | Record<string, string | string[] | undefined>,
    info?: { status?: number; body?: string },
  ): Promise<void>;
  /** After a completed cloud answer: adds Ollama's prompt_eval_count / eval_count to today's counters. Never throws. */
  addTokens(usage: { promptTokens?: number; completionTokens?: number }): Promise<void>;
  /** The current usage picture. */
  snapshot(): Promise<QuotaSnapshot>;
}

/** The record the router writes under `cloud_cooldown`. */
export interface CloudCooldownRecord {
  readonly until: number;
  readonly reason: string;
  readonly status: number;
  readonly since: number;
}

/** State key of the cooldown record (written by the router). */
export const COOLDOWN_KEY = 'cloud_cooldown';
/** State key of the last header observation. */
export const HEADERS_KEY = 'quota:headers';
const DAY_TTL_SECONDS = 8 * 24 * 3600;
const CAS_ATTEMPTS = 100;

/** `YYYY-MM-DD` of an epoch-millisecond time, in UTC. */
export function utcDay(time: number): string {
  return new Date(time).toISOString().slice(0, 10);
}

/** The state key of a UTC day's counters: `quota:YYYY-MM-DD`. */
export function quotaDayKey(day: string): string {
  return `quota:${day}`;
}

/** The usage window a 429 body names (`hourly`, `daily`, `session`, `weekly`, `monthly`), if any. */
export function usageWindow(text: string | undefined): string | undefined {
  const match = /\b(hourly|daily|session|weekly|monthly)\b/i.exec(text ?? '');
  return match?.[1]?.toLowerCase();
}

interface StoredObservation {
  readonly limit?: number;
  readonly remaining?: number;
  readonly resetAt?: number;
  readonly exhausted?: boolean;
  readonly observedAt: number;
}

function nonNegative(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

function readCounters(day: string, value: unknown): QuotaCounters {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return {
    day,
    requests: nonNegative(record.requests),
    promptTokens: nonNegative(record.promptTokens),
    completionTokens: nonNegative(record.completionTokens),
  };
}

function fractionOf(observation: Omit<StoredObservation, 'observedAt'>): number | undefined {
  if (observation.exhausted === true) return 1;
  if (observation.limit !== undefined && observation.remaining !== undefined) {
    return (observation.limit - observation.remaining) / observation.limit;
  }
  return undefined;
}

function isValidObservation(value: unknown, now: number): value is StoredObservation {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  if (typeof record.observedAt !== 'number') return false;
  if (typeof record.resetAt === 'number' && record.resetAt <= now) return false;
  return (
    typeof record.limit === 'number' || typeof record.remaining === 'number' || record.exhausted === true
  );
}

function nextUtcMidnight(time: number): number {
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
}

/**
 * Creates a quota tracker. Call `update(headers, { status })` after every cloud response and
 * `addTokens(...)` after every completed cloud answer; `snapshot()` reports usage.
 *
 * Counters for the UTC day live in the StateStore under `quota:YYYY-MM-DD` and are changed with
 * compare-and-set loops, so trackers sharing a store (several gateway instances on one Postgres) never lose an
 * increment and a restart does not reset the day. The last header observation is stored under `quota:headers`.
 *
 * @example
 * ```ts
 * const quota = createQuotaTracker({ warningThreshold: 0.8, dailyRequestLimit: 500, stateStore, logger });
 * const response = await fetch('https://ollama.com/api/chat', init);
 * await quota.update(response.headers, { status: response.status });
 * console.log(await quota.snapshot()); // { source: 'counted', limit: 500, remaining: 499, ... }
 * ```
 */
export function createQuotaTracker(options: QuotaTrackerOptions = {}): QuotaTracker {
  const warningThreshold = options.warningThreshold ?? 0.8;
  if (!(Number.isFinite(warningThreshold) && warningThreshold > 0 && warningThreshold <= 1)) {
    throw new QuotaError(
      'INVALID_OPTION',
      `quota.warning_threshold must be a number above 0 and at most 1 (got ${String(options.warningThreshold)}).`,
    );
  }
  const dailyRequestLimit = options.dailyRequestLimit ?? 0;
  if (!(Number.isInteger(dailyRequestLimit) && dailyRequestLimit >= 0)) {
    throw new QuotaError(
      'INVALID_OPTION',
      `quota.daily_request_limit must be a whole number, 0 for unknown (got ${String(options.dailyRequestLimit)}).`,
    );
  }
  const store =
    options.stateStore ?? createMemoryStateStore(options.now === undefined ? {} : { now: options.now });
  const logger = options.logger;
  const now = options.now ?? Date.now;
  let headersLogged = false;
  // The window the last quota_warning was for: 'headers', or 'counted:<day>' (a new day re-arms it).
  let warnedWindow: string | undefined;

  function logStateError(operation: string, error: unknown): void {
    logger?.error(
      {
        event: 'quota_state_error',
        operation,
        error: error instanceof Error ? error.message : String(error),
      },
      'quota_state_error',
    );
  }

  interface Delta {
    requests: number;
    promptTokens: number;
    completionTokens: number;
  }
  interface Batch extends Delta {
    readonly day: string;
    started: boolean;
    readonly done: Promise<QuotaCounters | undefined>;
    resolve(counters: QuotaCounters | undefined): void;
  }
  // Increments wait here while a write is in flight and then go to the store together, in one
  // read-modify-CAS: concurrent requests of one tracker do not compete with each other for the same key.
  const batches: Batch[] = [];
  let draining = false;

  /** Read-modify-CAS of one batch on its day's counters; the written counters, or undefined after giving up. */
  async function write(batch: Batch): Promise<QuotaCounters | undefined> {
    const key = quotaDayKey(batch.day);
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
      const stored = await store.get<unknown>(key);
      const current = readCounters(batch.day, stored);
      const next: QuotaCounters = {
        day: batch.day,
        requests: current.requests + batch.requests,
        promptTokens: current.promptTokens + batch.promptTokens,
        completionTokens: current.completionTokens + batch.completionTokens,
      };
      if (await store.compareAndSet(key, stored, next, { ttlSeconds: DAY_TTL_SECONDS })) return next;
      // Contention with another tracker: back off a little, randomly, so the writers stop colliding.
      if (attempt >= 2)
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 20)));
    }
    throw new Error(`gave up after ${CAS_ATTEMPTS} compare-and-set conflicts on ${key}`);
  }

  async function drain(): Promise<void> {
    draining = true;
    for (let batch = batches[0]; batch !== undefined; batch = batches[0]) {
      batch.started = true;
      let written: QuotaCounters | undefined;
      try {
        written = await write(batch);
      } catch (error) {
        logStateError('counters', error);
      }
      batches.shift();
      batch.resolve(written);
    }
    draining = false;
  }

  /** Adds to today's counters; resolves with the counters as written (undefined when the store failed). */
  function addToCounters(delta: Partial<Delta>): Promise<QuotaCounters | undefined> {
    const day = utcDay(now());
    let batch = batches.at(-1);
    if (batch === undefined || batch.started || batch.day !== day) {
      let resolve!: (counters: QuotaCounters | undefined) => void;
      const done = new Promise<QuotaCounters | undefined>((settle) => {
        resolve = settle;
      });
      batch = { day, requests: 0, promptTokens: 0, completionTokens: 0, started: false, done, resolve };
      batches.push(batch);
    }
    batch.requests += delta.requests ?? 0;
    batch.promptTokens += delta.promptTokens ?? 0;
    batch.completionTokens += delta.completionTokens ?? 0;
    if (!draining) void drain();
    return batch.done;
  }

  function checkThreshold(
    fraction: number | undefined,
    fields: { limit: number | undefined; remaining: number | undefined; source: 'headers' | 'counted' },
    window: string,
  ): void {
    if (fraction === undefined) return;
    if (fraction < warningThreshold) {
      warnedWindow = undefined;
      return;
    }
    if (warnedWindow === window) return;
    warnedWindow = window;
    logger?.warn(
      {
        event: 'quota_warning',
        used_fraction: Math.round(fraction * 10_000) / 10_000,
        limit: fields.limit ?? null,
        remaining: fields.remaining ?? null,
        source: fields.source,
        threshold: warningThreshold,
      },
      'quota_warning',
    );
  }

  return {
    async update(headers, info = {}): Promise<void> {
      try {
        const time = now();
        if (!headersLogged) {
          headersLogged = true;
          logger?.debug(
            {
              event: 'quota_headers_seen',
              status: info.status ?? null,
              headers: redactHeaders(headers as HeaderInput),
            },
            'quota_headers_seen',
          );
        }
        const observation: RateLimitObservation | undefined = parseRateLimitHeaders(headers as HeaderInput, {
          now: time,
          ...(info.status === undefined ? {} : { status: info.status }),
        });
        const counts = info.status === undefined || info.status < 400;
        const counters = counts ? await addToCounters({ requests: 1 }) : undefined;
        if (observation !== undefined) {
          const stored: StoredObservation = {
            ...(observation.limit === undefined ? {} : { limit: observation.limit }),
            ...(observation.remaining === undefined ? {} : { remaining: observation.remaining }),
            ...(observation.resetAt === undefined ? {} : { resetAt: observation.resetAt }),
            ...(observation.exhausted === true ? { exhausted: true } : {}),
            observedAt: time,
          };
          const ttlSeconds =
            stored.resetAt === undefined ? 24 * 3600 : Math.max(1, Math.ceil((stored.resetAt - time) / 1000));
          await store.set(HEADERS_KEY, stored, { ttlSeconds });
          checkThreshold(
            fractionOf(stored),
            {
              limit: stored.limit,
              remaining: stored.remaining,
              source: 'headers',
            },
            'headers',
          );
        } else if (counters !== undefined && dailyRequestLimit > 0) {
          // Without headers of its own, a response counts against the daily limit unless a still-valid
          // header observation (from this or another instance) is in charge.
          const current = await store.get<unknown>(HEADERS_KEY);
          if (!isValidObservation(current, time)) {
            checkThreshold(
              counters.requests / dailyRequestLimit,
              {
                limit: dailyRequestLimit,
                remaining: Math.max(0, dailyRequestLimit - counters.requests),
                source: 'counted',
              },
              `counted:${counters.day}`,
            );
          }
        }
      } catch (error) {
        logStateError('update', error);
      }
    },

    async addTokens(usage): Promise<void> {
      const prompt = nonNegative(usage.promptTokens);
      const completion = nonNegative(usage.completionTokens);
      if (prompt === 0 && completion === 0) return;
      try {
        await addToCounters({ promptTokens: prompt, completionTokens: completion });
      } catch (error) {
        logStateError('addTokens', error);
      }
    },

    async snapshot(): Promise<QuotaSnapshot> {
      const time = now();
      const day = utcDay(time);
      const [storedCounters, storedHeaders, storedCooldown] = await Promise.all([
        store.get<unknown>(quotaDayKey(day)),
        store.get<unknown>(HEADERS_KEY),
        store.get<unknown>(COOLDOWN_KEY),
      ]);
      const counters = readCounters(day, storedCounters);
      const cooldown = readCooldown(storedCooldown, time);
      const base = { counters, warningThreshold, ...(cooldown === undefined ? {} : { cooldown }) };
      if (isValidObservation(storedHeaders, time)) {
        const usedFraction = fractionOf(storedHeaders);
        return {
          source: 'headers',
          ...(storedHeaders.limit === undefined ? {} : { limit: storedHeaders.limit }),
          ...(storedHeaders.remaining === undefined ? {} : { remaining: storedHeaders.remaining }),
          ...(usedFraction === undefined ? {} : { usedFraction }),
          ...(storedHeaders.resetAt === undefined
            ? {}
            : { resetAt: new Date(storedHeaders.resetAt).toISOString() }),
          observedAt: new Date(storedHeaders.observedAt).toISOString(),
          ...base,
        };
      }
      const resetAt = new Date(nextUtcMidnight(time)).toISOString();
      if (dailyRequestLimit === 0) return { source: 'counted', resetAt, ...base };
      return {
        source: 'counted',
        limit: dailyRequestLimit,
        remaining: Math.max(0, dailyRequestLimit - counters.requests),
        usedFraction: counters.requests / dailyRequestLimit,
        resetAt,
        ...base,
      };
    },
  };
}

function readCooldown(value: unknown, time: number): QuotaCooldown | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<Record<keyof CloudCooldownRecord, unknown>>;
  if (typeof record.until !== 'number' || !Number.isFinite(record.until) || record.until <= time)
    return undefined;
  const reason = typeof record.reason === 'string' ? record.reason : '';
  const window = usageWindow(reason);
  return {
    until: new Date(record.until).toISOString(),
    reason,
    ...(window === undefined ? {} : { window }),
    ...(typeof record.status === 'number' ? { status: record.status } : {}),
    ...(typeof record.since === 'number' && Number.isFinite(record.since)
      ? { since: new Date(record.since).toISOString() }
      : {}),
  };
}
