const queueErrorMarker = Symbol.for('graphiti.llm.error.QueueError');
const queueFullErrorMarker = Symbol.for('graphiti.llm.error.QueueFullError');

/** Machine-readable reasons a {@link QueueError} is thrown. */
export type QueueErrorCode =
  | 'QUEUE_FULL'
  | 'INVALID_PARAMS'
  | 'INVALID_ARGUMENT'
  | 'INVALID_STORAGE_URL'
  | 'STORAGE_UNREACHABLE'
  | 'STORAGE_BUSY'
  | 'STORAGE_ERROR'
  | 'MIGRATION_FAILED'
  | 'NOT_FOUND'
  | 'INVALID_STATE'
  | 'STORAGE_CLOSED'
  | 'IDEMPOTENCY_CONFLICT'
  | 'LEASE_LOST';

/** Options for {@link QueueError}. */
export interface QueueErrorOptions {
  /** The underlying error, kept for diagnosis. */
  readonly cause?: unknown;
}

/**
 * The one error class of `@graphiti/llm-queue`. Check with `QueueError.isInstance(error)` and
 * branch on `error.code`; the message says what was wrong and what to do.
 */
export class QueueError extends Error {
  /** Machine-readable reason. */
  readonly code: QueueErrorCode;

  constructor(code: QueueErrorCode, message: string, options: QueueErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QueueError';
    this.code = code;
    Object.defineProperty(this, queueErrorMarker, { value: true });
  }

  /** True for any QueueError, also one created by another copy of this package. */
  static isInstance(error: unknown): error is QueueError {
    return typeof error === 'object' && error !== null && queueErrorMarker in error;
  }
}

/**
 * Thrown by `queue.put` when `queue.max_size` items are already waiting (ready or leased).
 * The item was not stored and no existing item was dropped.
 */
export class QueueFullError extends QueueError {
  /** The configured limit (`queue.max_size`). */
  readonly maxSize: number;

  constructor(maxSize: number, operation: string) {
    super(
      'QUEUE_FULL',
      `Queue is full: ${maxSize} items are already waiting (queue.max_size), so this "${operation}" request ` +
        'was not queued. Replay or purge the queue (graphiti retry-queue, graphiti queue purge) or raise queue.max_size.',
    );
    this.name = 'QueueFullError';
    this.maxSize = maxSize;
    Object.defineProperty(this, queueFullErrorMarker, { value: true });
  }

  /** True for any QueueFullError, also one created by another copy of this package. */
  static override isInstance(error: unknown): error is QueueFullError {
    return typeof error === 'object' && error !== null && queueFullErrorMarker in error;
  }
}

function causeMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return causeMessage(error.errors[0]);
  if (error instanceof Error)
    return error.message || String((error as { code?: unknown }).code ?? error.name);
  return String(error);
}

/**
 * Turns what the database driver threw during `action` into a QueueError (the driver's error is
 * kept as `cause`): `STORAGE_BUSY` (SQLite write lock held too long), `STORAGE_UNREACHABLE`
 * (connection refused, reset or terminated), `STORAGE_CLOSED` (used after `close()`), else `STORAGE_ERROR`.
 */
export function toStorageError(error: unknown, action: string, where: string): QueueError {
  if (QueueError.isInstance(error)) return error;
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const message = causeMessage(error);
  if (code.startsWith('SQLITE_BUSY')) {
    return new QueueError(
      'STORAGE_BUSY',
      `${action} failed: ${where} stayed locked by another connection's write for longer than busyTimeoutMs. ` +
        'Retry, or raise busyTimeoutMs.',
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return new QueueError(
      'STORAGE_UNREACHABLE',
      `${action} failed: ${where} is read-only (${code}), so nothing was written. ` +
        'Check the permissions of the file and of its folder (storage.url / GRAPHITI_STORAGE_URL).',
      { cause: error },
    );
  }
  if (/^SQLITE_(CANTOPEN|IOERR|NOTADB|CORRUPT)/.test(code)) {
    return new QueueError(
      'STORAGE_UNREACHABLE',
      `${action} failed: cannot use ${where}: ${message} (${code}).`,
      {
        cause: error,
      },
    );
  }
  if (code === '3D000') {
    return new QueueError('STORAGE_UNREACHABLE', `${action} failed: ${where}: ${message}.`, { cause: error });
  }
  if (/has already been destroyed|database connection is not open/i.test(message)) {
    return new QueueError('STORAGE_CLOSED', `${action} failed: the storage (${where}) was closed.`, {
      cause: error,
    });
  }
  if (
    /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|ENOTFOUND|EHOSTUNREACH|EAI_AGAIN|08|57P0)/.test(code) ||
    /Connection terminated|connection timeout/i.test(message)
  ) {
    return new QueueError('STORAGE_UNREACHABLE', `${action} failed: cannot reach ${where}: ${message}.`, {
      cause: error,
    });
  }
  return new QueueError('STORAGE_ERROR', `${action} failed on ${where}: ${message}.`, { cause: error });
}
