import { join } from 'node:path';
import type { LlmConfig } from '@graphiti/llm-config';
import { createModelCache, fallbackChain, modelMatches } from '@graphiti/llm-health';
import type { ChatResponse, GenerateResponse } from 'ollama';
import { retry } from 'ts-retry-promise';
import { type Classification, classifyError } from './classify-error.js';
import { type CloudCooldown, createCooldownTracker, parseRetryAfter } from './cooldown.js';
import { LLMRequestError, LLMUnavailableError, RouterError, StreamInterruptedError } from './errors.js';
import { createFileStateStore, createMemoryStateStore } from './file-state-store.js';
import { isDefaultModel, preferRequested, resolveCloudModel } from './model-names.js';
import { createNdjsonReader, type NdjsonReader } from './ndjson-reader.js';
import { type AttemptTrace, createProvider, type Provider } from './provider.js';
import type {
  AttemptFailure,
  CallOptions,
  FailedRequestSink,
  LocalModel,
  LocalModelSource,
  Logger,
  Operation,
  ProviderName,
  QuotaRecorder,
  RoutedChatResponse,
  RoutedEmbedResponse,
  RoutedGenerateResponse,
  RouterChatRequest,
  RouterEmbedRequest,
  RouterGenerateRequest,
  RouterStream,
  Served,
  StateStore,
} from './types.js';

/** Options of {@link createRouter}. */
export interface RouterOptions {
  /** The validated configuration (`loadConfig()` from `@graphiti/llm-config`). */
  readonly config: LlmConfig;
  /** Receives `llm_failover`, `llm_cooldown_started`, `llm_request_queued` and other warnings. */
  readonly logger?: Logger;
  /** Where the cloud cooldown is persisted and shared (`storage.state`). Default: a JSON file in `stateDir`. */
  readonly stateStore?: StateStore;
  /** Directory of the default state file `llm_state.json` (the app passes GRAPHITI_HOME). Without it and
   * without `stateStore`, the cooldown lives in memory only. */
  readonly stateDir?: string;
  /** Where requests go when both providers are down (`storage.queue`). Without it nothing is queued. */
  readonly failedRequests?: FailedRequestSink;
  /** Fed with every cloud response's headers and every cloud answer's token counts. */
  readonly quota?: QuotaRecorder;
  /** Lists locally pulled models. @default createModelCache({ endpoint: config.local.endpoint }) */
  readonly localModels?: LocalModelSource;
  /** Clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** How long a cooldown read from the state store is reused, in ms. @default 1000 */
  readonly stateCacheMs?: number;
  /**
   * A line of a streamed answer that is not JSON: `skip` drops it and logs `stream_malformed_line` (the
   * contract's rule); `error` also treats it as a broken stream (fail over before the first chunk,
   * `StreamInterruptedError` after it). @default 'skip'
   */
  readonly malformedLines?: 'skip' | 'error';
}

/** What `listModels()` reports, for `/api/tags` passthrough and readiness checks. */
export interface ModelListing {
  readonly cloud: {
    /** An API key is configured. */
    readonly enabled: boolean;
    readonly endpoint: string;
    /** The model 'default' means, as sent to ollama.com. */
    readonly defaultModel: string;
    /** ISO time until which the cloud is skipped after a 429. */
    readonly cooldownUntil?: string;
  };
  readonly local: {
    readonly endpoint: string;
    /** Whether the local server answered the model listing. */
    readonly reachable: boolean;
    readonly models: readonly LocalModel[];
    /** The fallback chain in the order it is tried (pulled names). */
    readonly chain: readonly string[];
    readonly error?: string;
  };
  readonly embeddings: { readonly model: string };
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
  /** Local pulled models and the cloud default model. Never throws for a down server. */
  listModels(): Promise<ModelListing>;
  /** The cloud cooldown in force, if any. */
  cooldown(): Promise<CloudCooldown | undefined>;
  /** Closes both providers' connection pools (in-flight requests get 2 s, then their sockets are destroyed). */
  close(): Promise<void>;
}

interface Job {
  readonly operation: Operation;
  readonly request: Readonly<Record<string, unknown>>;
  readonly stream: boolean;
  readonly signal: AbortSignal | undefined;
  readonly idempotencyKey: string | undefined;
  readonly queue: boolean;
}

type Answer = Record<string, unknown> & { model?: string; done?: boolean };

interface StreamStart {
  readonly first: Answer;
  readonly reader: NdjsonReader;
  /** Cancels the upstream request. */
  readonly abort: () => void;
  /** Unlinks the caller's signal once the stream is over. */
  readonly release: () => void;
}

class AttemptFailed extends Error {
  constructor(
    readonly classification: Classification,
    readonly trace: AttemptTrace,
    cause: unknown,
  ) {
    super(classification.message, { cause });
  }
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** The next chunk of a stream; an `{"error"}` line and an end without `done: true` are errors. */
async function readChunk(reader: NdjsonReader): Promise<Answer> {
  const value = (await reader.next()) as Answer | undefined;
  if (value === undefined) throw new Error('Did not receive done or success response in stream.');
  if ('error' in value) {
    throw new Error(typeof value.error === 'string' ? value.error : JSON.stringify(value.error));
  }
  return value;
}

function textOf(chunk: Answer): string {
  const message = chunk.message as { content?: unknown } | undefined;
  if (message !== undefined && typeof message.content === 'string') return message.content;
  return typeof chunk.response === 'string' ? chunk.response : '';
}

function toBase64(image: unknown): unknown {
  return image instanceof Uint8Array ? Buffer.from(image).toString('base64') : image;
}

/** The request as stored in the queue: JSON-safe, without `stream` (a replay is never streamed). */
function queueParams(request: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { stream: _stream, ...rest } = request;
  const params: Record<string, unknown> = { ...rest };
  if (Array.isArray(params.images)) params.images = params.images.map(toBase64);
  if (Array.isArray(params.messages)) {
    params.messages = (params.messages as Record<string, unknown>[]).map((message) =>
      Array.isArray(message.images) ? { ...message, images: message.images.map(toBase64) } : message,
    );
  }
  return JSON.parse(JSON.stringify(params)) as Record<string, unknown>;
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
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const apiKey = config.cloud.api_key;
  const redact = (text: string): string =>
    apiKey !== undefined && apiKey !== '' ? text.split(apiKey).join('[redacted]') : text;

  const cloud: Provider | undefined =
    apiKey !== undefined && apiKey !== ''
      ? createProvider({
          name: 'cloud',
          endpoint: config.cloud.endpoint,
          apiKey,
          timeouts: config.timeouts.cloud,
        })
      : undefined;
  const local = createProvider({
    name: 'local',
    endpoint: config.local.endpoint,
    timeouts: config.timeouts.local,
  });
  const localModels: LocalModelSource =
    options.localModels ??
    createModelCache({
      endpoint: config.local.endpoint,
      timeouts: { connect: config.timeouts.local.connect, read: config.timeouts.local.read },
      now,
    });
  const stateStore: StateStore =
    options.stateStore ??
    (options.stateDir !== undefined
      ? createFileStateStore(join(options.stateDir, 'llm_state.json'), { logger, now })
      : createMemoryStateStore({ now }));
  const cooldown = createCooldownTracker({
    store: stateStore,
    rateLimitSeconds: config.cooldown.rate_limit_seconds,
    now,
    cacheMs: options.stateCacheMs ?? 1000,
    logger,
    redact,
  });
  const maxAttempts = Math.max(1, Math.floor(config.retry.max_attempts));
  const delayMs = Math.max(0, config.retry.delay_seconds * 1000);
  const attemptCapMs = config.retry.timeout_seconds > 0 ? config.retry.timeout_seconds * 1000 : undefined;
  let authWarned = false;
  let missingReported = '';
  let closed = false;

  function event(name: string, fields: Record<string, unknown>): void {
    logger?.warn({ event: name, ...fields }, name);
  }

  function failover(from: AttemptFailure, to: ProviderName, toModel: string | undefined): void {
    if (!config.logging.failover_events) return;
    event('llm_failover', {
      from_provider: from.provider,
      to_provider: to,
      reason: from.reason,
      error_code: from.code,
      model: from.model,
      ...(toModel === undefined ? {} : { to_model: toModel }),
      attempts: from.attempts,
      message: from.message,
    });
  }

  async function recordQuota(trace: AttemptTrace, body: string | undefined): Promise<void> {
    if (options.quota === undefined || trace.headers === undefined) return;
    try {
      // a plain record: undici's Headers is not the global Headers class, so instanceof checks would miss it
      const headers: Record<string, string> = {};
      trace.headers.forEach((value, name) => {
        headers[name] = value;
      });
      await options.quota.update(headers, {
        status: trace.status,
        ...(body === undefined ? {} : { body: redact(body) }),
      });
    } catch (error) {
      logger?.warn({ event: 'llm_quota_error', error: redact(String(error)) }, 'The quota tracker failed.');
    }
  }

  async function recordTokens(answer: Answer): Promise<void> {
    if (options.quota === undefined) return;
    try {
      await options.quota.addTokens({
        promptTokens: typeof answer.prompt_eval_count === 'number' ? answer.prompt_eval_count : undefined,
        completionTokens: typeof answer.eval_count === 'number' ? answer.eval_count : undefined,
      });
    } catch (error) {
      logger?.warn({ event: 'llm_quota_error', error: redact(String(error)) }, 'The quota tracker failed.');
    }
  }

  /** One HTTP attempt on one provider and model: a complete answer, or the first chunk of a stream. */
  async function attempt(
    provider: Provider,
    model: string,
    job: Job,
  ): Promise<{ value: Answer | StreamStart; trace: AttemptTrace }> {
    const trace: AttemptTrace = { responded: false };
    const callerSignal = job.signal;
    // The cap only binds when it is shorter than the read timeout: Ollama sends a non-streamed answer (and
    // a stream's first line) all at once, so the read timeout already bounds an attempt that long.
    const capMs =
      provider.name === 'cloud' && attemptCapMs !== undefined && attemptCapMs < provider.readTimeoutMs
        ? attemptCapMs
        : undefined;
    const controller = callerSignal !== undefined || capMs !== undefined ? new AbortController() : undefined;
    let release = (): void => {};
    if (callerSignal !== undefined && controller !== undefined) {
      const onAbort = (): void => controller.abort(callerSignal.reason);
      callerSignal.addEventListener('abort', onAbort, { once: true });
      release = () => callerSignal.removeEventListener('abort', onAbort);
    }
    let capped = false;
    let capTimer: NodeJS.Timeout | undefined;
    if (capMs !== undefined && controller !== undefined) {
      capTimer = setTimeout(() => {
        capped = true;
        controller.abort();
      }, capMs);
      capTimer.unref?.();
    }
    let iterable: (AsyncIterable<Answer> & { abort?: () => void }) | undefined;
    const abort = (): void => {
      iterable?.abort?.();
      controller?.abort();
    };
    const client = provider.client({ controller, stream: job.stream, trace });
    const body: Record<string, unknown> = { ...job.request, model };
    let streaming = false;
    try {
      if (job.operation === 'embed') {
        const value = (await client.embed(body as never)) as unknown as Answer;
        return { value, trace };
      }
      body.stream = job.stream;
      const call = (job.operation === 'chat'
        ? client.chat.bind(client)
        : client.generate.bind(client)) as unknown as (request: unknown) => Promise<unknown>;
      if (!job.stream) {
        return { value: (await call(body)) as Answer, trace };
      }
      iterable = (await call(body)) as AsyncIterable<Answer> & { abort?: () => void };
      if (trace.body === undefined) throw new Error('The streamed answer has no body.');
      const reader = createNdjsonReader(trace.body, (line) => {
        event('stream_malformed_line', { provider: provider.name, model, line: redact(line.slice(0, 200)) });
        if (options.malformedLines === 'error') {
          throw Object.assign(new Error(`Malformed line in the streamed answer: ${line.slice(0, 80)}`), {
            code: 'MALFORMED_LINE',
          });
        }
      });
      const first = await readChunk(reader);
      streaming = true;
      return { value: { first, reader, abort, release }, trace };
    } catch (error) {
      abort();
      if (callerSignal?.aborted) throw abortReason(callerSignal);
      const classification: Classification = capped
        ? {
            reason: 'timeout',
            code: 'ATTEMPT_TIMEOUT',
            retryable: false,
            message: `No answer within retry.timeout_seconds (${attemptCapMs} ms)`,
          }
        : classifyError(error, trace.responded);
      throw new AttemptFailed({ ...classification, message: redact(classification.message) }, trace, error);
    } finally {
      if (capTimer !== undefined) clearTimeout(capTimer);
      // a started stream keeps the caller's signal linked until it ends
      if (!streaming) release();
    }
  }

  function served<T extends Answer>(answer: T, provider: ProviderName, model: string): T & Served {
    const tagged = answer as T & { provider: ProviderName; model: string };
    tagged.provider = provider;
    if (typeof tagged.model !== 'string' || tagged.model === '') tagged.model = model;
    return tagged;
  }

  function makeStream(
    provider: ProviderName,
    model: string,
    start: StreamStart,
    job: Job,
  ): RouterStream<Answer> {
    const { first, reader, abort, release } = start;
    let aborted = false;
    const cancel = (): void => {
      aborted = true;
      abort();
    };
    const answeredModel = typeof first.model === 'string' && first.model !== '' ? first.model : model;
    let state: 'first' | 'open' | 'done' = 'first';
    let partial = '';
    const finish = (): void => {
      state = 'done';
      release();
    };

    const interrupted = (error: unknown): unknown => {
      if (job.signal?.aborted) return abortReason(job.signal);
      if (aborted) return new DOMException('The stream was aborted', 'AbortError');
      const classification = classifyError(error, true);
      const message = redact(classification.message);
      event('llm_stream_interrupted', {
        provider,
        model: answeredModel,
        reason: classification.reason,
        error_code: classification.code,
        received_chars: partial.length,
      });
      return new StreamInterruptedError(
        `The ${provider} stream from ${answeredModel} failed after ${partial.length} characters (${classification.code}: ${message}); the answer is incomplete.`,
        { partial, provider, model: answeredModel, cause: error },
      );
    };

    // A hand-written iterator (not an async generator): one promise per chunk on top of the client's.
    const iterator: AsyncIterableIterator<Answer & Served> = {
      async next(): Promise<IteratorResult<Answer & Served>> {
        if (state === 'done') return { done: true, value: undefined };
        let chunk: Answer;
        if (state === 'first') {
          state = 'open';
          chunk = first;
        } else {
          try {
            chunk = await readChunk(reader);
          } catch (error) {
            const failure = interrupted(error);
            finish();
            abort();
            throw failure;
          }
        }
        partial += textOf(chunk);
        if (chunk.done === true) {
          finish();
          if (provider === 'cloud' && options.quota !== undefined) await recordTokens(chunk);
        }
        return { done: false, value: served(chunk, provider, model) };
      },
      async return(): Promise<IteratorResult<Answer & Served>> {
        if (state !== 'done') {
          finish();
          cancel();
        }
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    let handedOut = false;
    return {
      provider,
      model: answeredModel,
      abort: cancel,
      [Symbol.asyncIterator]() {
        if (handedOut)
          throw new RouterError('STREAM_INTERRUPTED', 'A router stream can be iterated only once.');
        handedOut = true;
        return iterator;
      },
    };
  }

  function isStreamStart(value: Answer | StreamStart): value is StreamStart {
    return 'reader' in value && 'first' in value && 'abort' in value;
  }

  /** The result handed to the caller once a provider succeeded. */
  function deliver(provider: ProviderName, model: string, value: Answer | StreamStart, job: Job): unknown {
    if (isStreamStart(value)) return makeStream(provider, model, value, job);
    return served(value, provider, model);
  }

  function failureOf(
    provider: ProviderName,
    model: string,
    error: AttemptFailed,
    attempts: number,
  ): AttemptFailure {
    const { reason, code, message } = error.classification;
    return { provider, model, reason, code, message, attempts };
  }

  /** Cloud with retries for transient errors; returns the answer or the failure to fail over with. */
  async function tryCloud(
    provider: Provider,
    model: string,
    job: Job,
  ): Promise<{ value: Answer | StreamStart } | { failure: AttemptFailure; trace: AttemptTrace }> {
    let attempts = 0;
    let lastTrace: AttemptTrace = { responded: false };
    const run = async (): Promise<Answer | StreamStart> => {
      if (job.signal?.aborted) throw abortReason(job.signal);
      attempts++;
      try {
        const { value, trace } = await attempt(provider, model, job);
        if (options.quota !== undefined) await recordQuota(trace, undefined);
        return value;
      } catch (error) {
        if (error instanceof AttemptFailed) {
          lastTrace = error.trace;
          await recordQuota(error.trace, error.classification.message);
        }
        throw error;
      }
    };
    const retryable = (error: unknown): boolean =>
      error instanceof AttemptFailed &&
      error.classification.retryable &&
      attempts < maxAttempts &&
      job.signal?.aborted !== true;
    try {
      try {
        // The first attempt runs directly: most requests need no retry, and the retry loop costs
        // measurably more per request than a plain call.
        return { value: await run() };
      } catch (error) {
        if (!retryable(error)) throw error;
      }
      // Further attempts with ts-retry-promise, each after the fixed delay (it calls at once, so the first
      // delay is waited here).
      const delayed = new Promise((resolve) => setTimeout(resolve, delayMs)).then(() =>
        retry(run, {
          retries: maxAttempts - attempts - 1,
          delay: delayMs,
          backoff: 'FIXED',
          timeout: 'INFINITELY',
          retryIf: retryable,
        }),
      );
      const value = await (job.signal === undefined ? delayed : raceAbort(delayed, job.signal));
      return { value };
    } catch (error) {
      if (error instanceof AttemptFailed)
        return { failure: failureOf('cloud', model, error, attempts), trace: lastTrace };
      throw error;
    }
  }

  async function afterCloudFailure(failure: AttemptFailure, trace: AttemptTrace): Promise<void> {
    if (failure.reason === 'rate_limit') {
      await cooldown.start({
        retryAfterSeconds: parseRetryAfter(trace.headers?.get('retry-after'), now()),
        reason: failure.message,
        status: typeof failure.code === 'number' ? failure.code : 429,
      });
    } else if (failure.reason === 'auth' && !authWarned) {
      authWarned = true;
      event('llm_cloud_auth_failed', {
        provider: 'cloud',
        status: failure.code,
        message: `Ollama Cloud rejected the API key (HTTP ${failure.code}). Check cloud.api_key or OLLAMA_API_KEY; requests use the local server meanwhile.`,
      });
    }
  }

  /** The local models to try, in order, or the failure that explains why there are none. */
  async function localCandidates(job: Job): Promise<{ models: string[] } | { failure: AttemptFailure }> {
    const requested = typeof job.request.model === 'string' ? job.request.model : undefined;
    if (job.operation === 'embed') {
      return { models: [isDefaultModel(requested) ? config.embeddings.model : (requested as string).trim()] };
    }
    let pulled: LocalModel[];
    try {
      pulled = await localModels.list();
    } catch (error) {
      const classification = classifyError((error as { cause?: unknown }).cause ?? error, false);
      return {
        failure: {
          provider: 'local',
          model: requested ?? config.local.models[0] ?? 'default',
          reason: 'connection',
          code:
            typeof classification.code === 'string' && classification.code !== 'UNKNOWN'
              ? classification.code
              : 'LOCAL_DOWN',
          message: redact(error instanceof Error ? error.message : String(error)),
          attempts: 1,
        },
      };
    }
    const { chain, dropped, warning } = fallbackChain(config.local.models, pulled);
    if (dropped.length > 0 && warning !== undefined) {
      // once per distinct set of missing models, not on every request
      const key = dropped.join('\n');
      if (key !== missingReported) {
        missingReported = key;
        logger?.warn({ event: 'local_models_missing', missing: dropped }, warning);
      }
    }
    const models = preferRequested(
      chain,
      pulled.map((model) => model.name),
      requested,
      modelMatches,
    );
    if (models.length === 0) {
      const wanted = config.local.models.length > 0 ? config.local.models : ['llama3.2:3b'];
      return {
        failure: {
          provider: 'local',
          model: requested ?? wanted[0] ?? 'default',
          reason: 'not_found',
          code: 'NO_LOCAL_MODELS',
          message:
            pulled.length === 0
              ? `The local Ollama server has no models pulled. Run: ${wanted.map((name) => `ollama pull ${name}`).join(' && ')}`
              : `None of local.models (${config.local.models.join(', ')}) is pulled (pulled: ${pulled.map((model) => model.name).join(', ')}). Run: ${wanted.map((name) => `ollama pull ${name}`).join(' && ')}`,
          attempts: 0,
        },
      };
    }
    return { models };
  }

  async function giveUp(job: Job, failures: readonly AttemptFailure[]): Promise<never> {
    const summary = failures
      .map((failure) => `${failure.provider} ${failure.model}: ${failure.code} ${failure.message}`)
      .join('; ');
    const badRequests = failures.filter((failure) => failure.reason === 'bad_request');
    if (failures.length > 0 && badRequests.length === failures.length) {
      const status = typeof badRequests[0]?.code === 'number' ? badRequests[0].code : 400;
      throw new LLMRequestError(`The request was rejected as invalid by every provider tried: ${summary}`, {
        status,
        failures,
      });
    }
    if (!job.queue) {
      throw new LLMUnavailableError(`No provider could answer (${summary}). Not queued again (replay).`, {
        queued: false,
        failures,
      });
    }
    if (options.failedRequests === undefined) {
      throw new LLMUnavailableError(
        `No provider could answer (${summary}). The request was not queued: no queue is configured.`,
        { queued: false, failures },
      );
    }
    let requestId: string;
    try {
      requestId = await options.failedRequests.put(job.operation, queueParams(job.request), {
        ...(job.idempotencyKey === undefined ? {} : { idempotencyKey: job.idempotencyKey }),
        lastError: summary.slice(0, 2000),
      });
    } catch (error) {
      const full = (error as { code?: unknown }).code === 'QUEUE_FULL';
      event('llm_request_not_queued', {
        operation: job.operation,
        error_code: full ? 'QUEUE_FULL' : 'QUEUE_ERROR',
        error: redact(String(error)),
      });
      throw new LLMUnavailableError(
        full
          ? `No provider could answer (${summary}). The request was NOT queued: the queue is full (queue.max_size); replay or purge it (graphiti retry-queue / graphiti queue purge).`
          : `No provider could answer (${summary}). The request was NOT queued: ${redact(String(error))}`,
        { queued: false, failures, cause: error },
      );
    }
    const last = failures[failures.length - 1];
    event('llm_request_queued', {
      request_id: requestId,
      operation: job.operation,
      model: typeof job.request.model === 'string' ? job.request.model : 'default',
      reason: last?.reason,
      error_code: last?.code,
    });
    throw new LLMUnavailableError(
      `No provider could answer (${summary}). The request was queued as ${requestId}; it is replayed by graphiti retry-queue or the server's background replay.`,
      { requestId, queued: true, failures },
    );
  }

  async function route(job: Job): Promise<unknown> {
    if (closed) throw new RouterError('ROUTER_CLOSED', 'The router is closed; create a new one.');
    if (job.signal?.aborted) throw abortReason(job.signal);
    const failures: AttemptFailure[] = [];
    let pending: AttemptFailure | undefined;

    if (cloud !== undefined) {
      const cached = cooldown.cached();
      const active = cached === 'unknown' ? await cooldown.active() : cached;
      if (active !== undefined) {
        logger?.debug(
          { event: 'llm_cloud_skipped', until: new Date(active.until).toISOString(), reason: active.reason },
          'Cloud is cooling down after a 429; using local.',
        );
      } else {
        const requested = typeof job.request.model === 'string' ? job.request.model : undefined;
        const model =
          job.operation === 'embed'
            ? isDefaultModel(requested)
              ? config.embeddings.model
              : resolveCloudModel(requested, config.embeddings.model)
            : resolveCloudModel(requested, config.cloud.default_model);
        const outcome = await tryCloud(cloud, model, job);
        if ('value' in outcome) {
          if (options.quota !== undefined && !isStreamStart(outcome.value)) await recordTokens(outcome.value);
          return deliver('cloud', model, outcome.value, job);
        }
        failures.push(outcome.failure);
        pending = outcome.failure;
        await afterCloudFailure(outcome.failure, outcome.trace);
        if (job.signal?.aborted) throw abortReason(job.signal);
      }
    }

    const candidates = await localCandidates(job);
    if ('failure' in candidates) {
      if (pending !== undefined) failover(pending, 'local', undefined);
      failures.push(candidates.failure);
      return giveUp(job, failures);
    }
    const { models } = candidates;
    for (let index = 0; index < models.length; index++) {
      const model = models[index] as string;
      if (pending !== undefined) failover(pending, 'local', model);
      pending = undefined;
      try {
        const { value } = await attempt(local, model, job);
        return deliver('local', model, value, job);
      } catch (error) {
        if (!(error instanceof AttemptFailed)) throw error;
        const failure = failureOf('local', model, error, 1);
        failures.push(failure);
        if (failure.reason === 'not_found') localModels.invalidate();
        // The server itself is unreachable: the next model would fail the same way.
        if (failure.reason === 'connection') {
          localModels.invalidate();
          break;
        }
        pending = failure;
      }
    }
    return giveUp(job, failures);
  }

  function job(
    operation: Operation,
    request: Readonly<Record<string, unknown>>,
    callOptions: CallOptions | undefined,
    queue = true,
  ): Job {
    return {
      operation,
      request,
      stream: operation !== 'embed' && request.stream === true,
      signal: callOptions?.signal,
      idempotencyKey: callOptions?.idempotencyKey,
      queue,
    };
  }

  const router = {
    config,
    chat(request: RouterChatRequest, callOptions?: CallOptions) {
      return route(job('chat', request as Record<string, unknown>, callOptions));
    },
    generate(request: RouterGenerateRequest, callOptions?: CallOptions) {
      return route(job('generate', request as Record<string, unknown>, callOptions));
    },
    embed(request: RouterEmbedRequest, callOptions?: CallOptions) {
      return route(job('embed', request as Record<string, unknown>, callOptions));
    },
    replay(
      item: { readonly operation: string; readonly params: unknown },
      callOptions?: { signal?: AbortSignal },
    ) {
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
      return route(
        job(operation, { ...(params as Record<string, unknown>), stream: false }, callOptions, false),
      );
    },
    async listModels(): Promise<ModelListing> {
      const active = cloud === undefined ? undefined : await cooldown.active();
      let models: LocalModel[] = [];
      let error: string | undefined;
      try {
        models = await localModels.list();
      } catch (caught) {
        error = redact(caught instanceof Error ? caught.message : String(caught));
      }
      return {
        cloud: {
          enabled: cloud !== undefined,
          endpoint: config.cloud.endpoint,
          defaultModel: resolveCloudModel(undefined, config.cloud.default_model),
          ...(active === undefined ? {} : { cooldownUntil: new Date(active.until).toISOString() }),
        },
        local: {
          endpoint: config.local.endpoint,
          reachable: error === undefined,
          models,
          chain: error === undefined ? fallbackChain(config.local.models, models).chain : [],
          ...(error === undefined ? {} : { error }),
        },
        embeddings: { model: config.embeddings.model },
      };
    },
    cooldown(): Promise<CloudCooldown | undefined> {
      return cooldown.active();
    },
    async close(): Promise<void> {
      closed = true;
      await Promise.all([cloud?.close(), local.close()]);
    },
  };
  return router as unknown as Router;
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
