import { openAiErrorBody } from './openai-error-body.js';
import type { EventConverter } from './protocol-handler.js';
import { SSE_DONE } from './sse.js';

/**
 * The converter of an OpenAI stream (chat completions, legacy completions): each object `objects` makes of a
 * native chunk is one data-only event, a clean end is `data: [DONE]`, and a stream that broke after its first
 * chunk ends with an error object and no `[DONE]`, so the OpenAI client raises instead of returning a
 * truncated answer.
 */
export function openAiSseStream<T>(objects: (chunk: T) => readonly unknown[]): EventConverter<T> {
  return {
    push: (chunk) => objects(chunk).map((data) => ({ data })),
    fail: (message) => [{ data: openAiErrorBody(502, message, 'stream_interrupted') }],
    end: () => [SSE_DONE],
  };
}
