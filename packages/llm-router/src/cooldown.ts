import type { Logger, StateStore } from './types.js';

/** The persisted cloud cooldown, under the state key `cloud_cooldown`. */
export interface CloudCooldown {
  /** Epoch ms until which the cloud is skipped. */
  readonly until: number;
  /** Why: the 429's message (e.g. "you've reached your hourly usage limit ..."). */
  readonly reason: string;
  readonly status: number;
  /** Epoch ms when it started. */
  readonly since: number;
}

/** State key of the cooldown record. */
export const COOLDOWN_KEY = 'cloud_cooldown';

function isCooldown(value: unknown): value is CloudCooldown {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { until?: unknown }).until === 'number' &&
    Number.isFinite((value as { until: number }).until)
  );
}

/** Seconds named by a Retry-After header (delta-seconds or an HTTP date), if any. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}

export interface CooldownTracker {
  /** The active cooldown, if any (read through a short cache). */
  active(): Promise<CloudCooldown | undefined>;
  /** The same answer from the cache without awaiting, or 'unknown' when the cache is stale. */
  cached(): CloudCooldown | undefined | 'unknown';
  /** Starts (or extends) the cooldown after a 429; concurrent calls write once. */
  start(input: { retryAfterSeconds?: number; reason: string; status: number }): Promise<void>;
}

/**
 * The cooldown after a cloud 429, persisted through a StateStore so that restarts and other instances on
 * the same storage honour it. Reads are cached for `cacheMs`; writes go through compareAndSet, and an
 * existing cooldown that already covers the new one is left alone, so a burst of 429s writes one record.
 */
export function createCooldownTracker(options: {
  store: StateStore;
  rateLimitSeconds: number;
  now: () => number;
  cacheMs: number;
  logger?: Logger;
  redact: (text: string) => string;
}): CooldownTracker {
  const { store, now, logger } = options;
  let cached: { value: CloudCooldown | undefined; readAt: number } | undefined;
  let reading: Promise<CloudCooldown | undefined> | undefined;
  let writing: Promise<void> | undefined;

  const current = (value: CloudCooldown | undefined, time: number): CloudCooldown | undefined =>
    value !== undefined && value.until > time ? value : undefined;

  async function read(): Promise<CloudCooldown | undefined> {
    try {
      const value = await store.get<unknown>(COOLDOWN_KEY);
      return isCooldown(value) ? value : undefined;
    } catch (error) {
      logger?.warn(
        { event: 'llm_state_unavailable', operation: 'get', key: COOLDOWN_KEY, error: String(error) },
        'Could not read the cloud cooldown from the state store; assuming none.',
      );
      return undefined;
    }
  }

  /** A new cooldown is only worth a write when it ends clearly later than the one in force. */
  const covers = (existing: CloudCooldown | undefined, until: number, time: number): boolean => {
    const active = current(existing, time);
    if (active === undefined) return false;
    const slack = Math.max(1000, (until - time) * 0.1);
    return active.until + slack >= until;
  };

  return {
    cached() {
      const time = now();
      if (cached === undefined || time - cached.readAt >= options.cacheMs) return 'unknown';
      return current(cached.value, time);
    },
    async active() {
      const time = now();
      if (cached !== undefined && time - cached.readAt < options.cacheMs) return current(cached.value, time);
      if (reading === undefined) {
        const started = time;
        reading = read().then((value) => {
          // a cooldown started while reading wins over what the store said
          if (
            cached === undefined ||
            cached.readAt <= started ||
            !covers(cached.value, value?.until ?? 0, now())
          ) {
            cached = { value, readAt: started };
          }
          return value;
        });
        reading.finally(() => {
          reading = undefined;
        });
      }
      await reading;
      return current(cached?.value, now());
    },

    start(input) {
      const time = now();
      const seconds = Math.max(options.rateLimitSeconds, input.retryAfterSeconds ?? 0);
      const record: CloudCooldown = {
        until: time + Math.round(seconds * 1000),
        reason: options.redact(input.reason).slice(0, 300),
        status: input.status,
        since: time,
      };
      if (covers(cached?.value, record.until, time)) return writing ?? Promise.resolve();
      // Requests starting from now skip the cloud at once, before the write lands.
      cached = { value: record, readAt: time };
      if (writing !== undefined) return writing;
      writing = (async () => {
        for (let round = 0; round < 5; round++) {
          const stored = await read();
          if (covers(stored, record.until, now())) {
            cached = { value: stored, readAt: now() };
            return;
          }
          const ttlSeconds = Math.ceil(seconds) + 60;
          if (await store.compareAndSet(COOLDOWN_KEY, stored, record, { ttlSeconds })) {
            logger?.warn(
              {
                event: 'llm_cooldown_started',
                provider: 'cloud',
                until: new Date(record.until).toISOString(),
                seconds,
                status: record.status,
                reason: record.reason,
              },
              'llm_cooldown_started',
            );
            return;
          }
        }
      })()
        .catch((error: unknown) => {
          logger?.warn(
            {
              event: 'llm_state_unavailable',
              operation: 'set',
              key: COOLDOWN_KEY,
              error: options.redact(String(error)),
            },
            'Could not persist the cloud cooldown; it holds in this process only.',
          );
        })
        .finally(() => {
          writing = undefined;
        });
      return writing;
    },
  };
}
