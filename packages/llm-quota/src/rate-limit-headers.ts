import { parseHttpDate, retryAfterAt } from './retry-after.js';
import { scrubSecrets } from './scrub-secrets.js';

/** Response headers as a fetch `Headers` object or a Node-style record. */
export type HeaderInput = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

/** What the rate-limit headers of one response said. */
export interface RateLimitObservation {
  /** Requests (or units) allowed in the current window. */
  readonly limit?: number;
  /** Left in the current window. */
  readonly remaining?: number;
  /** When the window resets, epoch milliseconds. */
  readonly resetAt?: number;
  /** The `ratelimit-policy` header as sent, e.g. `100;w=3600`. */
  readonly policy?: string;
  /** True on a 429: the window is used up whatever the other headers say. */
  readonly exhausted?: boolean;
  /** Lower-cased names of the headers the values came from. */
  readonly headerNames: readonly string[];
}

/** Lower-cased name -> value; repeated headers joined with `, `. */
export function headerMap(headers: HeaderInput): Map<string, string> {
  const map = new Map<string, string>();
  const add = (name: string, value: string): void => {
    const key = name.toLowerCase();
    const previous = map.get(key);
    map.set(key, previous === undefined ? value : `${previous}, ${value}`);
  };
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    headers.forEach((value, name) => {
      add(name, value);
    });
    return map;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  for (const [name, value] of Object.entries(record)) {
    if (typeof value === 'string') add(name, value);
    else if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') add(name, item);
  }
  return map;
}

const SECRET_HEADER = /authorization|cookie|token|secret|api[-_]?key|password/i;

/**
 * The headers with authorisation, cookie, token and key values replaced by `[redacted]`; in every other value,
 * each of `secrets` (e.g. the API key, should an upstream echo it in a header) is replaced by `[redacted]` too.
 */
export function redactHeaders(headers: HeaderInput, secrets: readonly string[] = []): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of headerMap(headers))
    result[name] = SECRET_HEADER.test(name) ? '[redacted]' : scrubSecrets(value, secrets);
  return result;
}

/** A non-negative finite number, or undefined (`abc`, `-1`, `` are ignored). */
function count(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().replace(/^"|"$/g, '');
  if (!/^\d+(\.\d+)?$/.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) && number >= 0 ? Math.floor(number) : undefined;
}

const DURATION_PART = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;

/**
 * A reset value: delta seconds (`30`), epoch seconds (`1767225600`) or milliseconds, a Go/OpenAI duration
 * (`1m30s`, `20ms`), or an HTTP-date. Returns epoch milliseconds, or undefined when unparseable or negative.
 */
export function parseReset(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim().replace(/^"|"$/g, '');
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) {
    const number = Number(text);
    if (!Number.isFinite(number)) return undefined;
    if (number >= 1e12) return Math.round(number);
    if (number >= 1e9) return Math.round(number * 1000);
    return now + Math.round(number * 1000);
  }
  if (/^(\d+(\.\d+)?(ms|h|m|s))+$/.test(text)) {
    let total = 0;
    for (const match of text.matchAll(DURATION_PART)) {
      const amount = Number(match[1]);
      const unit = match[2];
      total +=
        unit === 'h'
          ? amount * 3_600_000
          : unit === 'm'
            ? amount * 60_000
            : unit === 's'
              ? amount * 1000
              : amount;
    }
    return now + Math.round(total);
  }
  return parseHttpDate(text);
}

/** `key=value` parameters of a structured header (`limit=100, remaining=5` or `"default";r=5;t=30`). */
function parameters(value: string): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of value.split(/[,;]/)) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const key = part.slice(0, index).trim().toLowerCase();
    if (!result.has(key)) result.set(key, part.slice(index + 1).trim());
  }
  return result;
}

/** The quota of a `ratelimit-policy` header: `100;w=3600` (draft 7) or `"daily";q=1000;w=86400` (draft 8+). */
function policyLimit(value: string): number | undefined {
  const first = value.split(',')[0] ?? '';
  const q = parameters(first).get('q');
  if (q !== undefined) return count(q);
  return count(first.split(';')[0]);
}

interface Candidate {
  readonly names: readonly [limit: string, remaining: string, reset: string];
}

/* In order of preference: the first family with a valid value wins, field by field. */
const RATE_LIMIT_NAME = /rate-?limit/i;

/** True when a header's name mentions a rate limit (every family above, `RateLimit`, `RateLimit-Policy`). */
function namesRateLimit(headers: HeaderInput): boolean {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) {
    for (const name of headers.keys()) if (RATE_LIMIT_NAME.test(name)) return true;
    return false;
  }
  for (const name in headers as object) if (RATE_LIMIT_NAME.test(name)) return true;
  return false;
}

const FAMILIES: readonly Candidate[] = [
  { names: ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'] },
  { names: ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'] },
  { names: ['x-rate-limit-limit', 'x-rate-limit-remaining', 'x-rate-limit-reset'] },
  { names: ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset'] },
];

/**
 * Reads rate-limit headers: `x-ratelimit-limit|remaining|reset` (also the `-requests` suffixed and
 * `x-rate-limit-*` spellings), the IETF `ratelimit-limit|remaining|reset`, the combined
 * `RateLimit: limit=…, remaining=…, reset=…` (draft 7) or `RateLimit: "name";r=…;t=…` (draft 8+),
 * `ratelimit-policy`, and on a 429 `Retry-After` (seconds or HTTP-date). Malformed values (`abc`, negative, a
 * limit of 0) are ignored; a remaining above the limit is clamped. Returns undefined when no usable limit,
 * remaining or 429 reset was found. Never throws.
 */
export function parseRateLimitHeaders(
  headers: HeaderInput,
  options: { now?: number; status?: number } = {},
): RateLimitObservation | undefined {
  // most answers carry no rate-limit header at all: say so without building the header map
  if (options.status !== 429 && !namesRateLimit(headers)) return undefined;
  const now = options.now ?? Date.now();
  const map = headerMap(headers);
  const used = new Set<string>();
  let limit: number | undefined;
  let remaining: number | undefined;
  let resetAt: number | undefined;

  const take = (name: string, value: number | undefined, assign: (value: number) => void): void => {
    if (value === undefined) return;
    assign(value);
    used.add(name);
  };
  for (const { names } of FAMILIES) {
    const [limitName, remainingName, resetName] = names;
    if (limit === undefined) {
      const value = count(map.get(limitName));
      take(limitName, value !== undefined && value > 0 ? value : undefined, (v) => {
        limit = v;
      });
    }
    if (remaining === undefined)
      take(remainingName, count(map.get(remainingName)), (v) => {
        remaining = v;
      });
    if (resetAt === undefined)
      take(resetName, parseReset(map.get(resetName), now), (v) => {
        resetAt = v;
      });
  }

  const combined = map.get('ratelimit');
  if (combined !== undefined) {
    const params = parameters(combined);
    if (limit === undefined) {
      const value = count(params.get('limit'));
      take('ratelimit', value !== undefined && value > 0 ? value : undefined, (v) => {
        limit = v;
      });
    }
    if (remaining === undefined)
      take('ratelimit', count(params.get('remaining') ?? params.get('r')), (v) => {
        remaining = v;
      });
    if (resetAt === undefined) {
      const reset = params.get('reset') ?? params.get('t');
      // Structured-field resets are always delta seconds.
      const seconds = count(reset);
      take('ratelimit', seconds === undefined ? undefined : now + seconds * 1000, (v) => {
        resetAt = v;
      });
    }
  }

  const policy = map.get('ratelimit-policy');
  if (policy !== undefined) {
    used.add('ratelimit-policy');
    if (limit === undefined) {
      const value = policyLimit(policy);
      if (value !== undefined && value > 0) limit = value;
    }
  }

  const exhausted = options.status === 429;
  if (exhausted) {
    const retryAt = retryAfterAt(map.get('retry-after'), now);
    if (retryAt !== undefined) {
      used.add('retry-after');
      resetAt = resetAt === undefined ? retryAt : Math.max(resetAt, retryAt);
      remaining = 0;
    }
  }

  if (limit !== undefined && remaining !== undefined && remaining > limit) remaining = limit;
  if (limit === undefined && remaining === undefined && !(exhausted && resetAt !== undefined))
    return undefined;
  return {
    ...(limit === undefined ? {} : { limit }),
    ...(remaining === undefined ? {} : { remaining }),
    ...(resetAt === undefined ? {} : { resetAt }),
    ...(policy === undefined ? {} : { policy }),
    ...(exhausted ? { exhausted: true } : {}),
    headerNames: [...used],
  };
}
