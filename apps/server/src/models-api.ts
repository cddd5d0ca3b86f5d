import { resolveCloudModel } from '@graphiti/llm-router';
import type { GatewayContext, Handler } from './exchange.js';
import { servedHeaders } from './exchange.js';
import { GatewayError } from './gateway-error.js';
import { readJson, sendJson, sendJsonText } from './http-utils.js';
import { showRequestSchema } from './native-schemas.js';
import { callUpstream } from './upstream.js';
import { validateBody } from './validate-body.js';

/** Reported by `/api/version` when the local server does not answer. */
export const GATEWAY_VERSION = '0.1.0';

function localTimeoutMs(context: GatewayContext): number {
  const { connect, read } = context.config.timeouts.local;
  return Math.max(1, (connect + Math.min(read, 10)) * 1000);
}

function cloudEnabled(context: GatewayContext): boolean {
  const key = context.config.cloud.api_key;
  return key !== undefined && key !== '';
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** A cloud `/api/tags` entry in the shape the spec wants (`families` an array, strings, never null). */
function cloudEntry(entry: Readonly<Record<string, unknown>>, endpoint: string): Record<string, unknown> {
  const details = (
    typeof entry.details === 'object' && entry.details !== null ? entry.details : {}
  ) as Record<string, unknown>;
  const name = text(entry.name) || text(entry.model);
  return {
    ...entry,
    name,
    model: text(entry.model) || name,
    modified_at: text(entry.modified_at) || new Date().toISOString(),
    size: typeof entry.size === 'number' ? entry.size : 0,
    digest: text(entry.digest),
    details: {
      ...details,
      parent_model: text(details.parent_model),
      format: text(details.format),
      family: text(details.family),
      families: Array.isArray(details.families) ? details.families : [],
      parameter_size: text(details.parameter_size),
      quantization_level: text(details.quantization_level),
    },
    remote_model: text(entry.remote_model) || name,
    remote_host: text(entry.remote_host) || endpoint,
  };
}

/** The cloud's own model entries (router.cloudModels), else one entry for the cloud default model. */
async function cloudTags(context: GatewayContext, signal?: AbortSignal): Promise<Record<string, unknown>[]> {
  if (!cloudEnabled(context)) return [];
  const endpoint = context.config.cloud.endpoint;
  const listed = await context.runtime.router
    .cloudModels(signal === undefined ? {} : { signal })
    .catch(() => undefined);
  if (listed !== undefined) return listed.map((entry) => cloudEntry(entry, endpoint));
  const name = resolveCloudModel(undefined, context.config.cloud.default_model);
  return [cloudEntry({ name }, endpoint)];
}

/** Local pulled models (as the local server lists them) plus the cloud's models. */
export async function listTags(
  context: GatewayContext,
  signal?: AbortSignal,
): Promise<{ models: Record<string, unknown>[]; localReachable: boolean }> {
  const [local, cloud] = await Promise.all([
    callUpstream(context.config.local.endpoint, '/api/tags', {
      timeoutMs: localTimeoutMs(context),
      ...(signal === undefined ? {} : { signal }),
    }),
    cloudTags(context, signal),
  ]);
  const listed = (local?.status === 200 ? (local.json as { models?: unknown })?.models : undefined) ?? [];
  const models = (Array.isArray(listed) ? listed : []).filter(
    (entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null,
  );
  for (const entry of cloud) {
    if (!models.some((known) => known.name === entry.name)) models.push(entry);
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

/** `POST /api/show`: through the router (`router.show()`), so the cloud call respects cooldown and quota. */
export const showHandler: Handler = async (exchange, context) => {
  const { value } = await readJson(exchange.request);
  const body = validateBody(showRequestSchema, value);
  const requested = body.model ?? body.name ?? '';
  if (requested.trim() === '') throw new GatewayError('BAD_REQUEST', 'model is required', { status: 400 });
  const scrub = context.scrub ?? ((value: string) => value);
  const shown = await context.runtime.router.show({ ...body, model: requested }, { signal: exchange.signal });
  exchange.provider = shown.provider;
  sendJsonText(
    exchange.response,
    200,
    scrub(JSON.stringify(shown.body)),
    servedHeaders(shown.provider, shown.model),
  );
};
