import { describeFailure, httpGet, isValidEndpoint, normalizeEndpoint } from './http.js';
import { errorSuffix } from './list-models.js';
import { modelMatches } from './model-names.js';
import type { Timeouts } from './types.js';

/** Timeouts for the cloud check when none are given (seconds). */
export const DEFAULT_CLOUD_TIMEOUTS: Timeouts = Object.freeze({ connect: 5, read: 15 });

/** Options of {@link checkCloud}. */
export interface CheckCloudOptions {
  /** The cloud endpoint, e.g. `https://ollama.com` (`cloud.endpoint`). */
  readonly endpoint: string;
  /** The API key (`cloud.api_key` / `OLLAMA_API_KEY`); without one the result is `unconfigured`. */
  readonly apiKey?: string;
  /** Connect and read timeouts in seconds. @default { connect: 5, read: 15 } */
  readonly timeouts?: Timeouts;
  /** `cloud.default_model`: when given, the result says whether the cloud offers it. */
  readonly defaultModel?: string;
}

/** The cloud's health, as a value (checkCloud never throws). The API key never appears in it. */
export interface CloudHealth {
  /** `up`: reachable and the key accepted; `unauthorized`: 401/403 (wrong key); `down`: unreachable, 5xx, 429 or another error; `unconfigured`: no key. */
  readonly status: 'up' | 'unauthorized' | 'down' | 'unconfigured';
  /** The endpoint checked, normalised. */
  readonly endpoint: string;
  /** Model names the cloud offers (`/api/tags`), when up. */
  readonly models: string[];
  /** What is wrong and what to do, or a summary. */
  readonly message: string;
  /** The HTTP status of `GET /api/tags`, when one was received. */
  readonly httpStatus?: number;
  /** With `defaultModel` and the cloud up: whether its `/api/tags` lists that model. */
  readonly defaultModelListed?: boolean;
}

function redact(text: string, secret: string | undefined): string {
  if (secret === undefined || secret === '') return text;
  return text.split(secret).join('[redacted]');
}

/**
 * Checks Ollama Cloud: is it reachable, does it accept the key (401/403 mean a wrong key and say so), which
 * models does it offer (`GET /api/tags` with `Authorization: Bearer <key>`). Never throws; the key never
 * appears in the result.
 *
 * Note: whether ollama.com checks the key on `/api/tags` is not documented; a key it accepts there may still
 * be refused for chat.
 */
export async function checkCloud(options: CheckCloudOptions): Promise<CloudHealth> {
  const base = normalizeEndpoint(options.endpoint);
  const apiKey = options.apiKey?.trim();
  const timeouts = options.timeouts ?? DEFAULT_CLOUD_TIMEOUTS;
  const result = (fields: Omit<CloudHealth, 'endpoint'>): CloudHealth => ({
    ...fields,
    endpoint: redact(base, apiKey),
    message: redact(fields.message, apiKey),
  });
  if (apiKey === undefined || apiKey === '') {
    return result({
      status: 'unconfigured',
      models: [],
      message:
        'Ollama Cloud is not configured: no API key. Set OLLAMA_API_KEY or cloud.api_key (create a key at https://ollama.com/settings/keys); until then only the local server is used.',
    });
  }
  if (!isValidEndpoint(base)) {
    return result({
      status: 'down',
      models: [],
      message: `The cloud endpoint "${base}" is not an http(s) URL. Set cloud.endpoint or OLLAMA_CLOUD_ENDPOINT, e.g. https://ollama.com.`,
    });
  }
  const outcome = await httpGet(`${base}/api/tags`, timeouts, { authorization: `Bearer ${apiKey}` });
  if (!outcome.ok) {
    return result({
      status: 'down',
      models: [],
      message: `Ollama Cloud is not reachable at ${base} (${describeFailure(outcome, timeouts)}).`,
    });
  }
  const httpStatus = outcome.status;
  if (httpStatus === 401 || httpStatus === 403) {
    return result({
      status: 'unauthorized',
      models: [],
      httpStatus,
      message: `Ollama Cloud at ${base} rejected the API key (HTTP ${httpStatus}). Check OLLAMA_API_KEY or cloud.api_key; keys are managed at https://ollama.com/settings/keys.`,
    });
  }
  if (httpStatus === 429) {
    return result({
      status: 'down',
      models: [],
      httpStatus,
      message: `Ollama Cloud at ${base} is rate-limiting this key (HTTP 429)${errorSuffix(outcome.json, outcome.text)}.`,
    });
  }
  if (httpStatus < 200 || httpStatus > 299) {
    return result({
      status: 'down',
      models: [],
      httpStatus,
      message: `Ollama Cloud at ${base} answered HTTP ${httpStatus} to GET /api/tags${errorSuffix(outcome.json, outcome.text)}.`,
    });
  }
  const list = (outcome.json as { models?: unknown } | undefined)?.models;
  const models = Array.isArray(list)
    ? list
        .map(
          (entry) =>
            (entry as { name?: unknown; model?: unknown } | null)?.name ??
            (entry as { model?: unknown } | null)?.model,
        )
        .filter((name): name is string => typeof name === 'string' && name !== '')
    : [];
  const summary = `Ollama Cloud is reachable at ${base} and accepted the API key (${models.length} model${models.length === 1 ? '' : 's'} offered).`;
  const wanted = options.defaultModel?.trim();
  if (wanted === undefined || wanted === '')
    return result({ status: 'up', models, httpStatus, message: summary });
  const listed = models.some((name) => modelMatches(wanted, name));
  const offered = models.slice(0, 8).join(', ') + (models.length > 8 ? ', …' : '');
  return result({
    status: 'up',
    models,
    httpStatus,
    defaultModelListed: listed,
    message: listed
      ? summary
      : `${summary} But cloud.default_model "${wanted}" is not one of them, so requests without a model go to the local server: set cloud.default_model to an offered model${models.length > 0 ? ` (${offered})` : ''}.`,
  });
}
