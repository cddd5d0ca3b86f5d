import { HttpError, isObject, type Json } from './exchange.js';
import { goTypeName } from './http-helpers.js';
import type { ResolvedModel } from './models.js';
import { keepAliveSeconds } from './request-checks.js';

const thinkLevels = new Set(['low', 'medium', 'high', 'max']);

/** `think` as Ollama reads it: true, false or a level; 400 `invalid think value` otherwise. */
export function parseThink(value: unknown): boolean | string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && thinkLevels.has(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  throw new HttpError(
    400,
    `invalid think value: ${shown} (must be "high", "medium", "low", "max", true, or false)`,
  );
}

/** True when `think` asks for thinking; 400 `"<model>" does not support thinking` on a model without it. */
export function wantsThinking(
  think: boolean | string | undefined,
  name: string,
  model: ResolvedModel,
): boolean {
  if (think === undefined || think === false) return false;
  if (!model.capabilities.includes('thinking'))
    throw new HttpError(400, `"${name}" does not support thinking`);
  return true;
}

/** `top_logprobs` checked as Ollama does (0–20); 0 when absent. */
export function parseTopLogprobs(body: Json): number {
  const value = body.top_logprobs;
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new HttpError(
      400,
      `json: cannot unmarshal ${goTypeName(value)} into Go struct field top_logprobs of type int`,
    );
  }
  if (value < 0 || value > 20) throw new HttpError(400, 'top_logprobs must be between 0 and 20');
  return value;
}

/** `logprobs: true` (or a positive `top_logprobs`, which implies it). */
export function wantsLogprobs(body: Json, top: number): boolean {
  if (body.logprobs !== undefined && body.logprobs !== null && typeof body.logprobs !== 'boolean') {
    throw new HttpError(
      400,
      `json: cannot unmarshal ${goTypeName(body.logprobs)} into Go struct field logprobs of type bool`,
    );
  }
  return body.logprobs === true || top > 0;
}

/** Checks `format`: `"json"`, `""` or a schema object. */
export function checkFormat(value: unknown): void {
  if (value === undefined || value === null || value === '' || value === 'json' || isObject(value)) return;
  if (typeof value === 'string') {
    throw new HttpError(
      400,
      `invalid format: expected "json" or a valid JSON schema, got ${JSON.stringify(value)}`,
    );
  }
  throw new HttpError(
    400,
    `invalid format: expected "json" or a JSON schema object, got ${goTypeName(value)}`,
  );
}

/** What `/api/chat` and `/api/generate` read alike from a request. */
export interface InferenceOptions {
  /** The answer carries thinking (`think`, checked against the model). */
  readonly thinking: boolean;
  /** `top_logprobs`, 0 when absent. */
  readonly top: number;
  /** The answer carries logprobs. */
  readonly logprobs: boolean;
  /** `keep_alive` in seconds, when given. */
  readonly keepAlive: number | undefined;
  /** False only for `stream: false`. */
  readonly stream: boolean;
}

/** Reads and checks `think`, `format`, `top_logprobs`, `logprobs`, `keep_alive` and `stream`, in that order. */
export function readInferenceOptions(body: Json, name: string, model: ResolvedModel): InferenceOptions {
  const thinking = wantsThinking(parseThink(body.think), name, model);
  checkFormat(body.format);
  const top = parseTopLogprobs(body);
  const logprobs = wantsLogprobs(body, top);
  return {
    thinking,
    top,
    logprobs,
    keepAlive: keepAliveSeconds(body.keep_alive),
    stream: body.stream !== false,
  };
}
