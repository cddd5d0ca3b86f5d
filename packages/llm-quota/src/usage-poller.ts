import { type CloudUsage, parseBalance, parseUsage } from './cloud-usage.js';
import type { Logger } from './logger.js';
import { parseRetryAfter } from './retry-after.js';
import { scrubSecrets } from './scrub-secrets.js';

/** Options of {@link createUsagePoller}. */
export interface UsagePollerOptions {
  /** The cloud's base URL (`cloud.endpoint`), e.g. `https://ollama.com`. */
  readonly endpoint: string;
  /** The cloud API key, sent as `Authorization: Bearer`; never logged. */
  readonly apiKey: string;
  /** Seconds between polls (`quota.poll_seconds`); 0: never by itself, only when `poll()` is called. */
  readonly intervalSeconds: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof globalThis.fetch;
  /** Clock in epoch milliseconds (fetch times, Retry-After dates). @default Date.now */
  readonly now?: () => number;
  /** Receives `quota_usage` (debug), `quota_usage_rate_limited` (info) and `quota_usage_error` (warn). */
  readonly logger?: Logger;
  /** Called with every figure set fetched. */
  readonly onUsage?: (usage: CloudUsage) => void;
  /** Cap on one request, in milliseconds. @default 10000 */
  readonly timeoutMs?: number;
  /** The `range` asked of `/api/usage`. @default "24h" */
  readonly usageRange?: string;
}

/** Why the last poll brought no figures: what was asked and what came back, without the key. */
export interface UsagePollProblem {
  /** The route that failed (`/api/balance`, `/api/usage`), or both when neither had figures. */
  readonly endpoint: string;
  /** The HTTP status, when an answer came. */
  readonly status?: number;
  /** What went wrong: `HTTP 500`, `rate limited for 60 s`, `connect ECONNREFUSED …`, `no answer within 5 s`, `no usage figures`. */
  readonly problem: string;
}

/** Polls the cloud's own usage figures. */
export interface UsagePoller {
  /**
   * Asks now (`/api/balance`, else `/api/usage`) unless a 429 asked to wait; resolves with the latest figures
   * (undefined when none were ever fetched). Never throws; one poll at a time (a second call joins the first).
   */
  poll(options?: { readonly signal?: AbortSignal }): Promise<CloudUsage | undefined>;
  /** The last figures fetched, without I/O. */
  latest(): CloudUsage | undefined;
  /** Epoch ms before which the cloud asked not to be polled (its 429 and `Retry-After`), if that is ahead. */
  blockedUntil(): number | undefined;
  /** Why the last poll brought no figures; undefined before the first poll and after one that brought figures. */
  lastProblem(): UsagePollProblem | undefined;
  /** Stops polling and aborts a request in flight. */
  close(): void;
}

type Outcome =
  | { readonly kind: 'ok'; readonly usage: CloudUsage }
  | { readonly kind: 'missing' }
  | { readonly kind: 'rate_limited'; readonly retryAfterSeconds: number | undefined }
  | { readonly kind: 'error'; readonly problem: string; readonly status?: number };

const MAX_BODY_CHARS = 1_000_000;
/** Without a Retry-After, a 429 pauses polling at least this long. */
const DEFAULT_RATE_LIMIT_SECONDS = 60;

/**
 * Polls `GET <endpoint>/api/balance` (falling back to `/api/usage` when the cloud has no balance route or sends
 * a shape without figures) with the key as a Bearer token, every `intervalSeconds`, the first time at once.
 * A 429 pauses polling for its `Retry-After` (at least a minute without one). Bodies are parsed defensively
 * ({@link parseBalance}, {@link parseUsage}); a failure is logged once per run of failures, without the key.
 *
 * ```ts
 * const poller = createUsagePoller({ endpoint: 'https://ollama.com', apiKey, intervalSeconds: 60,
 *   onUsage: (usage) => quota.recordCloudUsage(usage) });
 * // ... later
 * poller.close();
 * ```
 */
export function createUsagePoller(options: UsagePollerOptions): UsagePoller {
  const endpoint = options.endpoint.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const { logger } = options;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const range = options.usageRange ?? '24h';
  const closing = new AbortController();
  const scrub = (text: string): string => scrubSecrets(text, [options.apiKey]);
  let route: 'balance' | 'usage' = 'balance';
  let latest: CloudUsage | undefined;
  let blocked: number | undefined;
  let inFlight: Promise<CloudUsage | undefined> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let loggedProblem: string | undefined;
  let problem: UsagePollProblem | undefined;

  /** A network error's own words: fetch's `fetch failed` alone says nothing, its cause says what happened. */
  function describeError(error: unknown): string {
    if (error instanceof Error && error.name === 'TimeoutError')
      return `no answer within ${timeoutMs / 1000} s`;
    const message = error instanceof Error ? error.message : String(error);
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : undefined;
    // an AggregateError (every address refused) has no message of its own, only a code
    const causeText = cause?.message || (cause as { code?: string } | undefined)?.code;
    return causeText === undefined || causeText === '' || causeText === message
      ? message
      : `${message}: ${causeText}`;
  }

  async function ask(which: 'balance' | 'usage', signal: AbortSignal | undefined): Promise<Outcome> {
    const path = which === 'balance' ? '/api/balance' : `/api/usage?range=${encodeURIComponent(range)}`;
    const signals = [closing.signal, AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(`${endpoint}${path}`, {
        headers: { authorization: `Bearer ${options.apiKey}`, accept: 'application/json' },
        signal: AbortSignal.any(signals),
      });
      text = await response.text();
    } catch (error) {
      return { kind: 'error', problem: scrub(describeError(error)) };
    }
    if (response.status === 429) {
      return {
        kind: 'rate_limited',
        retryAfterSeconds: parseRetryAfter(response.headers.get('retry-after'), now()),
      };
    }
    if (response.status === 404 || response.status === 405 || response.status === 501)
      return { kind: 'missing' };
    if (!response.ok) return { kind: 'error', problem: `HTTP ${response.status}`, status: response.status };
    let body: unknown;
    try {
      body = text.length > MAX_BODY_CHARS ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    const fetchedAt = new Date(now()).toISOString();
    const usage = which === 'balance' ? parseBalance(body, fetchedAt) : parseUsage(body, fetchedAt, range);
    return usage === undefined ? { kind: 'missing' } : { kind: 'ok', usage };
  }

  function report(found: UsagePollProblem): void {
    problem = found;
    if (loggedProblem === found.problem) return;
    loggedProblem = found.problem;
    logger?.warn(
      {
        event: 'quota_usage_error',
        endpoint: found.endpoint,
        status: found.status ?? null,
        error: found.problem,
      },
      'quota_usage_error',
    );
  }

  async function run(signal: AbortSignal | undefined): Promise<CloudUsage | undefined> {
    const order: ('balance' | 'usage')[] = route === 'balance' ? ['balance', 'usage'] : ['usage'];
    for (const which of order) {
      const outcome = await ask(which, signal);
      if (outcome.kind === 'ok') {
        route = which;
        latest = outcome.usage;
        loggedProblem = undefined;
        problem = undefined;
        logger?.debug(
          { event: 'quota_usage', source: outcome.usage.source, windows: outcome.usage.windows.length },
          'quota_usage',
        );
        options.onUsage?.(outcome.usage);
        return latest;
      }
      if (outcome.kind === 'rate_limited') {
        const seconds = outcome.retryAfterSeconds ?? DEFAULT_RATE_LIMIT_SECONDS;
        blocked = now() + seconds * 1000;
        problem = { endpoint: `/api/${which}`, status: 429, problem: `rate limited for ${seconds} s` };
        logger?.info(
          { event: 'quota_usage_rate_limited', retry_after_seconds: seconds },
          'quota_usage_rate_limited',
        );
        return latest;
      }
      if (outcome.kind === 'error') {
        report({
          endpoint: `/api/${which}`,
          ...(outcome.status === undefined ? {} : { status: outcome.status }),
          problem: outcome.problem,
        });
        return latest;
      }
    }
    report({ endpoint: order.map((which) => `/api/${which}`).join(', '), problem: 'no usage figures' });
    return latest;
  }

  function schedule(): void {
    if (closing.signal.aborted || options.intervalSeconds <= 0) return;
    const wait = Math.max(options.intervalSeconds * 1000, (blocked ?? 0) - now());
    timer = setTimeout(() => {
      timer = undefined;
      void poll().finally(schedule);
    }, wait);
    timer.unref?.();
  }

  function poll(pollOptions: { readonly signal?: AbortSignal } = {}): Promise<CloudUsage | undefined> {
    if (closing.signal.aborted) return Promise.resolve(latest);
    if (blocked !== undefined && now() < blocked) return Promise.resolve(latest);
    inFlight ??= run(pollOptions.signal).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  if (options.intervalSeconds > 0) void poll().finally(schedule);

  return {
    poll,
    latest: () => latest,
    blockedUntil: () => (blocked !== undefined && blocked > now() ? blocked : undefined),
    lastProblem: () => problem,
    close() {
      closing.abort();
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
    },
  };
}
