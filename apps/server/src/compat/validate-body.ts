import type { z } from 'zod';
import { GatewayError } from '../gateway-error.js';

function pathText(path: readonly PropertyKey[]): string {
  let text = '';
  for (const key of path) {
    if (typeof key === 'number') text += `[${key}]`;
    else text += text === '' ? String(key) : `.${String(key)}`;
  }
  return text === '' ? 'body' : text;
}

/**
 * Validates a request body against a route's schema. On failure throws a 400 `GatewayError` whose message
 * names every offending field (`"messages[0].content": expected string, received number`).
 */
export function validateBody<T>(schema: z.ZodType<T>, body: unknown, route: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues
    .slice(0, 5)
    .map((issue) => `"${pathText(issue.path)}": ${issue.message}`)
    .join('; ');
  throw new GatewayError('BAD_REQUEST', `invalid ${route} request: ${problems}`, { status: 400 });
}

/** A 400 `GatewayError` with this message. */
export function badRequest(message: string): GatewayError {
  return new GatewayError('BAD_REQUEST', message, { status: 400 });
}
