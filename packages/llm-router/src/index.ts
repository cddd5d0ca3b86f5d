export { type CloudCooldown, COOLDOWN_KEY, MODEL_COOLDOWNS_KEY } from './cooldown.js';
export { createRouter, type Router, type RouterOptions } from './create-router.js';
export {
  LLMRequestError,
  LLMUnavailableError,
  RouterError,
  type RouterErrorCode,
  StreamInterruptedError,
} from './errors.js';
export type { RouterEvent, RouterEventListener } from './events.js';
export {
  createFileStateStore,
  createMemoryStateStore,
  type FileStateStoreOptions,
} from './file-state-store.js';
export { resolveCloudModel } from './model-names.js';
export {
  type ProcessPendingOptions,
  type ProcessPendingResult,
  processPending,
  type ReplayProgress,
} from './process-pending.js';
export { rawBody } from './raw-body.js';
export type { ShowResult } from './show.js';
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
