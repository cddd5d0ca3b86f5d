import { type Exchange, HttpError, isObject, type Json } from './exchange.js';
import { goTypeName } from './http-helpers.js';

/** Decodes the JSON body like Ollama's handlers do (missing body, bad JSON, wrong top-level type). */
export function requireObject(exchange: Exchange, goType: string): Json {
  if (exchange.rawBody.trim() === '') throw new HttpError(400, 'missing request body');
  if (exchange.parseError !== undefined) throw new HttpError(400, exchange.parseError);
  if (!isObject(exchange.body)) {
    throw new HttpError(
      400,
      `json: cannot unmarshal ${goTypeName(exchange.body)} into Go value of type ${goType}`,
    );
  }
  return exchange.body;
}

/** Throws Go's unmarshal error when `body[field]` is present with the wrong JSON type. */
export function checkField(
  body: Json,
  field: string,
  goStruct: string,
  expected: 'string' | 'bool' | 'array' | 'number' | 'object',
  goType: string,
): void {
  const value = body[field];
  if (value === undefined || value === null) return;
  if (goTypeName(value) !== expected) {
    throw new HttpError(
      400,
      `json: cannot unmarshal ${goTypeName(value)} into Go struct field ${goStruct}.${field} of type ${goType}`,
    );
  }
}

/** The `model` (or legacy `name`) of a model-management request; 400 `model is required` when absent. */
export function modelField(body: Json, goStruct: string): string {
  checkField(body, 'model', goStruct, 'string', 'string');
  checkField(body, 'name', goStruct, 'string', 'string');
  const name = (body.model as string | undefined) || (body.name as string | undefined) || '';
  if (name === '') throw new HttpError(400, 'model is required');
  return name;
}

/**
 * Checks an `images` array as Go decodes `[]api.ImageData`: each item a string. A non-string item (the
 * `{"length": 3e7}` amplification body among them) is a 400 and nothing is allocated for it. The base64
 * itself is not checked, so that tests may send any string as an image.
 */
export function checkImages(value: unknown, goField: string): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    throw new HttpError(
      400,
      `json: cannot unmarshal ${goTypeName(value)} into Go struct field ${goField} of type []api.ImageData`,
    );
  }
  for (const item of value) {
    if (typeof item !== 'string') {
      throw new HttpError(
        400,
        `json: cannot unmarshal ${goTypeName(item)} into Go struct field ${goField} of type api.ImageData`,
      );
    }
  }
}

const durationUnits: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * `keep_alive` in seconds as Ollama reads it: a number of seconds or a Go duration string (`"5m"`,
 * `"1h30m"`); negative keeps the model loaded for ever; undefined when absent. A bare `"300"` is a 400.
 */
export function keepAliveSeconds(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string') {
    throw new HttpError(
      400,
      `json: cannot unmarshal ${goTypeName(value)} into Go value of type api.Duration`,
    );
  }
  const text = value.trim();
  if (text === '0') return 0;
  const match = /^(-?)((?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/.exec(text);
  if (!match) {
    const missing = /^-?\d+(?:\.\d+)?$/.test(text);
    throw new HttpError(400, `time: ${missing ? 'missing unit in' : 'invalid'} duration "${value}"`);
  }
  let seconds = 0;
  for (const part of match[2]!.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    seconds += Number(part[1]) * durationUnits[part[2]!]!;
  }
  return match[1] === '-' ? -seconds : seconds;
}
