// Test-only helper (not exported): the backends the contract suites run on.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, pgTestUrl, type TestDatabase } from '../testing.js';

export interface Backend {
  readonly name: 'sqlite' | 'postgres';
  /** Creates a fresh, empty database and returns its storage URL. */
  fresh(): Promise<string>;
  /** Removes everything fresh() created. */
  cleanup(): Promise<void>;
}

export const pgUrl: string | undefined = await pgTestUrl();

export function sqliteBackend(): Backend {
  const directories: string[] = [];
  let counter = 0;
  return {
    name: 'sqlite',
    async fresh() {
      const directory = mkdtempSync(join(tmpdir(), 'graphiti-queue-test-'));
      directories.push(directory);
      return `sqlite:${join(directory, `queue-${counter++}.db`)}`;
    },
    async cleanup() {
      for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
    },
  };
}

export function postgresBackend(): Backend {
  const databases: TestDatabase[] = [];
  return {
    name: 'postgres',
    async fresh() {
      const database = await createTestDatabase({ url: pgUrl, prefix: 'graphiti_queue_test' });
      databases.push(database);
      return database.url;
    },
    async cleanup() {
      for (const database of databases.splice(0)) await database.drop();
    },
  };
}

/** The backends available here: SQLite always, PostgreSQL when GRAPHITI_TEST_PG_URL is usable. */
export function backends(): Backend[] {
  return pgUrl ? [sqliteBackend(), postgresBackend()] : [sqliteBackend()];
}
