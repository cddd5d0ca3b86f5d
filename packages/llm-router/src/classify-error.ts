import type { FailureReason } from './types.js';

/** How the router treats one failed HTTP attempt. */
export interface Classification {
  readonly reason: FailureReason;
  /** HTTP status, or an error code such as 'ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'STREAM_ERROR'. */
  readonly code: number | string;
  /** Transient: worth retrying on the same provider (connection, DNS, connect timeout, 5xx). */
  readonly retryable: boolean;
  readonly message: string;
}

const connectionCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const readTimeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ATTEMPT_TIMEOUT']);

/** The `status_code` of the `ollama` client's (unexported) ResponseError, if it is one. */
export function responseStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { name?: unknown; status_code?: unknown };
  return candidate.name === 'ResponseError' && typeof candidate.status_code === 'number'
    ? candidate.status_code
    : undefined;
}

/** The first error code found on an error, its cause chain, or an AggregateError's members. */
export function errorCode(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof candidate.code === 'string') return candidate.code;
  const fromCause = errorCode(candidate.cause, depth + 1);
  if (fromCause !== undefined) return fromCause;
  if (Array.isArray(candidate.errors)) {
    for (const member of candidate.errors) {
      const code = errorCode(member, depth + 1);
      if (code !== undefined) return code;
    }
  }
  return undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    return cause && cause !== error.message ? `${error.message}: ${cause}` : error.message;
  }
  return String(error);
}

/** The reason an HTTP status makes the router leave a provider, and whether it retries first. */
export function classifyStatus(status: number, message: string): Classification {
  if (status === 429) return { reason: 'rate_limit', code: status, retryable: false, message };
  if (status === 401 || status === 403) return { reason: 'auth', code: status, retryable: false, message };
  if (status === 404) return { reason: 'not_found', code: status, retryable: false, message };
  if (status === 408 || status >= 500) return { reason: 'transient', code: status, retryable: true, message };
  return { reason: 'bad_request', code: status, retryable: false, message };
}

/**
 * Classifies what an attempt threw. `responded` says whether response headers had arrived: after that,
 * a failure is part of the answer (stream) and is never retried on the same provider.
 */
export function classifyError(error: unknown, responded: boolean): Classification {
  const status = responseStatus(error);
  const message = messageOf(error);
  if (status !== undefined) return classifyStatus(status, message);
  const code = errorCode(error);
  if (code !== undefined && readTimeoutCodes.has(code)) {
    return { reason: 'timeout', code, retryable: false, message };
  }
  if (responded) {
    if (error instanceof SyntaxError) {
      return { reason: 'stream', code: 'MALFORMED_RESPONSE', retryable: false, message };
    }
    if (message.startsWith('Did not receive done')) {
      return { reason: 'stream', code: 'STREAM_TRUNCATED', retryable: false, message };
    }
    if (code !== undefined) return { reason: 'stream', code, retryable: false, message };
    return { reason: 'stream', code: 'STREAM_ERROR', retryable: false, message };
  }
  if (code !== undefined && connectionCodes.has(code)) {
    return { reason: 'connection', code, retryable: true, message };
  }
  return { reason: 'connection', code: code ?? 'UNKNOWN', retryable: false, message };
}
