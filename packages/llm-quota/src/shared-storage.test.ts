// The tracker on the real StateStore of @graphiti/llm-queue: a SQLite file (always) and PostgreSQL (when
// GRAPHITI_TEST_PG_URL is set and reachable; skipped with a notice otherwise, failing under CI=true).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage, type Storage } from '@graphiti/llm-queue';
import { createTestDatabase, pgTestUrl, type TestDatabase } from '@graphiti/llm-queue/test';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { COOLDOWN_KEY, createQuotaTracker } from './quota-tracker.js';

const pgUrl = await pgTestUrl();
const directories: string[] = [];
const databases: TestDatabase[] = [];
const opened: Storage[] = [];

afterEach(async () => {
  for (const storage of opened.splice(0)) await storage.close();
});
afterAll(async () => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  for (const database of databases.splice(0)) await database.drop();
});

interface Backend {
  readonly name: string;
  readonly skip: boolean;
  fresh(): Promise<string>;
}

const backends: Backend[] = [
  {
    name: 'SQLite file',
    skip: false,
    async fresh() {
      const directory = mkdtempSync(join(tmpdir(), 'graphiti-quota-'));
      directories.push(directory);
      return `sqlite:${join(directory, 'state.db')}`;
    },
  },
  {
    name: 'PostgreSQL',
    skip: pgUrl === undefined,
    async fresh() {
      const database = await createTestDatabase({ url: pgUrl, prefix: 'graphiti_quota_test' });
      databases.push(database);
      return database.url;
    },
  },
];

async function open(url: string): Promise<Storage> {
  const storage = await openStorage(url, { sqliteSynchronous: 'normal' });
  opened.push(storage);
  return storage;
}

for (const backend of backends) {
  describe.skipIf(backend.skip)(`createQuotaTracker on @graphiti/llm-queue storage (${backend.name})`, () => {
    it('two trackers on two connections to one database count concurrently without losing increments', async () => {
      const url = await backend.fresh();
      const [first, second] = [await open(url), await open(url)];
      const a = createQuotaTracker({ stateStore: first.state, dailyRequestLimit: 1000 });
      const b = createQuotaTracker({ stateStore: second.state, dailyRequestLimit: 1000 });
      const work: Promise<void>[] = [];
      for (let index = 0; index < 40; index++) {
        work.push(a.update({}, { status: 200 }), b.update({}, { status: 200 }));
        work.push(
          a.addTokens({ promptTokens: 2, completionTokens: 3 }),
          b.addTokens({ completionTokens: 1 }),
        );
      }
      await Promise.all(work);
      await Promise.all([a.flush(), b.flush()]);
      const snapshot = await b.snapshot();
      expect(snapshot.counters).toMatchObject({ requests: 80, promptTokens: 80, completionTokens: 160 });
      expect(snapshot).toMatchObject({ source: 'counted', limit: 1000, remaining: 920 });
    });

    it('keeps the count, the header observation and the cooldown across a reopened database', async () => {
      const url = await backend.fresh();
      const before = await open(url);
      const tracker = createQuotaTracker({ stateStore: before.state });
      await tracker.update({
        'x-ratelimit-limit': '100',
        'x-ratelimit-remaining': '75',
        'x-ratelimit-reset': '3600',
      });
      await tracker.addTokens({ promptTokens: 10, completionTokens: 20 });
      await tracker.close();
      await before.state.set(
        COOLDOWN_KEY,
        { until: Date.now() + 600_000, reason: 'weekly usage limit', status: 429, since: Date.now() },
        { ttlSeconds: 600 },
      );
      await before.close();

      const after = await open(url);
      const snapshot = await createQuotaTracker({ stateStore: after.state }).snapshot();
      expect(snapshot).toMatchObject({
        source: 'headers',
        limit: 100,
        remaining: 75,
        usedFraction: 0.25,
        counters: { requests: 1, promptTokens: 10, completionTokens: 20 },
        cooldown: { reason: 'weekly usage limit', window: 'weekly', status: 429 },
      });
    });
  });
}
