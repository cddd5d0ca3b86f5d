import { QueueError } from './errors.js';

function describeProblem(value: unknown, path: string, seen: Set<object>): string | undefined {
  switch (typeof value) {
    case 'bigint':
      return `${path} is a BigInt`;
    case 'function':
      return `${path} is a function`;
    case 'symbol':
      return `${path} is a symbol`;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path} is ${value} (JSON would store null)`;
    case 'object': {
      if (value === null) return undefined;
      if (seen.has(value)) return `${path} is a circular reference`;
      const toJSON = (value as { toJSON?: unknown }).toJSON;
      if (typeof toJSON === 'function') return undefined;
      if (value instanceof Map || value instanceof Set) {
        return `${path} is a ${value instanceof Map ? 'Map' : 'Set'} (JSON would store {})`;
      }
      seen.add(value);
      try {
        if (Array.isArray(value)) {
          for (let index = 0; index < value.length; index++) {
            const problem = describeProblem(value[index], `${path}[${index}]`, seen);
            if (problem) return problem;
          }
          return undefined;
        }
        for (const [key, child] of Object.entries(value)) {
          if (child === undefined) continue;
          const problem = describeProblem(child, `${path}.${key}`, seen);
          if (problem) return problem;
        }
        return undefined;
      } finally {
        seen.delete(value);
      }
    }
    default:
      return undefined;
  }
}

/**
 * Serialises a value to JSON text, or throws a QueueError (`INVALID_PARAMS`) that names the
 * first part of the value JSON cannot represent faithfully.
 */
export function toJson(value: unknown, label: string): string {
  const problem = value === undefined ? `${label} is undefined` : describeProblem(value, label, new Set());
  if (problem) {
    throw new QueueError('INVALID_PARAMS', `${problem}: it must be JSON-serialisable to be stored.`);
  }
  try {
    return JSON.stringify(value);
  } catch (error) {
    throw new QueueError('INVALID_PARAMS', `${label} is not JSON-serialisable: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort())
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    return sorted;
  }
  return value;
}

/** JSON text with object keys sorted, so equal values give equal text (used for compare-and-set). */
export function toCanonicalJson(value: unknown, label: string): string {
  const text = toJson(value, label);
  return JSON.stringify(sortKeys(JSON.parse(text)));
}
