import { HealthError } from './health-error.js';
import { describeFailure, httpGet, normalizeEndpoint } from './http.js';
import { parameterCount } from './model-names.js';
import type { PulledModel, Timeouts } from './types.js';

/** Timeouts for health requests to the local server when none are given (seconds). */
export const DEFAULT_LOCAL_TIMEOUTS: Timeouts = Object.freeze({ connect: 2, read: 10 });

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** Converts the body of `GET /api/tags` into PulledModels; entries without a name are skipped. */
export function parseTags(body: unknown): PulledModel[] | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const list = (body as { models?: unknown }).models;
  if (list === null) return [];
  if (!Array.isArray(list)) return undefined;
  const models: PulledModel[] = [];
  for (const entry of list) {
    if (typeof entry !== 'object' || entry === null) continue;
    const raw = entry as Record<string, unknown>;
    const name = optionalString(raw.name) ?? optionalString(raw.model);
    if (name === undefined) continue;
    const details = (typeof raw.details === 'object' && raw.details !== null ? raw.details : {}) as Record<
      string,
      unknown
    >;
    const parameterSize = optionalString(details.parameter_size);
    const quantization = optionalString(details.quantization_level);
    const family = optionalString(details.family);
    const capabilities = Array.isArray(raw.capabilities)
      ? raw.capabilities.filter((item): item is string => typeof item === 'string')
      : undefined;
    const sizeBytes =
      typeof raw.size === 'number' && Number.isFinite(raw.size) && raw.size > 0 ? raw.size : 0;
    models.push({
      name,
      sizeBytes,
      ...(parameterSize === undefined ? {} : { parameterSize }),
      ...(quantization === undefined ? {} : { quantization }),
      ...(family === undefined ? {} : { family }),
      parameters: parameterCount({ name, parameterSize }),
      ...(capabilities === undefined ? {} : { capabilities }),
    });
  }
  return models;
}

/**
 * Lists the models pulled on an Ollama server (`GET /api/tags`).
 *
 * @throws {HealthError} `LOCAL_DOWN` when the server cannot be reached, `LOCAL_BAD_RESPONSE` when it answers
 *   with an error status or a body that is not a model list.
 */
export async function listPulledModels(
  endpoint: string,
  timeouts: Timeouts = DEFAULT_LOCAL_TIMEOUTS,
): Promise<PulledModel[]> {
  const base = normalizeEndpoint(endpoint);
  const outcome = await httpGet(`${base}/api/tags`, timeouts);
  if (!outcome.ok) {
    throw new HealthError(
      'LOCAL_DOWN',
      `Ollama is not reachable at ${base} (${describeFailure(outcome, timeouts)}). Start it with: ollama serve`,
      { cause: outcome.error },
    );
  }
  if (outcome.status < 200 || outcome.status > 299) {
    throw new HealthError(
      'LOCAL_BAD_RESPONSE',
      `Ollama at ${base} answered HTTP ${outcome.status} to GET /api/tags${errorSuffix(outcome.json, outcome.text)}`,
      { retryable: outcome.status >= 500 },
    );
  }
  const models = parseTags(outcome.json);
  if (models === undefined) {
    throw new HealthError(
      'LOCAL_BAD_RESPONSE',
      `Ollama at ${base} answered GET /api/tags with a body that is not a model list. Is ${base} an Ollama server?`,
    );
  }
  return models;
}

/** `: <error text>` from an Ollama error body, or an empty string. */
export function errorSuffix(json: unknown, text: string): string {
  const message =
    typeof json === 'object' && json !== null && typeof (json as { error?: unknown }).error === 'string'
      ? (json as { error: string }).error
      : text.trim().slice(0, 200);
  return message === '' ? '' : `: ${message}`;
}
