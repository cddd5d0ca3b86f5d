import { type NativeChatChunk, toolCallParts } from './native-chunk.js';
import { openAiSseStream } from './openai-sse-stream.js';
import type { EventConverter } from './protocol-handler.js';

/** OpenAI's `choices[].logprobs` from native logprobs (native entries already have OpenAI's shape). */
export function choiceLogprobs(answer: NativeChatChunk): { content: Record<string, unknown>[] } | null {
  return Array.isArray(answer.logprobs) && answer.logprobs.length > 0
    ? { content: [...answer.logprobs] }
    : null;
}

/** Native tool calls as OpenAI `tool_calls` (arguments as a JSON text); undefined when there are none. */
export function openAiToolCalls(answer: NativeChatChunk): Record<string, unknown>[] | undefined {
  const calls = toolCallParts(answer, 'call_');
  if (calls.length === 0) return undefined;
  return calls.map((call, index) => ({
    index,
    id: call.id,
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.arguments) },
  }));
}

/** `tool_calls` when the answer called tools, `length` when `num_predict` cut it, else `stop`. */
export function chatFinishReason(answer: NativeChatChunk, sawToolCalls: boolean): string {
  if (sawToolCalls) return 'tool_calls';
  return answer.done_reason === 'length' ? 'length' : 'stop';
}

/** Token counts, OpenAI-style. */
export function chatUsage(answer: NativeChatChunk): Record<string, number> {
  const prompt = answer.prompt_eval_count ?? 0;
  const completion = answer.eval_count ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/** A complete native chat answer as an OpenAI `chat.completion` object (Ollama's `ToChatCompletion`). */
export function toChatCompletion(
  id: string,
  created: number,
  model: string,
  answer: NativeChatChunk,
): Record<string, unknown> {
  const calls = openAiToolCalls(answer);
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    system_fingerprint: 'fp_ollama',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.message?.content ?? '',
          ...(answer.message?.thinking ? { reasoning: answer.message.thinking } : {}),
          ...(calls === undefined ? {} : { tool_calls: calls }),
        },
        finish_reason: chatFinishReason(answer, calls !== undefined),
        logprobs: choiceLogprobs(answer),
      },
    ],
    usage: chatUsage(answer),
  };
}

/** What every chunk of one streamed chat completion repeats. */
export interface ChatCompletionStreamContext {
  readonly id: string;
  /** Unix seconds. */
  readonly created: number;
  /** The model answering, for chunks that do not name one. */
  readonly model: string;
  /** `stream_options.include_usage`: a last chunk with `usage` and no choices. */
  readonly includeUsage: boolean;
}

/**
 * The converter of a streamed chat completion into `chat.completion.chunk` objects (Ollama's `ToChunk`):
 * the first delta carries the role, thinking goes in `delta.reasoning`, tool calls in `delta.tool_calls`;
 * the done chunk is followed by one with the finish reason and, on request, one with the usage.
 */
export function createChatCompletionStream(
  context: ChatCompletionStreamContext,
): EventConverter<NativeChatChunk> {
  const { id, created } = context;
  const chunk = (
    delta: Record<string, unknown>,
    finish: string | null,
    model: string,
    logprobs: { content: Record<string, unknown>[] } | null = null,
  ): Record<string, unknown> => ({
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    system_fingerprint: 'fp_ollama',
    choices: [{ index: 0, delta, finish_reason: finish, ...(logprobs === null ? {} : { logprobs }) }],
  });
  let first = true;
  let sawToolCalls = false;
  return openAiSseStream((part: NativeChatChunk) => {
    const out: Record<string, unknown>[] = [];
    const model = part.model ?? context.model;
    const delta: Record<string, unknown> = first ? { role: 'assistant' } : {};
    const content = part.message?.content ?? '';
    if (content !== '' || first) delta.content = content;
    if (part.message?.thinking) delta.reasoning = part.message.thinking;
    const calls = openAiToolCalls(part);
    if (calls !== undefined) {
      sawToolCalls = true;
      delta.tool_calls = calls;
    }
    const logprobs = choiceLogprobs(part);
    if (first || Object.keys(delta).length > 0 || logprobs !== null)
      out.push(chunk(delta, null, model, logprobs));
    first = false;
    if (part.done === true) {
      out.push(chunk({}, chatFinishReason(part, sawToolCalls), model));
      if (context.includeUsage) out.push({ ...chunk({}, null, model), choices: [], usage: chatUsage(part) });
    }
    return out;
  });
}
