const marker = Symbol.for('graphiti.llm.error.QuotaError');

/** Codes carried by {@link QuotaError}. */
export type QuotaErrorCode =
  /** An option was out of range (for example a warning threshold above 1). */
  | 'INVALID_OPTION'
  /** A value could not be stored as JSON in the memory state store. */
  | 'INVALID_STATE_VALUE';

/** The one error class of `@graphiti/llm-quota`. */
export class QuotaError extends Error {
  /** Stable machine-readable code. */
  readonly code: QuotaErrorCode;

  constructor(code: QuotaErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QuotaError';
    this.code = code;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for any QuotaError, also one created by another copy of this package. */
  static isInstance(error: unknown): error is QuotaError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
