import { z } from 'zod';
import { isValidHost } from './hosts.js';

function isHttpUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname !== '' &&
      url.search === '' &&
      url.hash === ''
    );
  } catch {
    return false;
  }
}

/** `sqlite:<path>` (no `~user`), `sqlite::memory:`, or a parseable `postgres(ql)://` URL. */
export function isStorageUrl(value: string): boolean {
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return path.trim() !== '' && !/^~[^/\\]/.test(path) && !path.includes('\0');
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
      return true;
    } catch {
      return false;
    }
  }
  return false;
}

const SECRET = /^[\x21-\x7e\x80-\uffff]+$/;
const MODEL = /^[^\s]+$/;

const seconds = (min: number, max: number, exclusiveMin: boolean) =>
  exclusiveMin ? z.number().gt(min).lte(max) : z.number().gte(min).lte(max);

const timeoutSchema = z.strictObject({
  connect: seconds(0, 86400, true),
  read: seconds(0, 86400, true),
  write: seconds(0, 86400, true),
  pool: seconds(0, 86400, true),
  first_token: seconds(0, 86400, true),
});

const ORIGIN = /^[a-z][a-z0-9+.-]*:(\/\/)?[^\s]*$/i;

/** The raw (pre-normalisation) configuration schema; every object is strict, so unknown keys are reported. */
export const configSchema = z.strictObject({
  cloud: z.strictObject({
    provider: z.literal('ollama'),
    endpoint: z.string().refine(isHttpUrl),
    api_key: z.string().regex(SECRET).optional(),
    default_model: z.string().regex(MODEL),
    max_concurrency: z.number().int().gte(0).lte(1000),
  }),
  local: z.strictObject({
    endpoint: z.string().refine(isHttpUrl),
    auto_start: z.boolean(),
    models: z
      .array(z.string().regex(MODEL))
      .refine((models) => new Set(models).size === models.length, { params: { duplicate: true } }),
  }),
  embeddings: z.strictObject({ model: z.string().regex(MODEL) }),
  retry: z.strictObject({
    max_attempts: z.number().int().gte(1).lte(100),
    delay_seconds: seconds(0, 3600, false),
    timeout_seconds: seconds(0, 86400, true),
  }),
  timeouts: z.strictObject({ cloud: timeoutSchema, local: timeoutSchema }),
  cooldown: z.strictObject({ rate_limit_seconds: seconds(0, 604800, false) }),
  quota: z.strictObject({
    warning_threshold: z.number().gt(0).lte(1),
    daily_request_limit: z.number().int().gte(0).lte(1_000_000_000),
    poll_seconds: z.number().refine((value) => value === 0 || (value >= 6 && value <= 86400)),
  }),
  queue: z.strictObject({
    max_size: z.number().int().gte(1).lte(10_000_000),
    ttl_hours: z.number().gt(0).lte(8760),
    max_attempts: z.number().int().gte(1).lte(1000),
    retry_interval_seconds: seconds(0, 86400, true),
    lease_seconds: seconds(1, 86400, false),
  }),
  storage: z.strictObject({
    url: z.string().refine(isStorageUrl),
    sqlite_synchronous: z.enum(['full', 'normal']),
  }),
  logging: z.strictObject({
    level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    failover_events: z.boolean(),
  }),
  server: z.strictObject({
    host: z.string().refine(isValidHost),
    port: z.number().int().gte(0).lte(65535),
    auth_token: z.string().regex(SECRET).optional(),
    cors_origins: z.array(z.string().regex(ORIGIN)),
    webhook_secret: z.string().regex(SECRET).optional(),
  }),
});

/** The schema's output type. */
export type ParsedConfig = z.output<typeof configSchema>;
