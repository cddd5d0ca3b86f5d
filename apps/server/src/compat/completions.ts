import type { CompletionsRequest } from './completions-schema.js';
import type { NativeGenerateChunk } from './native-chunk.js';
import { openAiSseStream } from './openai-sse-stream.js';
import type { EventConverter } from './protocol-handler.js';

/**
 * Translates a legacy completions request into a native `/api/generate` request (Ollama's
 * `FromCompleteRequest`): `suffix` passes through for fill-in-the-middle, `max_tokens` is `num_predict`,
 * `logprobs: n` asks for `logprobs` with `top_logprobs: n`.
 */
export function completionsToNativeGenerate(request: CompletionsRequest): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  if (typeof request.max_tokens === 'number') options.num_predict = request.max_tokens;
  if (typeof request.temperature === 'number') options.temperature = request.temperature;
  if (typeof request.top_p === 'number') options.top_p = request.top_p;
  if (typeof request.seed === 'number') options.seed = request.seed;
  if (typeof request.frequency_penalty === 'number') options.frequency_penalty = request.frequency_penalty;
  if (typeof request.presence_penalty === 'number') options.presence_penalty = request.presence_penalty;
  if (typeof request.stop === 'string') options.stop = [request.stop];
  else if (Array.isArray(request.stop)) options.stop = request.stop;
  const logprobs =
    typeof request.logprobs === 'number' && request.logprobs > 0 ? request.logprobs : undefined;
  return {
    ...(request.model === undefined ? {} : { model: request.model }),
    prompt: typeof request.prompt === 'string' ? request.prompt : request.prompt[0],
    ...(typeof request.suffix === 'string' ? { suffix: request.suffix } : {}),
    ...(Object.keys(options).length > 0 ? { options } : {}),
    ...(logprobs === undefined ? {} : { logprobs: true, top_logprobs: logprobs }),
  };
}

/** `length` when `num_predict` cut the answer, else `stop`. */
export function completionFinishReason(chunk: NativeGenerateChunk): string {
  return chunk.done_reason === 'length' ? 'length' : 'stop';
}

/** OpenAI's legacy `logprobs` object from native logprobs (`tokens`, `token_logprobs`, `top_logprobs`). */
export function legacyLogprobs(chunk: NativeGenerateChunk): Record<string, unknown> | null {
  const entries = chunk.logprobs;
  if (!Array.isArray(entries) || entries.length === 0) return null;
  return {
    tokens: entries.map((entry) => entry.token),
    token_logprobs: entries.map((entry) => entry.logprob),
    top_logprobs: entries.map((entry) =>
      Object.fromEntries(
        ((entry.top_logprobs as { token: string; logprob: number }[] | undefined) ?? []).map((top) => [
          top.token,
          top.logprob,
        ]),
      ),
    ),
    text_offset: entries.map((_, index) =>
      entries.slice(0, index).reduce((offset, entry) => offset + String(entry.token ?? '').length, 0),
    ),
  };
}

/** Token counts of a final chunk, OpenAI-style. */
export function completionUsage(chunk: NativeGenerateChunk): Record<string, number> {
  const prompt = chunk.prompt_eval_count ?? 0;
  const completion = chunk.eval_count ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** What every object of one text completion repeats. */
export interface TextCompletionContext {
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
}

function textCompletion(
  context: TextCompletionContext,
  model: string,
  choice: Record<string, unknown>,
): Record<string, unknown> {
  return {
    id: context.id,
    object: 'text_completion',
    created: context.created,
    model,
    system_fingerprint: 'fp_ollama',
    choices: [{ index: 0, ...choice }],
  };
}

/** A complete native generate answer as a `text_completion` object with usage. */
export function toTextCompletion(
  context: TextCompletionContext,
  model: string,
  answer: NativeGenerateChunk,
): Record<string, unknown> {
  const choice = {
    text: answer.response ?? '',
    logprobs: legacyLogprobs(answer),
    finish_reason: completionFinishReason(answer),
  };
  return { ...textCompletion(context, model, choice), usage: completionUsage(answer) };
}

/**
 * The converter of a streamed text completion: one `text_completion` object per chunk with text (and the
 * done chunk, with its finish reason), then on request one with the usage and no choices.
 */
export function createTextCompletionStream(
  context: TextCompletionContext & { readonly model: string; readonly includeUsage: boolean },
): EventConverter<NativeGenerateChunk> {
  return openAiSseStream((chunk: NativeGenerateChunk) => {
    const out: Record<string, unknown>[] = [];
    const model = chunk.model ?? context.model;
    const finish = chunk.done === true ? completionFinishReason(chunk) : null;
    const text = chunk.response ?? '';
    if (text !== '' || finish !== null) {
      out.push(
        textCompletion(context, model, { text, logprobs: legacyLogprobs(chunk), finish_reason: finish }),
      );
    }
    if (chunk.done === true && context.includeUsage) {
      out.push({ ...textCompletion(context, model, {}), choices: [], usage: completionUsage(chunk) });
    }
    return out;
  });
}
