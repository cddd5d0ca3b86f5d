// The queue implementations the queue benchmark compares, behind one small interface:
//   put(params) -> id, lease(count) -> [{ id }], ack(id, result), close()
// "graphiti" is @graphiti/llm-queue; "raw" runs the very SQL graphiti's Kysely queries compile to
// (captured from Kysely's query log) through the bare driver, as the floor; "pg-boss" is the reference.
import { randomUUID } from 'node:crypto';
import { openStorage } from '@graphiti/llm-queue';
import Database from 'better-sqlite3';
import pg from 'pg';
import PgBoss from 'pg-boss';

export const TTL_MS = 24 * 3_600_000;

const SQL = {
  put:
    'insert into "graphiti_queue" ("id", "operation", "params", "idempotency_key", "status", "attempts", "last_error", "created_at", "updated_at") ' +
    'select ? as "id", ? as "operation", ? as "params", cast(? as text) as "idempotency_key", \'ready\' as "status", 0 as "attempts", ' +
    'cast(? as text) as "last_error", cast(? as bigint) as "created_at", cast(? as bigint) as "updated_at" ' +
    'where (select count(*) as "n" from (select 1 as "one" from "graphiti_queue" where "status" = ? and "created_at" > ? limit ?) as "waiting") < ? ' +
    'on conflict ("idempotency_key") do nothing returning "id"',
  lease:
    'with "next" as (select "id" as "next_id" from "graphiti_queue" where "status" = ? and "created_at" > ? ' +
    'and ("lease_until" is null or "lease_until" <= ?) order by "created_at", "id" limit ? SKIPLOCKED) ' +
    'update "graphiti_queue" set "lease_until" = ?, "updated_at" = ? from "next" where "id" = "next"."next_id" ' +
    'returning "id", "operation", "params", "idempotency_key", "status", "attempts", "last_error", "result", "created_at", "updated_at", "lease_until"',
  // PostgreSQL runs the put as a function (migration 0002): an advisory lock, then the same count and insert.
  putPostgres: 'select graphiti_queue_put($1, $2, $3, $4, $5, $6, $7, $8) as id',
  ack: 'update "graphiti_queue" set "status" = ?, "result" = ?, "lease_until" = ?, "updated_at" = ? where "id" = ? and "status" = ? returning "id"',
};

/** Numbers `?` placeholders as `$1, $2, ...` for PostgreSQL. */
function numbered(text) {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

const putArgs = (params, maxSize) => {
  const at = Date.now();
  return [
    randomUUID(),
    'chat',
    JSON.stringify(params),
    null,
    null,
    at,
    at,
    'ready',
    at - TTL_MS,
    maxSize,
    maxSize,
  ];
};
const leaseArgs = (count, leaseSeconds) => {
  const at = Date.now();
  return ['ready', at - TTL_MS, at, count, at + leaseSeconds * 1000, at];
};
// A worker needs the item's params as a value, as graphiti's lease (and pg-boss's fetch) returns them.
const withParams = (row) => ({ ...row, params: JSON.parse(row.params) });
const ackArgs = (id, result) => ['done', JSON.stringify(result ?? null), null, Date.now(), id, 'ready'];

/**
 * @param {{ impl: 'graphiti' | 'raw', url: string, maxSize: number, synchronous?: 'full' | 'normal', queueName?: string }} options
 */
export async function createImpl(options) {
  const { impl, url, maxSize } = options;
  const sqlite = url.startsWith('sqlite:');
  if (impl === 'graphiti') {
    const storage = await openStorage(url, {
      maxSize,
      sqliteSynchronous: options.synchronous ?? 'full',
      poolSize: 2,
    });
    return {
      put: (params) => storage.queue.put('chat', params),
      lease: (count) => storage.queue.lease({ count, leaseSeconds: 60 }),
      ack: (id, result) => storage.queue.ack(id, result),
      close: () => storage.close(),
    };
  }
  if (impl === 'raw' && sqlite) {
    const db = new Database(url.slice('sqlite:'.length));
    // A long busy timeout: SQLite's own busy handler polls every 100 ms once it has waited a while, so
    // with 4 writer processes a waiting one can starve for seconds (graphiti retries asynchronously).
    db.pragma('busy_timeout = 60000');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    const put = db.prepare(SQL.put);
    const lease = db.prepare(SQL.lease.replace(' SKIPLOCKED', ''));
    const ack = db.prepare(SQL.ack);
    return {
      put: async (params) => put.get(...putArgs(params, maxSize)).id,
      lease: async (count) => lease.all(...leaseArgs(count, 60)).map(withParams),
      ack: async (id, result) => {
        if (!ack.get(...ackArgs(id, result))) throw new Error(`ack missed ${id}`);
      },
      close: async () => db.close(),
    };
  }
  if (impl === 'raw') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const put = { name: 'graphiti_put', text: SQL.putPostgres };
    const lease = {
      name: 'graphiti_lease',
      text: numbered(SQL.lease.replace(' SKIPLOCKED', ' for update skip locked')),
    };
    const ack = { name: 'graphiti_ack', text: numbered(SQL.ack) };
    return {
      put: async (params) => {
        const [id, operation, json, key, lastError, at, , , cutoff, maxSize] = putArgs(
          params,
          options.maxSize,
        );
        const { rows } = await client.query({
          ...put,
          values: [id, operation, json, key, lastError, at, cutoff, maxSize],
        });
        return rows[0].id;
      },
      lease: async (count) =>
        (await client.query({ ...lease, values: leaseArgs(count, 60) })).rows.map(withParams),
      ack: async (id, result) => {
        const { rowCount } = await client.query({ ...ack, values: ackArgs(id, result) });
        if (rowCount !== 1) throw new Error(`ack missed ${id}`);
      },
      close: () => client.end(),
    };
  }
  if (impl === 'pg-boss') {
    const boss = new PgBoss({
      connectionString: url,
      max: 2,
      supervise: false,
      schedule: false,
      migrate: true,
    });
    boss.on('error', (error) => console.error('pg-boss error', error));
    await boss.start();
    const name = options.queueName;
    return {
      put: (params) => boss.send(name, params),
      lease: (count) => boss.fetch(name, { batchSize: count }),
      ack: async (id, result) => {
        const { affected } = await boss.complete(name, id, result);
        if (affected !== 1) throw new Error(`complete missed ${id}`);
      },
      close: () => boss.stop({ graceful: false, wait: true }),
      boss,
    };
  }
  throw new Error(`unknown implementation ${impl}`);
}
