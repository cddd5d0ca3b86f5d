import {
  type CallOptions,
  type RouterChatRequest,
  type RouterEmbedRequest,
  type RouterGenerateRequest,
  type RouterStream,
  rawBody,
  type Served,
} from '@graphiti/llm-router';
import { prefersAsync } from './async/prefer-async.js';
import { respondAsync } from './async/respond-async.js';
import {
  type Exchange,
  type GatewayContext,
  type Handler,
  isAbort,
  sendErrorReply,
  servedHeaders,
  streamFailure,
} from './exchange.js';
import { readJson, sendJson, sendJsonText, writeChunk } from './http-utils.js';
import { proxyToLocal } from './local-proxy.js';
import {
  type ChatBody,
  chatRequestSchema,
  embedRequestSchema,
  type GenerateBody,
  generateRequestSchema,
  legacyEmbeddingsRequestSchema,
} from './native-schemas.js';
import { validateBody } from './validate-body.js';

export {
  GATEWAY_VERSION,
  listTags,
  psHandler,
  showHandler,
  tagsHandler,
  versionHandler,
} from './models-api.js';

/** Drops the router's `provider` field: the response headers carry it; the body stays Ollama's shape. */
function ollamaShape(answer: object): object {
  const { provider: _provider, ...rest } = answer as Partial<Served>;
  return rest;
}

/** The Ollama error reply: a real status and `{"error": "..."}` (plus `request_id` for a queued request). */
export function sendOllamaError(exchange: Exchange, context: GatewayContext, error: unknown): void {
  sendErrorReply(exchange, context, error, (reply) => ({
    error: reply.message,
    ...(reply.requestId === undefined ? {} : { request_id: reply.requestId }),
    ...(reply.queued === undefined ? {} : { queued: reply.queued }),
  }));
}

/** The router call options of one exchange: its signal, `Idempotency-Key` and call id. */
export function callOptions(exchange: Exchange): CallOptions {
  const key = exchange.request.headers['idempotency-key'];
  return {
    signal: exchange.signal,
    ...(typeof key === 'string' && key !== '' ? { idempotencyKey: key } : {}),
    ...(exchange.callId === undefined ? {} : { callId: exchange.callId }),
  };
}

/** True for a request that only unloads a model (`keep_alive: 0` and nothing to answer): local's business. */
export function isUnload(body: { keep_alive?: unknown; prompt?: unknown; messages?: unknown }): boolean {
  const keepAlive = body.keep_alive;
  const zero =
    keepAlive === 0 ||
    (typeof keepAlive === 'string' && /^\s*0+(\.0+)?\s*(ns|us|µs|ms|s|m|h)?\s*$/.test(keepAlive));
  if (!zero) return false;
  const noPrompt = body.prompt === undefined || body.prompt === '';
  const noMessages =
    body.messages === undefined || (Array.isArray(body.messages) && body.messages.length === 0);
  return noPrompt && noMessages;
}

/**
 * Writes a router stream as Ollama NDJSON: headers with the first chunk (the router resolves once it has
 * one), a flush per line, the upstream's own lines when the router gives them (`lines()`), else each parsed
 * chunk re-serialised; an upstream failure after that becomes a final `{"error": "..."}` line with no
 * `done: true` line, so no client mistakes the partial answer for a complete one.
 */
export async function pipeNdjson<T extends object>(
  exchange: Exchange,
  context: GatewayContext,
  stream: RouterStream<T>,
): Promise<void> {
  const { response } = exchange;
  exchange.provider = stream.provider;
  response.writeHead(200, {
    'content-type': 'application/x-ndjson',
    'cache-control': 'no-cache',
    ...servedHeaders(stream.provider, stream.model),
  });
  const scrub = context.scrub ?? ((text: string) => text);
  try {
    // the upstream's own lines, inspected by the router, never re-serialised
    for await (const line of stream.lines()) {
      if (!(await writeChunk(response, `${scrub(line)}\n`))) {
        stream.abort();
        return;
      }
    }
  } catch (error) {
    if (exchange.signal.aborted || isAbort(error)) return;
    const message = streamFailure(exchange, context, stream, error);
    await writeChunk(response, `${JSON.stringify({ error: message })}\n`);
  }
  response.end();
}

/** Sends a routed non-streaming answer: the upstream's own text when known, else the answer re-serialised. */
function sendAnswer(exchange: Exchange, context: GatewayContext, answer: object & Served): void {
  exchange.provider = answer.provider;
  const headers = servedHeaders(answer.provider, answer.model);
  const text = rawBody(answer);
  const scrub = context.scrub ?? ((value: string) => value);
  if (text !== undefined) sendJsonText(exchange.response, 200, scrub(text), headers);
  else sendJsonText(exchange.response, 200, scrub(JSON.stringify(ollamaShape(answer))), headers);
}

// The schemas are the router request types' supersets (unknown fields pass through), so a validated body
// is a router request; `prompt` is the one field the router's type requires that Ollama does not.
function asChat(body: ChatBody): RouterChatRequest {
  return body as RouterChatRequest;
}
function asGenerate(body: GenerateBody): RouterGenerateRequest {
  return { ...body, prompt: body.prompt ?? '' } as RouterGenerateRequest;
}

/** `POST /api/chat`: streams NDJSON unless `stream: false`; an unload goes to the local server. */
export const chatHandler: Handler = async (exchange, context) => {
  const { text, value } = await readJson(exchange.request);
  const body = validateBody(chatRequestSchema, value);
  if (isUnload(body)) return proxyToLocal(exchange, context, { body: text });
  if (prefersAsync(exchange.request)) {
    return respondAsync(exchange, context, { operation: 'chat', params: body, request: body });
  }
  const router = context.runtime.router;
  if (body.stream !== false) {
    const routed = await router.chat({ ...asChat(body), stream: true }, callOptions(exchange));
    return pipeNdjson(exchange, context, routed);
  }
  sendAnswer(exchange, context, await router.chat({ ...asChat(body), stream: false }, callOptions(exchange)));
};

/** `POST /api/generate`: streams NDJSON unless `stream: false`; an unload goes to the local server. */
export const generateHandler: Handler = async (exchange, context) => {
  const { text, value } = await readJson(exchange.request);
  const body = validateBody(generateRequestSchema, value);
  if (isUnload(body)) return proxyToLocal(exchange, context, { body: text });
  if (prefersAsync(exchange.request)) {
    const params = asGenerate(body) as unknown as Record<string, unknown>;
    return respondAsync(exchange, context, { operation: 'generate', params, request: body });
  }
  const router = context.runtime.router;
  if (body.stream !== false) {
    const routed = await router.generate({ ...asGenerate(body), stream: true }, callOptions(exchange));
    return pipeNdjson(exchange, context, routed);
  }
  sendAnswer(
    exchange,
    context,
    await router.generate({ ...asGenerate(body), stream: false }, callOptions(exchange)),
  );
};

/** `POST /api/embed`. */
export const embedHandler: Handler = async (exchange, context) => {
  const { value } = await readJson(exchange.request);
  const body = validateBody(embedRequestSchema, value);
  const request = { ...body, input: body.input ?? '' } as RouterEmbedRequest;
  if (prefersAsync(exchange.request)) {
    return respondAsync(exchange, context, { operation: 'embed', params: request, request: body });
  }
  sendAnswer(exchange, context, await context.runtime.router.embed(request, callOptions(exchange)));
};

/** `POST /api/embeddings` (legacy): `{model, prompt}` in, `{embedding}` out. */
export const legacyEmbeddingsHandler: Handler = async (exchange, context) => {
  const { value } = await readJson(exchange.request);
  const { prompt, ...rest } = validateBody(legacyEmbeddingsRequestSchema, value);
  if (prompt === undefined || prompt === '') {
    sendJson(exchange.response, 200, { embedding: [] });
    return;
  }
  const request = { ...rest, input: prompt } as RouterEmbedRequest;
  const answer = await context.runtime.router.embed(request, callOptions(exchange));
  exchange.provider = answer.provider;
  sendJson(
    exchange.response,
    200,
    { embedding: answer.embeddings?.[0] ?? [] },
    servedHeaders(answer.provider, answer.model),
  );
};
