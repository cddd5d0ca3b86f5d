export type { Logger } from './logger.js';
export { QuotaError, type QuotaErrorCode } from './quota-error.js';
export {
  type CloudCooldownRecord,
  COOLDOWN_KEY,
  createQuotaTracker,
  HEADERS_KEY,
  type QuotaCooldown,
  type QuotaCounters,
  type QuotaSnapshot,
  type QuotaTracker,
  type QuotaTrackerOptions,
  quotaDayKey,
  usageWindow,
  utcDay,
} from './quota-tracker.js';
export {
  type HeaderInput,
  parseRateLimitHeaders,
  parseReset,
  parseRetryAfter,
  type RateLimitObservation,
  redactHeaders,
} from './rate-limit-headers.js';
export {
  canonicalJson,
  createMemoryStateStore,
  type MemoryStateStoreOptions,
  type StateStore,
} from './state-store.js';
