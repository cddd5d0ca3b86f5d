import type { AttemptFailure, ProviderName } from './types.js';

const baseMarker = Symbol.for('graphiti.llm.error.RouterError');
const unavailableMarker = Symbol.for('graphiti.llm.error.LLMUnavailableError');
const interruptedMarker = Symbol.for('graphiti.llm.error.StreamInterruptedError');
const requestMarker = Symbol.for('graphiti.llm.error.LLMRequestError');

function hasMarker(error: unknown, marker: symbol): boolean {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
}

/** Codes of the router's errors. */
export type RouterErrorCode = 'LLM_UNAVAILABLE' | 'STREAM_INTERRUPTED' | 'LLM_BAD_REQUEST' | 'ROUTER_CLOSED';

/** Base class of every error the router throws; `code` says which. */
export class RouterError extends Error {
  /** Machine-readable error code. */
  readonly code: RouterErrorCode;
  /** Whether trying the same request later may succeed. */
  readonly retryable: boolean;

  constructor(
    code: RouterErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RouterError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    Object.defineProperty(this, baseMarker, { value: true });
  }

  /** True for any router error, even from a duplicate install of this package. */
  static isInstance(error: unknown): error is RouterError {
    return hasMarker(error, baseMarker);
  }
}

/**
 * Neither cloud nor local could answer for availability reasons. When `queued` is true the request is in
 * the FailedRequestSink under `requestId` and can be replayed (`processPending`, `graphiti retry-queue`).
 */
export class LLMUnavailableError extends RouterError {
  /** The id of the queued request; undefined when it was not queued. */
  readonly requestId: string | undefined;
  /** Whether the request was stored for a later replay. */
  readonly queued: boolean;
  /** What each provider/model said. */
  readonly failures: readonly AttemptFailure[];

  constructor(
    message: string,
    options: { requestId?: string; queued: boolean; failures: readonly AttemptFailure[]; cause?: unknown },
  ) {
    super('LLM_UNAVAILABLE', message, { cause: options.cause, retryable: true });
    this.name = 'LLMUnavailableError';
    this.requestId = options.requestId;
    this.queued = options.queued;
    this.failures = options.failures;
    Object.defineProperty(this, unavailableMarker, { value: true });
  }

  static override isInstance(error: unknown): error is LLMUnavailableError {
    return hasMarker(error, unavailableMarker);
  }
}

/**
 * A stream failed after its first chunk reached the caller; `partial` is the text received so far.
 * It is never presented as a complete answer, and it is not queued.
 */
export class StreamInterruptedError extends RouterError {
  /** The content received before the failure. */
  readonly partial: string;
  /** The side that was answering. */
  readonly provider: ProviderName;
  /** The model that was answering. */
  readonly model: string;

  constructor(
    message: string,
    options: { partial: string; provider: ProviderName; model: string; cause?: unknown },
  ) {
    super('STREAM_INTERRUPTED', message, { cause: options.cause, retryable: true });
    this.name = 'StreamInterruptedError';
    this.partial = options.partial;
    this.provider = options.provider;
    this.model = options.model;
    Object.defineProperty(this, interruptedMarker, { value: true });
  }

  static override isInstance(error: unknown): error is StreamInterruptedError {
    return hasMarker(error, interruptedMarker);
  }
}

/**
 * A provider rejected the request itself (400 and other client errors), or the model exists on neither side
 * (404 `model 'x' not found`, as Ollama answers). Never substituted, never queued: fix the request.
 */
export class LLMRequestError extends RouterError {
  /** The provider's HTTP status (400, 404, ...). */
  readonly status: number;
  /** What each provider/model said. */
  readonly failures: readonly AttemptFailure[];
  /** The provider's own `error` text (secrets scrubbed): the gateway answers `{"error": upstreamMessage}`. */
  readonly upstreamMessage: string | undefined;

  constructor(
    message: string,
    options: {
      status: number;
      failures: readonly AttemptFailure[];
      upstreamMessage?: string | undefined;
      cause?: unknown;
    },
  ) {
    super('LLM_BAD_REQUEST', message, { cause: options.cause, retryable: false });
    this.name = 'LLMRequestError';
    this.status = options.status;
    this.failures = options.failures;
    this.upstreamMessage = options.upstreamMessage;
    Object.defineProperty(this, requestMarker, { value: true });
  }

  static override isInstance(error: unknown): error is LLMRequestError {
    return hasMarker(error, requestMarker);
  }
}
