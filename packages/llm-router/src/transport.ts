import type { IncomingHttpHeaders } from 'node:http';
import type { TimeoutConfig } from '@graphiti/llm-config';
import { Agent, type Dispatcher, request } from 'undici';
import type { Scrub } from './secrets.js';
import type { ProviderName } from './types.js';
import { UpstreamError } from './upstream-error.js';

/** A 2xx answer whose body has not been read yet. */
export interface UpstreamResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** undici's body: async-iterable Buffers, `text()`, `dump()`, `destroy()`. */
  readonly body: Dispatcher.ResponseData['body'];
}

/** Per-request options of a transport call. */
export interface SendOptions {
  /** Cancels the request (and its body) at once. */
  readonly signal?: AbortSignal | undefined;
}

/** One upstream Ollama server, reached through one long-lived undici Agent. */
export interface Transport {
  readonly name: ProviderName;
  readonly endpoint: string;
  /** The read timeout in ms (headers and every gap in the body). */
  readonly readTimeoutMs: number;
  /** The longest wait for a streamed answer's first line, in ms. */
  readonly firstTokenMs: number;
  /** POSTs a JSON text. Resolves with a 2xx response; a non-2xx is read and thrown as {@link UpstreamError}. */
  post(path: string, json: string, options?: SendOptions): Promise<UpstreamResponse>;
  /** GETs a path; same error contract as `post`. */
  get(path: string, options?: SendOptions): Promise<UpstreamResponse>;
  /** Closes the pool: in-flight requests may finish for 2 s, then their sockets are destroyed. */
  close(): Promise<void>;
}

/** Options of {@link createTransport}. */
export interface TransportOptions {
  readonly name: ProviderName;
  readonly endpoint: string;
  /** Sent as `Authorization: Bearer <apiKey>`; only the cloud has one. */
  readonly apiKey?: string | undefined;
  /** Seconds: `connect` bounds TCP/TLS connect, `read` the wait for headers and every body gap. */
  readonly timeouts: TimeoutConfig;
  /** Removes secret values from upstream error texts. */
  readonly scrub: Scrub;
  /** Replaces the Agent (tests, custom TLS). */
  readonly dispatcher?: Dispatcher;
}

/** Most of an error body that is kept (the rest is dropped unread). */
const ERROR_BODY_LIMIT = 64 * 1024;

async function errorText(body: Dispatcher.ResponseData['body']): Promise<string> {
  let text = '';
  try {
    for await (const chunk of body) {
      text += (chunk as Buffer).toString('utf8');
      if (text.length >= ERROR_BODY_LIMIT) {
        body.destroy();
        break;
      }
    }
  } catch {
    // a body cut short still tells what it said so far
  }
  return text.slice(0, ERROR_BODY_LIMIT);
}

function scrubHeaders(headers: IncomingHttpHeaders, scrub: Scrub): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Array.isArray(value) ? value.map(scrub) : value === undefined ? value : scrub(value);
  }
  return out as IncomingHttpHeaders;
}

/**
 * The router's one upstream transport: undici `request` on a per-provider Agent whose connect timeout is
 * separate from the read timeout (a blackholed host fails after `timeouts.connect`, not after `read`).
 * No client object per attempt, no side channel: a call resolves with status, headers and body, or throws
 * an `UpstreamError` (status, headers, body text) or undici's own error (with its `code`).
 */
export function createTransport(options: TransportOptions): Transport {
  const connectMs = Math.max(1, Math.round(options.timeouts.connect * 1000));
  const readMs = Math.max(1, Math.round(options.timeouts.read * 1000));
  const firstToken = (options.timeouts as { first_token?: number }).first_token;
  const firstTokenMs = firstToken !== undefined && firstToken > 0 ? Math.round(firstToken * 1000) : readMs;
  const ownAgent =
    options.dispatcher === undefined
      ? new Agent({ connect: { timeout: connectMs }, headersTimeout: readMs, bodyTimeout: readMs })
      : undefined;
  const dispatcher: Dispatcher = options.dispatcher ?? (ownAgent as Agent);
  const base = options.endpoint.replace(/\/+$/, '');
  const jsonHeaders: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
  };
  const getHeaders: Record<string, string> = {
    accept: 'application/json',
    ...(options.apiKey === undefined ? {} : { authorization: `Bearer ${options.apiKey}` }),
  };

  async function send(
    method: 'GET' | 'POST',
    path: string,
    json: string | undefined,
    sendOptions: SendOptions | undefined,
  ): Promise<UpstreamResponse> {
    const response = await request(`${base}${path}`, {
      method,
      dispatcher,
      headers: json === undefined ? getHeaders : jsonHeaders,
      ...(json === undefined ? {} : { body: json }),
      ...(sendOptions?.signal === undefined ? {} : { signal: sendOptions.signal }),
    });
    if (response.statusCode >= 200 && response.statusCode < 300) {
      return { status: response.statusCode, headers: response.headers, body: response.body };
    }
    const text = options.scrub(await errorText(response.body));
    throw new UpstreamError(response.statusCode, scrubHeaders(response.headers, options.scrub), text);
  }

  return {
    name: options.name,
    endpoint: options.endpoint,
    readTimeoutMs: readMs,
    firstTokenMs,
    post: (path, json, sendOptions) => send('POST', path, json, sendOptions),
    get: (path, sendOptions) => send('GET', path, undefined, sendOptions),
    async close() {
      if (ownAgent === undefined) return;
      let timer: NodeJS.Timeout | undefined;
      const closed = ownAgent.close().then(() => true);
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), 2000);
      });
      const graceful = await Promise.race([closed, late]);
      clearTimeout(timer);
      if (!graceful) await ownAgent.destroy();
    },
  };
}
