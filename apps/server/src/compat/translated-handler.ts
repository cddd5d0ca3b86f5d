import type { RouterStream, Served } from '@graphiti/llm-router';
import type { z } from 'zod';
import { prefersAsync } from '../async/prefer-async.js';
import { respondAsync } from '../async/respond-async.js';
import { type ErrorReply, type Handler, servedHeaders } from '../exchange.js';
import { readJsonObject, sendJson } from '../http-utils.js';
import { callOptions, type EventConverter, protocolHandler, sendEventStream } from './protocol-handler.js';
import { validateBody } from './validate-body.js';

/** The answers of one request: a whole native answer as the protocol's JSON, a native stream as its events. */
export interface TranslatedAnswers<C> {
  whole(answer: C & Served): unknown;
  events(model: string): EventConverter<C>;
}

/** A protocol route that is a translation of a routed native `/api/chat` or `/api/generate` call. */
export interface Translation<B, C> {
  /** The route, as validation errors name it. */
  readonly route: string;
  readonly schema: z.ZodType<B>;
  readonly operation: 'chat' | 'generate';
  /** `Prefer: respond-async` queues the request and answers 202 (the replay knows this route's answer). */
  readonly respondsAsync?: boolean;
  /** The native request for a validated body. */
  toNative(body: B): Record<string, unknown>;
  /** The answers of one request (with the ids and times its objects share). */
  answers(body: B): TranslatedAnswers<C>;
  /** The protocol's error body. */
  errorBody(reply: ErrorReply): unknown;
}

/**
 * A handler for a translated route: validates the body, translates it to a native request, routes it with
 * failover (queued at once with `Prefer: respond-async` where the route allows it), and answers JSON, or
 * server-sent events with `stream: true`; errors in the protocol's shape.
 */
export function translatedHandler<
  B extends Readonly<Record<string, unknown>> & { readonly stream?: unknown },
  C,
>(translation: Translation<B, C>): Handler {
  return protocolHandler(async (exchange, context) => {
    const { route, schema, operation } = translation;
    const body = validateBody(schema, await readJsonObject(exchange.request), route);
    const request = translation.toNative(body);
    if (translation.respondsAsync === true && prefersAsync(exchange.request)) {
      return respondAsync(exchange, context, { operation, params: request, request: body });
    }
    const answers = translation.answers(body);
    const { router } = context.runtime;
    const call = (stream: boolean): Promise<unknown> => {
      const params = { ...request, stream } as never;
      return operation === 'chat'
        ? router.chat(params, callOptions(exchange))
        : router.generate(params, callOptions(exchange));
    };
    if (body.stream !== true) {
      const answer = (await call(false)) as C & Served;
      exchange.provider = answer.provider;
      sendJson(exchange.response, 200, answers.whole(answer), servedHeaders(answer.provider, answer.model));
      return;
    }
    const stream = (await call(true)) as RouterStream<C>;
    await sendEventStream(exchange, context, stream, answers.events(stream.model));
  }, translation.errorBody);
}
