import { answerText, chatKey, splitChunks, thinkingText, tokenCount } from '../answers.js';
import { type Exchange, HttpError, isObject, type Json, type RouteTable } from '../exchange.js';
import type { FakeContext } from '../fake-context.js';
import { requireObject } from '../request-checks.js';
import { sseEvent } from '../sse.js';
import { toolCallFor } from '../tool-calls.js';
import { promptTokenCount } from './native-inference.js';

/** A native chat message, as Ollama's Anthropic middleware turns the request into one. */
export interface NativeMessage {
  readonly role: string;
  readonly content: string;
}

function blockText(content: unknown, where: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content))
    throw new HttpError(400, `${where}: content must be a string or an array of content blocks`);
  const texts: string[] = [];
  for (const block of content) {
    if (!isObject(block) || typeof block.type !== 'string') {
      throw new HttpError(400, `${where}: each content block must be an object with a "type"`);
    }
    if (block.type === 'text') texts.push(String(block.text ?? ''));
  }
  return texts.join('');
}

/**
 * The native messages of an Anthropic request, as the fake answers them: `system` first (as a `system`
 * message), text blocks joined, each `tool_result` block its own `tool` message, `tool_use` blocks dropped.
 */
export function anthropicToNative(body: Json): NativeMessage[] {
  const out: NativeMessage[] = [];
  if (body.system !== undefined && body.system !== null)
    out.push({ role: 'system', content: blockText(body.system, 'system') });
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new HttpError(400, 'messages is required');
  messages.forEach((message, index) => {
    const where = `messages[${index}]`;
    if (!isObject(message) || (message.role !== 'user' && message.role !== 'assistant')) {
      throw new HttpError(400, `${where}: role must be "user" or "assistant"`);
    }
    if (Array.isArray(message.content)) {
      for (const block of message.content) {
        if (isObject(block) && block.type === 'tool_result') {
          out.push({ role: 'tool', content: blockText(block.content ?? '', `${where}.tool_result`) });
        }
      }
    }
    const text = blockText(message.content, where);
    const onlyResults =
      Array.isArray(message.content) &&
      message.content.every((block) => isObject(block) && block.type === 'tool_result');
    if (!onlyResults) out.push({ role: message.role, content: text });
  });
  return out;
}

/** Anthropic Messages (`POST /v1/messages`) as Ollama's middleware serves it: text, thinking, tool_use, SSE events in order. */
export function anthropicMessagesRoutes(context: FakeContext): RouteTable {
  const { state, respond } = context;

  function messages(exchange: Exchange): void {
    const body = requireObject(exchange, 'anthropic.MessagesRequest');
    const name = typeof body.model === 'string' ? body.model : '';
    if (name === '') throw new HttpError(400, 'model is required');
    if (typeof body.max_tokens !== 'number' || body.max_tokens <= 0) {
      throw new HttpError(400, 'max_tokens is required and must be a positive integer');
    }
    const native = anthropicToNative(body);
    const model = state.lookup(name);
    const tools = Array.isArray(body.tools) ? body.tools.filter(isObject) : [];
    if (tools.length > 0 && !model.capabilities.includes('tools')) {
      throw new HttpError(400, `registry.ollama.ai/library/${model.name} does not support tools`);
    }
    const thinking = isObject(body.thinking) && body.thinking.type === 'enabled';
    if (thinking && !model.capabilities.includes('thinking'))
      throw new HttpError(400, `"${name}" does not support thinking`);
    state.touch(model);
    const input = chatKey(native);
    const last = native[native.length - 1];
    const callsTool = tools.length > 0 && last?.role === 'user';
    const text = callsTool ? '' : answerText(name, 'chat', input, undefined);
    const thought = thinking ? thinkingText(name, 'chat', input) : undefined;
    const call = callsTool ? toolCallFor(tools, state.nextId()) : undefined;
    const inputTokens = promptTokenCount(native);
    const outputTokens = tokenCount(text) + tokenCount(thought ?? '') + (call ? 8 : 0);
    state.recordUsage(name, inputTokens, outputTokens);
    const id = `msg_${state.nextId().toString().padStart(24, '0')}`;
    const signature = Buffer.from(`fake-signature:${id}`).toString('base64');
    const toolUse = call && {
      type: 'tool_use',
      id: `toolu_${call.id.slice(5)}`,
      name: call.function.name,
      input: call.function.arguments,
    };
    const stopReason = call ? 'tool_use' : 'end_turn';
    const blocks: Json[] = [
      ...(thought === undefined ? [] : [{ type: 'thinking', thinking: thought, signature }]),
      ...(toolUse ? [toolUse] : [{ type: 'text', text }]),
    ];
    const envelope = { id, type: 'message', role: 'assistant', model: name };
    if (body.stream !== true) {
      respond.json(exchange, {
        ...envelope,
        content: blocks,
        stop_reason: stopReason,
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: outputTokens },
      });
      return;
    }
    const content: string[] = [
      sseEvent('message_start', {
        type: 'message_start',
        message: {
          ...envelope,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: inputTokens, output_tokens: 0 },
        },
      }),
    ];
    for (const [index, block] of blocks.entries()) content.push(...blockEvents(block, index, state.chunks));
    const tail = [
      sseEvent('message_delta', {
        type: 'message_delta',
        delta: { stop_reason: stopReason, stop_sequence: null },
        usage: { output_tokens: outputTokens },
      }),
      sseEvent('message_stop', { type: 'message_stop' }),
    ];
    const error = sseEvent('error', {
      type: 'error',
      error: {
        type: 'api_error',
        message: exchange.fault?.spec.message ?? 'llama runner process has terminated: exit status 2',
      },
    });
    respond.stream(exchange, 'text/event-stream', content, tail, error);
  }

  return { '/v1/messages': { POST: messages } };
}

/** The SSE events of one content block: start, deltas, stop (a thinking block is closed before the text starts). */
function blockEvents(block: Json, index: number, chunks: number): string[] {
  const start = (contentBlock: Json): string =>
    sseEvent('content_block_start', { type: 'content_block_start', index, content_block: contentBlock });
  const delta = (value: Json): string =>
    sseEvent('content_block_delta', { type: 'content_block_delta', index, delta: value });
  const stop = sseEvent('content_block_stop', { type: 'content_block_stop', index });
  if (block.type === 'thinking') {
    return [
      start({ type: 'thinking', thinking: '' }),
      ...splitChunks(String(block.thinking), chunks).map((piece) =>
        delta({ type: 'thinking_delta', thinking: piece }),
      ),
      delta({ type: 'signature_delta', signature: block.signature }),
      stop,
    ];
  }
  if (block.type === 'tool_use') {
    return [
      start({ type: 'tool_use', id: block.id, name: block.name, input: {} }),
      delta({ type: 'input_json_delta', partial_json: JSON.stringify(block.input) }),
      stop,
    ];
  }
  return [
    start({ type: 'text', text: '' }),
    ...splitChunks(String(block.text), chunks).map((piece) => delta({ type: 'text_delta', text: piece })),
    stop,
  ];
}
