import type { RouterStream, Served } from '@graphiti/llm-router';
import { prefersAsync } from '../async/prefer-async.js';
import { respondAsync } from '../async/respond-async.js';
import { type Handler, servedHeaders } from '../exchange.js';
import { readJsonObject, sendJson } from '../http-utils.js';
import {
  anthropicErrorBody,
  createAnthropicStreamConverter,
  toAnthropicMessage,
} from './anthropic-events.js';
import { anthropicToNativeChat } from './anthropic-request.js';
import { anthropicMessagesSchema } from './anthropic-schema.js';
import { type NativeChatChunk, randomId } from './native-chunk.js';
import { callOptions, protocolHandler, sendEventStream } from './protocol-handler.js';
import { validateBody } from './validate-body.js';

/**
 * `POST /v1/messages`: the Anthropic Messages API, translated to `/api/chat` and routed with failover.
 * The client's `x-api-key` / `Authorization` are the gateway's business (never forwarded upstream);
 * `anthropic-version` and `anthropic-beta` are ignored. Errors use Anthropic's shape.
 */
export const anthropicMessagesHandler: Handler = protocolHandler(
  async (exchange, context) => {
    const body = validateBody(
      anthropicMessagesSchema,
      await readJsonObject(exchange.request),
      '/v1/messages',
    );
    const request = anthropicToNativeChat(body);
    if (prefersAsync(exchange.request)) {
      return respondAsync(exchange, context, { operation: 'chat', params: request, request: body });
    }
    const id = randomId('msg_');
    const router = context.runtime.router;
    if (body.stream !== true) {
      const answer = (await router.chat(
        { ...request, stream: false } as never,
        callOptions(exchange),
      )) as unknown as NativeChatChunk & Served;
      exchange.provider = answer.provider;
      sendJson(
        exchange.response,
        200,
        toAnthropicMessage(id, answer.model, answer),
        servedHeaders(answer.provider, answer.model),
      );
      return;
    }
    const stream = (await router.chat(
      { ...request, stream: true } as never,
      callOptions(exchange),
    )) as unknown as RouterStream<NativeChatChunk>;
    await sendEventStream(exchange, context, stream, createAnthropicStreamConverter(id, stream.model));
  },
  (reply) => anthropicErrorBody(reply.status, reply.message, reply.requestId),
);
