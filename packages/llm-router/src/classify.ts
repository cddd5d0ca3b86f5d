import type { FailureReason } from './types.js';
import { UpstreamError } from './upstream-error.js';

/** Why an attempt failed: a failover reason, or `bad_request` (the request itself is invalid). */
export type AttemptReason = FailureReason | 'bad_request';

/** How the router treats one failed HTTP attempt. */
export interface Classification {
  readonly reason: AttemptReason;
  /** HTTP status, or an error code such as 'ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'STREAM_ERROR'. */
  readonly code: number | string;
  /** Transient: worth retrying on the same provider (connection, DNS, connect timeout, 5xx). */
  readonly retryable: boolean;
  readonly message: string;
}

/** A failure found while reading an answer (an `{"error"}` line, no `done`, a malformed line, first-token timeout). */
export class StreamFault extends Error {
  /** `STREAM_ERROR` | `STREAM_TRUNCATED` | `MALFORMED_LINE` | `MALFORMED_RESPONSE` | `FIRST_TOKEN_TIMEOUT` | `ATTEMPT_TIMEOUT`. */
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'StreamFault';
    this.code = code;
  }
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
const timeoutCodes = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ATTEMPT_TIMEOUT',
  'FIRST_TOKEN_TIMEOUT',
]);
const streamCodes = new Set(['STREAM_ERROR', 'STREAM_TRUNCATED', 'MALFORMED_LINE', 'MALFORMED_RESPONSE']);

/** Ollama Cloud's concurrency cap (notes §9.4): a 429 that is not about quota. */
const CONCURRENCY_TEXT = /concurrent request slot/i;
/** `403 this model requires a subscription`: this model only. */
const SUBSCRIPTION_TEXT = /requires a subscription/i;
/** A named usage window in a 429 text: hourly, session, weekly, monthly, daily. */
const WINDOW_TEXT = /\b(hourly|session|weekly|monthly|daily)\b[^.]*?usage limit/i;

/** The status of an `UpstreamError`, or of the `ollama` client's ResponseError (`status_code`). */
export function responseStatus(error: unknown): number | undefined {
  if (error instanceof UpstreamError) return error.status;
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
  if (error instanceof UpstreamError) return error.upstreamMessage ?? error.message;
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    return cause && cause !== error.message ? `${error.message}: ${cause}` : error.message;
  }
  return String(error);
}

/**
 * The cloud answer table (ARCHITECTURE "Routing rules" 2) by status and body text:
 * 429 concurrency slot → `concurrency`; any other 429 → `rate_limit`; 402 and 403 "requires a
 * subscription" → `model_unavailable`; 401 and other 403 → `auth`; 404 → `not_found`; 408 and 5xx →
 * `transient` (retried); any other 4xx → `bad_request` (returned to the caller, never substituted or queued).
 */
export function classifyStatus(status: number, message: string): Classification {
  if (status === 429) {
    const reason = CONCURRENCY_TEXT.test(message) ? 'concurrency' : 'rate_limit';
    return { reason, code: status, retryable: false, message };
  }
  if (status === 402 || (status === 403 && SUBSCRIPTION_TEXT.test(message))) {
    return { reason: 'model_unavailable', code: status, retryable: false, message };
  }
  if (status === 401 || status === 403) return { reason: 'auth', code: status, retryable: false, message };
  if (status === 404) return { reason: 'not_found', code: status, retryable: false, message };
  if (status === 408 || status >= 500) return { reason: 'transient', code: status, retryable: true, message };
  return { reason: 'bad_request', code: status, retryable: false, message };
}

/** The usage window a 429 text names (`hourly`, `session`, `weekly`, `monthly`, `daily`), if any. */
export function usageWindow(message: string): string | undefined {
  return WINDOW_TEXT.exec(message)?.[1]?.toLowerCase();
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
  if (code !== undefined && timeoutCodes.has(code))
    return { reason: 'timeout', code, retryable: false, message };
  if (code !== undefined && streamCodes.has(code))
    return { reason: 'stream', code, retryable: false, message };
  if (responded) {
    if (error instanceof SyntaxError) {
      return { reason: 'stream', code: 'MALFORMED_RESPONSE', retryable: false, message };
    }
    if (message.startsWith('Did not receive done')) {
      return { reason: 'stream', code: 'STREAM_TRUNCATED', retryable: false, message };
    }
    return { reason: 'stream', code: code ?? 'STREAM_ERROR', retryable: false, message };
  }
  if (code !== undefined && connectionCodes.has(code)) {
    return { reason: 'connection', code, retryable: true, message };
  }
  return { reason: 'connection', code: code ?? 'UNKNOWN', retryable: false, message };
}
