import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { Logger, StateStore } from './types.js';

interface Entry {
  readonly value: unknown;
  readonly expiresAt?: number;
}
interface StateFile {
  readonly version: 1;
  readonly entries: Record<string, Entry>;
}

/** Options of {@link createFileStateStore}. */
export interface FileStateStoreOptions {
  /** Receives a warning when the file is corrupt (it is then replaced). */
  readonly logger?: Logger;
  /** Clock for expiry, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** How long to wait for another process's lock before giving up, in ms. @default 5000 */
  readonly lockTimeoutMs?: number;
}

function emptyState(): StateFile {
  return { version: 1, entries: {} };
}

function isStateFile(value: unknown): value is StateFile {
  if (typeof value !== 'object' || value === null) return false;
  const entries = (value as { entries?: unknown }).entries;
  return typeof entries === 'object' && entries !== null && !Array.isArray(entries);
}

function live(entry: Entry | undefined, now: number): Entry | undefined {
  if (entry === undefined) return undefined;
  return entry.expiresAt !== undefined && entry.expiresAt <= now ? undefined : entry;
}

/** JSON equality as the StateStore contract defines it (undefined = absent). */
function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === undefined || b === undefined) return a === b;
  return isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}

/**
 * A {@link StateStore} in one JSON file, for when no database is configured (the router's default,
 * under `stateDir`). Writes go to a temporary file that is renamed over the old one, so a crash never
 * leaves half a file; a lock file serialises writers across processes. A corrupt file is reported
 * through the logger and replaced, never a crash.
 *
 * ```ts
 * const state = createFileStateStore('/home/me/.graphiti/llm_state.json', { logger });
 * await state.set('cloud_cooldown', { until: Date.now() + 600_000 }, { ttlSeconds: 600 });
 * ```
 */
export function createFileStateStore(path: string, options: FileStateStoreOptions = {}): StateStore {
  const now = options.now ?? Date.now;
  const lockTimeoutMs = options.lockTimeoutMs ?? 5000;
  const lockPath = `${path}.lock`;
  let chain: Promise<unknown> = Promise.resolve();

  /** Reads the file; `undefined` means it exists but is corrupt. */
  async function read(): Promise<StateFile | undefined> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState();
      throw error;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (isStateFile(parsed)) return parsed;
    } catch {
      // corrupt: the caller replaces it
    }
    return undefined;
  }

  /** Reads the file, replacing a corrupt one (only call under the lock). */
  async function load(): Promise<StateFile> {
    const state = await read();
    if (state !== undefined) return state;
    options.logger?.warn(
      { event: 'state_file_corrupt', path },
      `State file ${path} is not valid JSON state; it was replaced by an empty state (cooldowns in it are lost).`,
    );
    await persist(emptyState());
    return emptyState();
  }

  async function persist(state: StateFile): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const handle = await open(temporary, 'w', 0o600);
      try {
        await handle.writeFile(JSON.stringify(state));
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async function withFileLock<T>(work: () => Promise<T>): Promise<T> {
    await mkdir(dirname(path), { recursive: true });
    const deadline = Date.now() + lockTimeoutMs;
    for (;;) {
      try {
        const handle = await open(lockPath, 'wx');
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        // A lock older than the timeout belongs to a process that died while holding it.
        const info = await stat(lockPath).catch(() => undefined);
        if (info && Date.now() - info.mtimeMs > lockTimeoutMs) {
          await rm(lockPath, { force: true });
          continue;
        }
        if (Date.now() > deadline) {
          throw new Error(
            `Timed out waiting for the state file lock ${lockPath}; remove it if no process holds it.`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    try {
      return await work();
    } finally {
      await rm(lockPath, { force: true });
    }
  }

  /** Serialises writers in this process, then across processes. */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = chain.then(() => withFileLock(work));
    chain = result.catch(() => undefined);
    return result;
  }

  function entryFor(value: unknown, ttlSeconds: number | undefined): Entry {
    const stored: unknown = JSON.parse(JSON.stringify(value));
    return ttlSeconds === undefined
      ? { value: stored }
      : { value: stored, expiresAt: now() + ttlSeconds * 1000 };
  }

  return {
    async get<T = unknown>(key: string): Promise<T | undefined> {
      const state = (await read()) ?? (await exclusive(load));
      return live(state.entries[key], now())?.value as T | undefined;
    },
    set(key, value, setOptions) {
      return exclusive(async () => {
        const state = await load();
        await persist({
          version: 1,
          entries: { ...state.entries, [key]: entryFor(value, setOptions?.ttlSeconds) },
        });
      });
    },
    compareAndSet(key, expected, value, setOptions) {
      return exclusive(async () => {
        const state = await load();
        const current = live(state.entries[key], now())?.value;
        if (!jsonEqual(current, expected)) return false;
        await persist({
          version: 1,
          entries: { ...state.entries, [key]: entryFor(value, setOptions?.ttlSeconds) },
        });
        return true;
      });
    },
  };
}

/** A {@link StateStore} in memory: nothing survives a restart. For tests and single-shot tools. */
export function createMemoryStateStore(options: { now?: () => number } = {}): StateStore {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const entryFor = (value: unknown, ttlSeconds: number | undefined): Entry => {
    const stored: unknown = JSON.parse(JSON.stringify(value));
    return ttlSeconds === undefined
      ? { value: stored }
      : { value: stored, expiresAt: now() + ttlSeconds * 1000 };
  };
  return {
    async get<T = unknown>(key: string): Promise<T | undefined> {
      return live(entries.get(key), now())?.value as T | undefined;
    },
    async set(key, value, setOptions) {
      entries.set(key, entryFor(value, setOptions?.ttlSeconds));
    },
    async compareAndSet(key, expected, value, setOptions) {
      if (!jsonEqual(live(entries.get(key), now())?.value, expected)) return false;
      entries.set(key, entryFor(value, setOptions?.ttlSeconds));
      return true;
    },
  };
}
