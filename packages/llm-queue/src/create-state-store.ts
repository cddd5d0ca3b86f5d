import type { Kysely } from 'kysely';
import { type DialectName, incrementState } from './dialect.js';
import { QueueError } from './errors.js';
import { toCanonicalJson } from './json.js';
import type { QueueDatabase } from './schema.js';

/** Options for {@link StateStore.set}, {@link StateStore.compareAndSet} and {@link StateStore.increment}. */
export interface StateSetOptions {
  /** The value expires (reads as absent) after this many seconds. */
  readonly ttlSeconds?: number;
}

/**
 * Small JSON values by key, shared by every process on the same database. It satisfies the
 * router's and the quota tracker's `StateStore` (the 429 cooldown, the daily quota counters).
 */
export interface StateStore {
  /** The JSON value stored under key, or undefined when absent or expired. */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** Stores a JSON value; ttlSeconds makes it expire. */
  set(key: string, value: unknown, options?: StateSetOptions): Promise<void>;
  /**
   * Atomically replaces the value when the current one equals `expected` (JSON equality, object
   * key order ignored; undefined means "absent or expired"). Returns whether it wrote.
   */
  compareAndSet(key: string, expected: unknown, value: unknown, options?: StateSetOptions): Promise<boolean>;
  /** Removes the key; returns whether it existed (an expired key counts until it is purged). */
  delete(key: string): Promise<boolean>;
  /**
   * Adds `delta` to the number stored under `key` and returns the new total, in one atomic SQL
   * statement (no compare-and-set loop): concurrent increments from any number of processes add up.
   * A missing or expired key starts at 0. With `ttlSeconds` the key expires that long after this
   * increment (as after a `set` with it); without, a live key keeps its expiry and a new or restarted
   * one never expires. A stored value that is not a number throws QueueError `INVALID_STATE`.
   */
  increment(key: string, delta: number, options?: StateSetOptions): Promise<number>;
  /** The number stored under `key`; 0 when absent or expired; `INVALID_STATE` when it is not a number. */
  getNumber(key: string): Promise<number>;
  /**
   * Several increments and sets in one transaction: one commit (on SQLite at `synchronous = FULL`, one fsync
   * instead of one per write), all or nothing. Resolves with the increments' new totals, in order.
   */
  batch(writes: StateBatch): Promise<number[]>;
}

/** The writes of one {@link StateStore.batch}: each as `increment(key, delta, { ttlSeconds })` or `set`. */
export interface StateBatch {
  readonly increments: readonly {
    readonly key: string;
    readonly delta: number;
    readonly ttlSeconds?: number;
  }[];
  readonly sets: readonly { readonly key: string; readonly value: unknown; readonly ttlSeconds?: number }[];
}

const table = 'graphiti_state';

/** How often (by the store's clock) a write first deletes the rows that have expired. */
const purgeIntervalMs = 10 * 60_000;

function requireKey(key: unknown): string {
  if (typeof key !== 'string' || key === '' || key.includes('\u0000')) {
    throw new QueueError(
      'INVALID_ARGUMENT',
      `State key must be a non-empty string without NUL bytes, got ${typeof key === 'string' ? JSON.stringify(key.replaceAll('\u0000', '\\0')) : String(key)}.`,
    );
  }
  return key;
}

function notANumber(key: string): QueueError {
  return new QueueError(
    'INVALID_STATE',
    `State value under "${key}" is not a number, so it cannot be incremented or read as one.`,
  );
}

function expiresAt(at: number, options: StateSetOptions | undefined): number | null {
  const ttl = options?.ttlSeconds;
  if (ttl === undefined) return null;
  if (typeof ttl !== 'number' || !(ttl > 0)) {
    throw new QueueError('INVALID_ARGUMENT', `ttlSeconds must be a positive number, got ${String(ttl)}.`);
  }
  return Math.round(at + ttl * 1000);
}

/** Builds the state store over a migrated database. Used by `openStorage`. */
export function createStateStore(
  db: Kysely<QueueDatabase>,
  now: () => number,
  dialect: DialectName = 'sqlite',
): StateStore {
  async function get<T = unknown>(key: string): Promise<T | undefined> {
    requireKey(key);
    const row = await db
      .selectFrom(table)
      .select(['value', 'expires_at'])
      .where('key', '=', key)
      .executeTakeFirst();
    if (!row || (row.expires_at !== null && Number(row.expires_at) <= now())) return undefined;
    return JSON.parse(row.value) as T;
  }

  /**
   * Expired rows read as absent; this deletes them, at most once per purgeIntervalMs, before a write
   * (before, so that a write the storage guard redoes never follows a purge that failed half-way).
   */
  let nextPurgeAt = Number.NEGATIVE_INFINITY;
  async function purgeExpired(at: number): Promise<void> {
    if (at < nextPurgeAt) return;
    await db.deleteFrom(table).where('expires_at', 'is not', null).where('expires_at', '<=', at).execute();
    nextPurgeAt = at + purgeIntervalMs;
  }

  function requireDelta(delta: unknown): number {
    if (typeof delta !== 'number' || !Number.isFinite(delta)) {
      throw new QueueError(
        'INVALID_ARGUMENT',
        `increment delta must be a finite number, got ${String(delta)}.`,
      );
    }
    return delta;
  }

  async function incrementIn(
    executor: Kysely<QueueDatabase>,
    key: string,
    delta: number,
    at: number,
    options: StateSetOptions | undefined,
  ): Promise<number> {
    const total = await incrementState(dialect, executor, {
      key,
      delta,
      at,
      expiresAt: expiresAt(at, options),
    });
    if (total === undefined) throw notANumber(key);
    return total;
  }

  async function setIn(
    executor: Kysely<QueueDatabase>,
    key: string,
    text: string,
    at: number,
    options: StateSetOptions | undefined,
  ): Promise<void> {
    const expires = expiresAt(at, options);
    await executor
      .insertInto(table)
      .values({ key, value: text, expires_at: expires, updated_at: at })
      .onConflict((conflict) =>
        conflict.column('key').doUpdateSet({ value: text, expires_at: expires, updated_at: at }),
      )
      .execute();
  }

  return {
    async increment(key, delta, options) {
      requireKey(key);
      requireDelta(delta);
      const at = now();
      expiresAt(at, options); // a bad ttl is refused before the purge writes anything
      await purgeExpired(at);
      return incrementIn(db, key, delta, at, options);
    },

    async batch(writes) {
      // checked before the transaction opens, so a bad entry never leaves half a batch
      const increments = writes.increments.map((entry) => {
        requireKey(entry.key);
        requireDelta(entry.delta);
        return entry;
      });
      const sets = writes.sets.map((entry) => {
        requireKey(entry.key);
        return { ...entry, text: toCanonicalJson(entry.value, `state value for "${entry.key}"`) };
      });
      const at = now();
      for (const entry of [...increments, ...sets]) expiresAt(at, entry);
      if (increments.length === 0 && sets.length === 0) return [];
      await purgeExpired(at);
      return db.transaction().execute(async (trx) => {
        const totals: number[] = [];
        // each entry carries its own `ttlSeconds`: it is its write's options
        for (const entry of increments)
          totals.push(await incrementIn(trx, entry.key, entry.delta, at, entry));
        for (const entry of sets) await setIn(trx, entry.key, entry.text, at, entry);
        return totals;
      });
    },

    async getNumber(key) {
      const value = await get(key);
      if (value === undefined) return 0;
      if (typeof value !== 'number') throw notANumber(key);
      return value;
    },

    get,

    async set(key, value, options) {
      requireKey(key);
      const text = toCanonicalJson(value, `state value for "${key}"`);
      const at = now();
      expiresAt(at, options); // a bad ttl is refused before the purge writes anything
      await purgeExpired(at);
      await setIn(db, key, text, at, options);
    },

    async compareAndSet(key, expected, value, options) {
      requireKey(key);
      const text = toCanonicalJson(value, `state value for "${key}"`);
      const at = now();
      const expires = expiresAt(at, options);
      await purgeExpired(at);
      if (expected === undefined) {
        // Insert when absent; overwrite only a row that has expired. One statement, atomic on both dialects.
        const row = await db
          .insertInto(table)
          .values({ key, value: text, expires_at: expires, updated_at: at })
          .onConflict((conflict) =>
            conflict
              .column('key')
              .doUpdateSet({ value: text, expires_at: expires, updated_at: at })
              .where((eb) =>
                eb.and([eb(`${table}.expires_at`, 'is not', null), eb(`${table}.expires_at`, '<=', at)]),
              ),
          )
          .returning('key')
          .executeTakeFirst();
        return row !== undefined;
      }
      const expectedText = toCanonicalJson(expected, `expected state value for "${key}"`);
      const row = await db
        .updateTable(table)
        .set({ value: text, expires_at: expires, updated_at: at })
        .where('key', '=', key)
        .where('value', '=', expectedText)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', at)]))
        .returning('key')
        .executeTakeFirst();
      return row !== undefined;
    },

    async delete(key) {
      requireKey(key);
      const result = await db.deleteFrom(table).where('key', '=', key).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
