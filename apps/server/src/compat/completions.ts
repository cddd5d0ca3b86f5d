import type { CompletionsRequest } from './completions-schema.js';
import type { NativeGenerateChunk } from './native-chunk.js';

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
