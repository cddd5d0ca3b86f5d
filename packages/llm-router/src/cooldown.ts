import type { Emit } from './events.js';
import type { Scrub } from './secrets.js';
import type { Logger, StateStore } from './types.js';

/** A persisted cooldown: the whole cloud (key `cloud_cooldown`) or one model (key `cloud_model_cooldowns`). */
export interface CloudCooldown {
  /** Epoch ms until which the cloud (or the model) is skipped. */
  readonly until: number;
  /** Why: the cloud's own text (e.g. "you've reached your hourly usage limit ..."), scrubbed. */
  readonly reason: string;
  readonly status: number;
  /** Epoch ms when it started. */
  readonly since: number;
  /** The usage window the 429 named (`hourly`, `session`, `weekly`, `monthly`), when it named one. */
  readonly window?: string;
}

/** State key of the cloud-wide cooldown record (read by `@graphiti/llm-quota` too). */
export const COOLDOWN_KEY = 'cloud_cooldown';
/** State key of the per-model cooldowns: `{ [model]: CloudCooldown }`. */
export const MODEL_COOLDOWNS_KEY = 'cloud_model_cooldowns';

type ModelCooldowns = Readonly<Record<string, CloudCooldown>>;

function isCooldown(value: unknown): value is CloudCooldown {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { until?: unknown }).until === 'number' &&
    Number.isFinite((value as { until: number }).until)
  );
}

function asModelCooldowns(value: unknown): ModelCooldowns {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, CloudCooldown> = {};
  for (const [model, entry] of Object.entries(value)) if (isCooldown(entry)) out[model] = entry;
  return out;
}

/** What starts a cooldown. */
export interface CooldownInput {
  /** A longer wait the server asked for (Retry-After, a usage reset), in seconds. */
  readonly retryAfterSeconds?: number | undefined;
  readonly reason: string;
  readonly status: number;
  readonly window?: string | undefined;
}

/** The cloud and per-model cooldowns: read from memory, refreshed from the store about once a second. */
export interface CooldownTracker {
  /** Resolves once the first read from the store is done (later calls: at once). */
  ready(): Promise<void>;
  /** True once `ready()` has resolved: the hot path then skips the await. */
  readonly loaded: boolean;
  /** The cloud cooldown in force, from memory (a stale copy triggers a background refresh). */
  cloud(): CloudCooldown | undefined;
  /** The cooldown of one cloud model in force, from memory. */
  model(name: string): CloudCooldown | undefined;
  /** The cloud cooldown, read through to the store when the copy is stale. */
  active(): Promise<CloudCooldown | undefined>;
  /** Starts (or extends) the cloud cooldown; written through at once; concurrent calls write once. */
  start(input: CooldownInput): Promise<void>;
  /** Cools one model (402, 403 subscription): others still go to the cloud. */
  coolModel(model: string, input: CooldownInput): Promise<void>;
}

/** Options of {@link createCooldownTracker}. */
export interface CooldownTrackerOptions {
  readonly store: StateStore;
  /** The shortest cooldown, seconds (`cooldown.rate_limit_seconds`). */
  readonly rateLimitSeconds: number;
  readonly now: () => number;
  /** How long the in-memory copy is used before a background refresh, ms. */
  readonly cacheMs: number;
  readonly logger?: Logger | undefined;
  readonly scrub: Scrub;
  readonly emit: Emit;
}

/**
 * The cooldowns after cloud 429s (and per-model 402/403s), persisted through a StateStore so that restarts
 * and other instances on the same storage honour them. Reads cost no storage round trip per request (an
 * in-memory copy, refreshed in the background about once a second); a new cooldown is written through at
 * once with compareAndSet, and one that an existing cooldown already covers is not written at all, so a
 * burst of 429s writes one record.
 */
export function createCooldownTracker(options: CooldownTrackerOptions): CooldownTracker {
  const { store, now, logger } = options;
  let cloud: CloudCooldown | undefined;
  let models: ModelCooldowns = {};
  let readAt = Number.NEGATIVE_INFINITY;
  let loaded = false;
  let reading: Promise<void> | undefined;
  let writing: Promise<void> | undefined;
  let first: Promise<void> | undefined;

  const current = (value: CloudCooldown | undefined, time: number): CloudCooldown | undefined =>
    value !== undefined && value.until > time ? value : undefined;

  /** A new cooldown is only worth a write when it ends clearly later than the one in force. */
  const covers = (existing: CloudCooldown | undefined, until: number, time: number): boolean => {
    const active = current(existing, time);
    if (active === undefined) return false;
    const slack = Math.max(1000, (until - time) * 0.1);
    return active.until + slack >= until;
  };
  const later = (a: CloudCooldown | undefined, b: CloudCooldown | undefined): CloudCooldown | undefined =>
    a === undefined ? b : b === undefined ? a : a.until >= b.until ? a : b;

  async function get(key: string): Promise<unknown> {
    try {
      return await store.get<unknown>(key);
    } catch (error) {
      logger?.warn(
        { event: 'llm_state_unavailable', operation: 'get', key, error: options.scrub(String(error)) },
        'Could not read a cooldown from the state store; using the copy in memory.',
      );
      return undefined;
    }
  }

  function refresh(): Promise<void> {
    if (reading !== undefined) return reading;
    const started = now();
    reading = (async () => {
      const [storedCloud, storedModels] = await Promise.all([get(COOLDOWN_KEY), get(MODEL_COOLDOWNS_KEY)]);
      // a cooldown started here while reading wins over what the store said
      cloud = later(isCooldown(storedCloud) ? storedCloud : undefined, current(cloud, now()));
      const merged: Record<string, CloudCooldown> = { ...asModelCooldowns(storedModels) };
      for (const [model, entry] of Object.entries(models)) {
        const kept = later(merged[model], current(entry, now()));
        if (kept !== undefined) merged[model] = kept;
      }
      models = merged;
      readAt = started;
      loaded = true;
    })().finally(() => {
      reading = undefined;
    });
    return reading;
  }

  function maybeRefresh(): void {
    if (loaded && now() - readAt >= options.cacheMs) refresh().catch(() => {});
  }

  function record(input: CooldownInput, time: number): { value: CloudCooldown; seconds: number } {
    const seconds = Math.max(options.rateLimitSeconds, input.retryAfterSeconds ?? 0);
    const value: CloudCooldown = {
      until: time + Math.round(seconds * 1000),
      reason: options.scrub(input.reason).slice(0, 300),
      status: input.status,
      since: time,
      ...(input.window === undefined ? {} : { window: input.window }),
    };
    return { value, seconds };
  }

  function writeFailed(key: string, error: unknown): void {
    logger?.warn(
      { event: 'llm_state_unavailable', operation: 'set', key, error: options.scrub(String(error)) },
      'Could not persist a cooldown; it holds in this process only.',
    );
  }

  return {
    ready() {
      first ??= refresh();
      return first;
    },
    get loaded() {
      return loaded;
    },
    cloud() {
      maybeRefresh();
      return current(cloud, now());
    },
    model(name) {
      maybeRefresh();
      return current(models[name], now());
    },
    async active() {
      if (now() - readAt >= options.cacheMs) await refresh();
      return current(cloud, now());
    },

    start(input) {
      const time = now();
      const { value, seconds } = record(input, time);
      if (covers(cloud, value.until, time)) return writing ?? Promise.resolve();
      // Requests starting from now skip the cloud at once, before the write lands.
      cloud = value;
      if (writing !== undefined) return writing;
      writing = (async () => {
        for (let round = 0; round < 5; round++) {
          const stored = await store.get<unknown>(COOLDOWN_KEY);
          const existing = isCooldown(stored) ? stored : undefined;
          if (covers(existing, value.until, now())) {
            cloud = later(existing, current(cloud, now()));
            return;
          }
          const ttlSeconds = Math.ceil(seconds) + 60;
          if (await store.compareAndSet(COOLDOWN_KEY, stored, value, { ttlSeconds })) {
            options.emit({
              type: 'cooldown',
              scope: 'cloud',
              until: value.until,
              reason: value.reason,
              status: value.status,
              ...(value.window === undefined ? {} : { window: value.window }),
            });
            return;
          }
        }
      })()
        .catch((error: unknown) => writeFailed(COOLDOWN_KEY, error))
        .finally(() => {
          writing = undefined;
        });
      return writing;
    },

    async coolModel(model, input) {
      const time = now();
      const { value, seconds } = record(input, time);
      if (covers(models[model], value.until, time)) return;
      models = { ...models, [model]: value };
      try {
        for (let round = 0; round < 5; round++) {
          const stored = await store.get<unknown>(MODEL_COOLDOWNS_KEY);
          const entries = asModelCooldowns(stored);
          if (covers(entries[model], value.until, now())) return;
          const next: Record<string, CloudCooldown> = {};
          for (const [name, entry] of Object.entries(entries)) if (entry.until > time) next[name] = entry;
          next[model] = value;
          const longest = Math.max(...Object.values(next).map((entry) => entry.until));
          const ttlSeconds = Math.max(Math.ceil(seconds), Math.ceil((longest - time) / 1000)) + 60;
          if (await store.compareAndSet(MODEL_COOLDOWNS_KEY, stored, next, { ttlSeconds })) {
            options.emit({
              type: 'cooldown',
              scope: 'model',
              model,
              until: value.until,
              reason: value.reason,
              status: value.status,
            });
            return;
          }
        }
      } catch (error) {
        writeFailed(MODEL_COOLDOWNS_KEY, error);
      }
    },
  };
}
