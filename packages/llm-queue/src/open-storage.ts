import { type Dialect, Kysely, sql } from 'kysely';
import { createQueue, type Queue } from './create-queue.js';
import { createStateStore, type StateStore } from './create-state-store.js';
import {
  createPostgresDialect,
  createSqliteDialect,
  type DialectName,
  type SqliteHandle,
  type SqliteSynchronous,
} from './dialect.js';
import { QueueError } from './errors.js';
import { createMigrator, isMigrated } from './migrations.js';
import type { QueueDatabase } from './schema.js';
import { createStorageGuard, type StorageGuard, scrubSecrets } from './storage-guard.js';
import { parseStorageUrl, redactUrl } from './storage-url.js';

/** A structural logger (pino's `Logger` satisfies it). Nothing is logged without one. */
export interface Logger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/** Methods that only read: everything else may write (list and stats expire old items first). */
const readOnlyMethods = new Set(['get', 'nextDueAt', 'getNumber']);

/** Wraps every method so that it runs through the guard (see createStorageGuard). */
function guarded<T extends object>(target: T, label: string, guard: StorageGuard): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function') {
      wrapped[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => Promise<unknown>;
    const write = !readOnlyMethods.has(name);
    wrapped[name] = (...args: unknown[]) => guard.run(`${label}.${name}`, () => method(...args), { write });
  }
  return wrapped as T;
}

/** Options for {@link openStorage}. */
export interface StorageOptions {
  /** Items not yet done (ready or leased) that the queue holds before `put` throws QueueFullError (`queue.max_size`). @default 1000 */
  readonly maxSize?: number;
  /** Items older than this are expired instead of handed out (`queue.ttl_hours`). @default 24 */
  readonly ttlHours?: number;
  /** Nacks before an item is marked failed (`queue.max_attempts`). @default 5 */
  readonly maxAttempts?: number;
  /**
   * SQLite `synchronous` level (`storage.sqlite_synchronous`): `full` survives power loss; `normal`
   * survives a process crash but may lose the last commits on power loss, and is faster. @default 'full'
   */
  readonly sqliteSynchronous?: SqliteSynchronous;
  /**
   * SQLite: how long a statement waits for another process's write lock before it fails with
   * SQLITE_BUSY. The wait is spent mostly in asynchronous retries, so the event loop stays free. @default 10000
   */
  readonly busyTimeoutMs?: number;
  /** PostgreSQL: connections in the pool. @default 10 */
  readonly poolSize?: number;
  /** PostgreSQL: how long to wait for a connection. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** The clock, epoch milliseconds (tests pass a fake one). @default Date.now */
  readonly now?: () => number;
  /**
   * Receives `queue_storage_error` events (a pooled PostgreSQL connection that broke while idle) and
   * `queue_storage_recovered` (reopened a deleted SQLite file, migrated a database that came back empty).
   */
  readonly logger?: Logger;
  /**
   * Resolve at once, even when the storage is unreachable: calls then throw QueueError
   * `STORAGE_UNREACHABLE` until it can be reached, then it is migrated and works (so a gateway can
   * start and serve without its storage). Invalid URLs and options still throw at once. @default false
   */
  readonly lazy?: boolean;
  /** First backoff of a nacked item (without `notBefore`), doubled per attempt. @default 30 */
  readonly backoffBaseSeconds?: number;
  /** Longest backoff of a nacked item. @default 3600 */
  readonly backoffMaxSeconds?: number;
}

/** What {@link Storage.probe} found. */
export interface StorageProbe {
  /** True when a tiny write to the state table just committed: a put would succeed now. */
  readonly writable: boolean;
  /** Why not (password redacted), when not writable. */
  readonly error?: string;
}

/** One database holding the queue and the state store. */
export interface Storage {
  /** The Kysely database (tables `graphiti_queue`, `graphiti_state`). */
  readonly db: Kysely<QueueDatabase>;
  /** Which database this is. */
  readonly dialect: DialectName;
  /** The storage URL with any password redacted. */
  readonly url: string;
  /** The durable queue (the router's FailedRequestSink and ReplayQueue). */
  readonly queue: Queue;
  /** The key/value state store (the router's and quota tracker's StateStore). */
  readonly state: StateStore;
  /** True when the database answers a trivial query. Prefer {@link Storage.probe} for readiness. */
  ping(): Promise<boolean>;
  /**
   * Writes a tiny row to the state table (key `graphiti:probe`) through the same checks as a put
   * (file identity, reconnection, migration), so `/readyz` tells whether a put would succeed now.
   */
  probe(): Promise<StorageProbe>;
  /** Closes the connection(s). Safe to call twice. */
  close(): Promise<void>;
}

/**
 * better-sqlite3 is synchronous: while one connection of this process holds the migration's write
 * transaction across an await, a second connection of the same process waiting on the busy timeout
 * would block the event loop and so the first. Opens of one SQLite file are serialised per process.
 */
const sqliteOpening = new Map<string, Promise<unknown>>();

async function serialisePerFile<T>(path: string | undefined, run: () => Promise<T>): Promise<T> {
  if (path === undefined) return run();
  const previous = sqliteOpening.get(path) ?? Promise.resolve();
  const current = previous.catch(() => {}).then(run);
  sqliteOpening.set(path, current);
  try {
    return await current;
  } finally {
    if (sqliteOpening.get(path) === current) sqliteOpening.delete(path);
  }
}

function positive(value: number | undefined, fallback: number, label: string, integer: boolean): number {
  if (value === undefined) return fallback;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value <= 0 ||
    (integer && !Number.isInteger(value))
  ) {
    throw new QueueError(
      'INVALID_ARGUMENT',
      `${label} must be a positive ${integer ? 'integer' : 'number'}, got ${String(value)}.`,
    );
  }
  return value;
}

function describeCause(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describeCause(error.errors[0]);
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}

/**
 * Opens (and migrates) the storage named by `url`: `sqlite:<path>` (WAL, busy timeout,
 * `synchronous=FULL` unless `sqliteSynchronous: 'normal'`) or `postgres://user@host:port/db`.
 * Migrations run on every open; they are idempotent and safe when several processes open at once.
 *
 * @example
 * ```ts
 * const storage = await openStorage('sqlite:~/.graphiti/graphiti.db', { maxSize: 1000 });
 * const id = await storage.queue.put('chat', { model: 'gemma2:9b', messages });
 * for (const item of await storage.queue.lease({ count: 10, leaseSeconds: 60 })) {
 *   await storage.queue.ack(item.id, await replay(item));
 * }
 * await storage.close();
 * ```
 */
export async function openStorage(url: string, options: StorageOptions = {}): Promise<Storage> {
  const target = parseStorageUrl(url);
  const maxSize = positive(options.maxSize, 1000, 'maxSize (queue.max_size)', true);
  const ttlHours = positive(options.ttlHours, 24, 'ttlHours (queue.ttl_hours)', false);
  const maxAttempts = positive(options.maxAttempts, 5, 'maxAttempts (queue.max_attempts)', true);
  const backoffBaseSeconds = positive(options.backoffBaseSeconds, 30, 'backoffBaseSeconds', false);
  const backoffMaxSeconds = positive(options.backoffMaxSeconds, 3600, 'backoffMaxSeconds', false);
  const synchronous = options.sqliteSynchronous ?? 'full';
  if (synchronous !== 'full' && synchronous !== 'normal') {
    throw new QueueError(
      'INVALID_ARGUMENT',
      `sqliteSynchronous (storage.sqlite_synchronous) must be "full" or "normal", got ${String(synchronous)}.`,
    );
  }
  const now = options.now ?? Date.now;
  const logger = options.logger;
  const safeUrl = target.kind === 'postgres' ? redactUrl(target.url) : url;
  const secrets = target.kind === 'postgres' ? passwordsOf(target.url) : [];
  const where =
    target.kind === 'postgres'
      ? `PostgreSQL at ${safeUrl}`
      : `SQLite database ${target.memory ? ':memory:' : target.path}`;

  let dialect: Dialect;
  let sqlite: SqliteHandle | undefined;
  if (target.kind === 'sqlite') {
    sqlite = createSqliteDialect(target.path, {
      synchronous,
      busyTimeoutMs: positive(options.busyTimeoutMs, 10_000, 'busyTimeoutMs', false),
    });
    dialect = sqlite.dialect;
  } else {
    dialect = createPostgresDialect(target.url, {
      poolSize: positive(options.poolSize, 10, 'poolSize', true),
      connectTimeoutMs: positive(options.connectTimeoutMs, 5000, 'connectTimeoutMs', false),
      onPoolError: (error) =>
        logger?.error(
          {
            event: 'queue_storage_error',
            url: safeUrl,
            error: scrubSecrets(new Error(describeCause(error)), secrets).message,
          },
          'queue_storage_error',
        ),
    });
  }

  const db = new Kysely<QueueDatabase>({ dialect });
  const sqlitePath = target.kind === 'sqlite' && !target.memory ? target.path : undefined;
  let closed: Promise<void> | undefined;
  const guard = createStorageGuard(
    {
      connect: () => connectAndMigrate(db, where, sqlitePath),
      ...(sqlite && sqlitePath ? { replaced: sqlite.replaced, reopen: sqlite.reopen } : {}),
      closed: () => closed !== undefined,
    },
    {
      where,
      secrets,
      onRecover: ({ reason }) =>
        logger?.warn({ event: 'queue_storage_recovered', url: safeUrl, reason }, 'queue_storage_recovered'),
    },
  );
  if (!options.lazy) {
    try {
      await guard.ready();
    } catch (error) {
      await db.destroy().catch(() => {});
      throw error;
    }
  } else {
    guard
      .ready()
      .catch((error: unknown) =>
        logger?.warn(
          { event: 'queue_storage_error', url: safeUrl, error: (error as Error).message },
          'queue_storage_error',
        ),
      );
  }

  const dialectName: DialectName = target.kind;
  const state = createStateStore(db, now, dialectName);
  return {
    db,
    dialect: dialectName,
    url: safeUrl,
    queue: guarded(
      createQueue(db, {
        dialect: dialectName,
        maxSize,
        ttlHours,
        maxAttempts,
        now,
        backoffBaseSeconds,
        backoffMaxSeconds,
      }),
      'queue',
      guard,
    ),
    state: guarded(state, 'state', guard),
    async ping() {
      if (closed) return false;
      try {
        await guard.run('ping', () => sql`select 1`.execute(db), { write: false });
        return true;
      } catch {
        return false;
      }
    },
    async probe() {
      if (closed) return { writable: false, error: `the storage (${where}) was closed.` };
      try {
        await guard.run('probe', () => state.set(probeKey, { at: now() }), { write: true });
        return { writable: true };
      } catch (error) {
        return { writable: false, error: (error as Error).message };
      }
    },
    close() {
      closed ??= db.destroy();
      return closed;
    },
  };
}

const probeKey = 'graphiti:probe';

/** The password of a PostgreSQL URL, as written and decoded: texts no message may carry. */
function passwordsOf(url: string): string[] {
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return [];
  }
  if (password === '') return [];
  const forms = new Set([password]);
  try {
    forms.add(decodeURIComponent(password));
  } catch {
    // not valid percent-encoding: the raw form is what the driver sees
  }
  return [...forms].filter((form) => form.length >= 3);
}

/** Checks the connection and migrates when needed (serialised per SQLite file within this process). */
async function connectAndMigrate(
  db: Kysely<QueueDatabase>,
  where: string,
  sqlitePath: string | undefined,
): Promise<void> {
  await serialisePerFile(sqlitePath, async () => {
    try {
      await sql`select 1`.execute(db);
    } catch (error) {
      throw new QueueError(
        'STORAGE_UNREACHABLE',
        `Cannot open ${where}: ${describeCause(error)}. Check that the server is running and storage.url / GRAPHITI_STORAGE_URL is right.`,
        { cause: error },
      );
    }
    if (await isMigrated(db as unknown as Kysely<unknown>)) return;
    const migration = await createMigrator(db as unknown as Kysely<unknown>).migrateToLatest();
    if (migration.error) {
      throw new QueueError(
        'MIGRATION_FAILED',
        `Migrating ${where} failed: ${describeCause(migration.error)}.`,
        {
          cause: migration.error,
        },
      );
    }
  });
}
