import type { z } from 'zod';
import type { Handler } from './exchange.js';
import { readJson } from './http-utils.js';
import { proxyToLocal } from './local-proxy.js';
import {
  copyRequestSchema,
  createRequestSchema,
  deleteRequestSchema,
  pullRequestSchema,
} from './native-schemas.js';
import { validateBody } from './validate-body.js';

/**
 * A model-management route: the JSON body is read (bounded), validated against the route's schema, and
 * passed to the local server byte for byte; the streamed status lines come back as they arrive.
 */
function validatedPassthrough(schema: z.ZodType): Handler {
  return async (exchange, context) => {
    const { text, value } = await readJson(exchange.request);
    validateBody(schema, value);
    await proxyToLocal(exchange, context, { body: text });
  };
}

/** `POST /api/pull` (to the local server). */
export const pullHandler: Handler = validatedPassthrough(pullRequestSchema);
/** `POST /api/push` (to the local server). */
export const pushHandler: Handler = validatedPassthrough(pullRequestSchema);
/** `POST /api/create` (to the local server). */
export const createHandler: Handler = validatedPassthrough(createRequestSchema);
/** `POST /api/copy` (to the local server). */
export const copyHandler: Handler = validatedPassthrough(copyRequestSchema);
/** `DELETE /api/delete` (to the local server). */
export const deleteHandler: Handler = validatedPassthrough(deleteRequestSchema);

/** `HEAD|POST /api/blobs/:digest` and any other `/api/*` path: streamed to the local server unchanged. */
export const localPassthroughHandler: Handler = (exchange, context) => proxyToLocal(exchange, context);
