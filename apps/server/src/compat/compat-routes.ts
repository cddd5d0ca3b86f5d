import type { Handler } from '../exchange.js';
import { anthropicMessagesHandler } from './anthropic-handler.js';
import { completionsHandler } from './completions-handler.js';
import { responsesHandler } from './responses-handler.js';

/** The compat layer's routes, for the gateway's route table: path → handler per method. */
export const compatRoutes: readonly (readonly [string, Readonly<Record<string, Handler>>])[] = [
  ['/v1/messages', { POST: anthropicMessagesHandler }],
  ['/v1/responses', { POST: responsesHandler }],
  ['/v1/completions', { POST: completionsHandler }],
];
