export { type Classification, classifyError, classifyStatus } from './classify-error.js';
export { type CloudCooldown, COOLDOWN_KEY, parseRetryAfter } from './cooldown.js';
export { createRouter, type ModelListing, type Router, type RouterOptions } from './create-router.js';
export {
  LLMRequestError,
  LLMUnavailableError,
  RouterError,
  type RouterErrorCode,
  StreamInterruptedError,
} from './errors.js';
export {
  createFileStateStore,
  createMemoryStateStore,
  type FileStateStoreOptions,
} from './file-state-store.js';
export { cloudModelName, resolveCloudModel } from './model-names.js';
export {
  type ProcessPendingOptions,
  type ProcessPendingResult,
  processPending,
  type ReplayProgress,
} from './process-pending.js';
export type {
  AttemptFailure,
  CallOptions,
  FailedRequestSink,
  FailureReason,
  LocalModel,
  LocalModelSource,
  Logger,
  Operation,
  ProviderName,
  QueueItem,
  QuotaRecorder,
  ReplayQueue,
  RoutedChatResponse,
  RoutedEmbedResponse,
  RoutedGenerateResponse,
  RouterChatRequest,
  RouterEmbedRequest,
  RouterGenerateRequest,
  RouterStream,
  Served,
  StateStore,
} from './types.js';
