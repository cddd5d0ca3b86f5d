const marker = Symbol.for('graphiti.llm.error.GatewayError');

/** Codes of the gateway's errors. */
export type GatewayErrorCode =
  | 'AUTH_TOKEN_REQUIRED'
  | 'INVALID_OPTION'
  | 'LISTEN_FAILED'
  | 'BAD_REQUEST'
  | 'BODY_TOO_LARGE'
  | 'BODY_BUDGET_EXHAUSTED'
  | 'NOT_FOUND'
  | 'LOCAL_UNREACHABLE'
  | 'UPSTREAM_FAILED'
  | 'GATEWAY_CLOSED';

/** The error class of `@graphiti/server`; `code` says what went wrong. */
export class GatewayError extends Error {
  /** Machine-readable error code. */
  readonly code: GatewayErrorCode;
  /** HTTP status this error maps to when it answers a request. */
  readonly status: number;
  /** Seconds for a `Retry-After` header, when the client should come back. */
  readonly retryAfter: number | undefined;

  constructor(
    code: GatewayErrorCode,
    message: string,
    options: { cause?: unknown; status?: number; retryAfter?: number } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? 500;
    this.retryAfter = options.retryAfter;
    Object.defineProperty(this, marker, { value: true });
  }

  /** True for a GatewayError, even from a duplicate install of this package. */
  static isInstance(error: unknown): error is GatewayError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}

/** Shorthand for a 400 naming what was wrong. */
export function badRequest(message: string): GatewayError {
  return new GatewayError('BAD_REQUEST', message, { status: 400 });
}
