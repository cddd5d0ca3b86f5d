import type { Handler } from '../exchange.js';
import {
  anthropicErrorBody,
  createAnthropicStreamConverter,
  toAnthropicMessage,
} from './anthropic-events.js';
import { anthropicToNativeChat } from './anthropic-request.js';
import { anthropicMessagesSchema } from './anthropic-schema.js';
import { randomId } from './native-chunk.js';
import { translatedHandler } from './translated-handler.js';

/**
 * `POST /v1/messages`: the Anthropic Messages API, translated to `/api/chat` and routed with failover.
 * The client's `x-api-key` / `Authorization` are the gateway's business (never forwarded upstream);
 * `anthropic-version` and `anthropic-beta` are ignored. Errors use Anthropic's shape.
 */
export const anthropicMessagesHandler: Handler = translatedHandler({
  route: '/v1/messages',
  schema: anthropicMessagesSchema,
  operation: 'chat',
  respondsAsync: true,
  toNative: anthropicToNativeChat,
  answers() {
    const id = randomId('msg_');
    return {
      whole: (answer) => toAnthropicMessage(id, answer.model, answer),
      events: (model) => createAnthropicStreamConverter(id, model),
    };
  },
  errorBody: (reply) => anthropicErrorBody(reply.status, reply.message, reply.requestId),
});
