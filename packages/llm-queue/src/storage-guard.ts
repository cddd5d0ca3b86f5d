import { QueueError, toStorageError } from './errors.js';

/** What the guard needs from one opened database. */
export interface GuardedDatabase {
  /** Checks the connection and runs the migrations when needed; throws a QueueError when it cannot. */
  connect(): Promise<void>;
  /** SQLite file: true when the open file is no longer the file at the path. */
  replaced?(): boolean;
  /** SQLite file: closes and reopens the path (then `connect` runs again). */
  reopen?(): void;
  /** True once `close()` was called: calls then fail as they always did (STORAGE_CLOSED). */
  closed(): boolean;
}

/** Options for {@link createStorageGuard}. */
export interface StorageGuardOptions {
  /** Names the storage in messages (password redacted). */
  readonly where: string;
  /** Texts that must never appear in a message (the storage password, raw and URL-encoded). */
  readonly secrets: readonly string[];
  /** The clock for the checks' throttling (real time: the file checks are about the real world). */
  readonly clock?: () => number;
  /** Called when the guard reopened or re-migrated the storage (for a log line). */
  readonly onRecover?: (event: { reason: string }) => void;
}

/** How a guarded call behaves. */
export interface GuardedCall {
  /** The call writes: on SQLite the file is checked after it, and the call is redone on a reopened file. */
  readonly write: boolean;
}

/** Runs storage calls so that what they report is true of the storage really in use. */
export interface StorageGuard {
  /** Runs `call` with reconnection, re-migration and (SQLite) file-identity checks; errors become QueueErrors. */
  run<T>(label: string, call: () => Promise<T>, options: GuardedCall): Promise<T>;
  /** Connects and migrates now (used by a non-lazy open); throws the QueueError when it cannot. */
  ready(): Promise<void>;
}

const checkIntervalMs = 1000;
const reconnectIntervalMs = 1000;

function codeOf(error: unknown): string {
  return String((error as { code?: unknown } | null)?.code ?? '');
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The schema is missing: a PostgreSQL database dropped and created again, or an emptied SQLite file. */
function isMissingSchema(error: unknown): boolean {
  const cause = (error as { cause?: unknown } | null)?.cause ?? error;
  return codeOf(cause) === '42P01' || /no such table: graphiti_/i.test(messageOf(cause));
}

/** A connection that broke (terminated by the server, reset): a fresh one may well work. */
function isBrokenConnection(error: unknown): boolean {
  return QueueError.isInstance(error) && error.code === 'STORAGE_UNREACHABLE';
}

/** Replaces every secret in the error's message (and its cause's) by `***`. */
export function scrubSecrets<E>(error: E, secrets: readonly string[]): E {
  if (secrets.length === 0) return error;
  const scrub = (target: unknown) => {
    if (!(target instanceof Error)) return;
    let message = target.message;
    for (const secret of secrets) message = message.split(secret).join('***');
    if (message !== target.message) {
      Object.defineProperty(target, 'message', { value: message, writable: true, configurable: true });
      if (typeof target.stack === 'string') {
        let stack = target.stack;
        for (const secret of secrets) stack = stack.split(secret).join('***');
        target.stack = stack;
      }
    }
  };
  scrub(error);
  scrub((error as { cause?: unknown } | null)?.cause);
  return error;
}

/**
 * Builds the guard of one storage. It keeps these promises:
 * - a call made while the storage is unreachable (or before it ever was) fails with QueueError
 *   `STORAGE_UNREACHABLE` quickly (one connection attempt per second at most), and works as soon as
 *   the storage is back (migrated first);
 * - a schema that vanished (PostgreSQL `42P01`, the database dropped and created again) is migrated
 *   again and the call redone once; a connection the server terminated is replaced and the call
 *   redone once;
 * - SQLite: the open file is compared with the file at the path (device and inode) at most once a
 *   second before a call, before every call after an error, and after every write: a write that
 *   went to a deleted or replaced file is redone on the reopened path, so a write reported done is
 *   in the file that the path names.
 */
export function createStorageGuard(database: GuardedDatabase, options: StorageGuardOptions): StorageGuard {
  const clock = options.clock ?? Date.now;
  let connected = false;
  let connecting: Promise<void> | undefined;
  let lastFailure: { at: number; error: QueueError } | undefined;
  let lastCheck = Number.NEGATIVE_INFINITY;
  let suspect = false;

  const fail = (error: unknown, label: string): QueueError =>
    scrubSecrets(toStorageError(error, label, options.where), options.secrets);

  async function connect(): Promise<void> {
    if (connected) return;
    if (lastFailure && clock() - lastFailure.at < reconnectIntervalMs) throw lastFailure.error;
    connecting ??= (async () => {
      try {
        await database.connect();
        connected = true;
        lastFailure = undefined;
      } catch (error) {
        const failure = scrubSecrets(
          QueueError.isInstance(error) ? error : toStorageError(error, 'open', options.where),
          options.secrets,
        );
        lastFailure = { at: clock(), error: failure };
        throw failure;
      } finally {
        connecting = undefined;
      }
    })();
    await connecting;
  }

  /** SQLite: reopens when the file at the path is not the open one. Returns whether it did. */
  function recheckFile(force: boolean): boolean {
    if (!database.replaced || !database.reopen) return false;
    const at = clock();
    if (!force && !suspect && at - lastCheck < checkIntervalMs) return false;
    lastCheck = at;
    suspect = false;
    let replaced: boolean;
    try {
      replaced = database.replaced();
    } catch {
      replaced = true; // the path cannot even be looked at: treat the file as gone
    }
    if (!replaced) return false;
    connected = false;
    lastFailure = undefined;
    try {
      database.reopen();
    } catch (error) {
      suspect = true;
      throw new QueueError(
        'STORAGE_UNREACHABLE',
        `${options.where} was deleted or replaced while open, and cannot be created again: ${messageOf(error)}.`,
        { cause: error },
      );
    }
    options.onRecover?.({ reason: 'sqlite file deleted or replaced; reopened' });
    return true;
  }

  async function attempt<T>(label: string, call: () => Promise<T>, write: boolean): Promise<T> {
    recheckFile(false);
    await connect();
    const result = await call();
    if (write && recheckFile(true)) {
      // The write went to a file that is no longer at the path: redo it on the reopened one.
      await connect();
      const again = await call();
      if (recheckFile(true)) {
        throw new QueueError(
          'STORAGE_UNREACHABLE',
          `${label} failed: ${options.where} keeps being replaced.`,
        );
      }
      return again;
    }
    return result;
  }

  return {
    async ready() {
      await connect();
    },

    async run(label, call, { write }) {
      if (database.closed()) {
        try {
          return await call();
        } catch (error) {
          throw fail(error, label);
        }
      }
      try {
        return await attempt(label, call, write);
      } catch (first) {
        if (QueueError.isInstance(first) && !first.code.startsWith('STORAGE_')) throw first;
        suspect = true;
        const error = fail(first, label);
        const missingSchema = isMissingSchema(first);
        if (missingSchema) {
          connected = false;
          lastFailure = undefined;
          options.onRecover?.({ reason: 'schema missing; migrating again' });
        }
        if (database.closed() || !(missingSchema || isBrokenConnection(error) || recheckSafely())) {
          throw error;
        }
        try {
          return await attempt(label, call, write);
        } catch (second) {
          if (QueueError.isInstance(second) && !second.code.startsWith('STORAGE_')) throw second;
          throw fail(second, label);
        }
      }
    },
  };

  function recheckSafely(): boolean {
    try {
      return recheckFile(true);
    } catch {
      return false;
    }
  }
}
