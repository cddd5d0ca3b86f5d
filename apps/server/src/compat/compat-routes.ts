import type { Handler } from '../exchange.js';
import { modelDetailHandler } from '../openai-api.js';
import { anthropicMessagesHandler } from './anthropic-handler.js';
import { completionsHandler } from './completions-handler.js';
import { responsesHandler } from './responses-handler.js';

/** The compat layer's routes, for the gateway's route table: path → handler per method. */
export const compatRoutes: readonly (readonly [string, Readonly<Record<string, Handler>>])[] = [
  ['/v1/messages', { POST: anthropicMessagesHandler }],
  ['/v1/responses', { POST: responsesHandler }],
  ['/v1/completions', { POST: completionsHandler }],
];

/**
 * The compat layer's routes with a path parameter: `GET /v1/models/{model}`. Returns the route template
 * and handlers when `path` matches (for the gateway's `resolve`), else undefined.
 */
export function matchCompatRoute(
  path: string,
): { readonly template: string; readonly methods: Readonly<Record<string, Handler>> } | undefined {
  const match = /^\/v1\/models\/(.+)$/.exec(path);
  if (match === null) return undefined;
  let id = match[1] as string;
  try {
    id = decodeURIComponent(id);
  } catch {
    // a malformed escape: look the raw text up (it matches nothing)
  }
  return { template: '/v1/models/:model', methods: { GET: modelDetailHandler(id) } };
}
