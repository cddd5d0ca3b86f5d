import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';

/** Migration bookkeeping tables, named so they never clash with an application's own Kysely migrations. */
export const migrationTableName = 'graphiti_migration';
export const migrationLockTableName = 'graphiti_migration_lock';

/**
 * The schema, defined in code. Every step is idempotent (`if not exists`), so a run that was
 * interrupted half-way can simply run again. The same DDL serves SQLite and PostgreSQL.
 */
export const migrations: Record<string, Migration> = {
  '0001_queue_and_state': {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('graphiti_queue')
        .ifNotExists()
        .addColumn('id', 'text', (column) => column.primaryKey())
        .addColumn('operation', 'text', (column) => column.notNull())
        .addColumn('params', 'text', (column) => column.notNull())
        .addColumn('idempotency_key', 'text')
        .addColumn('status', 'text', (column) => column.notNull())
        .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
        .addColumn('last_error', 'text')
        .addColumn('result', 'text')
        .addColumn('created_at', 'bigint', (column) => column.notNull())
        .addColumn('updated_at', 'bigint', (column) => column.notNull())
        .addColumn('lease_until', 'bigint')
        .execute();
      // The lease query is `where status = 'ready' ... order by created_at, id`: this index matches
      // both the filter and the order, so a lease reads the oldest entries and stops.
      await db.schema
        .createIndex('graphiti_queue_fetch')
        .ifNotExists()
        .on('graphiti_queue')
        .columns(['status', 'created_at', 'id'])
        .execute();
      await db.schema
        .createIndex('graphiti_queue_idempotency_key')
        .ifNotExists()
        .unique()
        .on('graphiti_queue')
        .column('idempotency_key')
        .execute();
      await db.schema
        .createTable('graphiti_state')
        .ifNotExists()
        .addColumn('key', 'text', (column) => column.primaryKey())
        .addColumn('value', 'text', (column) => column.notNull())
        .addColumn('expires_at', 'bigint')
        .addColumn('updated_at', 'bigint', (column) => column.notNull())
        .execute();
    },
  },
};

const provider: MigrationProvider = {
  getMigrations: async () => migrations,
};

/** A Kysely Migrator over this package's migrations and bookkeeping tables. */
export function createMigrator(db: Kysely<unknown>): Migrator {
  return new Migrator({ db, provider, migrationTableName, migrationLockTableName });
}
