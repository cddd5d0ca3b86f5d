import { answerText, chatKey, splitChunks, thinkingText, tokenCount } from '../answers.js';
import { type Exchange, HttpError, isObject, type Json, type RouteTable } from '../exchange.js';
import type { FakeContext } from '../fake-context.js';
import { requireObject } from '../request-checks.js';
import { sseEvent } from '../sse.js';
import { toolCallFor } from '../tool-calls.js';
import type { NativeMessage } from './anthropic-messages.js';
import { promptTokenCount } from './native-inference.js';
import { reasoningEffort } from './openai-compat.js';

function itemText(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content))
    throw new HttpError(400, `${where}: content must be a string or an array of content parts`);
  return content
    .filter(
      (part) =>
        isObject(part) && (part.type === 'input_text' || part.type === 'output_text' || part.type === 'text'),
    )
    .map((part) => String((part as Json).text ?? ''))
    .join('');
}

/**
 * The native messages of a Responses request, as the fake answers them: `instructions` first (as `system`),
 * `developer` read as `system`, a `function_call_output` item as a `tool` message, `function_call` items dropped.
 */
export function responsesToNative(body: Json): NativeMessage[] {
  const out: NativeMessage[] = [];
  if (typeof body.instructions === 'string' && body.instructions !== '')
    out.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') {
    out.push({ role: 'user', content: body.input });
    return out;
  }
  if (!Array.isArray(body.input))
    throw new HttpError(400, 'input is required: a string or an array of input items');
  body.input.forEach((item, index) => {
    const where = `input[${index}]`;
    if (!isObject(item)) throw new HttpError(400, `${where}: each input item must be an object`);
    if (item.type === 'function_call_output') {
      out.push({
        role: 'tool',
        content: typeof item.output === 'string' ? item.output : JSON.stringify(item.output),
      });
      return;
    }
    if (item.type === 'function_call' || item.type === 'reasoning') return;
    if (item.type !== undefined && item.type !== 'message')
      throw new HttpError(400, `${where}: unsupported input item type "${String(item.type)}"`);
    const role = item.role === 'developer' ? 'system' : item.role;
    if (role !== 'user' && role !== 'assistant' && role !== 'system') {
      throw new HttpError(400, `${where}: role must be "user", "assistant", "system" or "developer"`);
    }
    out.push({ role, content: itemText(item.content, where) });
  });
  return out;
}

/** OpenAI Responses (`POST /v1/responses`), stateless as Ollama serves it: text, reasoning, function calls, events in order. */
export function openAIResponsesRoutes(context: FakeContext): RouteTable {
  const { state, respond } = context;

  function responses(exchange: Exchange): void {
    const body = requireObject(exchange, 'openai.ResponsesRequest');
    if (body.previous_response_id !== undefined && body.previous_response_id !== null) {
      throw new HttpError(
        400,
        'previous_response_id is not supported: this server is stateless, send the whole conversation in input',
      );
    }
    const name = typeof body.model === 'string' ? body.model : '';
    if (name === '') throw new HttpError(400, 'model is required');
    const native = responsesToNative(body);
    const model = state.lookup(name);
    const tools = Array.isArray(body.tools)
      ? body.tools.filter((tool) => isObject(tool) && tool.type === 'function')
      : [];
    if (tools.length > 0 && !model.capabilities.includes('tools')) {
      throw new HttpError(400, `registry.ollama.ai/library/${model.name} does not support tools`);
    }
    const effort = reasoningEffort(body);
    if (effort !== undefined && !model.capabilities.includes('thinking'))
      throw new HttpError(400, `"${name}" does not support thinking`);
    state.touch(model);
    const input = chatKey(native);
    const callsTool = tools.length > 0 && native[native.length - 1]?.role === 'user';
    const schema =
      isObject(body.text) && isObject(body.text.format) && body.text.format.type === 'json_schema'
        ? (body.text.format.schema ?? 'json')
        : isObject(body.text) && isObject(body.text.format) && body.text.format.type === 'json_object'
          ? 'json'
          : undefined;
    const text = callsTool ? '' : answerText(name, 'chat', input, schema);
    const reasoning = effort === undefined ? undefined : thinkingText(name, 'chat', input);
    const call = callsTool ? toolCallFor(tools as Json[], state.nextId()) : undefined;
    const inputTokens = promptTokenCount(native);
    const outputTokens = tokenCount(text) + tokenCount(reasoning ?? '') + (call ? 8 : 0);
    state.recordUsage(name, inputTokens, outputTokens);
    const n = state.nextId();
    const id = `resp_${n}`;
    const reasoningItem =
      reasoning === undefined
        ? undefined
        : { id: `rs_${n}`, type: 'reasoning', summary: [{ type: 'summary_text', text: reasoning }] };
    const finalItem: Json = call
      ? {
          id: `fc_${n}`,
          type: 'function_call',
          status: 'completed',
          call_id: call.id,
          name: call.function.name,
          arguments: JSON.stringify(call.function.arguments),
        }
      : {
          id: `msg_${n}`,
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{ type: 'output_text', text, annotations: [] }],
        };
    const output = [...(reasoningItem ? [reasoningItem] : []), finalItem];
    const envelope = {
      id,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      model: name,
      ...(typeof body.instructions === 'string'
        ? { instructions: body.instructions }
        : { instructions: null }),
      tools: body.tools ?? [],
      parallel_tool_calls: true,
      previous_response_id: null,
    };
    const usage = {
      input_tokens: inputTokens,
      output_tokens: outputTokens,
      total_tokens: inputTokens + outputTokens,
    };
    const completed = { ...envelope, status: 'completed', error: null, output, usage };
    if (body.stream !== true) {
      respond.json(exchange, completed);
      return;
    }
    let sequence = 0;
    const event = (type: string, data: Json): string =>
      sseEvent(type, { type, sequence_number: sequence++, ...data });
    const pending = { ...envelope, status: 'in_progress', error: null, output: [], usage: null };
    const content = [
      event('response.created', { response: pending }),
      event('response.in_progress', { response: pending }),
    ];
    for (const [index, item] of output.entries())
      content.push(...itemEvents(item, index, state.chunks, event));
    const tail = [event('response.completed', { response: completed })];
    const failure = `event: response.failed\ndata: ${JSON.stringify({
      type: 'response.failed',
      response: {
        ...envelope,
        status: 'failed',
        error: {
          code: 'server_error',
          message: exchange.fault?.spec.message ?? 'llama runner process has terminated: exit status 2',
        },
        output: [],
        usage: null,
      },
    })}\n\n`;
    respond.stream(exchange, 'text/event-stream', content, tail, failure);
  }

  return { '/v1/responses': { POST: responses } };
}

type EventWriter = (type: string, data: Json) => string;

/** The events of one output item, in the order the OpenAI SDK expects them. */
function itemEvents(item: Json, index: number, chunks: number, event: EventWriter): string[] {
  const base = { output_index: index, item_id: item.id };
  if (item.type === 'reasoning') {
    const summary = String((item.summary as { text: string }[])[0]!.text);
    return [
      event('response.output_item.added', { output_index: index, item: { ...item, summary: [] } }),
      event('response.reasoning_summary_part.added', {
        ...base,
        summary_index: 0,
        part: { type: 'summary_text', text: '' },
      }),
      ...splitChunks(summary, chunks).map((delta) =>
        event('response.reasoning_summary_text.delta', { ...base, summary_index: 0, delta }),
      ),
      event('response.reasoning_summary_text.done', { ...base, summary_index: 0, text: summary }),
      event('response.reasoning_summary_part.done', {
        ...base,
        summary_index: 0,
        part: { type: 'summary_text', text: summary },
      }),
      event('response.output_item.done', { output_index: index, item }),
    ];
  }
  if (item.type === 'function_call') {
    return [
      event('response.output_item.added', {
        output_index: index,
        item: { ...item, status: 'in_progress', arguments: '' },
      }),
      event('response.function_call_arguments.delta', { ...base, delta: item.arguments }),
      event('response.function_call_arguments.done', { ...base, arguments: item.arguments }),
      event('response.output_item.done', { output_index: index, item }),
    ];
  }
  const text = String((item.content as { text: string }[])[0]!.text);
  const part = { type: 'output_text', text: '', annotations: [] };
  return [
    event('response.output_item.added', {
      output_index: index,
      item: { ...item, status: 'in_progress', content: [] },
    }),
    event('response.content_part.added', { ...base, content_index: 0, part }),
    ...splitChunks(text, chunks).map((delta) =>
      event('response.output_text.delta', { ...base, content_index: 0, delta, logprobs: [] }),
    ),
    event('response.output_text.done', { ...base, content_index: 0, text, logprobs: [] }),
    event('response.content_part.done', { ...base, content_index: 0, part: { ...part, text } }),
    event('response.output_item.done', { output_index: index, item }),
  ];
}
