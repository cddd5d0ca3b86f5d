import type { RouterStream, Served } from '@graphiti/llm-router';
import { type Handler, servedHeaders } from '../exchange.js';
import { readJsonObject, sendJson } from '../http-utils.js';
import { openAiErrorBody } from '../openai-api.js';
import { type NativeChatChunk, randomId } from './native-chunk.js';
import { callOptions, protocolHandler, sendEventStream } from './protocol-handler.js';
import { createResponsesStreamConverter, toResponsesResponse } from './responses-events.js';
import { responsesToNativeChat } from './responses-request.js';
import { responsesRequestSchema } from './responses-schema.js';
import { validateBody } from './validate-body.js';

/**
 * `POST /v1/responses`: the OpenAI Responses API (stateless), translated to `/api/chat` and routed with
 * failover; SSE events with `stream: true`; errors in OpenAI's shape; a stream that breaks after its first
 * chunk ends with `response.failed`.
 */
export const responsesHandler: Handler = protocolHandler(
  async (exchange, context) => {
    const body = validateBody(
      responsesRequestSchema,
      await readJsonObject(exchange.request),
      '/v1/responses',
    );
    const request = responsesToNativeChat(body);
    const id = randomId('resp_');
    const createdAt = Math.floor(Date.now() / 1000);
    const router = context.runtime.router;
    if (body.stream !== true) {
      const answer = (await router.chat(
        { ...request, stream: false } as never,
        callOptions(exchange),
      )) as unknown as NativeChatChunk & Served;
      exchange.provider = answer.provider;
      const response = toResponsesResponse({ id, model: answer.model, request: body, createdAt }, answer);
      sendJson(exchange.response, 200, response, servedHeaders(answer.provider, answer.model));
      return;
    }
    const stream = (await router.chat(
      { ...request, stream: true } as never,
      callOptions(exchange),
    )) as unknown as RouterStream<NativeChatChunk>;
    const converter = createResponsesStreamConverter({ id, model: stream.model, request: body, createdAt });
    await sendEventStream(exchange, context, stream, converter);
  },
  (reply) => openAiErrorBody(reply.status, reply.message, reply.code, reply.requestId),
);
