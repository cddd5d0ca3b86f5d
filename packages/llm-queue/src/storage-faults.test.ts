import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { pgUrl } from './__fixtures__/test-backends.js';
import { QueueError } from './errors.js';
import { openStorage, type Storage } from './open-storage.js';
import { createTestDatabase } from './testing.js';

const root = mkdtempSync(join(tmpdir(), 'graphiti-queue-faults-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;
const freshDir = () => join(root, `case-${counter++}`);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Puts `count` items and returns the ids of those answered (a put that threw is not "queued"). */
async function putMany(storage: Storage, count: number, tag: string): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < count; n++) ids.push(await storage.queue.put('chat', { tag, n }));
  return ids;
}

/** Every id is in the storage a fresh process would open at `url`. */
async function expectAllThere(url: string, ids: readonly string[]): Promise<void> {
  const fresh = await openStorage(url);
  try {
    const missing: string[] = [];
    for (const id of ids) if ((await fresh.queue.get(id)) === undefined) missing.push(id);
    expect(missing).toEqual([]);
  } finally {
    await fresh.close();
  }
}

/** Makes a file unwritable, also for root (chattr +i); returns the undo. */
function makeReadOnly(file: string): () => void {
  if (process.getuid?.() === 0) {
    execFileSync('chattr', ['+i', file]);
    return () => execFileSync('chattr', ['-i', file]);
  }
  chmodSync(file, 0o444);
  return () => chmodSync(file, 0o644);
}

describe('SQLite storage faults', () => {
  it('reopens when the folder is deleted while running: nothing answered after it is lost, probe agrees', async () => {
    const dir = freshDir();
    const url = `sqlite:${join(dir, 'nested', 'graphiti.db')}`;
    const storage = await openStorage(url);
    try {
      await putMany(storage, 3, 'before');
      rmSync(dir, { recursive: true, force: true });
      const after = await putMany(storage, 20, 'after'); // each put answered "queued"
      expect(await storage.probe()).toEqual({ writable: true });
      // An item leased and acked on the new file works too.
      const [item] = await storage.queue.lease({ count: 1, leaseSeconds: 30 });
      expect(after).toContain(item?.id);
      await storage.queue.ack(item!.id, 'ok', { leaseToken: item!.leaseToken });
      await expectAllThere(url, after);
    } finally {
      await storage.close();
    }
  });

  it('follows a file replaced under it (moved away, a new one in its place)', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'graphiti.db');
    const url = `sqlite:${file}`;
    const storage = await openStorage(url);
    try {
      await putMany(storage, 2, 'before');
      renameSync(file, join(dir, 'moved-away.db'));
      rmSync(`${file}-wal`, { force: true });
      rmSync(`${file}-shm`, { force: true });
      const other = await openStorage(url); // another process creates a new file at the path
      await other.close();
      const after = await putMany(storage, 5, 'after');
      await expectAllThere(url, after);
    } finally {
      await storage.close();
    }
  });

  it('fails puts on a read-only file with a clear error, and probe says so too', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'graphiti.db');
    const url = `sqlite:${file}`;
    const first = await openStorage(url);
    const before = await putMany(first, 2, 'before');
    await first.close();
    const undo = makeReadOnly(file);
    try {
      const storage = await openStorage(url).catch((error: unknown) => error);
      if (QueueError.isInstance(storage)) {
        // Refused at open: as clear as at put time.
        expect(storage.code).toBe('STORAGE_UNREACHABLE');
        expect(storage.message).toContain(file);
      } else {
        const opened = storage as Storage;
        try {
          const probe = await opened.probe();
          expect(probe.writable).toBe(false);
          expect(probe.error).toMatch(/read-only/);
          const error = await opened.queue.put('chat', {}).catch((caught: unknown) => caught);
          expect(QueueError.isInstance(error) && error.code).toBe('STORAGE_UNREACHABLE');
          expect((error as Error).message).toMatch(
            /queue\.put failed: SQLite database .*graphiti\.db is read-only/,
          );
          expect(await opened.queue.get(before[0]!)).toBeDefined(); // reads still work
        } finally {
          await opened.close();
        }
      }
    } finally {
      undo();
    }
    await expectAllThere(url, before);
  });

  it('opens lazily when the folder cannot be created, and works once it can', async () => {
    const dir = freshDir();
    mkdirSync(dir, { recursive: true });
    const blocker = join(dir, 'data');
    writeFileSync(blocker, 'a file where the folder should be');
    const url = `sqlite:${join(blocker, 'graphiti.db')}`;
    await expect(openStorage(url)).rejects.toMatchObject({ code: 'STORAGE_UNREACHABLE' });
    const storage = await openStorage(url, { lazy: true });
    try {
      expect((await storage.probe()).writable).toBe(false);
      await expect(storage.queue.put('chat', {})).rejects.toMatchObject({ code: 'STORAGE_UNREACHABLE' });
      rmSync(blocker);
      await sleep(1100); // one connection attempt per second at most
      expect(await storage.probe()).toEqual({ writable: true });
      const ids = await putMany(storage, 3, 'after');
      await expectAllThere(url, ids);
    } finally {
      await storage.close();
    }
  });
});

async function admin<T>(run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: pgUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

describe.skipIf(!pgUrl)('PostgreSQL storage faults', () => {
  it('reconnects after pg_terminate_backend: puts and probe keep working', async () => {
    const database = await createTestDatabase({ url: pgUrl, prefix: 'graphiti_queue_faults' });
    const storage = await openStorage(database.url, { poolSize: 4 });
    try {
      const answered = await putMany(storage, 5, 'before');
      // Several connections in the pool, then all of them terminated by the server.
      await Promise.all(Array.from({ length: 4 }, () => storage.queue.stats()));
      const terminated = await admin((client) =>
        client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [
          database.name,
        ]),
      );
      expect(terminated.rowCount).toBeGreaterThan(0);
      expect(await storage.probe()).toEqual({ writable: true });
      answered.push(...(await putMany(storage, 5, 'after')));
      await expectAllThere(database.url, answered);
    } finally {
      await storage.close();
      await database.drop();
    }
  });

  it('migrates again when the database is dropped and created again; probe agrees with put throughout', async () => {
    const database = await createTestDatabase({ url: pgUrl, prefix: 'graphiti_queue_faults' });
    const storage = await openStorage(database.url);
    try {
      await putMany(storage, 3, 'before');
      await admin((client) => client.query(`drop database "${database.name}" with (force)`));
      // Gone: probe and put both refuse (and name no password, see below).
      const down = await storage.probe();
      expect(down.writable).toBe(false);
      await expect(storage.queue.put('chat', {})).rejects.toMatchObject({ code: 'STORAGE_UNREACHABLE' });
      await admin((client) => client.query(`create database "${database.name}"`));
      let probe = await storage.probe();
      for (let waited = 0; !probe.writable && waited < 5000; waited += 200) {
        await sleep(200);
        probe = await storage.probe();
      }
      expect(probe).toEqual({ writable: true });
      const after = await putMany(storage, 10, 'after');
      expect((await storage.queue.stats()).pending).toBe(10);
      await expectAllThere(database.url, after);
    } finally {
      await storage.close();
      await database.drop();
    }
  });

  it('starts lazily while the database is missing, then migrates and works once it exists', async () => {
    const url = new URL(pgUrl!);
    const name = `graphiti_queue_lazy_${Date.now().toString(36)}`;
    url.pathname = `/${name}`;
    await expect(openStorage(url.toString())).rejects.toThrow(
      new RegExp(`database "${name}" does not exist`),
    );
    const storage = await openStorage(url.toString(), { lazy: true });
    try {
      const error = await storage.queue.put('chat', {}).catch((caught: unknown) => caught);
      expect(QueueError.isInstance(error) && error.code).toBe('STORAGE_UNREACHABLE');
      expect((await storage.probe()).writable).toBe(false);
      expect(await storage.ping()).toBe(false);
      await admin((client) => client.query(`create database "${name}"`));
      await sleep(1100);
      expect(await storage.probe()).toEqual({ writable: true });
      const ids = await putMany(storage, 3, 'lazy');
      await expectAllThere(url.toString(), ids);
    } finally {
      await storage.close();
      await admin((client) => client.query(`drop database if exists "${name}" with (force)`));
    }
  });

  it('never carries the storage password in an error, a probe or a NUL-byte lookup', async () => {
    const password = 'Sup3r-Secret_pw';
    const url = new URL(pgUrl!);
    url.password = password;
    const database = await createTestDatabase({ url: pgUrl, prefix: 'graphiti_queue_secret' });
    const withPassword = new URL(database.url);
    withPassword.password = password;
    const missing = new URL(url);
    missing.pathname = '/graphiti_queue_no_such_db';
    const texts: string[] = [];
    const collect = (error: unknown) => {
      texts.push(String((error as Error).message), String((error as Error).stack));
      const cause = (error as { cause?: unknown }).cause;
      if (cause instanceof Error) texts.push(cause.message);
    };
    await openStorage(missing.toString()).catch(collect);
    await openStorage(`postgres://app:${password}@127.0.0.1:1/x`, { connectTimeoutMs: 1000 }).catch(collect);
    const lazy = await openStorage(missing.toString(), { lazy: true });
    await lazy.queue.put('chat', {}).catch(collect);
    texts.push(String((await lazy.probe()).error));
    await lazy.close();
    const storage = await openStorage(withPassword.toString());
    try {
      expect(storage.url).not.toContain(password);
      expect(await storage.queue.get('bad\u0000id')).toBeUndefined();
      await storage.queue.ack('bad\u0000id', null).catch(collect);
      await admin((client) => client.query(`drop database "${database.name}" with (force)`));
      await storage.queue.put('chat', {}).catch(collect);
      texts.push(String((await storage.probe()).error));
    } finally {
      await storage.close();
      await database.drop();
    }
    expect(texts.length).toBeGreaterThanOrEqual(8);
    for (const text of texts) expect(text).not.toContain(password);
  });
});
