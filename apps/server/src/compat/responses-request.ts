import { type NativeMessage, toolNameFor } from './native-chunk.js';
import { thinkFromEffort } from './reasoning-effort.js';
import type { ResponsesInputItem, ResponsesRequest } from './responses-schema.js';
import { badRequest } from './validate-body.js';

type Part = Exclude<Extract<ResponsesInputItem, { type: 'message' }>['content'], string>[number];

function dataUrlImage(url: string, where: string): string {
  const match = /^data:[^;,]*;base64,(.*)$/s.exec(url);
  if (match === null) {
    throw badRequest(
      `${where}: only base64 data: URLs are supported for input_image (remote images are not fetched)`,
    );
  }
  return match[1] as string;
}

function partsText(parts: readonly Part[], where: string, images: string[]): string {
  let text = '';
  for (const [index, part] of parts.entries()) {
    if (part.type === 'input_text' || part.type === 'output_text') text += part.text;
    else if (part.type === 'refusal') text += part.refusal;
    else if (typeof part.image_url === 'string')
      images.push(dataUrlImage(part.image_url, `${where}[${index}]`));
  }
  return text;
}

function parseArguments(text: string, where: string): unknown {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest(`"${where}.arguments" is not valid JSON`);
  }
}

function reasoningText(item: Extract<ResponsesInputItem, { type: 'reasoning' }>): string {
  if (typeof item.encrypted_content === 'string' && item.encrypted_content !== '')
    return item.encrypted_content;
  return (item.summary ?? []).map((part) => part.text).join('\n');
}

/** Converts the input items to native messages, as Ollama's `FromResponsesRequest` does. */
function convertItems(items: readonly ResponsesInputItem[], messages: NativeMessage[]): void {
  let pendingThinking = '';
  const attachThinking = (message: NativeMessage): void => {
    if (pendingThinking === '') return;
    message.thinking = pendingThinking;
    pendingThinking = '';
  };
  for (const [index, item] of items.entries()) {
    const where = `input[${index}]`;
    if (item.type === 'reasoning') pendingThinking = reasoningText(item);
    else if (item.type === 'message') {
      const images: string[] = [];
      const content =
        typeof item.content === 'string' ? item.content : partsText(item.content, `${where}.content`, images);
      const message: NativeMessage = {
        role: item.role === 'developer' ? 'system' : item.role,
        content,
        ...(images.length > 0 ? { images } : {}),
      };
      if (message.role === 'assistant') attachThinking(message);
      messages.push(message);
    } else if (item.type === 'function_call') {
      const call = {
        id: item.call_id,
        function: { name: item.name, arguments: parseArguments(item.arguments, where) },
      };
      const last = messages.at(-1);
      if (last?.role === 'assistant') {
        last.tool_calls = [...(last.tool_calls ?? []), call];
        attachThinking(last);
      } else {
        const message: NativeMessage = { role: 'assistant', content: '', tool_calls: [call] };
        attachThinking(message);
        messages.push(message);
      }
    } else {
      const images: string[] = [];
      const output =
        typeof item.output === 'string' ? item.output : partsText(item.output, `${where}.output`, images);
      const name = toolNameFor(messages, item.call_id);
      messages.push({
        role: 'tool',
        content: output,
        ...(images.length > 0 ? { images } : {}),
        tool_call_id: item.call_id,
        ...(name === undefined ? {} : { tool_name: name }),
      });
    }
  }
  if (pendingThinking !== '') messages.push({ role: 'assistant', content: '', thinking: pendingThinking });
}

function convertTools(tools: ResponsesRequest['tools']): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const [index, tool] of (tools ?? []).entries()) {
    // built-in tools (web_search, file_search, …) have no native counterpart: they are left out
    if (tool.type !== 'function') continue;
    if (tool.name === undefined || tool.name === '') throw badRequest(`"tools[${index}].name" is required`);
    out.push({
      type: 'function',
      function: {
        name: tool.name,
        ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
        parameters: tool.parameters ?? { type: 'object', properties: {} },
      },
    });
  }
  return out;
}

/**
 * Translates a Responses API request into a native `/api/chat` request (Ollama's `FromResponsesRequest`):
 * `instructions` is the first system message, input items become messages (`function_call` → assistant
 * `tool_calls`, `function_call_output` → a `tool` message with its `tool_name`, `reasoning` → the next
 * assistant message's `thinking`), `max_output_tokens` is `num_predict`, `reasoning.effort` is `think`.
 * The gateway keeps no state: a `previous_response_id` or `conversation` is a 400.
 */
export function responsesToNativeChat(request: ResponsesRequest): Record<string, unknown> {
  if (typeof request.previous_response_id === 'string' && request.previous_response_id !== '') {
    throw badRequest(
      '"previous_response_id" is not supported: this gateway is stateless; send the whole conversation in "input"',
    );
  }
  if (request.conversation !== undefined && request.conversation !== null) {
    throw badRequest(
      '"conversation" is not supported: this gateway is stateless; send the whole conversation in "input"',
    );
  }
  const messages: NativeMessage[] = [];
  if (typeof request.instructions === 'string' && request.instructions !== '') {
    messages.push({ role: 'system', content: request.instructions });
  }
  if (typeof request.input === 'string') messages.push({ role: 'user', content: request.input });
  else convertItems(request.input, messages);
  const options: Record<string, unknown> = {};
  if (typeof request.temperature === 'number') options.temperature = request.temperature;
  if (typeof request.top_p === 'number') options.top_p = request.top_p;
  if (typeof request.max_output_tokens === 'number') options.num_predict = request.max_output_tokens;
  const tools = convertTools(request.tools);
  const format = request.text?.format;
  const effort = request.reasoning?.effort;
  return {
    ...(request.model === undefined ? {} : { model: request.model }),
    messages,
    ...(Object.keys(options).length > 0 ? { options } : {}),
    ...(tools.length > 0 ? { tools } : {}),
    ...(format?.type === 'json_schema' && format.schema !== undefined ? { format: format.schema } : {}),
    ...(format?.type === 'json_object' ? { format: 'json' } : {}),
    ...(effort === undefined || effort === null ? {} : { think: thinkFromEffort(effort) }),
  };
}
