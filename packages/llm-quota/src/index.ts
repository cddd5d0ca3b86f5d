export {
  type CloudUsage,
  type CloudUsageTotals,
  type CloudUsageWindow,
  cloudResetAt,
  maxUsedFraction,
  parseBalance,
  parseUsage,
} from './cloud-usage.js';
export { quotaCounterKey } from './counter-flusher.js';
export type { Logger } from './logger.js';
export { QuotaError, type QuotaErrorCode } from './quota-error.js';
export {
  CLOUD_USAGE_KEY,
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
  type RateLimitObservation,
  redactHeaders,
} from './rate-limit-headers.js';
export { parseRetryAfter, retryAfterAt } from './retry-after.js';
export { scrubSecrets } from './scrub-secrets.js';
export {
  canonicalJson,
  createMemoryStateStore,
  type MemoryStateStoreOptions,
  type StateBatch,
  type StateStore,
} from './state-store.js';
export {
  createUsagePoller,
  type UsagePoller,
  type UsagePollerOptions,
  type UsagePollProblem,
} from './usage-poller.js';
