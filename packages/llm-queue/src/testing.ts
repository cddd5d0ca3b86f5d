import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { redactUrl } from './storage-url.js';

/** Options for {@link pgTestUrl}. */
export interface PgTestUrlOptions {
  /** Where to read `GRAPHITI_TEST_PG_URL` and `CI`. @default process.env */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the "skipped" notice goes. @default console.warn */
  readonly warn?: (message: string) => void;
  /** How long the reachability check may take. @default 3000 */
  readonly connectTimeoutMs?: number;
}

const checked = new Map<string, Promise<boolean>>();

async function reachable(url: string, connectTimeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * The PostgreSQL URL for tests, or undefined when they must be skipped. Rule: with
 * `GRAPHITI_TEST_PG_URL` unset or unreachable, tests are skipped with a visible notice, except
 * when `CI=true`, where this rejects instead (CI must not silently skip them).
 *
 * @example
 * ```ts
 * const pgUrl = await pgTestUrl();
 * describe.skipIf(!pgUrl)('on PostgreSQL', () => { ... });
 * ```
 */
export async function pgTestUrl(options: PgTestUrlOptions = {}): Promise<string | undefined> {
  const env = options.env ?? process.env;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const url = env.GRAPHITI_TEST_PG_URL?.trim();
  const ci = env.CI === 'true';
  if (!url) {
    if (ci)
      throw new Error(
        'GRAPHITI_TEST_PG_URL is not set, and CI=true: PostgreSQL tests may not be skipped in CI.',
      );
    warn(
      '[graphiti] PostgreSQL tests SKIPPED: GRAPHITI_TEST_PG_URL is not set ' +
        '(e.g. GRAPHITI_TEST_PG_URL=postgres://postgres@127.0.0.1:5432/postgres).',
    );
    return undefined;
  }
  let check = checked.get(url);
  if (!check) {
    check = reachable(url, options.connectTimeoutMs ?? 3000);
    checked.set(url, check);
  }
  if (await check) return url;
  if (ci) throw new Error(`GRAPHITI_TEST_PG_URL (${redactUrl(url)}) is unreachable, and CI=true.`);
  warn(`[graphiti] PostgreSQL tests SKIPPED: GRAPHITI_TEST_PG_URL (${redactUrl(url)}) is unreachable.`);
  return undefined;
}

/** A database created for one test file or test. */
export interface TestDatabase {
  /** Connection URL of the new database. */
  readonly url: string;
  /** Its name. */
  readonly name: string;
  /** Drops the database (closing any connections still open to it). */
  drop(): Promise<void>;
}

/** Options for {@link createTestDatabase}. */
export interface CreateTestDatabaseOptions {
  /** Server URL to create the database on. @default the result of pgTestUrl() */
  readonly url?: string;
  /** Prefix of the database name. @default 'graphiti_test' */
  readonly prefix?: string;
}

async function withAdmin<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Creates a uniquely named, empty PostgreSQL database on the `GRAPHITI_TEST_PG_URL` server and
 * returns its URL and a `drop()`. Rejects when no server is configured (check `pgTestUrl()` first).
 *
 * @example
 * ```ts
 * const database = await createTestDatabase();
 * const storage = await openStorage(database.url);
 * // ...
 * await storage.close();
 * await database.drop();
 * ```
 */
export async function createTestDatabase(options: CreateTestDatabaseOptions = {}): Promise<TestDatabase> {
  const base = options.url ?? (await pgTestUrl());
  if (!base) throw new Error('createTestDatabase: no PostgreSQL server (set GRAPHITI_TEST_PG_URL).');
  const prefix = (options.prefix ?? 'graphiti_test').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  await withAdmin(base, async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`create database "${name}"`);
        return;
      } catch (error) {
        // 55006: the template database is briefly in use by a concurrent CREATE DATABASE.
        if ((error as { code?: string }).code !== '55006' || attempt >= 20) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
      }
    }
  });
  const url = new URL(base);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop() {
      dropped ??= withAdmin(base, async (client) => {
        await client.query(`drop database if exists "${name}" with (force)`);
      });
      return dropped;
    },
  };
}
