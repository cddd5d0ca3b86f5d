/** One configuration key, as documented in ARCHITECTURE.md's configuration table. */
export interface KeySpec {
  /** Dotted key path, e.g. `retry.max_attempts`. */
  readonly path: string;
  /** What a valid value is, phrased to follow "expected". */
  readonly expected: string;
  /** One-line description, used as the comment in the default file. */
  readonly comment: string;
  /** The environment variable that overrides the key, if any. */
  readonly env?: string;
  /** Secret keys are never shown; the default file carries them as a commented-out example. */
  readonly secret?: boolean;
  /** Keys without a fixed default (secrets, and values derived from the environment) are written commented out. */
  readonly example?: string;
}

const SECONDS_TIMEOUT = 'a number of seconds greater than 0 and at most 86400';

/** Every key, in file order. */
export const KEY_SPECS: readonly KeySpec[] = [
  {
    path: 'cloud.provider',
    expected: '"ollama" (the only provider for now)',
    comment: 'Cloud provider; only "ollama" for now.',
  },
  {
    path: 'cloud.endpoint',
    expected: 'an http(s) URL such as "https://ollama.com"',
    comment: 'Ollama Cloud base URL.',
    env: 'OLLAMA_CLOUD_ENDPOINT',
  },
  {
    path: 'cloud.api_key',
    expected: 'a non-empty string without spaces or control characters',
    comment: 'Ollama Cloud API key; the cloud is skipped when absent. Prefer the env var.',
    env: 'OLLAMA_API_KEY',
    secret: true,
    example: '"your-ollama-api-key"',
  },
  {
    path: 'cloud.default_model',
    expected: 'a model name such as "gpt-oss:120b" (a "-cloud" or ":cloud" suffix is accepted and dropped)',
    comment: 'Model used when a request names none or "default" (ollama.com name, no -cloud suffix).',
  },
  {
    path: 'cloud.max_concurrency',
    expected: 'an integer from 0 to 1000 (0 = no cap)',
    comment:
      "Cloud requests in flight at once (the plan's cap: 1, 3 or 10); past it, the local chain; 0 = no cap.",
  },
  {
    path: 'local.endpoint',
    expected: 'an http(s) URL such as "http://localhost:11434"',
    comment: 'Local Ollama server (env GRAPHITI_LOCAL_ENDPOINT wins over OLLAMA_HOST).',
    env: 'OLLAMA_HOST',
  },
  {
    path: 'local.auto_start',
    expected: 'true or false',
    comment: 'Spawn `ollama serve` when the local server is down, then wait for it.',
  },
  {
    path: 'local.models',
    expected: 'an array of distinct, non-empty model names',
    comment:
      'Fallback chain, tried in order, filtered to pulled models; [] = all pulled models, largest first.',
  },
  {
    path: 'embeddings.model',
    expected: 'a non-empty model name',
    comment: 'Embedding model; embeddings never fall back to a different model.',
  },
  {
    path: 'retry.max_attempts',
    expected: 'an integer from 1 to 100',
    comment: 'Cloud attempts per request (1 initial + retries).',
  },
  {
    path: 'retry.delay_seconds',
    expected: 'a number of seconds from 0 to 3600',
    comment: 'Fixed delay between cloud attempts (fractions allowed).',
  },
  {
    path: 'retry.timeout_seconds',
    expected: SECONDS_TIMEOUT,
    comment: 'Overall cap on one attempt.',
  },
  { path: 'timeouts.cloud.connect', expected: SECONDS_TIMEOUT, comment: 'Cloud: TCP/TLS connect timeout.' },
  {
    path: 'timeouts.cloud.read',
    expected: SECONDS_TIMEOUT,
    comment: 'Cloud: longest silence while reading.',
  },
  {
    path: 'timeouts.cloud.write',
    expected: SECONDS_TIMEOUT,
    comment: 'Cloud: time to send the request body.',
  },
  {
    path: 'timeouts.cloud.pool',
    expected: SECONDS_TIMEOUT,
    comment: 'Cloud: wait for a free pooled connection.',
  },
  {
    path: 'timeouts.cloud.first_token',
    expected: SECONDS_TIMEOUT,
    comment: "Cloud: longest wait for an answer's first chunk; then the attempt fails over.",
  },
  { path: 'timeouts.local.connect', expected: SECONDS_TIMEOUT, comment: 'Local: TCP connect timeout.' },
  {
    path: 'timeouts.local.read',
    expected: SECONDS_TIMEOUT,
    comment: 'Local: longest silence while reading.',
  },
  {
    path: 'timeouts.local.write',
    expected: SECONDS_TIMEOUT,
    comment: 'Local: time to send the request body.',
  },
  {
    path: 'timeouts.local.pool',
    expected: SECONDS_TIMEOUT,
    comment: 'Local: wait for a free pooled connection.',
  },
  {
    path: 'timeouts.local.first_token',
    expected: SECONDS_TIMEOUT,
    comment: "Local: longest wait for an answer's first chunk; then the attempt fails over.",
  },
  {
    path: 'cooldown.rate_limit_seconds',
    expected: 'a number of seconds from 0 to 604800 (one week)',
    comment: 'Cloud pause after a 429 (persisted); a longer Retry-After wins.',
  },
  {
    path: 'quota.warning_threshold',
    expected: 'a fraction greater than 0 and at most 1',
    comment: 'Warn when usage reaches this fraction of the limit.',
  },
  {
    path: 'quota.daily_request_limit',
    expected: 'an integer from 0 to 1000000000 (0 = unknown)',
    comment: 'Daily cloud request limit for local counting when no limit headers arrive; 0 = unknown.',
  },
  {
    path: 'quota.poll_seconds',
    expected: 'a number of seconds: 0 (never) or from 6 to 86400',
    comment: "How often the cloud's usage endpoints (/api/balance, else /api/usage) are asked; 0 = never.",
  },
  {
    path: 'queue.max_size',
    expected: 'an integer from 1 to 10000000',
    comment: 'A full queue refuses new items with a clear error; it never drops old ones.',
  },
  {
    path: 'queue.ttl_hours',
    expected: 'a number of hours greater than 0 and at most 8760',
    comment: 'Older items are expired, not retried.',
  },
  {
    path: 'queue.max_attempts',
    expected: 'an integer from 1 to 1000',
    comment: 'Replays before an item is marked failed.',
  },
  {
    path: 'queue.retry_interval_seconds',
    expected: 'a number of seconds greater than 0 and at most 86400',
    comment: 'Background replay period in the server.',
  },
  {
    path: 'queue.lease_seconds',
    expected: 'a number of seconds from 1 to 86400',
    comment:
      'How long a replaying worker holds an item before another may take it (extended while in flight).',
  },
  {
    path: 'storage.url',
    expected:
      'a storage URL: "sqlite:<path>" (~ expands), "sqlite::memory:" or "postgres://user@host:port/db"',
    comment:
      'Durable queue and state. Default: sqlite:$GRAPHITI_HOME/graphiti.db (GRAPHITI_HOME: ~/.graphiti).',
    env: 'GRAPHITI_STORAGE_URL',
    example: '"sqlite:~/.graphiti/graphiti.db"',
  },
  {
    path: 'storage.sqlite_synchronous',
    expected: '"full" or "normal"',
    comment: '"full" survives power loss; "normal" survives a process crash only, and is faster.',
  },
  {
    path: 'logging.level',
    expected: 'one of "fatal", "error", "warn", "info", "debug", "trace", "silent"',
    comment: 'pino log level.',
    env: 'LOG_LEVEL',
  },
  { path: 'logging.failover_events', expected: 'true or false', comment: 'Emit llm_failover events.' },
  {
    path: 'server.host',
    expected: 'a host name or IP address without scheme or port, such as "127.0.0.1"',
    comment: 'Gateway listen address; not loopback requires server.auth_token.',
    env: 'GRAPHITI_SERVER_HOST',
  },
  {
    path: 'server.port',
    expected: 'an integer from 0 to 65535 (0 = any free port)',
    comment: 'Gateway listen port (not 11435, where the Ollama desktop app runs its own gateway).',
    env: 'GRAPHITI_SERVER_PORT',
  },
  {
    path: 'server.auth_token',
    expected: 'a non-empty string without spaces or control characters',
    comment: 'Bearer token for every gateway path but /healthz. Prefer the env var.',
    env: 'GRAPHITI_SERVER_TOKEN',
    secret: true,
    example: '"a-long-random-token"',
  },
  {
    path: 'server.cors_origins',
    expected: 'an array of origins such as "https://app.example.com" ("*" wildcards allowed)',
    comment:
      "Browser origins allowed (Ollama's defaults: localhost, 127.0.0.1, 0.0.0.0, app:, file:, tauri:, vscode-webview:, vscode-file:).",
    env: 'GRAPHITI_SERVER_ORIGINS',
  },
  {
    path: 'server.webhook_secret',
    expected: 'a non-empty string without spaces or control characters',
    comment: 'Signs completion webhooks (Standard Webhooks). Prefer the env var.',
    env: 'GRAPHITI_WEBHOOK_SECRET',
    secret: true,
    example: '"whsec_a-long-random-secret"',
  },
];

/** Key paths whose values are secrets. */
export const SECRET_PATHS: readonly string[] = KEY_SPECS.filter((spec) => spec.secret).map(
  (spec) => spec.path,
);

const specByPath = new Map(KEY_SPECS.map((spec) => [spec.path, spec]));

/** The spec for a key path (`local.models[1]` resolves to `local.models`), or undefined. */
export function findKeySpec(path: string): KeySpec | undefined {
  return specByPath.get(path.replace(/\[\d+\]/g, ''));
}

/** Every table and key path (tables: `cloud`, `timeouts`, `timeouts.cloud`, ...). */
export const ALL_PATHS: readonly string[] = (() => {
  const paths = new Set<string>();
  for (const spec of KEY_SPECS) {
    const parts = spec.path.split('.');
    for (let length = 1; length <= parts.length; length++) paths.add(parts.slice(0, length).join('.'));
  }
  return [...paths];
})();

/** What a table path is expected to hold. */
export function describeTable(path: string): string {
  const prefix = path === '' ? '' : `${path}.`;
  const children = ALL_PATHS.filter(
    (candidate) => candidate.startsWith(prefix) && !candidate.slice(prefix.length).includes('.'),
  ).map((candidate) => candidate.slice(prefix.length));
  return `a table with keys ${children.join(', ')}`;
}
