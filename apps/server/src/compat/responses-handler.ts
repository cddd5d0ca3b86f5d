import type { Handler } from '../exchange.js';
import { randomId } from './native-chunk.js';
import { openAiErrorReply } from './openai-error-body.js';
import { createResponsesStreamConverter, toResponsesResponse } from './responses-events.js';
import { responsesToNativeChat } from './responses-request.js';
import { responsesRequestSchema } from './responses-schema.js';
import { translatedHandler } from './translated-handler.js';

/**
 * `POST /v1/responses`: the OpenAI Responses API (stateless), translated to `/api/chat` and routed with
 * failover; SSE events with `stream: true`; errors in OpenAI's shape; a stream that breaks after its first
 * chunk ends with `response.failed`.
 */
export const responsesHandler: Handler = translatedHandler({
  route: '/v1/responses',
  schema: responsesRequestSchema,
  operation: 'chat',
  toNative: responsesToNativeChat,
  answers(request) {
    const id = randomId('resp_');
    const createdAt = Math.floor(Date.now() / 1000);
    return {
      whole: (answer) => toResponsesResponse({ id, model: answer.model, request, createdAt }, answer),
      events: (model) => createResponsesStreamConverter({ id, model, request, createdAt }),
    };
  },
  errorBody: openAiErrorReply,
});
