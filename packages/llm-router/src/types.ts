import type {
  ChatRequest,
  ChatResponse,
  EmbedRequest,
  EmbedResponse,
  GenerateRequest,
  GenerateResponse,
} from 'ollama';

/** Which side served (or failed) a request. */
export type ProviderName = 'cloud' | 'local';

/** Why a provider was left, as the `reason` field of `llm_failover` names it. */
export type FailureReason =
  | 'rate_limit'
  | 'concurrency'
  | 'model_unavailable'
  | 'auth'
  | 'transient'
  | 'timeout'
  | 'connection'
  | 'not_found'
  | 'stream';

/** The operations the router serves (and the queue replays). */
export type Operation = 'chat' | 'generate' | 'embed';

/**
 * A structural logger: pino's `Logger` satisfies it. The router logs nothing without one.
 */
export interface Logger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/**
 * Small JSON key/value state shared by the router and the quota tracker (`storage.state` satisfies it): one
 * interface, `@graphiti/llm-quota`'s. The router keeps the cloud cooldown under the key `cloud_cooldown`.
 */
export type { StateStore } from '@graphiti/llm-quota';

/** Where requests that neither provider could answer are stored (`storage.queue` satisfies it). */
export interface FailedRequestSink {
  /** Stores the request durably and returns its id. Throws an error with code 'QUEUE_FULL' when full. */
  put(
    operation: string,
    params: unknown,
    options?: { idempotencyKey?: string; lastError?: string; notBefore?: Date },
  ): Promise<string>;
}

/** One queued request, as `ReplayQueue.lease` returns it. */
export interface QueueItem {
  readonly id: string;
  /** 'chat' | 'generate' | 'embed' */
  readonly operation: string;
  readonly params: unknown;
  readonly attempts: number;
  readonly createdAt: Date;
  /** The owner token of this lease (queues that check lease owners hand it out). */
  readonly leaseToken?: string;
}

/** The queue side `processPending` needs (`storage.queue` satisfies it). */
export interface ReplayQueue {
  lease(options: { count: number; leaseSeconds: number }): Promise<readonly QueueItem[]>;
  ack(id: string, result: unknown, options?: { leaseToken?: string }): Promise<void>;
  /** attempts + 1; ready again, or 'failed' once attempts reach queue.max_attempts. */
  nack(id: string, error: string, options?: { leaseToken?: string; notBefore?: Date }): Promise<void>;
  fail(id: string, reason: string, options?: { leaseToken?: string }): Promise<void>;
  /** Extends a lease the caller holds (contract A; optional until the queue has it). */
  extend?(id: string, leaseToken: string, leaseSeconds: number): Promise<void>;
}

/** The part of `@graphiti/llm-quota`'s `QuotaTracker` the router feeds. */
export interface QuotaRecorder {
  /** After every cloud HTTP response (any status). Not awaited by the router: errors are logged. */
  update(
    headers: Headers | Record<string, string | string[] | undefined>,
    info?: { status?: number; body?: string },
  ): Promise<void> | void;
  /** After a completed cloud answer. Not awaited by the router: errors are logged. */
  addTokens(usage: { promptTokens?: number; completionTokens?: number }): Promise<void> | void;
}

/** A locally pulled model, as `@graphiti/llm-health` describes it. */
export interface LocalModel {
  readonly name: string;
  readonly sizeBytes: number;
  readonly parameterSize?: string;
  readonly quantization?: string;
  readonly family?: string;
  readonly parameters: number;
}

/** Lists the models pulled on the local server (`createModelCache` from `@graphiti/llm-health` satisfies it). */
export interface LocalModelSource {
  /** Throws when the local server is unreachable. */
  list(): Promise<LocalModel[]>;
  invalidate(): void;
}

/** What every routed answer adds to Ollama's response: who served it. */
export interface Served {
  /** The side that answered. */
  readonly provider: ProviderName;
  /** The model that actually answered (the name sent upstream). */
  readonly model: string;
}

/** A chat request; `model` may be omitted or 'default' (the cloud default model). */
export type RouterChatRequest = Omit<ChatRequest, 'model'> & { model?: string };
/** A generate request; `model` may be omitted or 'default' (the cloud default model). */
export type RouterGenerateRequest = Omit<GenerateRequest, 'model'> & { model?: string };
/** An embed request; `model` defaults to `embeddings.model` and is never substituted. */
export type RouterEmbedRequest = Omit<EmbedRequest, 'model'> & { model?: string };

/** A complete chat answer plus who served it. */
export type RoutedChatResponse = ChatResponse & Served;
/** A complete generate answer plus who served it. */
export type RoutedGenerateResponse = GenerateResponse & Served;
/** Embeddings plus who served them. */
export type RoutedEmbedResponse = EmbedResponse & Served;

/**
 * A streamed answer. Awaiting `router.chat({ stream: true })` resolves once a provider produced its
 * first chunk (so failover before the first chunk is invisible); iterate it for the chunks.
 * Each chunk carries `provider`. After the first chunk an upstream failure raises `StreamInterruptedError`.
 */
export interface RouterStream<T> extends AsyncIterable<T & Served> {
  /** The side that is answering. */
  readonly provider: ProviderName;
  /** The model that is answering. */
  readonly model: string;
  /**
   * The raw NDJSON lines exactly as the upstream sent them (no trailing newline, never re-serialised),
   * each inspected like the parsed chunks: an `{"error"}` line, an end without `done`, a stall (or, with
   * `malformedLines: 'error'`, a malformed line) throws `StreamInterruptedError`; a malformed line is
   * otherwise skipped and logged. Consume either `lines()` or the parsed iterator, not both.
   */
  lines(): AsyncIterable<string>;
  /** Cancels the upstream request at once. */
  abort(): void;
}

/** Per-call options. */
export interface CallOptions {
  /** Aborting cancels the upstream request at once; the request is not queued. */
  readonly signal?: AbortSignal;
  /** Passed to the FailedRequestSink when the request is queued. */
  readonly idempotencyKey?: string;
  /** Echoed on every `RouterEvent` of this call (correlates events with a gateway request). */
  readonly callId?: string;
}

/** One provider/model that was tried and failed, as carried by router errors. */
export interface AttemptFailure {
  readonly provider: ProviderName;
  readonly model: string;
  /** Why: a failover reason, or `bad_request` when the provider called the request invalid. */
  readonly reason: FailureReason | 'bad_request';
  /** HTTP status or an error code such as 'ECONNREFUSED' or 'UND_ERR_HEADERS_TIMEOUT'. */
  readonly code: number | string;
  readonly message: string;
  /** How many HTTP attempts this provider/model got. */
  readonly attempts: number;
}
