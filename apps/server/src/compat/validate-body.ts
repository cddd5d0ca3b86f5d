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

interface Problem {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/**
 * A union's "Invalid input" says nothing; report the branch that got furthest into the value instead
 * (`input[0].content: expected string`), which names the field that is wrong.
 */
function explain(issue: z.core.$ZodIssue, prefix: readonly PropertyKey[] = []): Problem[] {
  const path = [...prefix, ...issue.path];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const branches = issue.errors.map((branch) => branch.flatMap((inner) => explain(inner, path)));
    const depth = (problems: Problem[]): number =>
      Math.max(0, ...problems.map((problem) => problem.path.length));
    const best = branches.reduce((a, b) => (depth(b) > depth(a) ? b : a));
    if (depth(best) > path.length) return best;
    // no branch got further: say which types would have been accepted
    const expected = issue.errors.flatMap((branch) =>
      branch.flatMap((inner) =>
        inner.code === 'invalid_type' && inner.path.length === 0 ? [inner.expected] : [],
      ),
    );
    if (expected.length > 0) return [{ path, message: `expected ${[...new Set(expected)].join(' or ')}` }];
  }
  return [{ path, message: issue.message }];
}

/**
 * Validates a request body against a route's schema. On failure throws a 400 `GatewayError` whose message
 * names every offending field (`"messages[0].content": expected string, received number`).
 */
export function validateBody<T>(schema: z.ZodType<T>, body: unknown, route: string): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const problems = result.error.issues
    .flatMap((issue) => explain(issue))
    .slice(0, 5)
    .map((problem) => `"${pathText(problem.path)}": ${problem.message}`)
    .join('; ');
  throw new GatewayError('BAD_REQUEST', `invalid ${route} request: ${problems}`, { status: 400 });
}

/** A 400 `GatewayError` with this message. */
export function badRequest(message: string): GatewayError {
  return new GatewayError('BAD_REQUEST', message, { status: 400 });
}
