import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pgUrl } from './__fixtures__/test-backends.js';
import { QueueError } from './errors.js';
import { openStorage } from './open-storage.js';

const directory = mkdtempSync(join(tmpdir(), 'graphiti-queue-open-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('openStorage', () => {
  it('rejects an unsupported storage URL, naming it and the accepted forms', async () => {
    const error = await openStorage('mysql://root:hunter2@db/x').catch((caught: unknown) => caught);
    expect(QueueError.isInstance(error) && error.code).toBe('INVALID_STORAGE_URL');
    expect((error as Error).message).toContain('unsupported scheme "mysql:"');
    expect((error as Error).message).toContain('sqlite:<path>');
    expect((error as Error).message).not.toContain('hunter2');
    await expect(openStorage('')).rejects.toMatchObject({ code: 'INVALID_STORAGE_URL' });
    await expect(openStorage('sqlite:')).rejects.toThrow(/names no file/);
    await expect(openStorage('graphiti.db')).rejects.toThrow(/has no scheme/);
  });

  it('rejects an unreachable PostgreSQL server with a clear error and no password', async () => {
    const error = await openStorage('postgres://app:s3cret@127.0.0.1:1/graphiti', {
      connectTimeoutMs: 2000,
    }).catch((caught: unknown) => caught);
    expect(QueueError.isInstance(error) && error.code).toBe('STORAGE_UNREACHABLE');
    expect((error as Error).message).toMatch(
      /Cannot open PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/graphiti/,
    );
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((error as Error).message).not.toContain('s3cret');
    expect((error as Error).cause).toBeDefined();
  });

  it.skipIf(!pgUrl)('names a PostgreSQL database that does not exist', async () => {
    const url = new URL(pgUrl!);
    url.pathname = '/graphiti_no_such_database';
    await expect(openStorage(url.toString())).rejects.toThrow(
      /database "graphiti_no_such_database" does not exist/,
    );
  });

  it('rejects an SQLite path that cannot be opened, naming the path', async () => {
    const error = await openStorage(`sqlite:${directory}`).catch((caught: unknown) => caught);
    expect(QueueError.isInstance(error) && error.code).toBe('STORAGE_UNREACHABLE');
    expect((error as Error).message).toContain(directory);
  });

  it('rejects invalid options with the config key to fix', async () => {
    const url = `sqlite:${join(directory, 'options.db')}`;
    await expect(openStorage(url, { maxSize: 0 })).rejects.toThrow(
      /maxSize \(queue\.max_size\) must be a positive integer/,
    );
    await expect(openStorage(url, { sqliteSynchronous: 'off' as never })).rejects.toThrow(
      /"full" or "normal"/,
    );
  });

  it('sets WAL, the busy timeout and synchronous explicitly on the SQLite connection', async () => {
    const file = join(directory, 'pragmas.db');
    for (const [option, expected] of [
      ['full', 2],
      ['normal', 1],
    ] as const) {
      const storage = await openStorage(`sqlite:${file}`, { sqliteSynchronous: option, busyTimeoutMs: 1234 });
      const { sql } = await import('kysely');
      const mode = await sql<{ journal_mode: string }>`pragma journal_mode`.execute(storage.db);
      const sync = await sql<{ synchronous: number }>`pragma synchronous`.execute(storage.db);
      const busy = await sql<{ timeout: number }>`pragma busy_timeout`.execute(storage.db);
      expect(mode.rows[0]?.journal_mode).toBe('wal');
      expect(sync.rows[0]?.synchronous).toBe(expected);
      // SQLite itself waits at most 100 ms per attempt; the rest of busyTimeoutMs is async retries.
      expect(busy.rows[0]?.timeout).toBe(100);
      expect(await storage.ping()).toBe(true);
      await storage.close();
      expect(await storage.ping()).toBe(false);
      await expect(storage.queue.put('chat', {})).rejects.toMatchObject({ code: 'STORAGE_CLOSED' });
      await expect(storage.state.get('k')).rejects.toThrow(/state\.get failed: the storage .* was closed/);
    }
  });

  it("waits for another connection's SQLite write lock without blocking the event loop", async () => {
    const file = join(directory, 'busy.db');
    const storage = await openStorage(`sqlite:${file}`, { busyTimeoutMs: 5000 });
    const Database = (await import('better-sqlite3')).default;
    const other = new Database(file);
    try {
      other.exec('begin immediate');
      // The lock is released by a timer: only fires if put's waiting leaves the event loop free.
      const release = setTimeout(() => other.exec('commit'), 300);
      const id = await storage.queue.put('chat', { waited: true });
      clearTimeout(release);
      expect((await storage.queue.get(id))?.params).toEqual({ waited: true });
      expect(other.inTransaction).toBe(false);
      const short = await openStorage(`sqlite:${file}`, { busyTimeoutMs: 200 });
      other.exec('begin immediate');
      const busy = await short.queue.put('chat', {}).catch((caught: unknown) => caught);
      expect(busy).toMatchObject({ code: 'STORAGE_BUSY', cause: { code: 'SQLITE_BUSY' } });
      expect((busy as Error).message).toMatch(
        /queue\.put failed: SQLite database .*busy\.db stayed locked.*busyTimeoutMs/,
      );
      await short.close();
      other.exec('commit');
    } finally {
      other.close();
      await storage.close();
    }
  });

  it('creates the directory of a new SQLite file and supports sqlite::memory:', async () => {
    const storage = await openStorage(`sqlite:${join(directory, 'nested', 'deeper', 'q.db')}`);
    expect(storage.dialect).toBe('sqlite');
    await storage.close();
    const memory = await openStorage('sqlite::memory:');
    expect(await memory.queue.put('chat', {})).toBeTypeOf('string');
    await memory.close();
  });
});
