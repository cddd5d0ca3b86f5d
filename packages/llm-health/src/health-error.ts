const marker = Symbol.for('graphiti.llm.error.HealthError');

/** Codes carried by {@link HealthError}. */
export type HealthErrorCode =
  /** The local Ollama server could not be reached (refused, reset, DNS, connect or read timeout). */
  | 'LOCAL_DOWN'
  /** The local server answered, but not with a usable model list (non-2xx status or invalid JSON). */
  | 'LOCAL_BAD_RESPONSE'
  /** An option was invalid (for example an endpoint that is not a URL). */
  | 'INVALID_OPTION';

/**
 * The one error class of `@graphiti/llm-health`. Health checks themselves never throw (they return a
 * report); this is thrown by {@link ModelCache.list} and for invalid options.
 */
export class HealthError extends Error {
  /** Stable machine-readable code. */
  readonly code: HealthErrorCode;
  /** Whether trying again later may succeed. */
  readonly retryable: boolean;
  constructor(
    code: HealthErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HealthError';
    this.code = code;
    this.retryable = options.retryable ?? code === 'LOCAL_DOWN';
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for any HealthError, also one created by another copy of this package. */
  static isInstance(error: unknown): error is HealthError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
