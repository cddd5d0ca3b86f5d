import { modelMatches } from '@graphiti/llm-health';
import { type RouterStream, resolveCloudModel, type Served } from '@graphiti/llm-router';
import {
  type Exchange,
  type GatewayContext,
  type Handler,
  isAbort,
  sendErrorReply,
  servedHeaders,
  streamFailure,
} from './exchange.js';
import { GatewayError } from './gateway-error.js';
import { readJsonObject, sendJson, writeChunk } from './http-utils.js';
import { callUpstream } from './upstream.js';

/** Reported by `/api/version` when the local server does not answer. */
export const GATEWAY_VERSION = '0.1.0';

type Answer = Record<string, unknown> & Partial<Served>;

/** Drops the router's `provider` field: the response headers carry it; the body stays Ollama's shape. */
function ollamaShape(answer: Answer): Record<string, unknown> {
  const { provider: _provider, ...rest } = answer;
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

function idempotencyKey(exchange: Exchange): { idempotencyKey?: string } {
  const key = exchange.request.headers['idempotency-key'];
  return typeof key === 'string' && key !== '' ? { idempotencyKey: key } : {};
}

function checkField(body: Record<string, unknown>, name: string, type: 'string' | 'array' | 'object'): void {
  const value = body[name];
  if (value === undefined || value === null) return;
  const ok =
    type === 'array'
      ? Array.isArray(value)
      : type === 'object'
        ? typeof value === 'object' && !Array.isArray(value)
        : typeof value === type;
  if (!ok) {
    throw new GatewayError(
      'BAD_REQUEST',
      `invalid request: "${name}" must be ${type === 'array' ? 'an array' : `a${type === 'object' ? 'n' : ''} ${type}`}`,
      {
        status: 400,
      },
    );
  }
}

function checkModel(body: Record<string, unknown>): void {
  checkField(body, 'model', 'string');
  checkField(body, 'options', 'object');
}

/**
 * Writes a router stream as Ollama NDJSON: headers with the first chunk (the router resolves once it has
 * one), a flush per line; an upstream failure after that becomes a final `{"error": "..."}` line with no
 * `done: true` line, so no client mistakes the partial answer for a complete one.
 */
export async function pipeNdjson(
  exchange: Exchange,
  context: GatewayContext,
  stream: RouterStream<Record<string, unknown>>,
): Promise<void> {
  const { response } = exchange;
  exchange.provider = stream.provider;
  response.writeHead(200, {
    'content-type': 'application/x-ndjson',
    'cache-control': 'no-cache',
    ...servedHeaders(stream.provider, stream.model),
  });
  try {
    for await (const chunk of stream) {
      if (!(await writeChunk(response, `${JSON.stringify(ollamaShape(chunk))}\n`))) {
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

function textOperation(operation: 'chat' | 'generate'): Handler {
  return async (exchange, context) => {
    const body = await readJsonObject(exchange.request);
    checkModel(body);
    if (operation === 'chat') checkField(body, 'messages', 'array');
    else checkField(body, 'prompt', 'string');
    const stream = body.stream !== false;
    const router = context.runtime.router;
    const callOptions = { signal: exchange.signal, ...idempotencyKey(exchange) };
    if (stream) {
      const request = { ...body, stream: true as const };
      const routed =
        operation === 'chat'
          ? await router.chat(request as never, callOptions)
          : await router.generate(request as never, callOptions);
      await pipeNdjson(exchange, context, routed as unknown as RouterStream<Record<string, unknown>>);
      return;
    }
    const request = { ...body, stream: false as const };
    const answer = (operation === 'chat'
      ? await router.chat(request as never, callOptions)
      : await router.generate(request as never, callOptions)) as unknown as Answer & Served;
    exchange.provider = answer.provider;
    sendJson(exchange.response, 200, ollamaShape(answer), servedHeaders(answer.provider, answer.model));
  };
}

/** `POST /api/chat`: streams NDJSON unless `stream: false`. */
export const chatHandler: Handler = textOperation('chat');
/** `POST /api/generate`: streams NDJSON unless `stream: false`. */
export const generateHandler: Handler = textOperation('generate');

/** `POST /api/embed`. */
export const embedHandler: Handler = async (exchange, context) => {
  const body = await readJsonObject(exchange.request);
  checkModel(body);
  const input = body.input;
  if (input !== undefined && typeof input !== 'string' && !Array.isArray(input)) {
    throw new GatewayError(
      'BAD_REQUEST',
      'invalid input type: "input" must be a string or an array of strings',
      {
        status: 400,
      },
    );
  }
  const answer = (await context.runtime.router.embed(body as never, {
    signal: exchange.signal,
    ...idempotencyKey(exchange),
  })) as unknown as Answer & Served;
  exchange.provider = answer.provider;
  sendJson(exchange.response, 200, ollamaShape(answer), servedHeaders(answer.provider, answer.model));
};

/** `POST /api/embeddings` (legacy): `{model, prompt}` in, `{embedding}` out. */
export const legacyEmbeddingsHandler: Handler = async (exchange, context) => {
  const body = await readJsonObject(exchange.request);
  checkModel(body);
  checkField(body, 'prompt', 'string');
  const { prompt, ...rest } = body;
  if (typeof prompt !== 'string' || prompt === '') {
    sendJson(exchange.response, 200, { embedding: [] });
    return;
  }
  const answer = (await context.runtime.router.embed({ ...rest, input: prompt } as never, {
    signal: exchange.signal,
    ...idempotencyKey(exchange),
  })) as unknown as { embeddings?: number[][] } & Served;
  exchange.provider = answer.provider;
  sendJson(
    exchange.response,
    200,
    { embedding: answer.embeddings?.[0] ?? [] },
    servedHeaders(answer.provider, answer.model),
  );
};

function localTimeoutMs(context: GatewayContext): number {
  const { connect, read } = context.config.timeouts.local;
  return Math.max(1, (connect + Math.min(read, 10)) * 1000);
}

function cloudTimeoutMs(context: GatewayContext): number {
  const { connect, read } = context.config.timeouts.cloud;
  return Math.max(1, (connect + Math.min(read, 15)) * 1000);
}

function cloudEnabled(context: GatewayContext): boolean {
  const key = context.config.cloud.api_key;
  return key !== undefined && key !== '';
}

/** The entry `/api/tags` adds for the cloud default model. */
function cloudTagEntry(context: GatewayContext): Record<string, unknown> {
  const name = resolveCloudModel(undefined, context.config.cloud.default_model);
  return {
    name,
    model: name,
    modified_at: new Date(0).toISOString(),
    size: 0,
    digest: '',
    details: {
      parent_model: '',
      format: '',
      family: '',
      families: null,
      parameter_size: '',
      quantization_level: '',
    },
    remote_model: name,
    remote_host: context.config.cloud.endpoint,
  };
}

/** Local pulled models (as the local server lists them) plus the cloud default model. */
export async function listTags(
  context: GatewayContext,
  signal?: AbortSignal,
): Promise<{ models: Record<string, unknown>[]; localReachable: boolean }> {
  const local = await callUpstream(context.config.local.endpoint, '/api/tags', {
    timeoutMs: localTimeoutMs(context),
    ...(signal === undefined ? {} : { signal }),
  });
  const listed = (local?.status === 200 ? (local.json as { models?: unknown })?.models : undefined) ?? [];
  const models = (Array.isArray(listed) ? listed : []).filter(
    (entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null,
  );
  if (cloudEnabled(context)) {
    const cloud = cloudTagEntry(context);
    if (!models.some((entry) => entry.name === cloud.name)) models.push(cloud);
  }
  return { models, localReachable: local?.status === 200 };
}

/** `GET /api/tags`. */
export const tagsHandler: Handler = async (exchange, context) => {
  const { models } = await listTags(context, exchange.signal);
  sendJson(exchange.response, 200, { models });
};

/** `GET /api/version`: the local server's version, else the gateway's. */
export const versionHandler: Handler = async (exchange, context) => {
  const local = await callUpstream(context.config.local.endpoint, '/api/version', {
    timeoutMs: localTimeoutMs(context),
    signal: exchange.signal,
  });
  const version = (local?.json as { version?: unknown } | undefined)?.version;
  sendJson(exchange.response, 200, { version: typeof version === 'string' ? version : GATEWAY_VERSION });
};

/** `GET /api/ps`: the local server's loaded models (empty when it is down). */
export const psHandler: Handler = async (exchange, context) => {
  const local = await callUpstream(context.config.local.endpoint, '/api/ps', {
    timeoutMs: localTimeoutMs(context),
    signal: exchange.signal,
  });
  const models = (local?.json as { models?: unknown } | undefined)?.models;
  if (local !== undefined) exchange.provider = 'local';
  sendJson(exchange.response, 200, { models: Array.isArray(models) ? models : [] });
};

/** `POST /api/show`: asks the local server for a pulled model, else the cloud. */
export const showHandler: Handler = async (exchange, context) => {
  const body = await readJsonObject(exchange.request);
  const requested =
    typeof body.model === 'string' ? body.model : typeof body.name === 'string' ? body.name : '';
  if (requested.trim() === '') {
    throw new GatewayError('BAD_REQUEST', 'model is required', { status: 400 });
  }
  const { models } = await listTags(context, exchange.signal);
  const isLocal = models.some(
    (entry) =>
      entry.remote_host === undefined &&
      typeof entry.name === 'string' &&
      modelMatches(requested, entry.name),
  );
  const cloudName = resolveCloudModel(requested, context.config.cloud.default_model);
  const target = isLocal
    ? {
        provider: 'local',
        base: context.config.local.endpoint,
        model: requested,
        timeoutMs: localTimeoutMs(context),
      }
    : cloudEnabled(context)
      ? {
          provider: 'cloud',
          base: context.config.cloud.endpoint,
          model: cloudName,
          timeoutMs: cloudTimeoutMs(context),
          apiKey: context.config.cloud.api_key,
        }
      : undefined;
  if (target === undefined) {
    sendJson(exchange.response, 404, { error: `model '${requested}' not found` });
    return;
  }
  const answer = await callUpstream(target.base, '/api/show', {
    method: 'POST',
    body: { ...body, model: target.model },
    timeoutMs: target.timeoutMs,
    signal: exchange.signal,
    ...(target.apiKey === undefined ? {} : { apiKey: target.apiKey }),
  });
  if (answer === undefined) {
    sendJson(exchange.response, 502, {
      error: `the ${target.provider} Ollama server did not answer /api/show`,
    });
    return;
  }
  exchange.provider = target.provider;
  const headers = servedHeaders(target.provider, target.model);
  if (answer.json === undefined) {
    sendJson(
      exchange.response,
      answer.status >= 400 ? answer.status : 502,
      { error: answer.text || `HTTP ${answer.status}` },
      headers,
    );
    return;
  }
  sendJson(exchange.response, answer.status, answer.json, headers);
};
