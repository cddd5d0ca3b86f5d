import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LlmConfig } from '@graphiti/llm-config';
import { type Logger, type ProcessPendingResult, processPending } from '@graphiti/llm-router';
import {
  createReadyzHandler,
  healthzHandler,
  metricsHandler,
  queueItemHandler,
  queueListHandler,
  queueRetryHandler,
  quotaHandler,
} from './admin-api.js';
import { compatRoutes } from './compat/compat-routes.js';
import type { Exchange, GatewayContext, Handler } from './exchange.js';
import { GatewayError } from './gateway-error.js';
import { sendJson, sendText } from './http-utils.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import {
  chatHandler,
  embedHandler,
  generateHandler,
  legacyEmbeddingsHandler,
  psHandler,
  sendOllamaError,
  showHandler,
  tagsHandler,
  versionHandler,
} from './ollama-api.js';
import {
  chatCompletionsHandler,
  embeddingsHandler,
  modelsHandler,
  openAiErrorBody,
  sendOpenAiError,
} from './openai-api.js';
import { openRuntime, type Runtime } from './runtime.js';

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  /** The validated configuration (`loadConfig()`); `server.*` and `queue.retry_interval_seconds` are used here. */
  readonly config: LlmConfig;
  /** pino (or any structural logger). Without one the gateway logs nothing. */
  readonly logger?: Logger;
  /**
   * An already opened runtime (`openRuntime`). When given, the gateway does not close it, and router events
   * reach the failover metrics only if its logger was wrapped with `metrics.observe()`. @default one opened
   * from `config`, closed by `close()`
   */
  readonly runtime?: Runtime;
  /** Port to listen on; 0 picks a free one. @default config.server.port */
  readonly port?: number;
  /** Interface to listen on. @default config.server.host */
  readonly host?: string;
  /** Counters to use (pass one created with `createGatewayMetrics()` to share it with your runtime's logger). */
  readonly metrics?: GatewayMetrics;
  /** How long `close()` waits for in-flight requests before cutting connections, in ms. @default 10000 */
  readonly shutdownTimeoutMs?: number;
  /** How long a `/readyz` result is reused, in ms. @default 2000 */
  readonly readyCacheMs?: number;
  /** Period of the background queue replay, in ms. 0 disables it. @default queue.retry_interval_seconds * 1000 */
  readonly replayIntervalMs?: number;
}

/** A running gateway. */
export interface Gateway {
  /** Base URL, e.g. `http://127.0.0.1:11436` (use it as the Ollama client's `host`). */
  readonly url: string;
  /** The port actually bound. */
  readonly port: number;
  /** The runtime serving requests. */
  readonly runtime: Runtime;
  /** The gateway's counters. */
  readonly metrics: GatewayMetrics;
  /**
   * Stops accepting connections, lets in-flight requests finish (bounded by `shutdownTimeoutMs`), stops the
   * background replay, and closes the runtime when the gateway opened it. Safe to call twice.
   */
  close(): Promise<void>;
}

interface Route {
  readonly methods: Readonly<Record<string, Handler>>;
  readonly openAi: boolean;
}

function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Constant-time check of `Authorization: Bearer <token>`. */
function authorized(request: IncomingMessage, expected: Buffer): boolean {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (match === null) return false;
  return timingSafeEqual(digest(match[1] as string), expected);
}

const root: Handler = async (exchange) => {
  sendText(exchange.response, 200, exchange.request.method === 'HEAD' ? '' : 'Ollama is running');
};

/**
 * Starts the Ollama-compatible gateway: Ollama's API at Ollama's paths (`/api/chat`, `/api/generate`, ...),
 * OpenAI's under `/v1`, and the admin endpoints, all served through the failover router.
 *
 * ```ts
 * const config = loadConfig();
 * const gateway = await startGateway({ config, logger: pino() });
 * const ollama = new Ollama({ host: gateway.url });
 * await ollama.chat({ model: 'default', messages: [{ role: 'user', content: 'hi' }] });
 * await gateway.close();
 * ```
 */
export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { config, logger } = options;
  const host = options.host ?? config.server.host;
  const port = options.port ?? config.server.port;
  const token = config.server.auth_token;
  const hasToken = token !== undefined && token !== '';
  if (!hasToken && !isLoopback(host)) {
    throw new GatewayError(
      'AUTH_TOKEN_REQUIRED',
      `Listening on ${host} (not loopback) needs an auth token: set server.auth_token or GRAPHITI_SERVER_TOKEN.`,
    );
  }
  const expectedToken = hasToken ? digest(token) : undefined;
  const metrics = options.metrics ?? createGatewayMetrics();
  const ownsRuntime = options.runtime === undefined;
  const runtime = options.runtime ?? (await openRuntime({ config, logger: metrics.observe(logger) }));
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const replayIntervalMs = options.replayIntervalMs ?? config.queue.retry_interval_seconds * 1000;

  const replayStop = new AbortController();
  let currentReplay: Promise<ProcessPendingResult> | undefined;
  async function replayOnce(): Promise<ProcessPendingResult> {
    while (currentReplay !== undefined) await currentReplay.catch(() => {});
    const run = processPending(runtime.storage.queue, runtime.router, {
      signal: replayStop.signal,
      onProgress: (progress) => metrics.recordReplay(progress.outcome),
    });
    currentReplay = run;
    try {
      const result = await run;
      if (result.processed > 0) logger?.info({ event: 'queue_replayed', ...result }, 'queue_replayed');
      return result;
    } finally {
      if (currentReplay === run) currentReplay = undefined;
    }
  }

  const context: GatewayContext = {
    config,
    runtime,
    logger,
    metrics,
    replayOnce,
    readyCacheMs: options.readyCacheMs ?? 2000,
  };

  const readyz = createReadyzHandler();
  const routes = new Map<string, Route>([
    ['/', { methods: { GET: root, HEAD: root }, openAi: false }],
    ['/api/chat', { methods: { POST: chatHandler }, openAi: false }],
    ['/api/generate', { methods: { POST: generateHandler }, openAi: false }],
    ['/api/embed', { methods: { POST: embedHandler }, openAi: false }],
    ['/api/embeddings', { methods: { POST: legacyEmbeddingsHandler }, openAi: false }],
    ['/api/tags', { methods: { GET: tagsHandler, HEAD: tagsHandler }, openAi: false }],
    ['/api/version', { methods: { GET: versionHandler, HEAD: versionHandler }, openAi: false }],
    ['/api/ps', { methods: { GET: psHandler }, openAi: false }],
    ['/api/show', { methods: { POST: showHandler }, openAi: false }],
    ['/v1/chat/completions', { methods: { POST: chatCompletionsHandler }, openAi: true }],
    ['/v1/embeddings', { methods: { POST: embeddingsHandler }, openAi: true }],
    ['/v1/models', { methods: { GET: modelsHandler }, openAi: true }],
    ['/healthz', { methods: { GET: healthzHandler, HEAD: healthzHandler }, openAi: false }],
    ['/readyz', { methods: { GET: readyz, HEAD: readyz }, openAi: false }],
    ['/metrics', { methods: { GET: metricsHandler }, openAi: false }],
    ['/graphiti/quota', { methods: { GET: quotaHandler }, openAi: false }],
    ['/graphiti/queue', { methods: { GET: queueListHandler }, openAi: false }],
    ['/graphiti/queue/retry', { methods: { POST: queueRetryHandler }, openAi: false }],
    // --- compat routes (apps/server/src/compat): Anthropic, Responses and legacy completions ---
    ...compatRoutes.map(([path, methods]) => [path, { methods, openAi: true }] as [string, Route]),
  ]);

  function resolve(path: string): { template: string; route: Route; id?: string } | undefined {
    const route = routes.get(path);
    if (route !== undefined) return { template: path, route };
    const match = /^\/graphiti\/queue\/([^/]+)$/.exec(path);
    if (match !== null) {
      let id = match[1] as string;
      try {
        id = decodeURIComponent(id);
      } catch {
        // a malformed escape: look the raw text up (it matches nothing)
      }
      return {
        template: '/graphiti/queue/:id',
        route: { methods: { GET: (exchange, ctx) => queueItemHandler(exchange, ctx, id) }, openAi: false },
        id,
      };
    }
    return undefined;
  }

  let closing = false;
  const inFlight = new Set<Promise<void>>();

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (request.method ?? 'GET').toUpperCase();
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://gateway.invalid');
    } catch {
      url = new URL('http://gateway.invalid/');
    }
    const controller = new AbortController();
    response.on('close', () => {
      if (!response.writableFinished) controller.abort();
    });
    const resolved = resolve(url.pathname);
    const exchange: Exchange = { request, response, url, signal: controller.signal, provider: 'none' };
    const openAi = resolved?.route.openAi ?? url.pathname.startsWith('/v1/');
    if (closing) response.setHeader('connection', 'close');
    try {
      if (url.pathname !== '/healthz' && expectedToken !== undefined && !authorized(request, expectedToken)) {
        request.resume();
        const message = 'unauthorized: send Authorization: Bearer <server.auth_token>';
        const headers = { 'www-authenticate': 'Bearer' };
        if (openAi) sendJson(response, 401, openAiErrorBody(401, message, 'invalid_api_key'), headers);
        else sendJson(response, 401, { error: message }, headers);
        return;
      }
      if (resolved === undefined) {
        request.resume();
        const message = `404 page not found: ${method} ${url.pathname}`;
        if (openAi) sendJson(response, 404, openAiErrorBody(404, message, null));
        else sendJson(response, 404, { error: message });
        return;
      }
      const handler = resolved.route.methods[method];
      if (handler === undefined) {
        request.resume();
        const allowed = Object.keys(resolved.route.methods).join(', ');
        const message = `405 method not allowed: ${method} ${url.pathname} (allowed: ${allowed})`;
        if (openAi) sendJson(response, 405, openAiErrorBody(405, message, null), { allow: allowed });
        else sendJson(response, 405, { error: message }, { allow: allowed });
        return;
      }
      await handler(exchange, context);
    } catch (error) {
      // the client went away: nobody reads an answer, and it is not a gateway failure
      if (controller.signal.aborted) return;
      if (resolved?.route.openAi === true) sendOpenAiError(exchange, context, error);
      else sendOllamaError(exchange, context, error);
    } finally {
      if (!response.writableEnded) response.end();
      const status = controller.signal.aborted && !response.writableFinished ? 499 : response.statusCode;
      const path = resolved?.template ?? 'unmatched';
      metrics.recordRequest({ path, method, status, provider: exchange.provider });
      logger?.debug(
        {
          event: 'http_request',
          method,
          path,
          status,
          provider: exchange.provider,
          duration_ms: Math.round((performance.now() - started) * 10) / 10,
        },
        'http_request',
      );
    }
  }

  const server = createServer({ noDelay: true, keepAliveTimeout: 5000 }, (request, response) => {
    metrics.inFlight(1);
    const done = handle(request, response)
      .catch((error: unknown) => {
        logger?.error({ event: 'gateway_handler_crashed', error: String(error) }, 'gateway_handler_crashed');
        if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
        else response.destroy();
      })
      .finally(() => {
        metrics.inFlight(-1);
        inFlight.delete(done);
      });
    inFlight.add(done);
  });

  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(port, host, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  } catch (error) {
    if (ownsRuntime) await runtime.close().catch(() => {});
    throw new GatewayError(
      'LISTEN_FAILED',
      `Cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)} (server.host / server.port, GRAPHITI_SERVER_HOST / GRAPHITI_SERVER_PORT).`,
      { cause: error },
    );
  }
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${urlHost}:${address.port}`;

  let timer: NodeJS.Timeout | undefined;
  if (replayIntervalMs > 0) {
    timer = setInterval(() => {
      if (currentReplay !== undefined || closing) return;
      replayOnce().catch((error: unknown) =>
        logger?.warn({ event: 'queue_replay_failed', error: String(error) }, 'queue_replay_failed'),
      );
    }, replayIntervalMs);
    timer.unref();
  }

  let closed: Promise<void> | undefined;
  async function close(): Promise<void> {
    closing = true;
    if (timer !== undefined) clearInterval(timer);
    const serverClosed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    server.closeIdleConnections();
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolveTimeout) => {
      deadline = setTimeout(() => resolveTimeout(true), shutdownTimeoutMs);
    });
    // In-flight requests and a background replay run get the same bounded time to finish (an item
    // interrupted mid-replay would stay leased, invisible, until its lease ends).
    const drained = (async () => {
      while (inFlight.size > 0 || currentReplay !== undefined) {
        await Promise.allSettled([...inFlight, ...(currentReplay === undefined ? [] : [currentReplay])]);
      }
      return false;
    })();
    const cut = await Promise.race([drained, timedOut]);
    if (deadline !== undefined) clearTimeout(deadline);
    if (cut) {
      logger?.warn(
        { event: 'gateway_shutdown_timeout', in_flight: inFlight.size, timeout_ms: shutdownTimeoutMs },
        'gateway_shutdown_timeout',
      );
      server.closeAllConnections();
    }
    // Sockets of requests that just finished become idle a tick later: close them as they do.
    const sweeper = setInterval(() => server.closeIdleConnections(), 25);
    const cap = setTimeout(() => server.closeAllConnections(), 2000);
    server.closeIdleConnections();
    await serverClosed;
    clearInterval(sweeper);
    clearTimeout(cap);
    replayStop.abort();
    await currentReplay?.catch(() => {});
    if (ownsRuntime) await runtime.close();
  }

  logger?.debug({ event: 'gateway_started', url }, 'gateway_started');
  return {
    url,
    port: address.port,
    runtime,
    metrics,
    close() {
      closed ??= close();
      return closed;
    },
  };
}
