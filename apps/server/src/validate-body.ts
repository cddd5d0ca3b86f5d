import type { z } from 'zod';
import { badRequest } from './gateway-error.js';

/** Deepest nesting of arrays and objects accepted in a request body. */
export const MAX_JSON_DEPTH = 64;

/**
 * Throws a 400 when `value` nests arrays/objects deeper than `maxDepth` (checked without recursion, so a
 * body nested 10,000 deep is refused instead of overflowing the stack later).
 */
export function checkDepth(value: unknown, maxDepth = MAX_JSON_DEPTH): void {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const top = stack.pop() as { value: unknown; depth: number };
    if (typeof top.value !== 'object' || top.value === null) continue;
    if (top.depth >= maxDepth) {
      throw badRequest(`invalid request: the body nests deeper than ${maxDepth} levels`);
    }
    const children = Array.isArray(top.value) ? top.value : Object.values(top.value);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: top.depth + 1 });
    }
  }
}

function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? 'the body' : `"${out}"`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let current = body;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

/**
 * Validates a parsed body against a route's schema; a mismatch is a 400 naming the field, what was expected
 * and what was sent (`invalid request: "messages[0].images[0]" must be a base64 string, got an object`).
 */
export function validateBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  checkDepth(body);
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue === undefined) throw badRequest('invalid request body');
  const where = fieldPath(issue.path);
  const got = valueAt(body, issue.path);
  const message =
    issue.code === 'invalid_type' || issue.code === 'invalid_union'
      ? `invalid request: ${where} must be ${issue.message}, got ${describe(got)}`
      : `invalid request: ${where}: ${issue.message}`;
  throw badRequest(message);
}
