import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { CorsPolicy } from './cors.js';
import type { Exchange, GatewayContext } from './exchange.js';
import { sendJson } from './http-utils.js';
import { sendOllamaError } from './ollama-api.js';
import { openAiErrorBody, sendOpenAiError } from './openai-api.js';
import type { RouteFamily, RouteMatch } from './route-table.js';

/** One step of the request chain: does its part, then calls `next` (or answers and does not). */
export type Middleware = (
  exchange: Exchange,
  context: GatewayContext,
  next: () => Promise<void>,
) => Promise<void>;

/** Runs middlewares in order around `last`. */
export function compose<E extends Exchange>(
  middlewares: readonly Middleware[],
  last: (exchange: E, context: GatewayContext) => Promise<void>,
): (exchange: E, context: GatewayContext) => Promise<void> {
  return (exchange, context) => {
    const step = (index: number): Promise<void> => {
      const middleware = middlewares[index];
      if (middleware === undefined) return last(exchange, context);
      return middleware(exchange, context, () => step(index + 1));
    };
    return step(0);
  };
}

/** The error shape of a path: OpenAI's under `/v1`, Ollama's elsewhere. */
export function familyOf(match: RouteMatch | undefined, pathname: string): RouteFamily {
  return match?.route.family ?? (pathname.startsWith('/v1/') ? 'openai' : 'ollama');
}

/** The error shape of an exchange: its matched route's, else its path's. */
function exchangeFamily(exchange: Exchange): RouteFamily {
  return exchange.family ?? familyOf(undefined, exchange.url.pathname);
}

/** Sends an error in the family's shape, with a status and optional headers. */
export function sendFamilyError(
  exchange: Exchange,
  family: RouteFamily,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  exchange.request.resume();
  const type = status === 401 ? 'invalid_api_key' : null;
  if (family === 'openai')
    sendJson(exchange.response, status, openAiErrorBody(status, message, type), headers);
  else sendJson(exchange.response, status, { error: message }, headers);
}

/** Maps whatever the rest of the chain threw to the family's error answer (the one place errors are mapped). */
export function errorsMiddleware(): Middleware {
  return async (exchange, context, next) => {
    try {
      await next();
    } catch (error) {
      if (exchange.signal.aborted) return; // the client went away: nobody reads an answer
      if (exchangeFamily(exchange) === 'openai') sendOpenAiError(exchange, context, error);
      else sendOllamaError(exchange, context, error);
    }
  };
}

/** Answers CORS preflights (before auth, as Ollama does) and marks answers to allowed origins. */
export function corsMiddleware(policy: CorsPolicy): Middleware {
  return async (exchange, _context, next) => {
    if (policy.handle(exchange.request, exchange.response)) return;
    await next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** The gateway token a client sent: `Authorization: Bearer <token>`, or `x-api-key` (Anthropic clients). */
function presentedToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match !== null) return match[1] as string;
  }
  const apiKey = request.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey !== '' ? apiKey : undefined;
}

/** With `server.auth_token` set, every path but `/healthz` needs the token (compared in constant time). */
export function authMiddleware(token: string | undefined): Middleware {
  const expected = token === undefined || token === '' ? undefined : digest(token);
  return async (exchange, _context, next) => {
    if (expected === undefined || exchange.url.pathname === '/healthz') return next();
    const presented = presentedToken(exchange.request);
    if (presented !== undefined && timingSafeEqual(digest(presented), expected)) return next();
    sendFamilyError(
      exchange,
      exchangeFamily(exchange),
      401,
      'unauthorized: send Authorization: Bearer <server.auth_token>',
      {
        'www-authenticate': 'Bearer',
      },
    );
  };
}
