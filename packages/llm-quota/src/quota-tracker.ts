import { type CloudUsage, cloudResetAt } from './cloud-usage.js';
import { createCounterFlusher, type QuotaCounters } from './counter-flusher.js';
import type { Logger } from './logger.js';
import { QuotaError } from './quota-error.js';
import {
  type HeaderInput,
  parseRateLimitHeaders,
  type RateLimitObservation,
  redactHeaders,
} from './rate-limit-headers.js';
import { createMemoryStateStore, type StateStore } from './state-store.js';
import { createUsagePoller, type UsagePoller } from './usage-poller.js';

export type { QuotaCounters } from './counter-flusher.js';
export { quotaDayKey } from './counter-flusher.js';

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
  /**
   * The cloud API key (`cloud.api_key`): its value is scrubbed from every header logged; with `usagePolling`, the
   * key the cloud's usage endpoints are asked with.
   */
  readonly apiKey?: string;
  /** Other secret values to scrub from logged headers. */
  readonly secrets?: readonly string[];
  /**
   * Poll the cloud's own usage figures (needs `apiKey`): `endpoint` is `cloud.endpoint`, `intervalSeconds` is
   * `quota.poll_seconds` (0 = never). The figures appear as `snapshot().cloud` and trigger `quota_warning`.
   */
  readonly usagePolling?: {
    readonly endpoint: string;
    readonly intervalSeconds: number;
    readonly fetch?: typeof globalThis.fetch;
  };
  /** Counters are flushed to the store at most this often (and on `flush()` / `close()`). @default 1000 */
  readonly flushIntervalMs?: number;
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
  /** The cloud's own figures (`/api/balance` or `/api/usage`), when they were fetched. */
  readonly cloud?: CloudUsage;
}

/** Usage tracking for Ollama Cloud. */
export interface QuotaTracker {
  /**
   * After every cloud HTTP response (any status): reads rate-limit headers, and counts one request when the
   * status is below 400. No storage I/O: counts are flushed in the background. Never throws.
   */
  update(
    headers: Headers | Record<string, string | string[] | undefined>,
    info?: { status?: number; body?: string },
  ): Promise<void>;
  /** After a completed cloud answer: adds Ollama's prompt_eval_count / eval_count to today's counters. No I/O. */
  addTokens(usage: { promptTokens?: number; completionTokens?: number }): Promise<void>;
  /** The current usage picture (flushes this tracker's pending counts first). */
  snapshot(): Promise<QuotaSnapshot>;
  /** Writes the pending counts and observations now. Never throws (failures: `quota_state_error`). */
  flush(): Promise<void>;
  /** Stops the background flush and the usage poller, then flushes. Safe to call twice. */
  close(): Promise<void>;
  /** Takes the cloud's own figures (the usage poller calls it): kept for `snapshot()`, checked for `quota_warning`. */
  recordCloudUsage(usage: CloudUsage): void;
  /** The latest cloud figures known to this process, without I/O. */
  cloudUsage(): CloudUsage | undefined;
  /**
   * Epoch ms when the cloud's figures say the limit ends (see `cloudResetAt`): the named window's reset, or
   * without one the reset of a used-up window / the end of a used-up credit period. Undefined when unknown.
   */
  cloudResetAt(window?: string): number | undefined;
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
/** State key of the last cloud usage figures (so `graphiti quota` in another process sees them). */
export const CLOUD_USAGE_KEY = 'quota:cloud';
const CLOUD_USAGE_TTL_SECONDS = 24 * 3600;

/** The last day {@link utcDay} formatted, with its bounds (epoch ms, end exclusive). */
let dayCache = { start: 0, end: 0, day: '' };

/** `YYYY-MM-DD` of an epoch-millisecond time, in UTC. */
export function utcDay(time: number): string {
  // every counted answer asks for its day: format once per day, not once per answer
  if (time >= dayCache.start && time < dayCache.end) return dayCache.day;
  const day = new Date(time).toISOString().slice(0, 10);
  const start = Date.parse(`${day}T00:00:00.000Z`);
  if (Number.isFinite(start)) dayCache = { start, end: start + 86_400_000, day };
  return day;
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

function isCloudUsage(value: unknown): value is CloudUsage {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    (record.source === 'balance' || record.source === 'usage') &&
    Array.isArray(record.windows) &&
    typeof record.fetchedAt === 'string'
  );
}

function nextUtcMidnight(time: number): number {
  const date = new Date(time);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() + 1);
}

function toStored(observation: RateLimitObservation, time: number): StoredObservation {
  return {
    ...(observation.limit === undefined ? {} : { limit: observation.limit }),
    ...(observation.remaining === undefined ? {} : { remaining: observation.remaining }),
    ...(observation.resetAt === undefined ? {} : { resetAt: observation.resetAt }),
    ...(observation.exhausted === true ? { exhausted: true } : {}),
    observedAt: time,
  };
}

function validateOptions(options: QuotaTrackerOptions): {
  warningThreshold: number;
  dailyRequestLimit: number;
} {
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
  return { warningThreshold, dailyRequestLimit };
}

interface WarningFields {
  readonly limit: number | undefined;
  readonly remaining: number | undefined;
  readonly source: 'headers' | 'counted' | 'cloud';
  readonly extra?: Record<string, unknown>;
}

/** One `quota_warning` per crossing and source; re-armed when usage falls below, or a new window starts. */
function createWarnings(threshold: number, logger: Logger | undefined) {
  // source key -> the window the last warning was for ('headers', 'counted:<day>', 'cloud:<name>').
  const warned = new Map<string, string>();
  return (key: string, window: string, fraction: number | undefined, fields: WarningFields): void => {
    if (fraction === undefined) return;
    if (fraction < threshold) {
      warned.delete(key);
      return;
    }
    if (warned.get(key) === window) return;
    warned.set(key, window);
    logger?.warn(
      {
        event: 'quota_warning',
        used_fraction: Math.round(fraction * 10_000) / 10_000,
        limit: fields.limit ?? null,
        remaining: fields.remaining ?? null,
        source: fields.source,
        threshold,
        ...fields.extra,
      },
      'quota_warning',
    );
  };
}

/**
 * Creates a quota tracker. Call `update(headers, { status })` after every cloud response and
 * `addTokens(...)` after every completed cloud answer; `snapshot()` reports usage.
 *
 * `update()` and `addTokens()` do no storage I/O: counts accumulate in memory and are flushed to the StateStore
 * at most once per `flushIntervalMs` and on `flush()` / `close()`, with the store's atomic `increment` when it
 * has one (else a compare-and-set loop), so trackers sharing a store never lose an increment. A crash loses at
 * most one interval of counts. The last header observation is stored under `quota:headers` at the same flush.
 *
 * @example
 * ```ts
 * const quota = createQuotaTracker({ warningThreshold: 0.8, dailyRequestLimit: 500, stateStore, logger });
 * const response = await fetch('https://ollama.com/api/chat', init);
 * await quota.update(response.headers, { status: response.status });
 * console.log(await quota.snapshot()); // { source: 'counted', limit: 500, remaining: 499, ... }
 * await quota.close(); // at shutdown: writes what is pending
 * ```
 */
export function createQuotaTracker(options: QuotaTrackerOptions = {}): QuotaTracker {
  const { warningThreshold, dailyRequestLimit } = validateOptions(options);
  const store =
    options.stateStore ?? createMemoryStateStore(options.now === undefined ? {} : { now: options.now });
  const logger = options.logger;
  const now = options.now ?? Date.now;
  const secrets = [...(options.apiKey === undefined ? [] : [options.apiKey]), ...(options.secrets ?? [])];
  const warn = createWarnings(warningThreshold, logger);
  let headersLogged = false;
  /** This process's latest observation, and the shared one read at the last flush. */
  let ownObservation: StoredObservation | undefined;
  let sharedObservation: unknown;
  let cloud: CloudUsage | undefined;
  let closed = false;

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

  function headersInCharge(time: number): boolean {
    return isValidObservation(ownObservation, time) || isValidObservation(sharedObservation, time);
  }

  /** Without headers of its own, counting against the daily limit, unless a header observation is in charge. */
  function checkCounted(): void {
    if (dailyRequestLimit === 0) return;
    const time = now();
    if (headersInCharge(time)) return;
    const counters = flusher.estimate(utcDay(time));
    warn('counted', `counted:${counters.day}`, counters.requests / dailyRequestLimit, {
      limit: dailyRequestLimit,
      remaining: Math.max(0, dailyRequestLimit - counters.requests),
      source: 'counted',
    });
  }

  const flusher = createCounterFlusher({
    store,
    intervalMs: options.flushIntervalMs ?? 1000,
    onError: logStateError,
    async afterFlush() {
      if (dailyRequestLimit === 0) return;
      sharedObservation = await store.get<unknown>(HEADERS_KEY);
      checkCounted();
    },
  });

  function recordCloudUsage(usage: CloudUsage): void {
    cloud = usage;
    flusher.setLater(CLOUD_USAGE_KEY, usage, CLOUD_USAGE_TTL_SECONDS);
    for (const window of usage.windows) {
      warn(`cloud:${window.name}`, `cloud:${window.name}`, window.usedFraction, {
        limit: undefined,
        remaining: undefined,
        source: 'cloud',
        extra: { window: window.name, resets_at: window.resetsAt ?? null },
      });
    }
  }

  let poller: UsagePoller | undefined;
  let firstPoll: Promise<unknown> | undefined;
  if (options.usagePolling !== undefined && options.apiKey !== undefined && options.apiKey !== '') {
    poller = createUsagePoller({
      endpoint: options.usagePolling.endpoint,
      apiKey: options.apiKey,
      intervalSeconds: options.usagePolling.intervalSeconds,
      ...(options.usagePolling.fetch === undefined ? {} : { fetch: options.usagePolling.fetch }),
      ...(logger === undefined ? {} : { logger }),
      now,
      onUsage: recordCloudUsage,
    });
    if (options.usagePolling.intervalSeconds > 0) firstPoll = poller.poll();
  }

  function update(headers: HeaderInput, info: { status?: number; body?: string }): void {
    const time = now();
    if (!headersLogged) {
      headersLogged = true;
      logger?.debug(
        {
          event: 'quota_headers_seen',
          status: info.status ?? null,
          headers: redactHeaders(headers, secrets),
        },
        'quota_headers_seen',
      );
    }
    const observation = parseRateLimitHeaders(headers, {
      now: time,
      ...(info.status === undefined ? {} : { status: info.status }),
    });
    if (info.status === undefined || info.status < 400) flusher.add(utcDay(time), { requests: 1 });
    if (observation !== undefined) {
      const stored = toStored(observation, time);
      ownObservation = stored;
      const ttlSeconds =
        stored.resetAt === undefined ? 24 * 3600 : Math.max(1, Math.ceil((stored.resetAt - time) / 1000));
      flusher.setLater(HEADERS_KEY, stored, ttlSeconds);
      warn('headers', 'headers', fractionOf(stored), {
        limit: stored.limit,
        remaining: stored.remaining,
        source: 'headers',
      });
    } else if (info.status === undefined || info.status < 400) {
      checkCounted();
    }
  }

  async function snapshot(): Promise<QuotaSnapshot> {
    if (firstPoll !== undefined) await firstPoll;
    await flusher.flush();
    const time = now();
    const day = utcDay(time);
    const [counters, storedHeaders, storedCooldown, storedCloud] = await Promise.all([
      flusher.read(day),
      store.get<unknown>(HEADERS_KEY),
      store.get<unknown>(COOLDOWN_KEY),
      cloud === undefined ? store.get<unknown>(CLOUD_USAGE_KEY) : Promise.resolve(cloud),
    ]);
    const cooldown = readCooldown(storedCooldown, time);
    const base = {
      counters,
      warningThreshold,
      ...(cooldown === undefined ? {} : { cooldown }),
      ...(isCloudUsage(storedCloud) ? { cloud: storedCloud } : {}),
    };
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
  }

  return {
    async update(headers, info = {}): Promise<void> {
      try {
        update(headers as HeaderInput, info);
      } catch (error) {
        logStateError('update', error);
      }
    },

    async addTokens(usage): Promise<void> {
      const prompt = nonNegative(usage.promptTokens);
      const completion = nonNegative(usage.completionTokens);
      if (prompt === 0 && completion === 0) return;
      flusher.add(utcDay(now()), { promptTokens: prompt, completionTokens: completion });
    },

    snapshot,
    flush: () => flusher.flush(),

    async close(): Promise<void> {
      if (!closed) {
        closed = true;
        poller?.close();
      }
      await flusher.close();
    },

    recordCloudUsage,
    cloudUsage: () => cloud,
    cloudResetAt: (window) => cloudResetAt(cloud, now(), window),
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
