import { type NativeChatChunk, toolCallParts } from './native-chunk.js';
import type { SseEvent } from './sse.js';

/** Anthropic's `stop_reason` for a native `done_reason` (tool calls win), as Ollama maps it. */
export function anthropicStopReason(doneReason: string | undefined, sawToolCalls: boolean): string | null {
  if (sawToolCalls) return 'tool_use';
  if (doneReason === 'length') return 'max_tokens';
  if (doneReason === 'stop' || doneReason === undefined || doneReason === '') return 'end_turn';
  return 'stop_sequence';
}

/** A complete native chat answer as an Anthropic `message` object. */
export function toAnthropicMessage(
  id: string,
  model: string,
  answer: NativeChatChunk,
): Record<string, unknown> {
  const content: Record<string, unknown>[] = [];
  const thinking = answer.message?.thinking ?? '';
  if (thinking !== '') content.push({ type: 'thinking', thinking, signature: '' });
  const text = answer.message?.content ?? '';
  if (text !== '') content.push({ type: 'text', text });
  const calls = toolCallParts(answer, 'toolu_');
  for (const call of calls)
    content.push({ type: 'tool_use', id: call.id, name: call.name, input: call.arguments });
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: anthropicStopReason(answer.done_reason, calls.length > 0),
    stop_sequence: null,
    usage: { input_tokens: answer.prompt_eval_count ?? 0, output_tokens: answer.eval_count ?? 0 },
  };
}

/** Anthropic's error `type` for an HTTP status (Ollama's `anthropic.NewError` table). */
export function anthropicErrorType(status: number): string {
  if (status === 400 || status === 413 || status === 422) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 503 || status === 529) return 'overloaded_error';
  return 'api_error';
}

/** The Anthropic error body `{"type":"error","error":{"type","message"}}` (plus `request_id` when queued). */
export function anthropicErrorBody(
  status: number,
  message: string,
  requestId?: string,
): Record<string, unknown> {
  return {
    type: 'error',
    error: { type: anthropicErrorType(status), message },
    ...(requestId === undefined ? {} : { request_id: requestId }),
  };
}

/** Turns native chat chunks into Anthropic streaming events, in order. */
export interface AnthropicStreamConverter {
  /** The events for the next native chunk (the first adds `message_start` and `ping`). */
  push(chunk: NativeChatChunk): SseEvent[];
  /** The events that end a stream that failed after it started: an `error` event (no `message_stop`). */
  fail(message: string, status?: number): SseEvent[];
}

/**
 * Creates a converter following Ollama's `anthropic.StreamConverter`: a thinking block is closed before the
 * text block opens, each tool call is a `tool_use` block with one `input_json_delta`, and the `done` chunk
 * closes the open block and sends `message_delta` (stop reason, usage) and `message_stop`.
 */
export function createAnthropicStreamConverter(id: string, model: string): AnthropicStreamConverter {
  let started = false;
  let index = 0;
  let open: 'thinking' | 'text' | undefined;
  let sawToolCalls = false;
  let inputTokens = 0;

  const event = (name: string, data: Record<string, unknown>): SseEvent => ({
    event: name,
    data: { type: name, ...data },
  });
  const close = (events: SseEvent[]): void => {
    if (open === undefined) return;
    events.push(event('content_block_stop', { index }));
    index++;
    open = undefined;
  };
  const ensure = (events: SseEvent[], kind: 'thinking' | 'text'): void => {
    if (open === kind) return;
    close(events);
    open = kind;
    const block =
      kind === 'thinking' ? { type: 'thinking', thinking: '', signature: '' } : { type: 'text', text: '' };
    events.push(event('content_block_start', { index, content_block: block }));
  };

  return {
    push(chunk) {
      const events: SseEvent[] = [];
      if (!started) {
        started = true;
        inputTokens = chunk.prompt_eval_count ?? 0;
        events.push(
          event('message_start', {
            message: {
              id,
              type: 'message',
              role: 'assistant',
              model,
              content: [],
              stop_reason: null,
              stop_sequence: null,
              usage: { input_tokens: inputTokens, output_tokens: 0 },
            },
          }),
          event('ping', {}),
        );
      }
      const thinking = chunk.message?.thinking ?? '';
      if (thinking !== '') {
        ensure(events, 'thinking');
        events.push(event('content_block_delta', { index, delta: { type: 'thinking_delta', thinking } }));
      }
      const text = chunk.message?.content ?? '';
      if (text !== '') {
        ensure(events, 'text');
        events.push(event('content_block_delta', { index, delta: { type: 'text_delta', text } }));
      }
      for (const call of toolCallParts(chunk, 'toolu_')) {
        close(events);
        sawToolCalls = true;
        events.push(
          event('content_block_start', {
            index,
            content_block: { type: 'tool_use', id: call.id, name: call.name, input: {} },
          }),
          event('content_block_delta', {
            index,
            delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.arguments) },
          }),
          event('content_block_stop', { index }),
        );
        index++;
      }
      if (chunk.done === true) {
        close(events);
        events.push(
          event('message_delta', {
            delta: { stop_reason: anthropicStopReason(chunk.done_reason, sawToolCalls), stop_sequence: null },
            usage: {
              input_tokens: chunk.prompt_eval_count ?? inputTokens,
              output_tokens: chunk.eval_count ?? 0,
            },
          }),
          event('message_stop', {}),
        );
      }
      return events;
    },
    fail(message, status = 502) {
      return [{ event: 'error', data: anthropicErrorBody(status, message) }];
    },
  };
}
