import { type NativeChatChunk, randomId, type ToolCallParts, toolCallParts } from './native-chunk.js';
import type { ResponsesRequest } from './responses-schema.js';
import type { SseEvent } from './sse.js';

/** What a response object echoes of its request. */
export interface ResponseContext {
  readonly id: string;
  readonly model: string;
  readonly request: ResponsesRequest;
  /** Unix seconds. */
  readonly createdAt: number;
}

type Item = Record<string, unknown>;

function usageOf(chunk: NativeChatChunk): Record<string, unknown> {
  const input = chunk.prompt_eval_count ?? 0;
  const output = chunk.eval_count ?? 0;
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: input + output,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens_details: { reasoning_tokens: 0 },
  };
}

/** The response object (`object: "response"`) with a status, its output items, usage and error. */
export function responseObject(
  context: ResponseContext,
  status: 'in_progress' | 'completed' | 'failed',
  output: readonly Item[],
  extra: { usage?: Record<string, unknown>; error?: { code: string; message: string } } = {},
): Record<string, unknown> {
  const { request } = context;
  const reasoning = request.reasoning;
  return {
    id: context.id,
    object: 'response',
    created_at: context.createdAt,
    completed_at: status === 'completed' ? Math.floor(Date.now() / 1000) : null,
    status,
    error: extra.error ?? null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: context.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning:
      reasoning === undefined || reasoning === null
        ? null
        : { effort: reasoning.effort ?? null, summary: reasoning.summary ?? null },
    store: false,
    temperature: request.temperature ?? 1,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? 1,
    truncation: request.truncation ?? 'disabled',
    usage: extra.usage ?? null,
    metadata: {},
  };
}

function reasoningItem(id: string, text: string): Item {
  return { id, type: 'reasoning', summary: [{ type: 'summary_text', text }], encrypted_content: text };
}

function outputText(text: string): Item {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

function messageItem(id: string, text: string, status: 'in_progress' | 'completed'): Item {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: status === 'completed' ? [outputText(text)] : [],
  };
}

function functionCallItem(call: ToolCallParts, status: 'in_progress' | 'completed'): Item {
  return {
    id: randomId('fc_'),
    type: 'function_call',
    status,
    call_id: call.id,
    name: call.name,
    arguments: status === 'completed' ? JSON.stringify(call.arguments) : '',
  };
}

/** A complete native chat answer as a Responses API response object. */
export function toResponsesResponse(
  context: ResponseContext,
  answer: NativeChatChunk,
): Record<string, unknown> {
  const output: Item[] = [];
  const thinking = answer.message?.thinking ?? '';
  if (thinking !== '') output.push(reasoningItem(randomId('rs_'), thinking));
  const calls = toolCallParts(answer, 'call_');
  const text = answer.message?.content ?? '';
  if (text !== '' || calls.length === 0) output.push(messageItem(randomId('msg_'), text, 'completed'));
  for (const call of calls) output.push(functionCallItem(call, 'completed'));
  return responseObject(context, 'completed', output, { usage: usageOf(answer) });
}

/** Turns native chat chunks into Responses streaming events, in order. */
export interface ResponsesStreamConverter {
  push(chunk: NativeChatChunk): SseEvent[];
  /** `response.failed` with what was produced so far (a stream that broke after its first chunk). */
  fail(message: string): SseEvent[];
}

/**
 * Creates a converter after Ollama's `ResponsesStreamConverter`: `response.created` and
 * `response.in_progress` first; a reasoning item (summary part and text deltas) closed before the message
 * item opens; `output_text` deltas inside one content part; each tool call a `function_call` item with its
 * arguments; everything closed and `response.completed` on the `done` chunk. Every event carries
 * `sequence_number`, and `output_index` matches the item's place in `output`.
 */
export function createResponsesStreamConverter(context: ResponseContext): ResponsesStreamConverter {
  let sequence = 0;
  let started = false;
  const done: Item[] = [];
  let open: { kind: 'reasoning' | 'message'; id: string; text: string } | undefined;

  const event = (type: string, data: Record<string, unknown>): SseEvent => ({
    event: type,
    data: { type, sequence_number: sequence++, ...data },
  });
  const close = (events: SseEvent[]): void => {
    if (open === undefined) return;
    const { id, text } = open;
    const where = { item_id: id, output_index: done.length };
    if (open.kind === 'reasoning') {
      const part = { type: 'summary_text', text };
      events.push(event('response.reasoning_summary_text.done', { ...where, summary_index: 0, text }));
      events.push(event('response.reasoning_summary_part.done', { ...where, summary_index: 0, part }));
      done.push(reasoningItem(id, text));
    } else {
      events.push(event('response.output_text.done', { ...where, content_index: 0, text, logprobs: [] }));
      events.push(
        event('response.content_part.done', { ...where, content_index: 0, part: outputText(text) }),
      );
      done.push(messageItem(id, text, 'completed'));
    }
    events.push(event('response.output_item.done', { output_index: done.length - 1, item: done.at(-1) }));
    open = undefined;
  };
  const ensure = (events: SseEvent[], kind: 'reasoning' | 'message'): void => {
    if (open?.kind === kind) return;
    close(events);
    const id = randomId(kind === 'reasoning' ? 'rs_' : 'msg_');
    open = { kind, id, text: '' };
    const where = { item_id: id, output_index: done.length };
    if (kind === 'reasoning') {
      events.push(
        event('response.output_item.added', {
          output_index: done.length,
          item: { id, type: 'reasoning', summary: [] },
        }),
        event('response.reasoning_summary_part.added', {
          ...where,
          summary_index: 0,
          part: { type: 'summary_text', text: '' },
        }),
      );
    } else {
      events.push(
        event('response.output_item.added', {
          output_index: done.length,
          item: messageItem(id, '', 'in_progress'),
        }),
        event('response.content_part.added', { ...where, content_index: 0, part: outputText('') }),
      );
    }
  };
  const toolCall = (events: SseEvent[], call: ToolCallParts): void => {
    close(events);
    const item = functionCallItem(call, 'completed');
    const where = { item_id: item.id, output_index: done.length };
    events.push(
      event('response.output_item.added', {
        output_index: done.length,
        item: { ...item, status: 'in_progress', arguments: '' },
      }),
      event('response.function_call_arguments.delta', { ...where, delta: item.arguments }),
      event('response.function_call_arguments.done', { ...where, arguments: item.arguments }),
      event('response.output_item.done', { output_index: done.length, item }),
    );
    done.push(item);
  };

  return {
    push(chunk) {
      const events: SseEvent[] = [];
      if (!started) {
        started = true;
        const initial = responseObject(context, 'in_progress', []);
        events.push(event('response.created', { response: initial }));
        events.push(event('response.in_progress', { response: initial }));
      }
      const thinking = chunk.message?.thinking ?? '';
      if (thinking !== '') {
        ensure(events, 'reasoning');
        if (open !== undefined) open.text += thinking;
        events.push(
          event('response.reasoning_summary_text.delta', {
            item_id: open?.id,
            output_index: done.length,
            summary_index: 0,
            delta: thinking,
          }),
        );
      }
      const text = chunk.message?.content ?? '';
      if (text !== '') {
        ensure(events, 'message');
        if (open !== undefined) open.text += text;
        events.push(
          event('response.output_text.delta', {
            item_id: open?.id,
            output_index: done.length,
            content_index: 0,
            delta: text,
            logprobs: [],
          }),
        );
      }
      for (const call of toolCallParts(chunk, 'call_')) toolCall(events, call);
      if (chunk.done === true) {
        close(events);
        const response = responseObject(context, 'completed', done, { usage: usageOf(chunk) });
        events.push(event('response.completed', { response }));
      }
      return events;
    },
    fail(message) {
      const response = responseObject(context, 'failed', done, { error: { code: 'server_error', message } });
      return [event('response.failed', { response })];
    },
  };
}
