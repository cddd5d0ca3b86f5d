import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isLoopbackHost, type LlmConfig } from '@graphiti/llm-config';
import type { Logger } from '@graphiti/llm-router';
import { processBodyBudget } from './body-budget.js';
import { createCorsPolicy } from './cors.js';
import type { Exchange, GatewayContext } from './exchange.js';
import { GatewayError } from './gateway-error.js';
import { gatewayRoutes } from './gateway-routes.js';
import { releaseBody, sendJson } from './http-utils.js';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import {
  authMiddleware,
  compose,
  corsMiddleware,
  errorsMiddleware,
  familyOf,
  sendFamilyError,
} from './middleware.js';
import { createReplayWorker } from './replay-worker.js';
import { createRouteTable, type RouteMatch } from './route-table.js';
import { openRuntime, type Runtime } from './runtime.js';
import { configSecrets, createScrubber } from './secret-scrub.js';
import { isOwnAddress } from './self-address.js';

/** An exchange with the route it matched (for the chain's last step). */
interface RoutedExchange extends Exchange {
  readonly match: RouteMatch | undefined;
}

/** Pending connections the kernel queues before `accept` (Node's default is 511). */
export const LISTEN_BACKLOG = 4096;

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
  /**
   * Longest wait between background queue replays, in ms; a replay also runs when the earliest queued item is
   * due. 0: replays run only when asked for (an async submission, `POST /graphiti/queue/retry`).
   * @default queue.retry_interval_seconds * 1000
   */
  readonly replayIntervalMs?: number;
  /** Waits before completion-webhook retries, in ms. @default [1000, 5000, 30000, 120000, 600000] */
  readonly webhookRetryDelaysMs?: readonly number[];
  /**
   * Request-body bytes the process holds at once (all gateways in it share one budget); past it new bodies
   * get a 503 with Retry-After. A body holds its bytes until its answer has ended. @default an eighth of the heap
   * limit, at most 256 MiB
   */
  readonly bodyBudgetBytes?: number;
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
  if (!hasToken && !isLoopbackHost(host)) {
    throw new GatewayError(
      'AUTH_TOKEN_REQUIRED',
      `Listening on ${host} (not loopback) needs an auth token: set server.auth_token or GRAPHITI_SERVER_TOKEN.`,
    );
  }
  if (options.bodyBudgetBytes !== undefined) processBodyBudget.setLimit(options.bodyBudgetBytes);
  const metrics = options.metrics ?? createGatewayMetrics();
  const ownsRuntime = options.runtime === undefined;
  const runtime =
    options.runtime ??
    (await openRuntime({
      config,
      logger: metrics.observe(logger),
      deferStorage: true,
      onEvent: (event) => metrics.onRouterEvent(event),
      pollCloudUsage: true,
    }));
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const replayIntervalMs = options.replayIntervalMs ?? config.queue.retry_interval_seconds * 1000;

  // one run at a time, woken when the earliest queued item is due (and at least every interval)
  const replay = createReplayWorker({
    runtime,
    metrics,
    intervalMs: replayIntervalMs,
    ...(logger ? { logger } : {}),
    ...(options.webhookRetryDelaysMs ? { webhookRetryDelaysMs: options.webhookRetryDelaysMs } : {}),
  });

  const context: GatewayContext = {
    config,
    runtime,
    logger,
    metrics,
    replayOnce: () => replay.runOnce(),
    pokeReplay: () => replay.poke(),
    replayStatus: () => replay.status(),
    readyCacheMs: options.readyCacheMs ?? 2000,
    scrub: createScrubber(configSecrets(config)),
  };

  const table = createRouteTable(gatewayRoutes());
  let closing = false;
  const inFlight = new Set<Promise<void>>();

  const dispatch = async (exchange: Exchange, ctx: GatewayContext, match: RouteMatch | undefined) => {
    const method = (exchange.request.method ?? 'GET').toUpperCase();
    const family = familyOf(match, exchange.url.pathname);
    if (match === undefined) {
      sendFamilyError(exchange, family, 404, `404 page not found: ${method} ${exchange.url.pathname}`);
      return;
    }
    const handler = match.route.methods[method];
    if (handler === undefined) {
      const allowed = Object.keys(match.route.methods).join(', ');
      const message = `405 method not allowed: ${method} ${exchange.url.pathname} (allowed: ${allowed})`;
      sendFamilyError(exchange, family, 405, message, { allow: allowed });
      return;
    }
    await handler(exchange, ctx);
  };

  const cors = createCorsPolicy(config.server.cors_origins ?? []);
  // built once: errors → CORS → auth → the matched route
  const chain = compose<RoutedExchange>(
    [errorsMiddleware(), corsMiddleware(cors), authMiddleware(token)],
    (exchange, ctx) => dispatch(exchange, ctx, exchange.match),
  );
  // unique within the process, which is all the metrics' join needs (no random bytes per request)
  const callPrefix = randomUUID().slice(0, 8);
  let calls = 0;
  const nextCallId = (): string => `${callPrefix}-${(++calls).toString(36)}`;

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
    const match = table.match(url.pathname);
    const exchange: RoutedExchange = {
      request,
      response,
      url,
      signal: controller.signal,
      provider: 'none',
      params: match?.params ?? {},
      callId: nextCallId(),
      family: familyOf(match, url.pathname),
      match,
    };
    if (closing) response.setHeader('connection', 'close');
    try {
      await chain(exchange, context);
    } finally {
      releaseBody(request);
      if (!response.writableEnded) response.end();
      const status = controller.signal.aborted && !response.writableFinished ? 499 : response.statusCode;
      const path = match?.route.path ?? 'unmatched';
      const durationMs = performance.now() - started;
      metrics.recordRequest({ path, method, status, provider: exchange.provider });
      metrics.finishCall(exchange.callId, durationMs, path);
      logger?.debug(
        {
          event: 'http_request',
          method,
          path,
          status,
          provider: exchange.provider,
          duration_ms: Math.round(durationMs * 10) / 10,
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

  // Node's HTTP parser errors (a malformed request line, oversized headers) get a JSON answer too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({ error: `bad HTTP request: ${error.code ?? 'parse error'}` });
    socket.end(
      `HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  } catch (error) {
    await replay.stop();
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
  if (await isOwnAddress(config.local.endpoint, address)) {
    await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    await replay.stop();
    if (ownsRuntime) await runtime.close().catch(() => {});
    throw new GatewayError(
      'INVALID_OPTION',
      `local.endpoint ${config.local.endpoint} is this gateway's own address (${url}): point it at the local Ollama server (GRAPHITI_LOCAL_ENDPOINT), not at the gateway`,
    );
  }

  let closed: Promise<void> | undefined;
  async function close(): Promise<void> {
    closing = true;
    const serverClosed = new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    server.closeIdleConnections();
    let deadline: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolveTimeout) => {
      deadline = setTimeout(() => resolveTimeout(true), shutdownTimeoutMs);
    });
    // In-flight requests and a background replay run get the same bounded time to finish (an item
    // interrupted mid-replay would stay leased, invisible, until its lease ends).
    const drained = (async () => {
      while (inFlight.size > 0 || replay.current !== undefined) {
        await Promise.allSettled([...inFlight, ...(replay.current === undefined ? [] : [replay.current])]);
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
    await replay.stop();
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
