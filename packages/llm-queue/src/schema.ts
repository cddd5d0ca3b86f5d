/** Status stored in the `status` column. A live lease is `ready` with `lease_until` in the future. */
export type StoredStatus = 'ready' | 'done' | 'failed' | 'expired';

/** The `graphiti_queue` table. Times are epoch milliseconds. */
export interface QueueTable {
  id: string;
  operation: string;
  /** JSON text. */
  params: string;
  idempotency_key: string | null;
  status: StoredStatus;
  attempts: number;
  last_error: string | null;
  /** JSON text of the result passed to `ack`. */
  result: string | null;
  created_at: number;
  updated_at: number;
  lease_until: number | null;
  /** Not handed out before this instant (migration 0003); null means due now. */
  not_before: number | null;
  /** The random owner token of the current (or last) lease (migration 0003). */
  lease_token: string | null;
}

/** The `graphiti_state` table: small JSON values by key. */
export interface StateTable {
  key: string;
  /** Canonical JSON text (sorted keys). */
  value: string;
  /** Epoch milliseconds, or null for no expiry. */
  expires_at: number | null;
  updated_at: number;
}

/** The tables this package owns, as a Kysely database type. */
export interface QueueDatabase {
  graphiti_queue: QueueTable;
  graphiti_state: StateTable;
}
