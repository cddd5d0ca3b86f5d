import type { RouterStream } from '@graphiti/llm-router';
import {
  type ErrorReply,
  type Exchange,
  type GatewayContext,
  type Handler,
  isAbort,
  sendErrorReply,
  streamFailure,
} from '../exchange.js';
import { type SseEvent, startSse, writeEvents } from './sse.js';

/**
 * Wraps a handler so that anything it throws is answered in its protocol's error shape (`body(reply)`),
 * with the status and Retry-After the gateway gives every error. A client that went away gets nothing.
 */
export function protocolHandler(handler: Handler, body: (reply: ErrorReply) => unknown): Handler {
  return async (exchange, context) => {
    try {
      await handler(exchange, context);
    } catch (error) {
      if (exchange.signal.aborted) return;
      sendErrorReply(exchange, context, error, body);
    }
  };
}

/** Turns native chunks into a protocol's events. */
export interface EventConverter<T> {
  push(chunk: T): SseEvent[];
  /** The events that end a stream that failed after its first event. */
  fail(message: string): SseEvent[];
  /** The events after the last chunk of a stream that ended cleanly (OpenAI's `[DONE]`). */
  end?(): SseEvent[];
}

/**
 * Sends a routed stream as server-sent events: the headers (with who served it), the converted events of
 * every chunk and the converter's end events, and on a failure after the first chunk the protocol's failure
 * events instead of a clean end.
 */
export async function sendEventStream<T>(
  exchange: Exchange,
  context: GatewayContext,
  stream: RouterStream<T>,
  converter: EventConverter<T>,
): Promise<void> {
  exchange.provider = stream.provider;
  startSse(exchange.response, stream.provider, stream.model);
  try {
    for await (const chunk of stream) {
      if (!(await writeEvents(exchange.response, converter.push(chunk)))) {
        stream.abort();
        return;
      }
    }
    await writeEvents(exchange.response, converter.end?.() ?? []);
  } catch (error) {
    if (exchange.signal.aborted || isAbort(error)) return;
    const message = streamFailure(exchange, context, stream, error);
    await writeEvents(exchange.response, converter.fail(message));
  }
  exchange.response.end();
}

/** The router call options of an exchange: its abort signal and the client's `Idempotency-Key`. */
export function callOptions(exchange: Exchange): { signal: AbortSignal; idempotencyKey?: string } {
  const key = exchange.request.headers['idempotency-key'];
  return typeof key === 'string' && key !== ''
    ? { signal: exchange.signal, idempotencyKey: key }
    : { signal: exchange.signal };
}
