// Test-only helper (not exported): one database per describe block, storages on it with a fake clock.
import { afterAll, afterEach, beforeAll } from 'vitest';
import { openStorage, type Storage, type StorageOptions } from '../open-storage.js';
import type { Backend } from './test-backends.js';

/** Where the fake clock starts (epoch ms), and where `open()` puts it back. */
export const clockStart = 1_800_000_000_000;

/** A suite's database and the fake clock its storages read. */
export interface StorageSuite {
  /** The suite's database URL (a fresh database, made before the first test, removed after the last). */
  readonly url: string;
  /** The fake clock (epoch ms) of every storage opened with {@link StorageSuite.now}; tests move it. */
  clock: number;
  /** Reads {@link StorageSuite.clock}: pass it as `now` to a storage opened by hand. */
  readonly now: () => number;
  /** Opens a storage on the suite's database, with both tables emptied and the clock back at its start. */
  open(options?: StorageOptions): Promise<Storage>;
  /** Closes these storages (opened by hand) after the test. */
  closeLater(...storages: Storage[]): void;
}

/**
 * Registers the hooks of a describe block that runs on `backend` (a real SQLite file or a PostgreSQL
 * database of its own): the database is made before the first test, every storage is closed after each
 * test, and the database is dropped after the last one.
 */
export function useStorageSuite(backend: Backend): StorageSuite {
  let url: string | undefined;
  const opened: Storage[] = [];

  beforeAll(async () => {
    url = await backend.fresh();
  });
  afterEach(async () => {
    for (const storage of opened.splice(0)) await storage.close();
  });
  afterAll(async () => {
    await backend.cleanup();
  });

  const suite: StorageSuite = {
    get url() {
      if (url === undefined) throw new Error('the suite database is made in beforeAll: use it inside a test');
      return url;
    },
    clock: clockStart,
    now: () => suite.clock,
    async open(options = {}) {
      suite.clock = clockStart;
      const storage = await openStorage(suite.url, { now: suite.now, ...options });
      opened.push(storage);
      await storage.db.deleteFrom('graphiti_queue').execute();
      await storage.db.deleteFrom('graphiti_state').execute();
      return storage;
    },
    closeLater(...storages) {
      opened.push(...storages);
    },
  };
  return suite;
}
