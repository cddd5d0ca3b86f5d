import type { Served } from '@graphiti/llm-router';
import { createChatCompletionStream, toChatCompletion } from './compat/chat-completion-response.js';
import { chatCompletionsSchema } from './compat/chat-completions-schema.js';
import { type NativeMessage, randomId, toolNameFor } from './compat/native-chunk.js';
import { openAiErrorBody, openAiErrorReply } from './compat/openai-error-body.js';
import { callOptions } from './compat/protocol-handler.js';
import { REASONING_EFFORTS, type ReasoningEffort, thinkFromEffort } from './compat/reasoning-effort.js';
import { translatedHandler } from './compat/translated-handler.js';
import { badRequest } from './compat/validate-body.js';
import {
  type Exchange,
  type GatewayContext,
  type Handler,
  sendErrorReply,
  servedHeaders,
} from './exchange.js';
import { readJsonObject, sendJson } from './http-utils.js';
import { listTags } from './ollama-api.js';

export { openAiErrorBody } from './compat/openai-error-body.js';

/** Sends an error from a /v1 handler in OpenAI's shape. */
export function sendOpenAiError(exchange: Exchange, context: GatewayContext, error: unknown): void {
  sendErrorReply(exchange, context, error, openAiErrorReply);
}

function dataUriImage(url: string): string {
  const match = /^data:[^;,]*;base64,(.*)$/s.exec(url);
  if (match === null) {
    throw badRequest(
      'only base64 data: URLs are supported for image_url content (remote image URLs are not fetched)',
    );
  }
  return match[1] as string;
}

type OllamaMessage = NativeMessage;

function convertMessage(message: unknown, index: number, earlier: readonly OllamaMessage[]): OllamaMessage {
  if (typeof message !== 'object' || message === null)
    throw badRequest(`messages[${index}] must be an object`);
  const source = message as Record<string, unknown>;
  const role = source.role === 'developer' ? 'system' : source.role;
  if (typeof role !== 'string') throw badRequest(`messages[${index}].role must be a string`);
  const out: OllamaMessage = { role, content: '' };
  const content = source.content;
  if (typeof content === 'string') out.content = content;
  else if (Array.isArray(content)) {
    const texts: string[] = [];
    for (const part of content as Record<string, unknown>[]) {
      if (part?.type === 'text' && typeof part.text === 'string') texts.push(part.text);
      else if (part?.type === 'image_url') {
        const imageUrl = part.image_url as { url?: unknown } | string | undefined;
        const url = typeof imageUrl === 'string' ? imageUrl : imageUrl?.url;
        if (typeof url !== 'string') throw badRequest(`messages[${index}]: image_url needs a url`);
        out.images = [...(out.images ?? []), dataUriImage(url)];
      } else throw badRequest(`messages[${index}]: unsupported content part type "${String(part?.type)}"`);
    }
    out.content = texts.join('\n');
  } else if (content !== undefined && content !== null) {
    throw badRequest(`messages[${index}].content must be a string or an array of content parts`);
  }
  if (Array.isArray(source.tool_calls)) {
    out.tool_calls = (source.tool_calls as Record<string, unknown>[]).map((call) => {
      const fn = (call?.function ?? {}) as { name?: unknown; arguments?: unknown };
      let args: unknown = fn.arguments ?? {};
      if (typeof args === 'string') {
        try {
          args = args.trim() === '' ? {} : JSON.parse(args);
        } catch {
          throw badRequest(`messages[${index}].tool_calls: function.arguments is not valid JSON`);
        }
      }
      return {
        ...(typeof call?.id === 'string' ? { id: call.id } : {}),
        function: { name: String(fn.name ?? ''), arguments: args },
      };
    });
  }
  if (typeof source.tool_call_id === 'string') out.tool_call_id = source.tool_call_id;
  if (typeof source.reasoning === 'string' && source.reasoning !== '') out.thinking = source.reasoning;
  if (role === 'tool') {
    // Ollama derives the tool's name from the assistant tool call with this id
    const name =
      typeof source.name === 'string'
        ? source.name
        : typeof source.tool_call_id === 'string'
          ? toolNameFor(earlier, source.tool_call_id)
          : undefined;
    if (name !== undefined) out.tool_name = name;
  }
  return out;
}

/** Translates an OpenAI chat completion request into an Ollama `/api/chat` request. */
export function toOllamaChat(body: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(body.messages)) throw badRequest('"messages" must be an array');
  if (body.model !== undefined && typeof body.model !== 'string')
    throw badRequest('"model" must be a string');
  const options: Record<string, unknown> = {};
  const copy = (from: string, to: string): void => {
    const value = body[from];
    if (value === undefined || value === null) return;
    if (typeof value !== 'number') throw badRequest(`"${from}" must be a number`);
    options[to] = value;
  };
  copy('temperature', 'temperature');
  copy('top_p', 'top_p');
  copy('seed', 'seed');
  copy('frequency_penalty', 'frequency_penalty');
  copy('presence_penalty', 'presence_penalty');
  copy('max_tokens', 'num_predict');
  copy('max_completion_tokens', 'num_predict');
  if (typeof body.stop === 'string') options.stop = [body.stop];
  else if (Array.isArray(body.stop)) options.stop = body.stop;
  const messages: OllamaMessage[] = [];
  for (const [index, message] of body.messages.entries())
    messages.push(convertMessage(message, index, messages));
  const request: Record<string, unknown> = {
    ...(typeof body.model === 'string' ? { model: body.model } : {}),
    messages,
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
  const format = body.response_format as { type?: unknown; json_schema?: { schema?: unknown } } | undefined;
  if (format?.type === 'json_object') request.format = 'json';
  else if (format?.type === 'json_schema') request.format = format.json_schema?.schema ?? 'json';
  if (Array.isArray(body.tools)) request.tools = body.tools;
  const effort = (body.reasoning as { effort?: unknown } | undefined)?.effort ?? body.reasoning_effort;
  if (typeof effort === 'string') {
    if (!(REASONING_EFFORTS as readonly string[]).includes(effort)) {
      throw badRequest(`reasoning effort must be one of ${REASONING_EFFORTS.join(', ')}, got "${effort}"`);
    }
    request.think = thinkFromEffort(effort as ReasoningEffort);
  }
  if (body.logprobs === true) {
    request.logprobs = true;
    if (typeof body.top_logprobs === 'number') request.top_logprobs = body.top_logprobs;
  }
  return request;
}

/** `POST /v1/chat/completions`: JSON by default, SSE with `stream: true`, ending in `data: [DONE]`. */
export const chatCompletionsHandler: Handler = translatedHandler({
  route: '/v1/chat/completions',
  schema: chatCompletionsSchema,
  operation: 'chat',
  respondsAsync: true,
  toNative: (body) => toOllamaChat(body),
  answers(body) {
    const id = randomId('chatcmpl-');
    const created = Math.floor(Date.now() / 1000);
    const includeUsage = body.stream_options?.include_usage === true;
    return {
      whole: (answer) => toChatCompletion(id, created, answer.model, answer),
      events: (model) => createChatCompletionStream({ id, created, model, includeUsage }),
    };
  },
  errorBody: openAiErrorReply,
});

function toBase64(vector: readonly number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  for (const [index, value] of vector.entries()) buffer.writeFloatLE(value, index * 4);
  return buffer.toString('base64');
}

/** `POST /v1/embeddings`. */
export const embeddingsHandler: Handler = async (exchange, context) => {
  const body = await readJsonObject(exchange.request);
  const input = body.input;
  const strings =
    typeof input === 'string' || (Array.isArray(input) && input.every((item) => typeof item === 'string'));
  if (!strings)
    throw badRequest('"input" must be a string or an array of strings (token arrays are not supported)');
  if (body.model !== undefined && typeof body.model !== 'string')
    throw badRequest('"model" must be a string');
  const encoding = body.encoding_format ?? 'float';
  if (encoding !== 'float' && encoding !== 'base64')
    throw badRequest('"encoding_format" must be "float" or "base64"');
  const answer = (await context.runtime.router.embed(
    {
      input: input as string | string[],
      ...(typeof body.model === 'string' ? { model: body.model } : {}),
      ...(typeof body.dimensions === 'number' ? { dimensions: body.dimensions } : {}),
    } as never,
    callOptions(exchange),
  )) as unknown as { embeddings?: number[][]; prompt_eval_count?: number } & Served;
  exchange.provider = answer.provider;
  const tokens = answer.prompt_eval_count ?? 0;
  sendJson(
    exchange.response,
    200,
    {
      object: 'list',
      data: (answer.embeddings ?? []).map((embedding, index) => ({
        object: 'embedding',
        embedding: encoding === 'base64' ? toBase64(embedding) : embedding,
        index,
      })),
      model: answer.model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
    servedHeaders(answer.provider, answer.model),
  );
};

/** One `/api/tags` entry as an OpenAI model object. */
function openAiModel(entry: Record<string, unknown>, now: number): Record<string, unknown> {
  const modified = typeof entry.modified_at === 'string' ? Date.parse(entry.modified_at) : Number.NaN;
  return {
    id: String(entry.name ?? entry.model ?? ''),
    object: 'model',
    created: Number.isFinite(modified) && modified > 0 ? Math.floor(modified / 1000) : now,
    owned_by: entry.remote_host === undefined ? 'library' : 'ollama-cloud',
  };
}

/** `GET /v1/models`: the local pulled models plus the cloud default model. */
export const modelsHandler: Handler = async (exchange, context) => {
  const { models } = await listTags(context, exchange.signal);
  const now = Math.floor(Date.now() / 1000);
  sendJson(exchange.response, 200, {
    object: 'list',
    data: models.map((entry) => openAiModel(entry, now)),
  });
};

/**
 * `GET /v1/models/{model}`: one entry of the `/v1/models` list (`x` and `x:latest` are the same model), or an
 * OpenAI-shaped 404 `model "x" not found`.
 */
export function modelDetailHandler(id: string): Handler {
  return async (exchange, context) => {
    const { models } = await listTags(context, exchange.signal);
    const now = Math.floor(Date.now() / 1000);
    const bare = (name: string): string =>
      name.endsWith(':latest') ? name.slice(0, -':latest'.length) : name;
    const found = models
      .map((entry) => openAiModel(entry, now))
      .find((model) => bare(String(model.id)) === bare(id));
    if (found === undefined) {
      sendJson(exchange.response, 404, openAiErrorBody(404, `model "${id}" not found`, 'model_not_found'));
      return;
    }
    sendJson(exchange.response, 200, found);
  };
}
