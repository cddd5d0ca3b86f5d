import { type NativeChatChunk, randomId, toolCallsOf } from './native-chunk.js';

/** OpenAI's `choices[].logprobs` from native logprobs (native entries already have OpenAI's shape). */
export function choiceLogprobs(answer: NativeChatChunk): { content: Record<string, unknown>[] } | null {
  return Array.isArray(answer.logprobs) && answer.logprobs.length > 0
    ? { content: [...answer.logprobs] }
    : null;
}

/** Native tool calls as OpenAI `tool_calls` (arguments as a JSON text); undefined when there are none. */
export function openAiToolCalls(answer: NativeChatChunk): Record<string, unknown>[] | undefined {
  const calls = toolCallsOf(answer);
  if (calls.length === 0) return undefined;
  return calls.map((call, index) => ({
    index,
    id: call.id ?? randomId('call_', 8),
    type: 'function',
    function: {
      name: call.function?.name ?? '',
      arguments: JSON.stringify(call.function?.arguments ?? {}),
    },
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
