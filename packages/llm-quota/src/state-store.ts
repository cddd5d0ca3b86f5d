import { QuotaError } from './quota-error.js';

/**
 * Small durable JSON key/value state, shared by the router and the quota tracker. `@graphiti/llm-queue`'s
 * `storage.state` implements it on SQLite or PostgreSQL; {@link createMemoryStateStore} is the in-process one.
 */
export interface StateStore {
  /** The JSON value stored under key, or undefined when absent or expired. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores a JSON value; ttlSeconds makes it expire. */
  set(key: string, value: unknown, options?: { ttlSeconds?: number }): Promise<void>;
  /**
   * Atomically replaces the value when the current one equals `expected` (JSON equality;
   * undefined means "absent or expired"). Returns whether it wrote.
   */
  compareAndSet(
    key: string,
    expected: unknown,
    value: unknown,
    options?: { ttlSeconds?: number },
  ): Promise<boolean>;
  /**
   * Optional (contract A, `@graphiti/llm-queue`): adds `delta` to the number under `key` in one atomic
   * statement (a missing key starts at 0) and returns the new total. When a store has it, the tracker flushes
   * its counters with it; without it, with a compare-and-set loop. `ttlSeconds` sets the expiry.
   */
  increment?(key: string, delta: number, options?: { ttlSeconds?: number }): Promise<number>;
  /** Optional: the number under `key`, 0 when absent. */
  getNumber?(key: string): Promise<number>;
  /**
   * Optional: several `increment`s and `set`s as one transaction (one commit: on SQLite at
   * `synchronous = FULL` one fsync instead of one per write). All or nothing. Resolves with the increments'
   * new totals, in order. The tracker flushes with it when the store has it (and `increment`).
   */
  batch?(writes: StateBatch): Promise<number[]>;
}

/** The writes of one {@link StateStore.batch}. */
export interface StateBatch {
  readonly increments: readonly {
    readonly key: string;
    readonly delta: number;
    readonly ttlSeconds?: number;
  }[];
  readonly sets: readonly { readonly key: string; readonly value: unknown; readonly ttlSeconds?: number }[];
}

/** Options of {@link createMemoryStateStore}. */
export interface MemoryStateStoreOptions {
  /** Clock in epoch milliseconds, for expiry. @default Date.now */
  readonly now?: () => number;
}

/** JSON with object keys sorted, so that equal values compare equal whatever their key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) => {
    if (inner === null || typeof inner !== 'object' || Array.isArray(inner)) return inner;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(inner as Record<string, unknown>).sort()) {
      sorted[key] = (inner as Record<string, unknown>)[key];
    }
    return sorted;
  });
}

function serialize(key: string, value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new QuotaError(
      'INVALID_STATE_VALUE',
      `The value for state key "${key}" is not JSON-serialisable.`,
      {
        cause: error,
      },
    );
  }
  if (json === undefined) {
    throw new QuotaError('INVALID_STATE_VALUE', `The value for state key "${key}" is not JSON-serialisable.`);
  }
  return json;
}

/**
 * An in-memory {@link StateStore}: values are stored as JSON (so callers get copies), expire after
 * `ttlSeconds`, and `compareAndSet` is atomic within the process. Nothing survives a restart: give the tracker
 * and the router a durable store (`storage.state`) in production.
 */
export function createMemoryStateStore(options: MemoryStateStoreOptions = {}): StateStore {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { json: string; expiresAt: number | undefined }>();

  function live(key: string): { json: string } | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  function write(key: string, json: string, ttlSeconds: number | undefined): void {
    const expiresAt = ttlSeconds !== undefined && ttlSeconds > 0 ? now() + ttlSeconds * 1000 : undefined;
    entries.set(key, { json, expiresAt });
  }

  return {
    async get<T = unknown>(key: string): Promise<T | undefined> {
      const entry = live(key);
      return entry === undefined ? undefined : (JSON.parse(entry.json) as T);
    },
    async set(key: string, value: unknown, setOptions?: { ttlSeconds?: number }): Promise<void> {
      write(key, serialize(key, value), setOptions?.ttlSeconds);
    },
    async compareAndSet(
      key: string,
      expected: unknown,
      value: unknown,
      setOptions?: { ttlSeconds?: number },
    ): Promise<boolean> {
      const json = serialize(key, value);
      const entry = live(key);
      const matches =
        expected === undefined
          ? entry === undefined
          : entry !== undefined && canonicalJson(JSON.parse(entry.json)) === canonicalJson(expected);
      if (!matches) return false;
      write(key, json, setOptions?.ttlSeconds);
      return true;
    },
  };
}
