const marker = Symbol.for('graphiti.llm.error.OllamaFakeError');

/** Codes carried by {@link OllamaFakeError}. */
export type OllamaFakeErrorCode =
  | 'INVALID_FAULT'
  | 'INVALID_MODELS'
  | 'INVALID_OPTIONS'
  | 'FAKE_CLOSED'
  | 'LISTEN_FAILED';

/**
 * The one error class of `@graphiti/ollama-fake`: bad fault specs, bad model lists, bad options,
 * a listener that could not start, or a `start()` after `close()`.
 */
export class OllamaFakeError extends Error {
  /** Machine-readable reason. */
  readonly code: OllamaFakeErrorCode;

  constructor(code: OllamaFakeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OllamaFakeError';
    this.code = code;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for an OllamaFakeError from any copy of this package. */
  static isInstance(error: unknown): error is OllamaFakeError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
