import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LlmConfig } from '@graphiti/llm-config';
import { QueueError } from '@graphiti/llm-queue';
import type { ProcessPendingResult } from '@graphiti/llm-router';
import { LLMRequestError, LLMUnavailableError, type Logger, RouterError } from '@graphiti/llm-router';
import { GatewayError } from './gateway-error.js';
import { headerValue, sendJson } from './http-utils.js';
import type { GatewayMetrics } from './metrics.js';
import type { RouteFamily } from './route-table.js';
import type { Runtime } from './runtime.js';
import type { Scrubber } from './secret-scrub.js';

/** What every handler gets. */
export interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  /** Aborted when the client goes away before the answer is complete. */
  readonly signal: AbortSignal;
  /** Which provider served this request, for the metrics (`none` until set). */
  provider: string;
  /** Path parameters of the matched route (`:digest`, `:model`, `:id`). */
  readonly params?: Readonly<Record<string, string>>;
  /** The id the router echoes on its events for this request (metrics join on it). */
  readonly callId?: string;
  /** The error shape of the matched route (OpenAI's under `/v1`, else Ollama's); derived from the path when unset. */
  readonly family?: RouteFamily;
}

/** The gateway's shared state, as handlers see it. */
export interface GatewayContext {
  readonly config: LlmConfig;
  readonly runtime: Runtime;
  readonly logger: Logger | undefined;
  readonly metrics: GatewayMetrics;
  /** Runs processPending once (after any run in progress). */
  replayOnce(): Promise<ProcessPendingResult>;
  /** Starts a background replay run as soon as possible (an async submission was queued). */
  readonly pokeReplay?: () => void;
  /** The background replay's state, for `GET /graphiti/queue`. */
  readonly replayStatus?: () => ReplayStatus;
  /** Milliseconds a readiness result is reused. */
  readonly readyCacheMs: number;
  /** Replaces every secret value (cloud key, gateway token, storage password) in an upstream text. */
  readonly scrub?: Scrubber;
}

/** What the background replay is doing, as `GET /graphiti/queue` reports it. */
export interface ReplayStatus {
  readonly running: boolean;
  /** Runs finished since the gateway started (a client that asked for one waits for this to grow). */
  readonly runs: number;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  readonly processed: number;
  readonly succeeded: number;
  readonly requeued: number;
  readonly failed: number;
  /** Why the last run stopped early (storage down, ...). */
  readonly error?: string;
}

/** A request handler. */
export type Handler = (exchange: Exchange, context: GatewayContext) => Promise<void>;

/** An error, as the HTTP answer will present it. */
export interface ErrorReply {
  readonly status: number;
  readonly message: string;
  /** The queued request's id (LLMUnavailableError). */
  readonly requestId?: string;
  readonly queued?: boolean;
  /** Seconds, for the Retry-After header. */
  readonly retryAfter?: number;
  /** A short machine code (`llm_unavailable`, `bad_request`, ...). */
  readonly code: string;
}

/** True for the abort raised when the client went away. */
export function isAbort(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    ((error as { name?: unknown }).name === 'AbortError' ||
      (error as { code?: unknown }).code === 'ABORT_ERR')
  );
}

/** True when `error` or one of its causes is a queue error with this code. */
function hasCauseCode(error: unknown, code: string): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if ((current as { code?: unknown }).code === code) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** A reused `Idempotency-Key` with a different body (the router's queue or the gateway's own submit). */
const IDEMPOTENCY_CONFLICT_REPLY: ErrorReply = {
  status: 422,
  message:
    'Idempotency-Key conflict: this key was already used for a request with a different body; send a new key for a new request',
  code: 'idempotency_conflict',
};

/** Maps anything a handler threw to a status and message (the one place errors become HTTP answers). */
export function errorReply(error: unknown, config: LlmConfig, scrub: Scrubber = (text) => text): ErrorReply {
  if (GatewayError.isInstance(error)) {
    return {
      status: error.status,
      message: scrub(error.message),
      code: error.code.toLowerCase(),
      ...(error.retryAfter === undefined ? {} : { retryAfter: error.retryAfter }),
    };
  }
  if (LLMUnavailableError.isInstance(error)) {
    if (hasCauseCode(error, 'IDEMPOTENCY_CONFLICT')) {
      return IDEMPOTENCY_CONFLICT_REPLY;
    }
    return {
      status: 503,
      message: scrub(error.message),
      ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
      queued: error.queued,
      retryAfter: Math.max(1, Math.round(config.queue.retry_interval_seconds)),
      code: 'llm_unavailable',
    };
  }
  if (QueueError.isInstance(error)) {
    // a queue call made by the gateway itself (an async submission)
    if (error.code === 'IDEMPOTENCY_CONFLICT') {
      return IDEMPOTENCY_CONFLICT_REPLY;
    }
    return {
      status: 503,
      message: scrub(`the request was NOT queued: ${error.message}`),
      queued: false,
      retryAfter: Math.max(1, Math.round(config.queue.retry_interval_seconds)),
      code: error.code.toLowerCase(),
    };
  }
  if (LLMRequestError.isInstance(error)) {
    const status = error.status >= 400 && error.status < 500 ? error.status : 400;
    const upstream = (error as { upstreamMessage?: unknown }).upstreamMessage;
    const message = typeof upstream === 'string' && upstream !== '' ? upstream : error.message;
    return { status, message: scrub(message), code: 'bad_request' };
  }
  if (RouterError.isInstance(error)) {
    return {
      status: error.code === 'ROUTER_CLOSED' ? 503 : 502,
      message: scrub(error.message),
      code: error.code.toLowerCase(),
    };
  }
  return {
    status: 500,
    message: scrub(`internal error: ${error instanceof Error ? error.message : String(error)}`),
    code: 'internal_error',
  };
}

/** Response headers naming who served an answer. */
export function servedHeaders(provider: string, model: string): Record<string, string> {
  return { 'x-graphiti-provider': headerValue(provider), 'x-graphiti-model': headerValue(model) };
}

/** Headers that go with an error reply (Retry-After). */
export function errorHeaders(reply: ErrorReply): Record<string, string> {
  return reply.retryAfter === undefined ? {} : { 'retry-after': String(reply.retryAfter) };
}

/**
 * Answers a failed request: logs 5xx replies, and sends `body(reply)` with the reply's status and
 * headers, or just ends the response when a stream already sent its headers.
 */
export function sendErrorReply(
  exchange: Exchange,
  context: GatewayContext,
  error: unknown,
  body: (reply: ErrorReply) => unknown,
): void {
  const reply = errorReply(error, context.config, context.scrub);
  if (reply.status >= 500) {
    context.logger?.warn(
      {
        event: 'gateway_request_failed',
        path: exchange.url.pathname,
        status: reply.status,
        code: reply.code,
      },
      reply.message,
    );
  }
  if (exchange.response.headersSent) {
    exchange.response.end();
    return;
  }
  sendJson(exchange.response, reply.status, body(reply), errorHeaders(reply));
}

/** Logs a stream that failed after its headers went out (`gateway_stream_failed`); returns the message to send. */
export function streamFailure(
  exchange: Exchange,
  context: GatewayContext,
  stream: { readonly provider: string; readonly model: string },
  error: unknown,
): string {
  const reply = errorReply(error, context.config, context.scrub);
  context.logger?.warn(
    {
      event: 'gateway_stream_failed',
      path: exchange.url.pathname,
      provider: stream.provider,
      model: stream.model,
    },
    reply.message,
  );
  return reply.message;
}
