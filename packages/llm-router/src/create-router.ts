import { join } from 'node:path';
import type { LlmConfig } from '@graphiti/llm-config';
import { createModelCache } from '@graphiti/llm-health';
import type { ChatResponse, GenerateResponse } from 'ollama';
import { createCloudModels } from './cloud-models.js';
import { type CloudCooldown, createCooldownTracker } from './cooldown.js';
import { LLMRequestError, RouterError } from './errors.js';
import { createEmitter, type RouterEventListener } from './events.js';
import { route } from './fallback.js';
import { createFileStateStore, createMemoryStateStore } from './file-state-store.js';
import type { Job, RouterContext } from './router-context.js';
import { createScrub } from './secrets.js';
import { type ShowResult, show } from './show.js';
import { createTransport } from './transport.js';
import type {
  CallOptions,
  FailedRequestSink,
  LocalModelSource,
  Logger,
  Operation,
  QuotaRecorder,
  RoutedChatResponse,
  RoutedEmbedResponse,
  RoutedGenerateResponse,
  RouterChatRequest,
  RouterEmbedRequest,
  RouterGenerateRequest,
  RouterStream,
  StateStore,
} from './types.js';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** The validated configuration (`loadConfig()` from `@graphiti/llm-config`). */
  readonly config: LlmConfig;
  /** Receives `llm_failover`, `llm_cooldown_started`, `llm_request_queued` and other warnings. */
  readonly logger?: Logger;
  /** Receives every typed {@link RouterEvent} (metrics); the log lines are written from the same events. */
  readonly onEvent?: RouterEventListener;
  /** Where the cooldowns are persisted and shared (`storage.state`). Default: `<stateDir>/llm_state.json`. */
  readonly stateStore?: StateStore;
  /** Directory of the default state file `llm_state.json` (the app passes GRAPHITI_HOME). Without it and
   * without `stateStore`, the cooldowns live in memory only. */
  readonly stateDir?: string;
  /** Where requests go when both providers are down (`storage.queue`). Without it nothing is queued. */
  readonly failedRequests?: FailedRequestSink;
  /** Fed with every cloud response's headers and every cloud answer's token counts (never awaited). */
  readonly quota?: QuotaRecorder;
  /** Lists locally pulled models. @default createModelCache({ endpoint: config.local.endpoint }) */
  readonly localModels?: LocalModelSource;
  /** Clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** How long the in-memory copy of the cooldowns is used before a background refresh, in ms. @default 1000 */
  readonly stateCacheMs?: number;
  /**
   * When a usage window resets (epoch ms), as the cloud's usage endpoints report it (the app wires the
   * `@graphiti/llm-quota` usage poller here). A 429 naming that window cools the cloud until then, never
   * shorter than `cooldown.rate_limit_seconds`. `window` is undefined for a 429 that names none.
   */
  readonly usageResetAt?: (window: string | undefined) => number | undefined;
  /** How long the cloud's model list is used, in ms. @default 600_000 */
  readonly cloudModelsTtlMs?: number;
  /**
   * A line of a streamed answer that is not JSON: `skip` drops it and logs `stream_malformed_line` (the
   * contract's rule); `error` also treats it as a broken stream (fail over before the first chunk,
   * `StreamInterruptedError` after it). @default 'skip'
   */
  readonly malformedLines?: 'skip' | 'error';
}

/** The failover client. Create it once per process; `close()` releases its connections. */
export interface Router {
  readonly config: LlmConfig;
  /** A chat answer, streamed: resolves when the first chunk is there. */
  chat(
    request: RouterChatRequest & { stream: true },
    options?: CallOptions,
  ): Promise<RouterStream<ChatResponse>>;
  /** A complete chat answer with the provider and model that served it. */
  chat(request: RouterChatRequest & { stream?: false }, options?: CallOptions): Promise<RoutedChatResponse>;
  /** A completion, streamed: resolves when the first chunk is there. */
  generate(
    request: RouterGenerateRequest & { stream: true },
    options?: CallOptions,
  ): Promise<RouterStream<GenerateResponse>>;
  /** A complete completion with the provider and model that served it. */
  generate(
    request: RouterGenerateRequest & { stream?: false },
    options?: CallOptions,
  ): Promise<RoutedGenerateResponse>;
  /** Embeddings; only ever from `embeddings.model` (or the model the caller names), never a substitute. */
  embed(request: RouterEmbedRequest, options?: CallOptions): Promise<RoutedEmbedResponse>;
  /**
   * Replays a queued request (non-streaming). Throws like the operation would, but never queues again:
   * an `LLMUnavailableError` from replay has `queued: false`.
   */
  replay(
    item: { readonly operation: string; readonly params: unknown },
    options?: { readonly signal?: AbortSignal },
  ): Promise<RoutedChatResponse | RoutedGenerateResponse | RoutedEmbedResponse>;
  /** `/api/show` through the router: local when it has the model, else the cloud when it serves it. */
  show(body: Record<string, unknown>, options?: CallOptions): Promise<ShowResult>;
  /** The cloud's own `/api/tags` `models` entries (cached ~10 min); undefined without a key or when unreachable. */
  cloudModels(options?: { signal?: AbortSignal }): Promise<readonly Record<string, unknown>[] | undefined>;
  /** The cloud cooldown in force, if any. */
  cooldown(): Promise<CloudCooldown | undefined>;
  /** Closes both providers' connection pools (in-flight requests get 2 s, then their sockets are destroyed). */
  close(): Promise<void>;
}

function defaultStateStore(options: RouterOptions, now: () => number): StateStore {
  if (options.stateStore !== undefined) return options.stateStore;
  return options.stateDir !== undefined
    ? createFileStateStore(join(options.stateDir, 'llm_state.json'), { logger: options.logger, now })
    : createMemoryStateStore({ now });
}

function buildContext(options: RouterOptions): RouterContext {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const apiKey =
    config.cloud.api_key !== undefined && config.cloud.api_key !== '' ? config.cloud.api_key : undefined;
  const scrub = createScrub([apiKey]);
  const emit = createEmitter({
    onEvent: options.onEvent,
    logger,
    failoverEvents: config.logging.failover_events,
  });
  const cloud =
    apiKey === undefined
      ? undefined
      : createTransport({
          name: 'cloud',
          endpoint: config.cloud.endpoint,
          apiKey,
          timeouts: config.timeouts.cloud,
          scrub,
        });
  const local = createTransport({
    name: 'local',
    endpoint: config.local.endpoint,
    timeouts: config.timeouts.local,
    scrub,
  });
  const capMs = config.retry.timeout_seconds > 0 ? config.retry.timeout_seconds * 1000 : undefined;
  const malformed = options.malformedLines ?? 'skip';
  return {
    config,
    now,
    scrub,
    emit,
    logger,
    cloud,
    local,
    cloudModels:
      cloud === undefined
        ? undefined
        : createCloudModels({ transport: cloud, now, ttlMs: options.cloudModelsTtlMs, logger, scrub }),
    cooldown: createCooldownTracker({
      store: defaultStateStore(options, now),
      rateLimitSeconds: config.cooldown.rate_limit_seconds,
      now,
      cacheMs: options.stateCacheMs ?? 1000,
      logger,
      scrub,
      emit,
    }),
    localModels:
      options.localModels ??
      createModelCache({
        endpoint: config.local.endpoint,
        timeouts: { connect: config.timeouts.local.connect, read: config.timeouts.local.read },
        now,
      }),
    failedRequests: options.failedRequests,
    quota: options.quota,
    usageResetAt: options.usageResetAt,
    maxAttempts: Math.max(1, Math.floor(config.retry.max_attempts)),
    delayMs: Math.max(0, config.retry.delay_seconds * 1000),
    // the cap only binds when it is shorter than the read timeout, which already bounds a longer one
    cloudCapMs: cloud !== undefined && capMs !== undefined && capMs < cloud.readTimeoutMs ? capMs : undefined,
    inflight: { cloud: 0 },
    warned: new Set(),
    attemptContext: (provider, model) => ({
      scrub,
      malformed,
      onMalformed: (line) =>
        logger?.warn(
          { event: 'stream_malformed_line', provider, model, line: scrub(line.slice(0, 200)) },
          'stream_malformed_line',
        ),
    }),
  };
}

/**
 * Creates the cloud-first failover client.
 *
 * ```ts
 * const router = createRouter({ config, logger, stateStore: storage.state, failedRequests: storage.queue, quota });
 * const answer = await router.chat({ messages: [{ role: 'user', content: 'hi' }] });
 * console.log(answer.provider, answer.model, answer.message.content);
 * ```
 */
export function createRouter(options: RouterOptions): Router {
  const context = buildContext(options);
  let closed = false;

  function call(
    operation: Operation,
    request: object,
    callOptions: CallOptions | undefined,
    queue = true,
  ): Promise<never> {
    if (closed)
      return Promise.reject(new RouterError('ROUTER_CLOSED', 'The router is closed; create a new one.'));
    const body = request as Readonly<Record<string, unknown>>;
    const job: Job = {
      operation,
      request: body,
      stream: operation !== 'embed' && body.stream === true,
      signal: callOptions?.signal,
      idempotencyKey: callOptions?.idempotencyKey,
      callId: callOptions?.callId,
      queue,
    };
    return route(context, job) as Promise<never>;
  }

  function replay(
    item: { readonly operation: string; readonly params: unknown },
    callOptions?: { readonly signal?: AbortSignal },
  ): Promise<never> {
    const { operation, params } = item;
    if (operation !== 'chat' && operation !== 'generate' && operation !== 'embed') {
      return Promise.reject(
        new LLMRequestError(
          `Cannot replay unknown operation "${operation}" (expected chat, generate or embed).`,
          {
            status: 400,
            failures: [],
          },
        ),
      );
    }
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      return Promise.reject(
        new LLMRequestError(`Cannot replay ${operation}: its parameters are not an object.`, {
          status: 400,
          failures: [],
        }),
      );
    }
    return call(operation, { ...(params as Record<string, unknown>), stream: false }, callOptions, false);
  }

  return {
    config: options.config,
    chat: (request: RouterChatRequest, callOptions?: CallOptions) => call('chat', request, callOptions),
    generate: (request: RouterGenerateRequest, callOptions?: CallOptions) =>
      call('generate', request, callOptions),
    embed: (request, callOptions) => call('embed', request, callOptions),
    replay,
    show: (body, callOptions) => {
      if (closed)
        return Promise.reject(new RouterError('ROUTER_CLOSED', 'The router is closed; create a new one.'));
      return show(context, body, callOptions);
    },
    cloudModels: async (callOptions) => context.cloudModels?.entries(callOptions),
    cooldown: () => context.cooldown.active(),
    async close() {
      closed = true;
      await Promise.all([context.cloud?.close(), context.local.close()]);
    },
  };
}
