import Database from 'better-sqlite3';
import { type Dialect, Kysely, type Migration, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { backends } from './__fixtures__/test-backends.js';
import { migrationLockTableName, migrations, migrationTableName } from './migrations.js';
import { openStorage } from './open-storage.js';
import { parseStorageUrl } from './storage-url.js';

function rawDialect(url: string): Dialect {
  const target = parseStorageUrl(url);
  return target.kind === 'sqlite'
    ? new SqliteDialect({ database: new Database(target.path) })
    : new PostgresDialect({ pool: new pg.Pool({ connectionString: target.url, max: 1 }) });
}

describe.each(backends())('migrations on $name', (backend) => {
  afterAll(async () => {
    await backend.cleanup();
  });

  it('upgrade a database made by the previous release (0001, 0002) in place, keeping its items', async () => {
    const url = await backend.fresh();
    const old = new Kysely<unknown>({ dialect: rawDialect(url) });
    const previous: Record<string, Migration> = {
      '0001_queue_and_state': migrations['0001_queue_and_state']!,
      '0002_postgres_put_function': migrations['0002_postgres_put_function']!,
    };
    const result = await new Migrator({
      db: old,
      provider: { getMigrations: async () => previous },
      migrationTableName,
      migrationLockTableName,
    }).migrateToLatest();
    expect(result.error).toBeUndefined();
    await old
      .insertInto('graphiti_queue' as never)
      .values({
        id: '01900000-0000-7000-8000-000000000001',
        operation: 'chat',
        params: '{"old":true}',
        status: 'ready',
        attempts: 1,
        created_at: Date.now(),
        updated_at: Date.now(),
      } as never)
      .execute();
    await old.destroy();

    const storage = await openStorage(url);
    try {
      const [item] = await storage.queue.lease({ count: 1, leaseSeconds: 30 });
      expect(item).toMatchObject({ params: { old: true }, attempts: 1, notBefore: null });
      await storage.queue.nack(item!.id, 'still down', { leaseToken: item!.leaseToken });
      expect((await storage.queue.get(item!.id))?.notBefore).toBeInstanceOf(Date);
      expect(
        await storage.queue.put('chat', { n: 1 }, { notBefore: new Date(Date.now() + 60_000) }),
      ).toBeTypeOf('string');
      expect(await storage.queue.nextDueAt()).toBeInstanceOf(Date);
    } finally {
      await storage.close();
    }
  });
});
