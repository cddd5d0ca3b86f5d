export type {
  LeaseOptions,
  ListOptions,
  PurgeOptions,
  PutOptions,
  Queue,
  QueueItem,
  QueueRecord,
  QueueStats,
  QueueStatus,
} from './create-queue.js';
export { queueStatuses } from './create-queue.js';
export type { StateBatch, StateSetOptions, StateStore } from './create-state-store.js';
export type { DialectName, SqliteSynchronous } from './dialect.js';
export type { QueueErrorCode, QueueErrorOptions } from './errors.js';
export { QueueError, QueueFullError } from './errors.js';
export { migrations } from './migrations.js';
export type { Logger, Storage, StorageOptions } from './open-storage.js';
export { openStorage } from './open-storage.js';
export type { QueueDatabase, QueueTable, StateTable, StoredStatus } from './schema.js';
export type { StorageTarget } from './storage-url.js';
export { parseStorageUrl, redactUrl } from './storage-url.js';
