import type { AnthropicContentBlock, AnthropicMessagesRequest } from './anthropic-schema.js';
import { type NativeMessage, toolNameFor } from './native-chunk.js';
import { REASONING_EFFORTS, type ReasoningEffort, thinkFromEffort } from './reasoning-effort.js';
import { badRequest } from './validate-body.js';

type Block = AnthropicContentBlock;

function imageData(block: Extract<Block, { type: 'image' }>, where: string): string {
  if (block.source.type !== 'base64' || typeof block.source.data !== 'string') {
    throw badRequest(`${where}: only base64 image sources are supported (remote image URLs are not fetched)`);
  }
  return block.source.data;
}

function toolResultMessage(
  block: Extract<Block, { type: 'tool_result' }>,
  where: string,
  earlier: readonly NativeMessage[],
): NativeMessage {
  const texts: string[] = [];
  const images: string[] = [];
  if (typeof block.content === 'string') texts.push(block.content);
  else {
    for (const [index, part] of (block.content ?? []).entries()) {
      if (part.type === 'text' && typeof part.text === 'string') texts.push(part.text);
      else if (part.type === 'image') images.push(imageData(part as never, `${where}.content[${index}]`));
    }
  }
  const name = toolNameFor(earlier, block.tool_use_id);
  return {
    role: 'tool',
    content: texts.join(''),
    ...(images.length > 0 ? { images } : {}),
    tool_call_id: block.tool_use_id,
    ...(name === undefined ? {} : { tool_name: name }),
  };
}

/** A web search result block as a `tool` message: one `- title: url` line per result (Ollama's text). */
function webSearchResultMessage(
  block: Extract<Block, { type: 'web_search_tool_result' }>,
  earlier: readonly NativeMessage[],
): NativeMessage {
  const content = block.content;
  let text: string;
  if (typeof content === 'string') text = content;
  else if (Array.isArray(content)) {
    text = content
      .filter(
        (item): item is { type: string; title?: unknown; url?: unknown } =>
          typeof item === 'object' && item !== null,
      )
      .filter((item) => item.type === 'web_search_result')
      .map((item) => `- ${String(item.title ?? '')}: ${String(item.url ?? '')}\n`)
      .join('');
  } else text = JSON.stringify(content ?? '');
  const name = toolNameFor(earlier, block.tool_use_id);
  return {
    role: 'tool',
    content: text,
    tool_call_id: block.tool_use_id,
    ...(name === undefined ? {} : { tool_name: name }),
  };
}

/** Converts one Anthropic message to native messages (tool results become `tool` messages), as Ollama does. */
function convertMessage(
  source: AnthropicMessagesRequest['messages'][number],
  index: number,
  earlier: readonly NativeMessage[],
): NativeMessage[] {
  const blocks: Block[] =
    typeof source.content === 'string' ? [{ type: 'text', text: source.content }] : source.content;
  const message: NativeMessage = { role: source.role, content: '' };
  const results: NativeMessage[] = [];
  // results may answer tool calls of this very message (server tools): look them up here too
  const known = [...earlier, message];
  let hasContent = false;
  for (const [blockIndex, block] of blocks.entries()) {
    const where = `messages[${index}].content[${blockIndex}]`;
    if (block.type === 'text') {
      message.content += block.text;
      hasContent ||= block.text !== '';
    } else if (block.type === 'image') {
      message.images = [...(message.images ?? []), imageData(block, where)];
      hasContent = true;
    } else if (block.type === 'tool_use' || block.type === 'server_tool_use') {
      message.tool_calls = [
        ...(message.tool_calls ?? []),
        { id: block.id, function: { name: block.name, arguments: block.input ?? {} } },
      ];
      hasContent = true;
    } else if (block.type === 'tool_result') {
      results.push(toolResultMessage(block, where, known));
    } else if (block.type === 'web_search_tool_result') {
      results.push(webSearchResultMessage(block, known));
    } else if (block.type === 'thinking') {
      message.thinking = block.thinking;
      hasContent ||= block.thinking !== '';
    }
  }
  const main = hasContent ? [message] : [];
  // a user turn answers tool calls first, then says more; an assistant turn's results follow it
  return source.role === 'user' ? [...results, ...main] : [...main, ...results];
}

function systemText(system: AnthropicMessagesRequest['system']): string {
  if (system === undefined) return '';
  if (typeof system === 'string') return system;
  return system.map((block) => block.text).join('\n\n');
}

function think(request: AnthropicMessagesRequest): boolean | string | undefined {
  if (request.thinking?.type === 'enabled' || request.thinking?.type === 'adaptive') return true;
  if (request.thinking?.type === 'disabled') return false;
  const effort = request.output_config?.effort?.trim().toLowerCase();
  if (effort === undefined || effort === '') return undefined;
  if (!(REASONING_EFFORTS as readonly string[]).includes(effort)) {
    throw badRequest(
      `"output_config.effort" must be one of ${REASONING_EFFORTS.join(', ')}, got "${effort}"`,
    );
  }
  return thinkFromEffort(effort as ReasoningEffort);
}

/**
 * Translates an Anthropic Messages request into a native `/api/chat` request, following Ollama's
 * `anthropic.FromMessagesRequest`: `system` becomes a system message, `tool_result` blocks become `tool`
 * messages (with `tool_name` looked up from the matching `tool_use`), `max_tokens` is `num_predict`,
 * `thinking` is `think`.
 */
export function anthropicToNativeChat(request: AnthropicMessagesRequest): Record<string, unknown> {
  const messages: NativeMessage[] = [];
  const system = systemText(request.system);
  if (system !== '') messages.push({ role: 'system', content: system });
  for (const [index, message] of request.messages.entries()) {
    messages.push(...convertMessage(message, index, messages));
  }
  const options: Record<string, unknown> = {};
  if (request.max_tokens !== undefined) options.num_predict = request.max_tokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.top_p !== undefined) options.top_p = request.top_p;
  if (request.top_k !== undefined) options.top_k = request.top_k;
  if (request.stop_sequences !== undefined && request.stop_sequences.length > 0)
    options.stop = request.stop_sequences;
  const tools = (request.tools ?? []).map((tool) => ({
    type: 'function',
    function: {
      name: tool.name,
      ...(tool.description === undefined ? {} : { description: tool.description }),
      parameters: tool.input_schema ?? { type: 'object', properties: {} },
    },
  }));
  const thinkValue = think(request);
  return {
    ...(request.model === undefined ? {} : { model: request.model }),
    messages,
    ...(Object.keys(options).length > 0 ? { options } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    ...(thinkValue === undefined ? {} : { think: thinkValue }),
  };
}
