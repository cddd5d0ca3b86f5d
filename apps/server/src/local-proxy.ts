import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Exchange, GatewayContext } from './exchange.js';
import { GatewayError } from './gateway-error.js';

/** Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1), plus the client's credentials. */
const DROPPED_REQUEST_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'authorization',
  'x-api-key',
  'cookie',
]);
const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** `OLLAMA_HOST=127.0.0.1:11434 ollama serve`-style advice for an endpoint. */
export function localUnreachableMessage(endpoint: string): string {
  let hostPort = endpoint;
  try {
    const url = new URL(endpoint);
    hostPort = `${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
  } catch {
    // keep the text as configured
  }
  return `local Ollama server at ${endpoint} is not reachable: start it with OLLAMA_HOST=${hostPort} ollama serve`;
}

function forwardedHeaders(
  headers: IncomingHttpHeaders,
  connectionTokens: Set<string>,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED_REQUEST_HEADERS.has(name) || connectionTokens.has(name)) continue;
    out[name] = value;
  }
  return out;
}

function connectionTokens(value: string | string[] | undefined): Set<string> {
  const text = Array.isArray(value) ? value.join(',') : (value ?? '');
  return new Set(
    text
      .split(',')
      .map((token) => token.trim().toLowerCase())
      .filter((token) => token !== ''),
  );
}

/** Options of {@link proxyToLocal}. */
export interface ProxyOptions {
  /** The request body already read (and validated); without it the client's body is streamed through. */
  readonly body?: string;
}

function isText(contentType: string | undefined): boolean {
  return contentType !== undefined && /json|ndjson|text\//i.test(contentType);
}

/** Pipes the local answer to the client; JSON and NDJSON line by line through the secret scrubber. */
async function relay(exchange: Exchange, context: GatewayContext, upstream: IncomingMessage): Promise<void> {
  const { response } = exchange;
  const tokens = connectionTokens(upstream.headers.connection);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(upstream.headers)) {
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name) || tokens.has(name)) continue;
    headers[name] = value;
  }
  const scrub = context.scrub;
  const textual = scrub !== undefined && isText(upstream.headers['content-type']);
  if (textual) delete headers['content-length'];
  response.writeHead(upstream.statusCode ?? 502, { ...headers, 'x-graphiti-provider': 'local' });
  exchange.provider = 'local';
  let pending = '';
  for await (const chunk of upstream as AsyncIterable<Buffer>) {
    let out: Buffer | string = chunk;
    if (textual) {
      pending += chunk.toString('utf8');
      const cut = pending.lastIndexOf('\n') + 1;
      if (cut === 0) continue;
      out = scrub(pending.slice(0, cut));
      pending = pending.slice(cut);
    }
    if (!response.write(out)) {
      await new Promise<void>((resolve) => {
        response.once('drain', resolve);
        response.once('close', resolve);
      });
    }
    if (response.destroyed) return;
  }
  if (textual && pending !== '') response.write(scrub(pending));
  response.end();
}

/**
 * Passes one request to the local Ollama server unchanged: same method, path and query, the body streamed
 * (or the already read `body`), hop-by-hop headers and every credential dropped (the client's Authorization
 * and the cloud key never reach local), the answer streamed back as it comes. With the local server down:
 * a 503 naming it and how to start it.
 */
export function proxyToLocal(
  exchange: Exchange,
  context: GatewayContext,
  options: ProxyOptions = {},
): Promise<void> {
  const endpoint = context.config.local.endpoint;
  const base = new URL(endpoint);
  const target = new URL(
    `${base.pathname.replace(/\/+$/, '')}${exchange.url.pathname}${exchange.url.search}`,
    base,
  );
  const headers = forwardedHeaders(
    exchange.request.headers,
    connectionTokens(exchange.request.headers.connection),
  );
  if (options.body !== undefined) {
    delete headers['content-length'];
    headers['content-length'] = String(Buffer.byteLength(options.body));
  }
  headers.host = target.host;
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise<void>((resolve, reject) => {
    const outgoing = send(target, {
      method: exchange.request.method ?? 'GET',
      headers,
      signal: exchange.signal,
      timeout: context.config.timeouts.local.read * 1000,
    });
    let answered = false;
    outgoing.on('timeout', () => outgoing.destroy(new Error('the local server stopped answering')));
    outgoing.on('error', (error) => {
      if (answered) return;
      answered = true;
      reject(
        new GatewayError('LOCAL_UNREACHABLE', localUnreachableMessage(endpoint), {
          status: 503,
          retryAfter: 5,
          cause: error,
        }),
      );
    });
    outgoing.on('response', (upstream) => {
      answered = true;
      relay(exchange, context, upstream).then(resolve, (error: unknown) => {
        exchange.response.destroy();
        reject(error);
      });
    });
    if (options.body !== undefined) outgoing.end(options.body);
    else exchange.request.pipe(outgoing);
  });
}
