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
}

/** The validated, frozen graphiti-llm configuration. Keys match `llm.toml` (snake_case). */
export interface LlmConfig {
  readonly cloud: {
    readonly provider: 'ollama';
    readonly endpoint: string;
    /** Never printed, logged or stored. Absent: the cloud is skipped. */
    readonly api_key: string | undefined;
    readonly default_model: string;
  };
  readonly local: {
    readonly endpoint: string;
    readonly auto_start: boolean;
    /** Fallback chain, tried in order, filtered to pulled models. Empty: all pulled models, largest first. */
    readonly models: readonly string[];
  };
  readonly embeddings: { readonly model: string };
  readonly retry: {
    readonly max_attempts: number;
    readonly delay_seconds: number;
    readonly timeout_seconds: number;
  };
  readonly timeouts: { readonly cloud: TimeoutConfig; readonly local: TimeoutConfig };
  readonly cooldown: { readonly rate_limit_seconds: number };
  readonly quota: { readonly warning_threshold: number; readonly daily_request_limit: number };
  readonly queue: {
    readonly max_size: number;
    readonly ttl_hours: number;
    readonly max_attempts: number;
    readonly retry_interval_seconds: number;
  };
  readonly storage: { readonly url: string; readonly sqlite_synchronous: 'full' | 'normal' };
  readonly logging: {
    readonly level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
    readonly failover_events: boolean;
  };
  readonly server: { readonly host: string; readonly port: number; readonly auth_token: string | undefined };
}
