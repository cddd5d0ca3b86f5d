import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LlmConfig } from '@graphiti/llm-config';
import type { ProcessPendingResult } from '@graphiti/llm-router';
import { LLMRequestError, LLMUnavailableError, type Logger, RouterError } from '@graphiti/llm-router';
import { GatewayError } from './gateway-error.js';
import { sendJson } from './http-utils.js';
import type { GatewayMetrics } from './metrics.js';
import type { Runtime } from './runtime.js';

/** What every handler gets. */
export interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly url: URL;
  /** Aborted when the client goes away before the answer is complete. */
  readonly signal: AbortSignal;
  /** Which provider served this request, for the metrics (`none` until set). */
  provider: string;
}

/** The gateway's shared state, as handlers see it. */
export interface GatewayContext {
  readonly config: LlmConfig;
  readonly runtime: Runtime;
  readonly logger: Logger | undefined;
  readonly metrics: GatewayMetrics;
  /** Runs processPending once (after any run in progress). */
  replayOnce(): Promise<ProcessPendingResult>;
  /** Milliseconds a readiness result is reused. */
  readonly readyCacheMs: number;
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

/** Maps anything a handler threw to a status and message. */
export function errorReply(error: unknown, config: LlmConfig): ErrorReply {
  if (GatewayError.isInstance(error)) {
    return { status: error.status, message: error.message, code: error.code.toLowerCase() };
  }
  if (LLMUnavailableError.isInstance(error)) {
    return {
      status: 503,
      message: error.message,
      ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
      queued: error.queued,
      retryAfter: Math.max(1, Math.round(config.queue.retry_interval_seconds)),
      code: 'llm_unavailable',
    };
  }
  if (LLMRequestError.isInstance(error)) {
    const status = error.status >= 400 && error.status < 500 ? error.status : 400;
    return { status, message: error.message, code: 'bad_request' };
  }
  if (RouterError.isInstance(error)) {
    return {
      status: error.code === 'ROUTER_CLOSED' ? 503 : 502,
      message: error.message,
      code: error.code.toLowerCase(),
    };
  }
  return {
    status: 500,
    message: `internal error: ${error instanceof Error ? error.message : String(error)}`,
    code: 'internal_error',
  };
}

/** Response headers naming who served an answer. */
export function servedHeaders(provider: string, model: string): Record<string, string> {
  return { 'x-graphiti-provider': provider, 'x-graphiti-model': model };
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
  const reply = errorReply(error, context.config);
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
  const reply = errorReply(error, context.config);
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
