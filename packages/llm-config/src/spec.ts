import { z } from 'zod';
import { cloudModelName } from './cloud-model-name.js';
import { DEFAULT_CORS_ORIGINS } from './cors-origins.js';
import { isValidHost } from './hosts.js';
import { type EnvReading, flattenSpec, type KeySpec, key, type ParsedOf } from './key-spec.js';
import { parseOllamaHost } from './ollama-host.js';
import { type ConfigEnv, expandHome, graphitiHome } from './paths.js';
import { isHttpUrl, isStorageUrl, MODEL_PATTERN, ORIGIN_PATTERN, SECRET_PATTERN } from './validators.js';

export type { KeySpec } from './key-spec.js';

const SECONDS_TIMEOUT = 'a number of seconds greater than 0 and at most 86400';
const SECRET_EXPECTED = 'a non-empty string without spaces or control characters';

const seconds = (min: number, max: number, exclusiveMin: boolean) =>
  exclusiveMin ? z.number().gt(min).lte(max) : z.number().gte(min).lte(max);
const trimEndpoint = (url: string): string => url.replace(/\/+$/, '');
const secret = () => z.string().regex(SECRET_PATTERN).optional();

/** The five timeouts of one provider; only the defaults and the comments' wording differ. */
function timeoutTable(
  label: 'Cloud' | 'Local',
  defaults: { connect: number; read: number; write: number; pool: number; first_token: number },
  connectComment: string,
) {
  const timeout = (value: number, comment: string) =>
    key({ schema: seconds(0, 86400, true), default: value, expected: SECONDS_TIMEOUT, comment });
  return {
    connect: timeout(defaults.connect, `${label}: ${connectComment}`),
    read: timeout(defaults.read, `${label}: longest silence while reading.`),
    write: timeout(defaults.write, `${label}: time to send the request body.`),
    pool: timeout(defaults.pool, `${label}: wait for a free pooled connection.`),
    first_token: timeout(
      defaults.first_token,
      `${label}: longest wait for an answer's first chunk; then the attempt fails over.`,
    ),
  };
}

function ollamaHostFromEnv(raw: string): EnvReading {
  const result = parseOllamaHost(raw);
  return result.ok ? { ok: true, value: result.url } : { ok: false, expected: result.expected };
}

/**
 * **The** configuration spec: every key once, in file order, with its schema, default, environment variables,
 * documentation and final normalisation. The zod schema (`configSchema`), the defaults, the environment map, the
 * annotated default file and the `LlmConfig` type check are all derived from it.
 */
export const CONFIG_SPEC = {
  cloud: {
    provider: key({
      schema: z.literal('ollama'),
      default: 'ollama',
      expected: '"ollama" (the only provider for now)',
      comment: 'Cloud provider; only "ollama" for now.',
    }),
    endpoint: key({
      schema: z.string().refine(isHttpUrl),
      default: 'https://ollama.com',
      expected: 'an http(s) URL such as "https://ollama.com"',
      comment: 'Ollama Cloud base URL.',
      env: ['OLLAMA_CLOUD_ENDPOINT'],
      finalize: trimEndpoint,
    }),
    api_key: key({
      schema: secret(),
      expected: SECRET_EXPECTED,
      comment: 'Ollama Cloud API key; the cloud is skipped when absent. Prefer the env var.',
      env: ['OLLAMA_API_KEY'],
      secret: true,
      example: '"your-ollama-api-key"',
    }),
    default_model: key({
      schema: z.string().regex(MODEL_PATTERN),
      default: 'gpt-oss:120b',
      expected: 'a model name such as "gpt-oss:120b" (a "-cloud" or ":cloud" suffix is accepted and dropped)',
      comment: 'Model used when a request names none or "default" (ollama.com name, no -cloud suffix).',
      finalize: cloudModelName,
    }),
    max_concurrency: key({
      schema: z.number().int().gte(0).lte(1000),
      default: 0,
      expected: 'an integer from 0 to 1000 (0 = no cap)',
      comment:
        "Cloud requests in flight at once (the plan's cap: 1, 3 or 10); past it, the local chain; 0 = no cap.",
    }),
  },
  local: {
    endpoint: key({
      schema: z.string().refine(isHttpUrl),
      default: 'http://localhost:11434',
      expected: 'an http(s) URL such as "http://localhost:11434"',
      comment: 'Local Ollama server.',
      // GRAPHITI_LOCAL_ENDPOINT first: users who point OLLAMA_HOST at the gateway name the real server there
      env: ['GRAPHITI_LOCAL_ENDPOINT', 'OLLAMA_HOST'],
      fromEnv: ollamaHostFromEnv,
      finalize: trimEndpoint,
    }),
    auto_start: key({
      schema: z.boolean(),
      default: false,
      expected: 'true or false',
      comment: 'Spawn `ollama serve` when the local server is down, then wait for it.',
    }),
    models: key({
      schema: z
        .array(z.string().regex(MODEL_PATTERN))
        .refine((models) => new Set(models).size === models.length, { params: { duplicate: true } }),
      default: ['gemma2:9b', 'llama3.2:3b'],
      expected: 'an array of distinct, non-empty model names',
      comment:
        'Fallback chain, tried in order, filtered to pulled models; [] = all pulled models, largest first.',
    }),
  },
  embeddings: {
    model: key({
      schema: z.string().regex(MODEL_PATTERN),
      default: 'nomic-embed-text',
      expected: 'a non-empty model name',
      comment: 'Embedding model; embeddings never fall back to a different model.',
    }),
  },
  retry: {
    max_attempts: key({
      schema: z.number().int().gte(1).lte(100),
      default: 3,
      expected: 'an integer from 1 to 100',
      comment: 'Cloud attempts per request (1 initial + retries).',
    }),
    delay_seconds: key({
      schema: seconds(0, 3600, false),
      default: 10,
      expected: 'a number of seconds from 0 to 3600',
      comment: 'Fixed delay between cloud attempts (fractions allowed).',
    }),
    timeout_seconds: key({
      schema: seconds(0, 86400, true),
      default: 90,
      expected: SECONDS_TIMEOUT,
      comment: 'Overall cap on one attempt.',
    }),
  },
  timeouts: {
    cloud: timeoutTable(
      'Cloud',
      { connect: 5, read: 90, write: 10, pool: 20, first_token: 30 },
      'TCP/TLS connect timeout.',
    ),
    local: timeoutTable(
      'Local',
      { connect: 2, read: 60, write: 10, pool: 5, first_token: 120 },
      'TCP connect timeout.',
    ),
  },
  cooldown: {
    rate_limit_seconds: key({
      schema: seconds(0, 604800, false),
      default: 600,
      expected: 'a number of seconds from 0 to 604800 (one week)',
      comment: 'Cloud pause after a 429 (persisted); a longer Retry-After wins.',
    }),
  },
  quota: {
    warning_threshold: key({
      schema: z.number().gt(0).lte(1),
      default: 0.8,
      expected: 'a fraction greater than 0 and at most 1',
      comment: 'Warn when usage reaches this fraction of the limit.',
    }),
    daily_request_limit: key({
      schema: z.number().int().gte(0).lte(1_000_000_000),
      default: 0,
      expected: 'an integer from 0 to 1000000000 (0 = unknown)',
      comment: 'Daily cloud request limit for local counting when no limit headers arrive; 0 = unknown.',
    }),
    poll_seconds: key({
      schema: z.number().refine((value) => value === 0 || (value >= 6 && value <= 86400)),
      default: 60,
      expected: 'a number of seconds: 0 (never) or from 6 to 86400',
      comment: "How often the cloud's usage endpoints (/api/balance, else /api/usage) are asked; 0 = never.",
    }),
  },
  queue: {
    max_size: key({
      schema: z.number().int().gte(1).lte(10_000_000),
      default: 1000,
      expected: 'an integer from 1 to 10000000',
      comment: 'A full queue refuses new items with a clear error; it never drops old ones.',
    }),
    ttl_hours: key({
      schema: z.number().gt(0).lte(8760),
      default: 24,
      expected: 'a number of hours greater than 0 and at most 8760',
      comment: 'Older items are expired, not retried.',
    }),
    max_attempts: key({
      schema: z.number().int().gte(1).lte(1000),
      default: 5,
      expected: 'an integer from 1 to 1000',
      comment: 'Replays before an item is marked failed.',
    }),
    retry_interval_seconds: key({
      schema: seconds(0, 86400, true),
      default: 300,
      expected: 'a number of seconds greater than 0 and at most 86400',
      comment: 'Background replay period in the server.',
    }),
    lease_seconds: key({
      schema: seconds(1, 86400, false),
      default: 60,
      expected: 'a number of seconds from 1 to 86400',
      comment:
        'How long a replaying worker holds an item before another may take it (extended while in flight).',
    }),
  },
  storage: {
    url: key({
      schema: z.string().refine(isStorageUrl),
      // follows GRAPHITI_HOME, so the default file carries it commented out
      default: (env: ConfigEnv) => `sqlite:${graphitiHome(env)}/graphiti.db`.replace(/\\/g, '/'),
      expected:
        'a storage URL: "sqlite:<path>" (~ expands), "sqlite::memory:" or "postgres://user@host:port/db"',
      comment:
        'Durable queue and state. Default: sqlite:$GRAPHITI_HOME/graphiti.db (GRAPHITI_HOME: ~/.graphiti).',
      env: ['GRAPHITI_STORAGE_URL'],
      example: '"sqlite:~/.graphiti/graphiti.db"',
      finalize: (url: string, env: ConfigEnv) => {
        if (!url.startsWith('sqlite:') || url === 'sqlite::memory:') return url;
        return `sqlite:${expandHome(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''), env)}`;
      },
    }),
    sqlite_synchronous: key({
      schema: z.enum(['full', 'normal']),
      default: 'full',
      expected: '"full" or "normal"',
      comment: '"full" survives power loss; "normal" survives a process crash only, and is faster.',
    }),
  },
  logging: {
    level: key({
      schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
      default: 'info',
      expected: 'one of "fatal", "error", "warn", "info", "debug", "trace", "silent"',
      comment: 'pino log level.',
      env: ['LOG_LEVEL'],
      fromEnv: (raw) => ({ ok: true, value: raw.trim().toLowerCase() }),
    }),
    failover_events: key({
      schema: z.boolean(),
      default: true,
      expected: 'true or false',
      comment: 'Emit llm_failover events.',
    }),
  },
  server: {
    host: key({
      schema: z.string().refine(isValidHost),
      default: '127.0.0.1',
      expected: 'a host name or IP address without scheme or port, such as "127.0.0.1"',
      comment: 'Gateway listen address; not loopback requires server.auth_token.',
      env: ['GRAPHITI_SERVER_HOST'],
    }),
    port: key({
      schema: z.number().int().gte(0).lte(65535),
      default: 11436,
      expected: 'an integer from 0 to 65535 (0 = any free port)',
      comment: 'Gateway listen port (not 11435, where the Ollama desktop app runs its own gateway).',
      env: ['GRAPHITI_SERVER_PORT'],
      // digits become a number; anything else stays text, so the error says "found "abc" (a string)"
      fromEnv: (raw) => ({
        ok: true,
        value: /^\d{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : raw.trim(),
      }),
    }),
    auth_token: key({
      schema: secret(),
      expected: SECRET_EXPECTED,
      comment: 'Bearer token for every gateway path but /healthz. Prefer the env var.',
      env: ['GRAPHITI_SERVER_TOKEN'],
      secret: true,
      example: '"a-long-random-token"',
    }),
    cors_origins: key({
      schema: z.array(z.string().regex(ORIGIN_PATTERN)),
      default: [...DEFAULT_CORS_ORIGINS],
      expected: 'an array of origins such as "https://app.example.com" ("*" wildcards allowed)',
      comment:
        "Browser origins allowed (Ollama's defaults: localhost, 127.0.0.1, 0.0.0.0, app:, file:, tauri:, vscode-webview:, vscode-file:).",
      env: ['GRAPHITI_SERVER_ORIGINS'],
      // adds to Ollama's defaults, as OLLAMA_ORIGINS does
      fromEnv: (raw) => ({
        ok: true,
        value: [
          ...DEFAULT_CORS_ORIGINS,
          ...raw
            .split(',')
            .map((origin) => origin.trim())
            .filter((origin) => origin !== ''),
        ],
      }),
    }),
    webhook_secret: key({
      schema: secret(),
      expected: SECRET_EXPECTED,
      comment: 'Signs completion webhooks (Standard Webhooks). Prefer the env var.',
      env: ['GRAPHITI_WEBHOOK_SECRET'],
      secret: true,
      example: '"whsec_a-long-random-secret"',
    }),
  },
};

/** The validated (pre-normalisation) value type of the spec. */
export type ParsedConfig = ParsedOf<typeof CONFIG_SPEC>;

/** Every key, in file order. */
export const KEY_SPECS: readonly KeySpec[] = flattenSpec(CONFIG_SPEC);

/** Key paths whose values are secrets. */
export const SECRET_PATHS: readonly string[] = KEY_SPECS.filter((spec) => spec.secret).map(
  (spec) => spec.path,
);

/** Every environment variable that overrides a key, with the key, in precedence order within a key. */
export const ENV_OVERRIDES: readonly { readonly envVar: string; readonly spec: KeySpec }[] =
  KEY_SPECS.flatMap((spec) => spec.envVars.map((envVar) => ({ envVar, spec })));

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
