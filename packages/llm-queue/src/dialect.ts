/**
 * Everything that differs between SQLite and PostgreSQL lives in this file: how connections are
 * made, how the migration lock is taken, how puts are serialised for an exact `max_size`, and
 * how a lease skips rows other workers are leasing. All queries elsewhere are the same Kysely code.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type MigrationLockOptions,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  type QueryResult,
  type SelectQueryBuilder,
  SqliteAdapter,
  type SqliteDatabase,
  SqliteDialect,
  type SqliteDialectConfig,
  sql,
} from 'kysely';
import pg from 'pg';
import type { PreparedQuery } from './prepared-query.js';

/** The two supported databases. */
export type DialectName = 'sqlite' | 'postgres';

/** SQLite `synchronous` level: `full` survives power loss, `normal` survives a process crash only. */
export type SqliteSynchronous = 'full' | 'normal';

/**
 * Kysely's SQLite adapter takes no migration lock (it assumes one process). This one opens an
 * IMMEDIATE transaction for the duration of the migration, so a second process that migrates the
 * same file waits on the busy timeout and then finds the work done.
 */
class LockingSqliteAdapter extends SqliteAdapter {
  override async acquireMigrationLock(db: Kysely<unknown>, _options: MigrationLockOptions): Promise<void> {
    await sql`begin immediate`.execute(db);
  }

  override async releaseMigrationLock(db: Kysely<unknown>, _options: MigrationLockOptions): Promise<void> {
    try {
      await sql`commit`.execute(db);
    } catch (error) {
      if (!/no transaction is active/i.test(String((error as Error).message))) throw error;
    }
  }
}

/** How long one attempt lets SQLite's own busy handler wait (it blocks the thread while it waits). */
const sqliteBusyStepMs = 100;

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * Retries a statement that failed with SQLITE_BUSY, asynchronously, until `budgetMs` have passed.
 * SQLite's busy handler polls ever more slowly (every 100 ms after the first few), so under steady
 * writes from several processes one process can miss every free moment for seconds; short waits
 * inside SQLite plus jittered retries here keep the event loop free and the chances fair. Only
 * statements outside an explicit transaction are retried: such a statement that failed with
 * SQLITE_BUSY did nothing, so running it again is safe.
 */
function retryBusy(
  inner: DatabaseConnection,
  inTransaction: () => boolean,
  budgetMs: number,
): DatabaseConnection {
  return {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      const started = Date.now();
      for (let attempt = 0; ; attempt++) {
        try {
          return await inner.executeQuery<R>(query);
        } catch (error) {
          if (!isBusy(error) || inTransaction() || Date.now() - started >= budgetMs) throw error;
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 20)));
        }
      }
    },
    streamQuery: (query, chunkSize) => inner.streamQuery(query, chunkSize),
  };
}

class LockingSqliteDialect extends SqliteDialect {
  readonly #inTransaction: () => boolean;
  readonly #busyTimeoutMs: number;

  constructor(config: SqliteDialectConfig, inTransaction: () => boolean, busyTimeoutMs: number) {
    super(config);
    this.#inTransaction = inTransaction;
    this.#busyTimeoutMs = busyTimeoutMs;
  }

  override createAdapter(): DialectAdapter {
    return new LockingSqliteAdapter();
  }

  override createDriver(): Driver {
    const inner = super.createDriver();
    const inTransaction = this.#inTransaction;
    const budget = this.#busyTimeoutMs;
    return {
      init: () => inner.init(),
      acquireConnection: async () => retryBusy(await inner.acquireConnection(), inTransaction, budget),
      beginTransaction: (connection, settings) => inner.beginTransaction(connection, settings),
      commitTransaction: (connection) => inner.commitTransaction(connection),
      rollbackTransaction: (connection) => inner.rollbackTransaction(connection),
      savepoint: inner.savepoint?.bind(inner),
      rollbackToSavepoint: inner.rollbackToSavepoint?.bind(inner),
      releaseSavepoint: inner.releaseSavepoint?.bind(inner),
      releaseConnection: (connection) => inner.releaseConnection(connection),
      destroy: () => inner.destroy(),
    } as Driver;
  }
}

/** Options for {@link createSqliteDialect}. */
export interface SqliteDialectOptions {
  readonly synchronous: SqliteSynchronous;
  readonly busyTimeoutMs: number;
}

const statementCacheSize = 128;

/** The (device, inode) of a file, or undefined when there is no file at the path. */
function fileIdentity(path: string): string | undefined {
  try {
    const stats = statSync(path, { bigint: true });
    return `${stats.dev}:${stats.ino}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** One SQLite connection whose file can be checked against its path and reopened. */
export interface SqliteHandle {
  readonly dialect: Dialect;
  /**
   * True when the file this connection has open is no longer the one at its path (deleted, its
   * folder deleted, or replaced by another file): writes would go to an unlinked file. False
   * before the first open.
   */
  replaced(): boolean;
  /** Closes the connection and opens the path again (creating its folder): the next query uses the new file. */
  reopen(): void;
}

/**
 * A Kysely dialect for one better-sqlite3 connection in WAL mode, with the busy timeout and the
 * `synchronous` level set explicitly on the connection (never inherited from a default).
 * Kysely keeps one connection object; it prepares statements through the wrapper below, which
 * always uses the current better-sqlite3 handle, so `reopen()` is invisible to Kysely.
 * Kysely prepares every query anew; the queue runs a handful of distinct statements over and over,
 * so each SQL text is prepared once per handle and reused.
 */
export function createSqliteDialect(path: string, options: SqliteDialectOptions): SqliteHandle {
  const memory = path === ':memory:';
  let current: Database.Database | undefined;
  let identity: string | undefined;
  const cache = new Map<string, Database.Statement>();

  const open = (): Database.Database => {
    if (!memory) mkdirSync(dirname(path), { recursive: true });
    const database = new Database(path);
    try {
      database.pragma(
        `busy_timeout = ${Math.min(sqliteBusyStepMs, Math.max(0, Math.floor(options.busyTimeoutMs)))}`,
      );
      database.pragma('journal_mode = WAL');
      database.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
      identity = memory ? undefined : fileIdentity(path);
    } catch (error) {
      database.close();
      throw error;
    }
    cache.clear();
    current = database;
    return database;
  };

  const wrapper: SqliteDatabase = {
    close: () => {
      cache.clear();
      current?.close();
    },
    prepare(text: string) {
      const database = current ?? open();
      let statement = cache.get(text);
      if (statement === undefined) {
        statement = database.prepare(text);
        if (cache.size >= statementCacheSize) cache.delete(cache.keys().next().value as string);
        cache.set(text, statement);
      }
      return statement;
    },
  };

  const dialect = new LockingSqliteDialect(
    {
      database: async () => {
        open();
        return wrapper;
      },
    },
    () => current?.inTransaction ?? false,
    options.busyTimeoutMs,
  );

  return {
    dialect,
    replaced() {
      if (memory || current === undefined) return false;
      return fileIdentity(path) !== identity;
    },
    reopen() {
      const previous = current;
      current = undefined;
      cache.clear();
      try {
        previous?.close();
      } catch {
        // an unlinked file may fail to close cleanly; the new handle is what matters
      }
      open();
    },
  };
}

const int8Oid = 20;
const pgTypes = {
  // bigint columns hold epoch milliseconds, well inside Number's exact range.
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === int8Oid && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
};

/** Options for {@link createPostgresDialect}. */
export interface PostgresDialectOptions {
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly onPoolError: (error: Error) => void;
}

/**
 * Runs every parameterised query as a named prepared statement (named by a hash of its text), so
 * PostgreSQL parses and plans each of the queue's few statements once per connection, not per call.
 */
function withNamedStatements(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string => {
    let name = names.get(text);
    if (name === undefined) {
      name = `graphiti_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
      if (names.size < 1024) names.set(text, name);
    }
    return name;
  };
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      return {
        query: ((text: unknown, values?: readonly unknown[]) => {
          if (typeof text !== 'string') return client.query(text as pg.Submittable); // a cursor (streaming)
          return values && values.length > 0
            ? client.query({ name: nameOf(text), text, values: values as unknown[] })
            : client.query(text, values as unknown[]);
        }) as unknown as PostgresPoolClient['query'],
        release: () => client.release(),
      };
    },
    end: () => pool.end(),
  };
}

/** A Kysely dialect over a pg Pool; int8 values are returned as numbers. */
export function createPostgresDialect(url: string, options: PostgresDialectOptions): Dialect {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize,
    connectionTimeoutMillis: options.connectTimeoutMs,
    types: pgTypes,
  });
  pool.on('error', options.onPoolError);
  return new PostgresDialect({ pool: withNamedStatements(pool) });
}

/**
 * Lets a lease skip rows that a concurrent worker has locked. PostgreSQL: `for update skip locked`.
 * SQLite: nothing, because a write statement holds the database's single write lock from its start.
 */
export function skipLockedRows<DB, TB extends keyof DB, O>(
  dialect: DialectName,
  query: SelectQueryBuilder<DB, TB, O>,
): SelectQueryBuilder<DB, TB, O> {
  return dialect === 'postgres' ? query.forUpdate().skipLocked() : query;
}

const putFunctionCall = 'select graphiti_queue_put($1, $2, $3, $4, $5, $6, $7, $8, $9) as id';

/** The values of one put. Times are epoch milliseconds. */
export interface PutValues {
  readonly id: string;
  readonly operation: string;
  readonly params: string;
  readonly key: string | null;
  readonly lastError: string | null;
  readonly at: number;
  /** Items created at or before this are expired and do not count. */
  readonly cutoff: number;
  readonly maxSize: number;
  /** Not handed out before this instant (epoch ms), or null. */
  readonly notBefore: number | null;
}

/**
 * Inserts an item unless `maxSize` items are waiting, atomically, and returns its id (null when the
 * queue is full or the idempotency key exists).
 * SQLite: one INSERT ... SELECT ... WHERE (count) < maxSize statement; a write statement holds the
 * database's single write lock from its start, so concurrent puts count one after another.
 * PostgreSQL: the same logic in the function `graphiti_queue_put` (migration 0002), which takes a
 * transaction-scoped advisory lock and then counts with a fresh snapshot: exact under concurrency,
 * in one round trip.
 */
export async function putWithinLimit(
  dialect: DialectName,
  // biome-ignore lint/suspicious/noExplicitAny: the queue's database
  db: Kysely<any>,
  sqliteInsert: PreparedQuery<PutValues, { id: string }>,
  values: PutValues,
): Promise<string | null> {
  if (dialect === 'sqlite') return (await sqliteInsert(db, values)).rows[0]?.id ?? null;
  const { rows } = await db.executeQuery<{ id: string | null }>(
    CompiledQuery.raw(putFunctionCall, [
      values.id,
      values.operation,
      values.params,
      values.key,
      values.lastError,
      values.at,
      values.cutoff,
      values.maxSize,
      values.notBefore,
    ]),
  );
  return rows[0]?.id ?? null;
}

/** The values of one state increment. Times are epoch milliseconds. */
export interface IncrementValues {
  readonly key: string;
  readonly delta: number;
  readonly at: number;
  /** When the row expires from now on (a ttl was given), or null to keep the expiry it has. */
  readonly expiresAt: number | null;
}

/**
 * Inserts `delta` when the key is absent or expired, else adds it to the stored number; a stored value
 * that is not a JSON number is left alone (no row returned). A given expiry replaces the row's; without
 * one a live row keeps its expiry and a new or restarted one has none. One statement: atomic on both.
 */
function incrementStatement(dialect: DialectName): string {
  const sqlite = dialect === 'sqlite';
  const expired =
    'graphiti_state.expires_at is not null and graphiti_state.expires_at <= excluded.updated_at';
  return `insert into graphiti_state (key, value, expires_at, updated_at)
values (${sqlite ? '?, cast(? as text), ?, ?' : '$1, ($2::numeric)::text, $3, $4'})
on conflict (key) do update set
  value = case when ${expired} then excluded.value else ${
    sqlite
      ? 'cast(graphiti_state.value + excluded.value as text)'
      : '(graphiti_state.value::numeric + excluded.value::numeric)::text'
  } end,
  expires_at = case when ${expired} then excluded.expires_at
    else coalesce(excluded.expires_at, graphiti_state.expires_at) end,
  updated_at = excluded.updated_at
where (${expired}) or ${
    sqlite
      ? "json_valid(graphiti_state.value) and json_type(graphiti_state.value) in ('integer', 'real')"
      : "graphiti_state.value ~ '^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$'"
  }
returning value`;
}

const incrementStatements: Readonly<Record<DialectName, string>> = {
  sqlite: incrementStatement('sqlite'),
  postgres: incrementStatement('postgres'),
};

/**
 * Adds `delta` to the number stored under `key` in one SQL statement (`insert ... on conflict do
 * update set value = value + delta`), and returns the new total, or undefined when the stored
 * value is not a number. SQLite gets integral deltas as integers, so integer totals stay integers.
 */
export async function incrementState(
  dialect: DialectName,
  // biome-ignore lint/suspicious/noExplicitAny: the queue's database
  db: Kysely<any>,
  values: IncrementValues,
): Promise<number | undefined> {
  const delta =
    dialect === 'sqlite' && Number.isSafeInteger(values.delta) ? BigInt(values.delta) : values.delta;
  const { rows } = await db.executeQuery<{ value: string }>(
    CompiledQuery.raw(incrementStatements[dialect], [values.key, delta, values.expiresAt, values.at]),
  );
  const value = rows[0]?.value;
  return value === undefined ? undefined : Number(value);
}
