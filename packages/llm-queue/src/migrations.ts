import {
  type Kysely,
  type Migration,
  type MigrationProvider,
  Migrator,
  PostgresAdapter,
  type RawBuilder,
  sql,
} from 'kysely';

/** Migration bookkeeping tables, named so they never clash with an application's own Kysely migrations. */
export const migrationTableName = 'graphiti_migration';
export const migrationLockTableName = 'graphiti_migration_lock';

/**
 * The PostgreSQL put function `graphiti_queue_put` (see putWithinLimit in dialect.ts): under an advisory
 * lock it counts the waiting items with a fresh snapshot and inserts only when there is room. Migration
 * 0002 made it without `not_before`; 0003 adds the overload with it (older processes still call the first).
 */
function putFunction(options: { readonly notBefore: boolean }): RawBuilder<unknown> {
  const parameter = sql.raw(options.notBefore ? ', p_not_before bigint' : '');
  const column = sql.raw(options.notBefore ? ', not_before' : '');
  const value = sql.raw(options.notBefore ? ', p_not_before' : '');
  return sql`
        create or replace function graphiti_queue_put(
          p_id text, p_operation text, p_params text, p_key text, p_last_error text,
          p_at bigint, p_cutoff bigint, p_max_size bigint${parameter}
        ) returns text language plpgsql volatile as $$
        declare
          v_waiting bigint;
          v_id text;
        begin
          perform pg_advisory_xact_lock(1735549297);
          select count(*) into v_waiting from (
            select 1 from graphiti_queue where status = 'ready' and created_at > p_cutoff limit p_max_size
          ) as waiting;
          if v_waiting >= p_max_size then
            return null;
          end if;
          insert into graphiti_queue
            (id, operation, params, idempotency_key, status, attempts, last_error, created_at, updated_at${column})
          values (p_id, p_operation, p_params, p_key, 'ready', 0, p_last_error, p_at, p_at${value})
          on conflict (idempotency_key) do nothing
          returning id into v_id;
          return v_id;
        end;
        $$`;
}

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
  '0002_postgres_put_function': {
    // PostgreSQL only (a no-op on SQLite): the put, as a function, so that "count the waiting items,
    // insert if there is room" is exact under concurrent puts and costs one round trip. Inside a
    // VOLATILE plpgsql function each statement takes a fresh snapshot, so the count, taken after the
    // advisory lock, sees every put that committed before.
    async up(db: Kysely<unknown>): Promise<void> {
      if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
      await putFunction({ notBefore: false }).execute(db);
    },
  },
  '0003_not_before_and_lease_token': {
    // Deferral (`not_before`: an item is not handed out before this instant) and lease ownership
    // (`lease_token`: a random token per lease, checked by ack/nack/fail/extend). Old databases
    // upgrade in place; existing rows get nulls (due now, not leased by anyone).
    async up(db: Kysely<unknown>): Promise<void> {
      const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
      if (postgres) {
        await sql`alter table graphiti_queue add column if not exists not_before bigint`.execute(db);
        await sql`alter table graphiti_queue add column if not exists lease_token text`.execute(db);
      } else {
        const existing = await sql<{ name: string }>`pragma table_info(graphiti_queue)`.execute(db);
        const names = new Set(existing.rows.map((row) => row.name));
        if (!names.has('not_before'))
          await sql`alter table graphiti_queue add column not_before bigint`.execute(db);
        if (!names.has('lease_token'))
          await sql`alter table graphiti_queue add column lease_token text`.execute(db);
      }
      if (!postgres) return;
      // The put with a not_before (an overload of the 0002 function, which older processes still call).
      await putFunction({ notBefore: true }).execute(db);
    },
  },
};

const provider: MigrationProvider = {
  getMigrations: async () => migrations,
};

/**
 * True when every migration is recorded as done. A plain read: on an up-to-date database, opening
 * the storage takes no write lock (the Migrator would), so it does not wait for a busy writer.
 */
export async function isMigrated(db: Kysely<unknown>): Promise<boolean> {
  try {
    const rows = await sql<{ name: string }>`select name from ${sql.table(migrationTableName)}`.execute(db);
    const done = new Set(rows.rows.map((row) => row.name));
    return Object.keys(migrations).every((name) => done.has(name));
  } catch {
    return false; // no bookkeeping table yet
  }
}

/** A Kysely Migrator over this package's migrations and bookkeeping tables. */
export function createMigrator(db: Kysely<unknown>): Migrator {
  return new Migrator({ db, provider, migrationTableName, migrationLockTableName });
}
