import type { IncomingMessage, ServerResponse } from 'node:http';

/** Request headers a browser may send (Ollama's list, plus what the OpenAI and Anthropic SDKs add). */
const ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'User-Agent',
  'Accept',
  'X-Requested-With',
  'Idempotency-Key',
  'Prefer',
  'X-Api-Key',
  'Anthropic-Version',
  'Anthropic-Beta',
  'OpenAI-Beta',
  'X-Stainless-Lang',
  'X-Stainless-Package-Version',
  'X-Stainless-OS',
  'X-Stainless-Arch',
  'X-Stainless-Retry-Count',
  'X-Stainless-Runtime',
  'X-Stainless-Runtime-Version',
  'X-Stainless-Async',
  'X-Stainless-Helper-Method',
  'X-Stainless-Poll-Helper',
  'X-Stainless-Custom-Poll-Interval',
  'X-Stainless-Timeout',
].join(', ');
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS';
const EXPOSED_HEADERS = 'x-graphiti-provider, x-graphiti-model, retry-after, location';

/** Decides, as Ollama does, whether a browser origin may call the gateway. */
export interface CorsPolicy {
  /** True when `origin` matches one of the allowed patterns (`*` matches any text). */
  allows(origin: string): boolean;
  /**
   * Applies the policy to one request: answers a preflight (`OPTIONS` with `Access-Control-Request-Method`)
   * at once, refuses a request from a disallowed origin with 403, and adds `Access-Control-Allow-Origin` to
   * the answers of allowed ones. Returns true when the request was answered here.
   */
  handle(request: IncomingMessage, response: ServerResponse): boolean;
}

function pattern(origin: string): RegExp {
  const escaped = origin
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

/** Builds the policy of `server.cors_origins`. */
export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  const patterns = origins.map(pattern);
  const allows = (origin: string): boolean => patterns.some((re) => re.test(origin.toLowerCase()));
  return {
    allows,
    handle(request, response) {
      const origin = request.headers.origin;
      if (typeof origin !== 'string' || origin === '') return false;
      const preflight =
        request.method === 'OPTIONS' && typeof request.headers['access-control-request-method'] === 'string';
      if (!allows(origin)) {
        request.resume();
        const text = JSON.stringify({ error: `origin ${origin} is not allowed (server.cors_origins)` });
        response.writeHead(403, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(text),
          vary: 'Origin',
        });
        response.end(text);
        return true;
      }
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'Origin');
      if (!preflight) {
        response.setHeader('access-control-expose-headers', EXPOSED_HEADERS);
        return false;
      }
      request.resume();
      response.writeHead(204, {
        'access-control-allow-methods': ALLOWED_METHODS,
        'access-control-allow-headers': ALLOWED_HEADERS,
        'access-control-max-age': '43200',
        'content-length': '0',
      });
      response.end();
      return true;
    },
  };
}
