/** Connect / read / write / pool timeouts for one provider, in seconds. */
export interface TimeoutConfig {
  /** Time to establish a TCP (and TLS) connection. */
  readonly connect: number;
  /** Longest silence allowed while waiting for response headers or between body chunks. */
  readonly read: number;
  /** Time allowed to send the request body. */
  readonly write: number;
  /** Time allowed to wait for a free pooled connection. */
  readonly pool: number;
  /** Longest wait for an answer's first chunk; after it the attempt fails over (not retried). */
  readonly first_token: number;
}

/** The validated, frozen graphiti-llm configuration. Keys match `llm.toml` (snake_case). */
export interface LlmConfig {
  /** Ollama Cloud, tried first when an API key is set. */
  readonly cloud: {
    /** Only "ollama" for now. @default "ollama" */
    readonly provider: 'ollama';
    /** Base URL, without a trailing slash. Env `OLLAMA_CLOUD_ENDPOINT`. @default "https://ollama.com" */
    readonly endpoint: string;
    /** Never printed, logged or stored. Absent: the cloud is skipped. Env `OLLAMA_API_KEY`. */
    readonly api_key: string | undefined;
    /**
     * Used when a request names no model or "default"; an ollama.com name (a `-cloud` / `:cloud` suffix from the
     * file has been removed). @default "gpt-oss:120b"
     */
    readonly default_model: string;
    /** Cloud requests in flight at once from this process; past it, the local chain at once; 0 = no cap. @default 0 */
    readonly max_concurrency: number;
  };
  /** The local Ollama server, the fallback. */
  readonly local: {
    /** Base URL, without a trailing slash. Env `OLLAMA_HOST` (ollama CLI forms). @default "http://localhost:11434" */
    readonly endpoint: string;
    /** Spawn `ollama serve` when the local server is down, then wait for it. @default false */
    readonly auto_start: boolean;
    /** Fallback chain, tried in order, filtered to pulled models. Empty: all pulled models, largest first. */
    readonly models: readonly string[];
  };
  /** Embeddings never fall back to a different model (vectors would not be comparable). */
  readonly embeddings: {
    /** @default "nomic-embed-text" */
    readonly model: string;
  };
  /** Cloud retries. */
  readonly retry: {
    /** Cloud attempts per request, 1 initial + retries. @default 3 */
    readonly max_attempts: number;
    /** Fixed delay between cloud attempts, in seconds (fractions allowed). @default 10 */
    readonly delay_seconds: number;
    /** Overall cap on one attempt, in seconds. @default 90 */
    readonly timeout_seconds: number;
  };
  /** Per-provider timeouts. Cloud: 5 / 90 / 10 / 20 / 30 s; local: 2 / 60 / 10 / 5 / 120 s. */
  readonly timeouts: { readonly cloud: TimeoutConfig; readonly local: TimeoutConfig };
  readonly cooldown: {
    /** Cloud pause after a 429, in seconds; persisted; a longer Retry-After wins. @default 600 */
    readonly rate_limit_seconds: number;
  };
  readonly quota: {
    /** Warn when usage reaches this fraction (0-1]. @default 0.8 */
    readonly warning_threshold: number;
    /** Daily request limit for local counting when the cloud sends no limit headers; 0 = unknown. @default 0 */
    readonly daily_request_limit: number;
    /** How often the cloud's usage endpoints are asked, in seconds; 0 = never. @default 60 */
    readonly poll_seconds: number;
  };
  /** The durable queue of requests neither provider could answer. */
  readonly queue: {
    /** A full queue refuses new items with a clear error; it never drops old ones. @default 1000 */
    readonly max_size: number;
    /** Older items are expired, not retried. @default 24 */
    readonly ttl_hours: number;
    /** Replays before an item is marked failed. @default 5 */
    readonly max_attempts: number;
    /** Background replay period in the server, in seconds. @default 300 */
    readonly retry_interval_seconds: number;
    /** How long a replaying worker holds an item, in seconds (extended while in flight). @default 60 */
    readonly lease_seconds: number;
  };
  readonly storage: {
    /**
     * `sqlite:<absolute or relative path>` (`~` already expanded), `sqlite::memory:`, or `postgres://...`.
     * Env `GRAPHITI_STORAGE_URL`. @default "sqlite:$GRAPHITI_HOME/graphiti.db" (GRAPHITI_HOME: ~/.graphiti)
     */
    readonly url: string;
    /** "full" survives power loss; "normal" survives a process crash only, and is faster. @default "full" */
    readonly sqlite_synchronous: 'full' | 'normal';
  };
  readonly logging: {
    /** pino level. Env `LOG_LEVEL`. @default "info" */
    readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    /** Emit `llm_failover` events. @default true */
    readonly failover_events: boolean;
  };
  /** The HTTP gateway. */
  readonly server: {
    /** Listen address. Env `GRAPHITI_SERVER_HOST`. @default "127.0.0.1" */
    readonly host: string;
    /** Listen port; 0 = any free port. Env `GRAPHITI_SERVER_PORT`. @default 11436 */
    readonly port: number;
    /** Bearer token; required when `host` is not loopback. Never printed or logged. Env `GRAPHITI_SERVER_TOKEN`. */
    readonly auth_token: string | undefined;
    /** Browser origins allowed (CORS); defaults are Ollama's. Env `GRAPHITI_SERVER_ORIGINS` adds to them. */
    readonly cors_origins: readonly string[];
    /** Signs completion webhooks. Never printed or logged. Env `GRAPHITI_WEBHOOK_SECRET`. */
    readonly webhook_secret: string | undefined;
  };
}
