export { type StartLocalOllamaOptions, type StartLocalOllamaResult, startLocalOllama } from './auto-start.js';
export {
  type CheckCloudOptions,
  type CloudHealth,
  checkCloud,
  DEFAULT_CLOUD_TIMEOUTS,
} from './check-cloud.js';
export { type CheckLocalOptions, checkLocal, type LocalHealth } from './check-local.js';
export { HealthError, type HealthErrorCode } from './health-error.js';
export { DEFAULT_LOCAL_TIMEOUTS, listPulledModels } from './list-models.js';
export { createModelCache, type ModelCache, type ModelCacheOptions } from './model-cache.js';
export {
  type FallbackChain,
  fallbackChain,
  isEmbeddingModel,
  largestModel,
  modelMatches,
  normalizeModelName,
  parameterCount,
  parseParameterSize,
  pullCommand,
  type SizableModel,
  sortLargestFirst,
} from './model-names.js';
export type { PulledModel, Timeouts } from './types.js';
