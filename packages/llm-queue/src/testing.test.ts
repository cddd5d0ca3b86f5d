import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { pgUrl } from './__fixtures__/test-backends.js';
import { createTestDatabase, pgTestUrl } from './testing.js';

const unreachable = 'postgres://postgres@127.0.0.1:1/postgres';

describe('pgTestUrl', () => {
  it('skips with a visible notice when GRAPHITI_TEST_PG_URL is unset outside CI', async () => {
    const notices: string[] = [];
    expect(await pgTestUrl({ env: {}, warn: (message) => notices.push(message) })).toBeUndefined();
    expect(notices).toEqual([
      expect.stringMatching(/PostgreSQL tests SKIPPED: GRAPHITI_TEST_PG_URL is not set/),
    ]);
  });

  it('fails with CI=true when the URL is unset or unreachable', async () => {
    await expect(pgTestUrl({ env: { CI: 'true' } })).rejects.toThrow(/not set, and CI=true/);
    await expect(pgTestUrl({ env: { CI: 'true', GRAPHITI_TEST_PG_URL: unreachable } })).rejects.toThrow(
      /127\.0\.0\.1:1.* is unreachable, and CI=true/,
    );
  });

  it('skips with a notice when the server is unreachable outside CI', async () => {
    const notices: string[] = [];
    const url = await pgTestUrl({
      env: { GRAPHITI_TEST_PG_URL: unreachable },
      warn: (message) => notices.push(message),
    });
    expect(url).toBeUndefined();
    expect(notices[0]).toMatch(/unreachable/);
  });

  it.skipIf(!pgUrl)('returns the URL when the server answers', async () => {
    expect(await pgTestUrl({ env: { GRAPHITI_TEST_PG_URL: pgUrl } })).toBe(pgUrl);
  });
});

describe.skipIf(!pgUrl)('createTestDatabase', () => {
  it('creates a uniquely named empty database and drops it', async () => {
    const [first, second] = await Promise.all([
      createTestDatabase({ url: pgUrl, prefix: 'Queue-Helper' }),
      createTestDatabase({ url: pgUrl, prefix: 'Queue-Helper' }),
    ]);
    expect(first!.name).toMatch(/^queue_helper_/);
    expect(first!.name).not.toBe(second!.name);
    const client = new pg.Client({ connectionString: first!.url });
    await client.connect();
    expect((await client.query('select current_database() as name')).rows[0].name).toBe(first!.name);
    await client.end();
    await Promise.all([first!.drop(), second!.drop()]);
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    const left = await admin.query('select 1 from pg_database where datname = any($1)', [
      [first!.name, second!.name],
    ]);
    await admin.end();
    expect(left.rowCount).toBe(0);
  });
});
