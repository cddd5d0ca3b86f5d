import { openStorage, QueueError, redactUrl, type Storage, type StorageOptions } from '@graphiti/llm-queue';
import type { Logger } from '@graphiti/llm-router';

/** How often a deferred storage tries to open again, at most. */
export const STORAGE_RETRY_MS = 5000;

/** A storage that may still be opening: `current` is the real one once it opened. */
export interface DeferredStorage extends Storage {
  /** The opened storage, or undefined while it is unavailable. */
  readonly current: Storage | undefined;
  /** Why the last open failed (undefined once open). */
  readonly lastError: string | undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Opens the storage; when it cannot be opened now (a PostgreSQL server down, a database missing, an
 * unwritable folder), returns a stand-in instead of failing, so the gateway can start and serve what the
 * providers can. The stand-in tries to open again (at most every `retryMs`) whenever it is used or pinged:
 * until then queue calls fail with `STORAGE_UNREACHABLE` (nothing is ever answered "queued" that was not
 * stored), state reads find nothing and state writes are dropped (a cooldown lives in memory meanwhile).
 */
export async function openStorageOrDefer(
  url: string,
  options: StorageOptions,
  extra: { readonly logger?: Logger; readonly retryMs?: number } = {},
): Promise<Storage> {
  try {
    return await openStorage(url, options);
  } catch (error) {
    extra.logger?.warn(
      { event: 'storage_unavailable', url: safeUrl(url), error: describe(error) },
      'storage_unavailable: serving without a queue until the storage can be opened',
    );
    return deferredStorage(url, options, describe(error), extra);
  }
}

function safeUrl(url: string): string {
  try {
    return redactUrl(url);
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}

function deferredStorage(
  url: string,
  options: StorageOptions,
  firstError: string,
  extra: { readonly logger?: Logger; readonly retryMs?: number },
): DeferredStorage {
  const retryMs = extra.retryMs ?? STORAGE_RETRY_MS;
  let current: Storage | undefined;
  let lastError: string | undefined = firstError;
  let lastTry = Date.now();
  let opening: Promise<Storage | undefined> | undefined;
  let closed = false;

  const tryOpen = (): Promise<Storage | undefined> => {
    if (current !== undefined || closed) return Promise.resolve(current);
    if (opening !== undefined) return opening;
    if (Date.now() - lastTry < retryMs) return Promise.resolve(undefined);
    lastTry = Date.now();
    opening = openStorage(url, options)
      .then((storage) => {
        current = storage;
        lastError = undefined;
        extra.logger?.info({ event: 'storage_available', url: storage.url }, 'storage_available');
        return storage;
      })
      .catch((error: unknown) => {
        lastError = describe(error);
        return undefined;
      })
      .finally(() => {
        opening = undefined;
      });
    return opening;
  };

  const unavailable = (): QueueError =>
    new QueueError(
      'STORAGE_UNREACHABLE',
      `the storage ${safeUrl(url)} is not available: ${lastError ?? 'closed'}`,
    );

  const queue = new Proxy({} as Storage['queue'], {
    get(_target, name) {
      return async (...args: unknown[]) => {
        const storage = await tryOpen();
        if (storage === undefined) throw unavailable();
        const method = Reflect.get(storage.queue, name) as (...a: unknown[]) => unknown;
        return method.apply(storage.queue, args);
      };
    },
  });
  const state = new Proxy({} as Storage['state'], {
    get(_target, name) {
      return async (...args: unknown[]) => {
        const storage = await tryOpen();
        if (storage !== undefined) {
          const method = Reflect.get(storage.state, name) as (...a: unknown[]) => unknown;
          return method.apply(storage.state, args);
        }
        if (name === 'get') return undefined;
        if (name === 'compareAndSet') return false;
        if (name === 'increment') return args[1];
        if (name === 'getNumber') return 0;
        return undefined;
      };
    },
  });

  const deferred: DeferredStorage & { probe(): Promise<{ writable: boolean; error?: string }> } = {
    get current() {
      return current;
    },
    get lastError() {
      return lastError;
    },
    get db() {
      if (current === undefined) throw unavailable();
      return current.db;
    },
    get dialect() {
      return current?.dialect ?? (url.startsWith('postgres') ? 'postgres' : 'sqlite');
    },
    url: safeUrl(url),
    queue,
    state,
    async ping() {
      const storage = await tryOpen();
      return storage === undefined ? false : storage.ping();
    },
    async probe() {
      const storage = await tryOpen();
      if (storage === undefined) return { writable: false, error: unavailable().message };
      return probeStorage(storage);
    },
    async close() {
      closed = true;
      await opening;
      await current?.close();
    },
  };
  return deferred;
}

/**
 * Whether a `put` would succeed right now: `Storage.probe()` (a tiny real write, contract A) when the
 * storage has it, else its read-only `ping()`.
 */
export async function probeStorage(storage: Storage): Promise<{ writable: boolean; error?: string }> {
  const probe = (storage as { probe?: unknown }).probe;
  try {
    if (typeof probe === 'function') {
      return (await probe.call(storage)) as { writable: boolean; error?: string };
    }
    return (await storage.ping())
      ? { writable: true }
      : { writable: false, error: 'the storage does not answer' };
  } catch (error) {
    return { writable: false, error: describe(error) };
  }
}
