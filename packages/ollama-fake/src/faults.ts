import { cloudAnswers } from './cloud-answers.js';
import { normalizeModelName } from './models.js';
import { OllamaFakeError } from './ollama-fake-error.js';
import type { CloudAnswer, FaultKind, FaultSpec } from './types.js';

/** Every fault kind, for validation and messages. */
export const faultKinds: readonly FaultKind[] = [
  'status',
  'reset',
  'hang',
  'delay',
  'stall',
  'stream-error',
  'truncate',
  'malformed',
  'headers',
  'cloud',
  'first-chunk-delay',
  'echo-auth',
];

const knownFields = new Set([
  'kind',
  'path',
  'model',
  'times',
  'status',
  'message',
  'headers',
  'afterChunks',
  'delayMs',
  'contentType',
  'answer',
]);

/** A validated fault with its remaining uses. */
export interface ActiveFault {
  readonly spec: FaultSpec;
  readonly kind: FaultKind;
  readonly path: string | undefined;
  readonly model: string | undefined;
  remaining: number;
}

function invalid(index: number | undefined, message: string): never {
  const where = index === undefined ? 'fault' : `fault[${index}]`;
  throw new OllamaFakeError('INVALID_FAULT', `Invalid ${where}: ${message}`);
}

function isNonNegativeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

/** Checks one fault spec; throws OllamaFakeError('INVALID_FAULT') naming the bad field and what is expected. */
export function validateFault(input: unknown, index?: number): ActiveFault {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    invalid(index, `expected an object like {"kind":"status","status":503}, got ${JSON.stringify(input)}.`);
  }
  const spec = input as Record<string, unknown>;
  for (const key of Object.keys(spec)) {
    if (!knownFields.has(key))
      invalid(index, `unknown field "${key}" (known: ${[...knownFields].join(', ')}).`);
  }
  if (typeof spec.kind !== 'string' || !faultKinds.includes(spec.kind as FaultKind)) {
    invalid(index, `"kind" must be one of ${faultKinds.join(', ')}; got ${JSON.stringify(spec.kind)}.`);
  }
  if (spec.path !== undefined && (typeof spec.path !== 'string' || !spec.path.startsWith('/'))) {
    invalid(
      index,
      `"path" must be a string starting with "/", e.g. "/api/chat"; got ${JSON.stringify(spec.path)}.`,
    );
  }
  if (spec.model !== undefined && (typeof spec.model !== 'string' || spec.model === '')) {
    invalid(index, `"model" must be a non-empty string; got ${JSON.stringify(spec.model)}.`);
  }
  if (
    spec.times !== undefined &&
    spec.times !== null &&
    spec.times !== Number.POSITIVE_INFINITY &&
    !(isNonNegativeInteger(spec.times) && spec.times > 0)
  ) {
    invalid(
      index,
      `"times" must be a positive integer (omit it for "until reset"); got ${JSON.stringify(spec.times)}.`,
    );
  }
  if (
    spec.status !== undefined &&
    !(
      typeof spec.status === 'number' &&
      Number.isInteger(spec.status) &&
      spec.status >= 200 &&
      spec.status <= 599
    )
  ) {
    invalid(
      index,
      `"status" must be an integer HTTP status between 200 and 599; got ${JSON.stringify(spec.status)}.`,
    );
  }
  for (const key of ['message', 'contentType'] as const) {
    if (spec[key] !== undefined && typeof spec[key] !== 'string') {
      invalid(index, `"${key}" must be a string; got ${JSON.stringify(spec[key])}.`);
    }
  }
  if (spec.headers !== undefined) {
    const headers = spec.headers;
    if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) {
      invalid(index, `"headers" must be an object of header names to string values.`);
    }
    for (const [name, value] of Object.entries(headers)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
        invalid(index, `header name ${JSON.stringify(name)} is not valid.`);
      if (typeof value !== 'string' || /[\r\n]/.test(value)) {
        invalid(
          index,
          `header "${name}" must have a single-line string value; got ${JSON.stringify(value)}.`,
        );
      }
    }
  }
  if (spec.afterChunks !== undefined && !isNonNegativeInteger(spec.afterChunks)) {
    invalid(index, `"afterChunks" must be an integer >= 0; got ${JSON.stringify(spec.afterChunks)}.`);
  }
  if (
    spec.delayMs !== undefined &&
    !(typeof spec.delayMs === 'number' && Number.isFinite(spec.delayMs) && spec.delayMs >= 0)
  ) {
    invalid(index, `"delayMs" must be a number >= 0; got ${JSON.stringify(spec.delayMs)}.`);
  }
  if (spec.kind === 'cloud') {
    if (typeof spec.answer !== 'string' || !cloudAnswers.includes(spec.answer as CloudAnswer)) {
      invalid(
        index,
        `"answer" must be one of ${cloudAnswers.join(', ')} for kind "cloud"; got ${JSON.stringify(spec.answer)}.`,
      );
    }
  } else if (spec.answer !== undefined) {
    invalid(index, `"answer" only applies to kind "cloud"; got kind ${JSON.stringify(spec.kind)}.`);
  }
  const times = typeof spec.times === 'number' ? spec.times : Number.POSITIVE_INFINITY;
  const clean = { ...spec } as unknown as FaultSpec;
  return {
    spec: Object.freeze(clean),
    kind: spec.kind as FaultKind,
    path: spec.path as string | undefined,
    model: spec.model === undefined ? undefined : normalizeModelName(spec.model as string),
    remaining: times,
  };
}

/** Validates a spec or an array of specs, all or nothing. */
export function validateFaults(input: unknown): ActiveFault[] {
  if (Array.isArray(input)) return input.map((spec, index) => validateFault(spec, index));
  return [validateFault(input)];
}

/** The ordered list of scripted faults. */
export class FaultBook {
  #faults: ActiveFault[] = [];

  add(faults: readonly ActiveFault[]): void {
    this.#faults.push(...faults);
  }

  clear(): void {
    this.#faults = [];
  }

  get size(): number {
    return this.#faults.length;
  }

  /** Takes one use of the first live fault matching the request, or returns undefined. */
  take(path: string, model: string | undefined): ActiveFault | undefined {
    if (this.#faults.length === 0) return undefined;
    const normalized = model === undefined ? undefined : normalizeModelName(model);
    for (const fault of this.#faults) {
      if (fault.remaining <= 0) continue;
      if (fault.path !== undefined && fault.path !== path) continue;
      if (fault.model !== undefined && fault.model !== normalized) continue;
      fault.remaining -= 1;
      return fault;
    }
    return undefined;
  }
}
