import type { Kysely } from 'kysely';
import { QueueError } from './errors.js';
import { toCanonicalJson } from './json.js';
import type { QueueDatabase } from './schema.js';

/** Options for {@link StateStore.set} and {@link StateStore.compareAndSet}. */
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
  /** Removes the key; returns whether it existed (expired or not). */
  delete(key: string): Promise<boolean>;
}

const table = 'graphiti_state';

function requireKey(key: unknown): string {
  if (typeof key !== 'string' || key === '') {
    throw new QueueError('INVALID_ARGUMENT', `State key must be a non-empty string, got ${String(key)}.`);
  }
  return key;
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
export function createStateStore(db: Kysely<QueueDatabase>, now: () => number): StateStore {
  return {
    async get<T = unknown>(key: string): Promise<T | undefined> {
      requireKey(key);
      const row = await db
        .selectFrom(table)
        .select(['value', 'expires_at'])
        .where('key', '=', key)
        .executeTakeFirst();
      if (!row || (row.expires_at !== null && Number(row.expires_at) <= now())) return undefined;
      return JSON.parse(row.value) as T;
    },

    async set(key, value, options) {
      requireKey(key);
      const text = toCanonicalJson(value, `state value for "${key}"`);
      const at = now();
      const expires = expiresAt(at, options);
      await db
        .insertInto(table)
        .values({ key, value: text, expires_at: expires, updated_at: at })
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({ value: text, expires_at: expires, updated_at: at }),
        )
        .execute();
    },

    async compareAndSet(key, expected, value, options) {
      requireKey(key);
      const text = toCanonicalJson(value, `state value for "${key}"`);
      const at = now();
      const expires = expiresAt(at, options);
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
