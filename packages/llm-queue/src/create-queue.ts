import { createHash, randomBytes } from 'node:crypto';
import {
  type Expression,
  type ExpressionBuilder,
  type Kysely,
  type QueryResult,
  type SqlBool,
  sql,
  type UpdateQueryBuilder,
  type UpdateResult,
} from 'kysely';
import type { DialectName } from './dialect.js';
import { type PutValues, putWithinLimit, skipLockedRows } from './dialect.js';
import { QueueError, QueueFullError } from './errors.js';
import { createIdGenerator } from './ids.js';
import { toCanonicalJson, toJson } from './json.js';
import { prepareQuery } from './prepared-query.js';
import type { QueueDatabase, QueueTable } from './schema.js';

/** Where an item is in its life: waiting, handed out, or finished one way or another. */
export type QueueStatus = 'ready' | 'leased' | 'done' | 'failed' | 'expired';

/** Every status, in life-cycle order. */
export const queueStatuses: readonly QueueStatus[] = ['ready', 'leased', 'done', 'failed', 'expired'];

/** What a worker needs to replay an item (the router's `QueueItem`). */
export interface QueueItem {
  readonly id: string;
  /** `chat`, `generate` or `embed` for the router; any string is stored. */
  readonly operation: string;
  readonly params: unknown;
  /** How many times the item was nacked. */
  readonly attempts: number;
  readonly createdAt: Date;
}

/** Everything stored about an item. */
export interface QueueRecord extends QueueItem {
  readonly status: QueueStatus;
  readonly idempotencyKey: string | null;
  /** The error given at put time or by the last nack / fail. */
  readonly lastError: string | null;
  /** When the current (or last) lease ends; null when never leased or no longer leased. */
  readonly leaseUntil: Date | null;
  /** The value passed to `ack`; undefined until then. */
  readonly result: unknown;
  readonly updatedAt: Date;
  /** Not handed out before this instant (a cooldown's end or a nack's backoff); null means due now. */
  readonly notBefore: Date | null;
}

/** A record handed out by {@link Queue.lease}: it carries the lease's owner token. */
export interface LeasedRecord extends QueueRecord {
  /**
   * A fresh random token for this lease. Pass it to ack / nack / fail / extend: when another lease
   * has taken the item since, they throw QueueError `LEASE_LOST` and change nothing.
   */
  readonly leaseToken: string;
}

/** Options for {@link Queue.put}. */
export interface PutOptions {
  /** A key that identifies the request: a second put with the same key returns the first item's id. */
  readonly idempotencyKey?: string;
  /** Why the request is being queued (for example the last provider error). Never put secrets here. */
  readonly lastError?: string;
  /** Not handed out by `lease` before this instant (for example the end of a cloud cooldown). */
  readonly notBefore?: Date;
}

/** Options for {@link Queue.ack} and {@link Queue.fail}. */
export interface SettleOptions {
  /** The token of the lease this worker holds: refused (`LEASE_LOST`) when another lease took the item since. */
  readonly leaseToken?: string;
}

/** Options for {@link Queue.nack}. */
export interface NackOptions extends SettleOptions {
  /**
   * Not handed out again before this instant. Without it the item waits its own backoff:
   * 30 s × 2^(attempts - 1), at most 1 hour (`backoffBaseSeconds`, `backoffMaxSeconds`).
   */
  readonly notBefore?: Date;
}

/** Options for {@link Queue.lease}. */
export interface LeaseOptions {
  /** How many items to hand out at most. */
  readonly count: number;
  /** How long the items stay leased; after that they are handed out again. */
  readonly leaseSeconds: number;
}

/** A filter for {@link Queue.list}. */
export interface ListOptions {
  /** Only items in this status (or these statuses). */
  readonly status?: QueueStatus | readonly QueueStatus[];
  /** At most this many items, oldest first. @default 100 */
  readonly limit?: number;
  /** Only items created before this instant (a Date or epoch milliseconds). */
  readonly olderThan?: Date | number;
}

/** A filter for {@link Queue.purge}. */
export interface PurgeOptions {
  /** Delete items in this status (or these statuses). @default ['done', 'failed', 'expired'] */
  readonly status?: QueueStatus | readonly QueueStatus[];
  /** Only items created before this instant (a Date or epoch milliseconds). */
  readonly olderThan?: Date | number;
}

/** Counts and ages, for `graphiti queue list`, `/graphiti/queue` and metrics. */
export interface QueueStats {
  /** Items per status. */
  readonly counts: Readonly<Record<QueueStatus, number>>;
  /** Items not yet done (ready + leased): what `maxSize` limits. */
  readonly pending: number;
  /** `queue.max_size`. */
  readonly maxSize: number;
  /** Age of the oldest ready item in seconds, or null when none is ready. */
  readonly oldestReadyAgeSeconds: number | null;
}

/**
 * A durable ack-queue. It satisfies the router's `FailedRequestSink` (`put`) and `ReplayQueue`
 * (`lease`, `ack`, `nack`, `fail`).
 */
export interface Queue {
  /**
   * Stores the request durably (committed when the promise resolves) and returns its id.
   * Throws {@link QueueFullError} (`code: 'QUEUE_FULL'`) when `maxSize` items are waiting, and a
   * QueueError `INVALID_PARAMS` when params are not JSON-serialisable.
   */
  put(operation: string, params: unknown, options?: PutOptions): Promise<string>;
  /**
   * Hands out up to `count` ready items whose `notBefore` has passed, oldest first, leased for
   * `leaseSeconds`, each with a fresh `leaseToken`.
   */
  lease(options: LeaseOptions): Promise<readonly LeasedRecord[]>;
  /** Marks an item done and stores its result (readable by id until purged). */
  ack(id: string, result?: unknown, options?: SettleOptions): Promise<void>;
  /**
   * attempts + 1 and ready again after `notBefore` (else the item's backoff), or `failed` once
   * attempts reach `maxAttempts`. Items behind it are not held up.
   */
  nack(id: string, error: string, options?: NackOptions): Promise<void>;
  /** Marks an item failed now, whatever its attempts. */
  fail(id: string, reason: string, options?: SettleOptions): Promise<void>;
  /** Extends the lease held with `leaseToken` to now + `leaseSeconds` (`LEASE_LOST` when not the holder). */
  extend(id: string, leaseToken: string, leaseSeconds: number): Promise<void>;
  /**
   * When the next item is due: the earliest `notBefore` (or end of an expired worker's lease) among
   * items waiting to be replayed; now when one is due already; undefined when none waits.
   */
  nextDueAt(): Promise<Date | undefined>;
  /**
   * Makes every ready item due now (clears its `notBefore`), for an operator's "replay now"
   * (`graphiti retry-queue`, `POST /graphiti/queue/retry`). Returns how many items it woke.
   */
  wake(): Promise<number>;
  /** The item, or undefined when there is none with this id. */
  get(id: string): Promise<QueueRecord | undefined>;
  /** Items, oldest first. */
  list(options?: ListOptions): Promise<readonly QueueRecord[]>;
  /** Counts per status and the age of the oldest ready item. */
  stats(): Promise<QueueStats>;
  /** Deletes items and returns how many. */
  purge(options?: PurgeOptions): Promise<number>;
  /** Marks items older than `ttlHours` that are not leased as `expired`; returns how many. */
  expire(): Promise<number>;
}

/** Settings for {@link createQueue}. */
export interface QueueSettings {
  readonly dialect: DialectName;
  readonly maxSize: number;
  readonly ttlHours: number;
  readonly maxAttempts: number;
  readonly now: () => number;
  /** First backoff after a nack without `notBefore`, doubled per attempt. @default 30 */
  readonly backoffBaseSeconds?: number;
  /** Longest backoff. @default 3600 */
  readonly backoffMaxSeconds?: number;
}

type Row = Pick<
  QueueTable,
  | 'id'
  | 'operation'
  | 'params'
  | 'idempotency_key'
  | 'status'
  | 'attempts'
  | 'last_error'
  | 'result'
  | 'created_at'
  | 'updated_at'
  | 'lease_until'
  | 'not_before'
>;

const columns = [
  'id',
  'operation',
  'params',
  'idempotency_key',
  'status',
  'attempts',
  'last_error',
  'result',
  'created_at',
  'updated_at',
  'lease_until',
  'not_before',
] as const;

const table = 'graphiti_queue';

function toTime(value: Date | number | undefined, label: string): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) {
    throw new QueueError(
      'INVALID_ARGUMENT',
      `${label} must be a Date or epoch milliseconds, got ${String(value)}.`,
    );
  }
  return ms;
}

function toStatuses(
  value: QueueStatus | readonly QueueStatus[] | undefined,
): readonly QueueStatus[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  for (const status of list) {
    if (!queueStatuses.includes(status)) {
      throw new QueueError(
        'INVALID_ARGUMENT',
        `Unknown queue status "${String(status)}": expected one of ${queueStatuses.join(', ')}.`,
      );
    }
  }
  return list;
}

function requireId(id: unknown): string {
  if (typeof id !== 'string' || id === '') {
    throw new QueueError('INVALID_ARGUMENT', `Queue item id must be a non-empty string, got ${String(id)}.`);
  }
  return id;
}

/**
 * Ids are UUIDs this package made; a text the databases cannot even compare (a NUL byte, which
 * PostgreSQL refuses in text, or an absurd length) names no item. Such ids are "not found" without
 * a query.
 */
function isStorableId(id: string): boolean {
  return id.length <= 256 && !id.includes('\u0000');
}

/** Free text (errors, reasons) with NUL bytes, which PostgreSQL refuses in text, made visible. */
function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '\\0') : text;
}

/** A short, printable form of a caller's text for error messages. */
function quoted(text: string): string {
  // JSON.stringify escapes control characters (a NUL byte reads \u0000).
  return JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

function requireLeaseToken(token: unknown, label: string): string | undefined {
  if (token === undefined) return undefined;
  if (typeof token !== 'string' || token === '') {
    throw new QueueError('INVALID_ARGUMENT', `${label} must be a non-empty string when given.`);
  }
  return token;
}

function requireLeaseSeconds(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !(value > 0)) {
    throw new QueueError('INVALID_ARGUMENT', `leaseSeconds must be a positive number, got ${String(value)}.`);
  }
  return value;
}

function toDateMs(value: unknown, label: string): number | null {
  if (value === undefined) return null;
  if (!(value instanceof Date) || !Number.isFinite(value.getTime())) {
    throw new QueueError('INVALID_ARGUMENT', `${label} must be a valid Date, got ${String(value)}.`);
  }
  return value.getTime();
}

/** The identity of a request for idempotency: its operation and canonical params (sorted keys). */
function requestHash(operation: string, canonicalParams: string): string {
  return createHash('sha256').update(operation).update('\u0000').update(canonicalParams).digest('hex');
}

function requirePositiveInteger(value: unknown, label: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new QueueError('INVALID_ARGUMENT', `${label} must be a positive integer, got ${String(value)}.`);
  }
  return value;
}

/** Builds the queue over a migrated database. Used by `openStorage`. */
export function createQueue(db: Kysely<QueueDatabase>, settings: QueueSettings): Queue {
  const { dialect, maxSize, maxAttempts, now } = settings;
  const ttlMs = settings.ttlHours * 3_600_000;
  const backoffBaseMs = Math.max(1, Math.round((settings.backoffBaseSeconds ?? 30) * 1000));
  const backoffMaxMs = Math.max(backoffBaseMs, Math.round((settings.backoffMaxSeconds ?? 3600) * 1000));
  // The backoff after the n-th failed attempt is base × 2^(n-1), capped: from this many earlier
  // attempts on, the cap applies (so the shift below never overflows).
  let backoffCapAttempts = 0;
  while (backoffBaseMs * 2 ** backoffCapAttempts < backoffMaxMs) backoffCapAttempts++;
  const nextId = createIdGenerator();

  const cutoff = (at: number): number => at - ttlMs;

  // The hot operations are compiled once (see prepareQuery); `param('x')` marks a per-call value.
  // SQLite's put; PostgreSQL runs the same logic as a function (see putWithinLimit in dialect.ts).
  const insertItem = prepareQuery<PutValues, { id: string }>((param) =>
    db
      .insertInto(table)
      .columns([
        'id',
        'operation',
        'params',
        'idempotency_key',
        'status',
        'attempts',
        'last_error',
        'created_at',
        'updated_at',
        'not_before',
      ])
      .expression(
        db
          .selectNoFrom([
            sql<string>`${param('id')}`.as('id'),
            sql<string>`${param('operation')}`.as('operation'),
            sql<string>`${param('params')}`.as('params'),
            sql<string | null>`cast(${param('key')} as text)`.as('idempotency_key'),
            sql<string>`'ready'`.as('status'),
            sql<number>`0`.as('attempts'),
            sql<string | null>`cast(${param('lastError')} as text)`.as('last_error'),
            sql<number>`cast(${param('at')} as bigint)`.as('created_at'),
            sql<number>`cast(${param('at')} as bigint)`.as('updated_at'),
            sql<number | null>`cast(${param('notBefore')} as bigint)`.as('not_before'),
          ])
          // Room left? Counts waiting items, but never more than maxSize of them.
          .where(
            db
              .selectFrom(
                db
                  .selectFrom(table)
                  .select(sql<number>`1`.as('one'))
                  .where('status', '=', 'ready')
                  .where('created_at', '>', param('cutoff'))
                  .limit(maxSize)
                  .as('waiting'),
              )
              .select((count) => count.fn.countAll<number>().as('n')),
            '<',
            maxSize,
          ),
      )
      .onConflict((conflict) => conflict.column('idempotency_key').doNothing())
      .returning('id'),
  );

  const leaseItems = prepareQuery<
    { count: number; at: number; cutoff: number; leaseUntil: number; token: string },
    Row
  >((param) =>
    db
      .with('next', (cte) =>
        skipLockedRows(
          dialect,
          cte
            .selectFrom(table)
            .select('id as next_id')
            .where('status', '=', 'ready')
            .where('created_at', '>', param('cutoff'))
            .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', param('at'))]))
            .where((eb) => eb.or([eb('not_before', 'is', null), eb('not_before', '<=', param('at'))]))
            .orderBy('created_at')
            .orderBy('id')
            .limit(param('count')),
        ),
      )
      .updateTable(table)
      .from('next')
      .set({ lease_until: param('leaseUntil'), lease_token: param('token'), updated_at: param('at') })
      .whereRef('id', '=', 'next.next_id')
      .returning(columns),
  );

  /** Without a token anyone may settle a waiting item; with one, only the lease that holds it. */
  const heldBy =
    (token: unknown) =>
    (eb: ExpressionBuilder<QueueDatabase, typeof table>): Expression<SqlBool> =>
      eb.or([eb(sql`cast(${token} as text)`, 'is', null), eb('lease_token', '=', token as string)]);

  /** Narrows an update to the waiting item `id` that `token` holds (any holder without a token). */
  const ofWaitingItem = (
    update: UpdateQueryBuilder<QueueDatabase, typeof table, typeof table, UpdateResult>,
    param: (name: 'id' | 'token') => unknown,
  ) =>
    update
      .where('id', '=', param('id') as string)
      .where('status', '=', 'ready')
      .where(heldBy(param('token')))
      .returning('id');

  /** Settles the waiting item for good: `done` with its result, or `failed` with the reason. */
  const finishItem = (status: 'done' | 'failed', column: 'result' | 'last_error') =>
    prepareQuery<{ id: string; text: string; at: number; token: string | null }, { id: string }>((param) =>
      ofWaitingItem(
        db
          .updateTable(table)
          .set({ status, [column]: param('text'), lease_until: null, updated_at: param('at') }),
        param,
      ),
    );

  const ackItem = finishItem('done', 'result');

  const nackItem = prepareQuery<
    { id: string; error: string; at: number; token: string | null; notBefore: number | null },
    { id: string }
  >((param) =>
    ofWaitingItem(
      db.updateTable(table).set((eb) => ({
        // The item's own backoff: base × 2^(attempts before this one), capped; never the items behind it.
        not_before: sql<number>`coalesce(cast(${param('notBefore')} as bigint), cast(${param('at')} as bigint) + case when ${eb.ref('attempts')} >= ${sql.lit(backoffCapAttempts)} then cast(${sql.lit(backoffMaxMs)} as bigint) else cast(${sql.lit(backoffBaseMs)} as bigint) << ${eb.ref('attempts')} end)`,
        lease_token: null,
        attempts: eb('attempts', '+', 1),
        status: eb
          .case()
          .when(eb(eb('attempts', '+', 1), '>=', maxAttempts))
          .then(sql<'failed'>`'failed'`)
          .else(sql<'ready'>`'ready'`)
          .end(),
        last_error: param('error'),
        lease_until: null,
        updated_at: param('at'),
      })),
      param,
    ),
  );

  const failItem = finishItem('failed', 'last_error');

  const extendItem = prepareQuery<
    { id: string; token: string; leaseUntil: number; at: number },
    { id: string }
  >((param) =>
    db
      .updateTable(table)
      .set({ lease_until: param('leaseUntil'), updated_at: param('at') })
      .where('id', '=', param('id'))
      .where('status', '=', 'ready')
      .where('lease_token', '=', param('token'))
      .returning('id'),
  );

  // When the next waiting item is due: the later of its not_before and the end of a lease that ran
  // out (a worker died), the earliest over every waiting item.
  const nextDue = prepareQuery<{ cutoff: number }, { due: number | null }>((param) =>
    db
      .selectFrom(table)
      .select((eb) =>
        sql<
          number | null
        >`min(case when coalesce(${eb.ref('not_before')}, 0) > coalesce(${eb.ref('lease_until')}, 0) then coalesce(${eb.ref('not_before')}, 0) else coalesce(${eb.ref('lease_until')}, 0) end)`.as(
          'due',
        ),
      )
      .where('status', '=', 'ready')
      .where('created_at', '>', param('cutoff')),
  );

  const selectItem = prepareQuery<{ id: string }, Row>((param) =>
    db.selectFrom(table).select(columns).where('id', '=', param('id')),
  );

  function toRecord(row: Row, at: number): QueueRecord {
    const createdAt = Number(row.created_at);
    const leaseUntil = row.lease_until === null ? null : Number(row.lease_until);
    const notBefore = row.not_before === null || row.not_before === undefined ? null : Number(row.not_before);
    let status: QueueStatus = row.status;
    if (status === 'ready') {
      if (leaseUntil !== null && leaseUntil > at) status = 'leased';
      else if (createdAt <= cutoff(at)) status = 'expired';
    }
    return {
      id: row.id,
      operation: row.operation,
      params: JSON.parse(row.params) as unknown,
      attempts: Number(row.attempts),
      createdAt: new Date(createdAt),
      status,
      idempotencyKey: row.idempotency_key,
      lastError: row.last_error,
      leaseUntil: leaseUntil === null || status !== 'leased' ? null : new Date(leaseUntil),
      result: row.result === null ? undefined : (JSON.parse(row.result) as unknown),
      updatedAt: new Date(Number(row.updated_at)),
      notBefore: notBefore === null ? null : new Date(notBefore),
    };
  }

  function notFound(id: string, action: string): QueueError {
    return new QueueError(
      'NOT_FOUND',
      `Cannot ${action} queue item ${quoted(id)}: there is no such item (purged?).`,
    );
  }

  /** Explains why an update of a waiting item touched no row. */
  async function explainMiss(id: string, action: string, token?: string): Promise<never> {
    const [row] = (await selectItem(db, { id })).rows;
    if (!row) throw notFound(id, action);
    if (token !== undefined) {
      const held = await db.selectFrom(table).select('lease_token').where('id', '=', id).executeTakeFirst();
      if (held?.lease_token !== token) {
        throw new QueueError(
          'LEASE_LOST',
          `Cannot ${action} queue item ${id}: this worker's lease is no longer the current one ` +
            '(it ran out and the item was leased again, or was settled by someone else). Nothing was changed.',
        );
      }
    }
    const record = toRecord(row, now());
    throw new QueueError(
      'INVALID_STATE',
      `Cannot ${action} queue item ${id}: it is already ${record.status}; only ready or leased items can be ${action}ed.`,
    );
  }

  /**
   * Runs the update that settles (or extends) item `id` at the current instant; when it touched no
   * row, throws why (no such item, the lease was lost, already settled).
   */
  async function settle(
    id: string,
    action: string,
    token: string | undefined,
    update: (at: number) => Promise<QueryResult<{ id: string }>>,
  ): Promise<void> {
    if (!isStorableId(id)) throw notFound(id, action);
    const updated = (await update(now())).rows[0];
    if (!updated) await explainMiss(id, action, token);
  }

  /** The SQL condition for a stored status, as seen at instant `at`. */
  function statusCondition(status: QueueStatus, at: number) {
    return (eb: ExpressionBuilder<QueueDatabase, typeof table>): Expression<SqlBool> => {
      switch (status) {
        case 'ready':
          return eb.and([
            eb('status', '=', 'ready'),
            eb('created_at', '>', cutoff(at)),
            eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]),
          ]);
        case 'leased':
          return eb.and([eb('status', '=', 'ready'), eb('lease_until', '>', at)]);
        default:
          return eb('status', '=', status);
      }
    };
  }

  function selectAll() {
    return db.selectFrom(table).select(columns);
  }

  async function expire(): Promise<number> {
    const at = now();
    const result = await db
      .updateTable(table)
      .set({ status: 'expired', lease_until: null, updated_at: at })
      .where('status', '=', 'ready')
      .where('created_at', '<=', cutoff(at))
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', at)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  return {
    async put(operation, params, options = {}) {
      if (typeof operation !== 'string' || operation === '' || operation.includes('\u0000')) {
        throw new QueueError(
          'INVALID_ARGUMENT',
          `Queue operation must be a non-empty string without NUL bytes, got ${typeof operation === 'string' ? quoted(operation) : String(operation)}.`,
        );
      }
      const paramsJson = toJson(params, `params of "${operation}"`);
      const key = options.idempotencyKey ?? null;
      if (key !== null && (typeof key !== 'string' || key === '' || key.includes('\u0000'))) {
        throw new QueueError(
          'INVALID_ARGUMENT',
          'idempotencyKey must be a non-empty string without NUL bytes when given.',
        );
      }
      const notBefore = toDateMs(options.notBefore, 'notBefore');
      const at = now();
      const id = nextId(at);
      const inserted = await putWithinLimit(dialect, db, insertItem, {
        id,
        operation,
        params: paramsJson,
        key,
        lastError: options.lastError === undefined ? null : storableText(String(options.lastError)),
        at,
        cutoff: cutoff(at),
        maxSize,
        notBefore,
      });
      if (inserted !== null) return inserted;
      if (key !== null) {
        const existing = await db
          .selectFrom(table)
          .select(['id', 'operation', 'params'])
          .where('idempotency_key', '=', key)
          .executeTakeFirst();
        if (existing) {
          const stored = requestHash(
            existing.operation,
            toCanonicalJson(JSON.parse(existing.params), 'stored params'),
          );
          const given = requestHash(operation, toCanonicalJson(params, `params of "${operation}"`));
          if (stored !== given) {
            throw new QueueError(
              'IDEMPOTENCY_CONFLICT',
              `Idempotency key ${quoted(key)} was already used for a different request (queue item ${existing.id}); ` +
                'nothing was queued. Send a new key with a new request.',
            );
          }
          return existing.id;
        }
      }
      throw new QueueFullError(maxSize, operation);
    },

    async lease(options) {
      const count = requirePositiveInteger(options?.count, 'lease count');
      const leaseSeconds = requireLeaseSeconds(options?.leaseSeconds);
      const at = now();
      const token = randomBytes(16).toString('base64url');
      const { rows } = await leaseItems(db, {
        count,
        at,
        cutoff: cutoff(at),
        leaseUntil: Math.round(at + leaseSeconds * 1000),
        token,
      });
      return rows
        .map((row): LeasedRecord => ({ ...toRecord(row, at), leaseToken: token }))
        .sort(
          (a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        );
    },

    async ack(id, result, options) {
      requireId(id);
      const token = requireLeaseToken(options?.leaseToken, 'leaseToken');
      const resultJson = toJson(result === undefined ? null : result, `result of queue item ${id}`);
      await settle(id, 'ack', token, (at) => ackItem(db, { id, text: resultJson, at, token: token ?? null }));
    },

    async nack(id, error, options) {
      requireId(id);
      const token = requireLeaseToken(options?.leaseToken, 'leaseToken');
      const notBefore = toDateMs(options?.notBefore, 'notBefore');
      const text = storableText(String(error));
      await settle(id, 'nack', token, (at) =>
        nackItem(db, { id, error: text, at, token: token ?? null, notBefore }),
      );
    },

    async fail(id, reason, options) {
      requireId(id);
      const token = requireLeaseToken(options?.leaseToken, 'leaseToken');
      const text = storableText(String(reason));
      await settle(id, 'fail', token, (at) => failItem(db, { id, text, at, token: token ?? null }));
    },

    async extend(id, leaseToken, leaseSeconds) {
      requireId(id);
      const token = requireLeaseToken(leaseToken, 'leaseToken');
      if (token === undefined)
        throw new QueueError('INVALID_ARGUMENT', 'extend needs the leaseToken of the lease.');
      const seconds = requireLeaseSeconds(leaseSeconds);
      await settle(id, 'extend', token, (at) =>
        extendItem(db, { id, token, leaseUntil: Math.round(at + seconds * 1000), at }),
      );
    },

    async wake() {
      const at = now();
      const result = await db
        .updateTable('graphiti_queue')
        .set({ not_before: null, updated_at: at })
        .where('status', '=', 'ready')
        .where('not_before', 'is not', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async nextDueAt() {
      const at = now();
      const due = (await nextDue(db, { cutoff: cutoff(at) })).rows[0]?.due;
      if (due === null || due === undefined) return undefined;
      return new Date(Math.max(Number(due), at));
    },

    async get(id) {
      requireId(id);
      if (!isStorableId(id)) return undefined;
      const [row] = (await selectItem(db, { id })).rows;
      return row ? toRecord(row, now()) : undefined;
    },

    async list(options = {}) {
      const statuses = toStatuses(options.status);
      const olderThan = toTime(options.olderThan, 'olderThan');
      const limit = options.limit === undefined ? 100 : requirePositiveInteger(options.limit, 'list limit');
      await expire();
      const at = now();
      let query = selectAll();
      if (statuses)
        query = query.where((eb) => eb.or(statuses.map((status) => statusCondition(status, at)(eb))));
      if (olderThan !== undefined) query = query.where('created_at', '<', olderThan);
      const rows = await query.orderBy('created_at').orderBy('id').limit(limit).execute();
      return rows.map((row) => toRecord(row, at));
    },

    async stats() {
      await expire();
      const at = now();
      const groups = await db
        .selectFrom(table)
        .select((eb) => [
          'status',
          eb.fn.countAll<number>().as('n'),
          sql<number>`sum(case when ${eb.ref('lease_until')} > ${at} then 1 else 0 end)`.as('leased'),
          sql<
            number | null
          >`min(case when ${eb.ref('lease_until')} > ${at} then null else ${eb.ref('created_at')} end)`.as(
            'oldest_unleased',
          ),
        ])
        .groupBy('status')
        .execute();
      const counts: Record<QueueStatus, number> = { ready: 0, leased: 0, done: 0, failed: 0, expired: 0 };
      let oldestReady: number | null = null;
      for (const group of groups) {
        const n = Number(group.n);
        if (group.status === 'ready') {
          const leased = Number(group.leased ?? 0);
          counts.leased += leased;
          counts.ready += n - leased;
          if (group.oldest_unleased !== null) oldestReady = Number(group.oldest_unleased);
        } else {
          counts[group.status] += n;
        }
      }
      return {
        counts,
        pending: counts.ready + counts.leased,
        maxSize,
        oldestReadyAgeSeconds: oldestReady === null ? null : Math.max(0, (at - oldestReady) / 1000),
      };
    },

    async purge(options = {}) {
      const statuses = toStatuses(options.status) ?? (['done', 'failed', 'expired'] as const);
      const olderThan = toTime(options.olderThan, 'olderThan');
      await expire();
      const at = now();
      let query = db
        .deleteFrom(table)
        .where((eb) => eb.or(statuses.map((status) => statusCondition(status, at)(eb))));
      if (olderThan !== undefined) query = query.where('created_at', '<', olderThan);
      const result = await query.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    expire,
  };
}
