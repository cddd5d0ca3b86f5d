import type { Handler } from '../exchange.js';
import { completionsToNativeGenerate, createTextCompletionStream, toTextCompletion } from './completions.js';
import { completionsRequestSchema } from './completions-schema.js';
import { randomId } from './native-chunk.js';
import { openAiErrorReply } from './openai-error-body.js';
import { translatedHandler } from './translated-handler.js';

/**
 * `POST /v1/completions`: OpenAI legacy completions (autocomplete, fill-in-the-middle with `suffix`),
 * translated to `/api/generate` and routed with failover. Streams end in `data: [DONE]`; a stream that
 * breaks after its first chunk ends with an error event instead.
 */
export const completionsHandler: Handler = translatedHandler({
  route: '/v1/completions',
  schema: completionsRequestSchema,
  operation: 'generate',
  toNative: completionsToNativeGenerate,
  answers(body) {
    const context = { id: randomId('cmpl-'), created: Math.floor(Date.now() / 1000) };
    const includeUsage = body.stream_options?.include_usage === true;
    return {
      whole: (answer) => toTextCompletion(context, answer.model, answer),
      events: (model) => createTextCompletionStream({ ...context, model, includeUsage }),
    };
  },
  errorBody: openAiErrorReply,
});
