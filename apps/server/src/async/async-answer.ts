import { toAnthropicMessage } from '../compat/anthropic-events.js';
import { toChatCompletion } from '../compat/chat-completion-response.js';
import type { NativeChatChunk } from '../compat/native-chunk.js';
import type { AsyncRecord } from './async-submit.js';

/** The routes that accept `Prefer: respond-async`, and the operation each replays. */
export const ASYNC_ROUTES: Readonly<Record<string, 'chat' | 'generate' | 'embed'>> = {
  '/api/chat': 'chat',
  '/api/generate': 'generate',
  '/api/embed': 'embed',
  '/v1/chat/completions': 'chat',
  '/v1/messages': 'chat',
};

/**
 * A replayed answer (the router's native result, stored by the queue) in the protocol the request was sent
 * in: Ollama's own shape for `/api/*`, a `chat.completion` for `/v1/chat/completions`, an Anthropic message for
 * `/v1/messages`. Who served it is said beside the answer, not inside it.
 */
export function asyncAnswer(record: AsyncRecord, id: string, result: unknown): unknown {
  const { provider: _provider, ...native } = (result ?? {}) as Record<string, unknown>;
  const model = typeof native.model === 'string' ? native.model : String(record.request.model ?? '');
  switch (record.route) {
    case '/v1/chat/completions':
      return toChatCompletion(
        `chatcmpl-${id}`,
        Math.floor(Date.parse(record.submittedAt) / 1000),
        model,
        native as NativeChatChunk,
      );
    case '/v1/messages':
      return toAnthropicMessage(`msg_${id}`, model, native as NativeChatChunk);
    default:
      return native;
  }
}
