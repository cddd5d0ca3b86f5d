import type { LogRecord } from './log-sink.js';

/** A fallback the router reported (from a `failover` router event, else from an `llm_failover` log line). */
export interface Fallback {
  readonly from: string;
  readonly to: string;
  readonly reason: string;
  readonly code: string;
  readonly model?: string;
}

/** Options of {@link createCallReporter}. */
export interface CallReporterOptions {
  /** Writes to stderr. */
  readonly stderr: (text: string) => void;
  /** Whether stderr is a terminal: only then is progress drawn. */
  readonly tty: boolean;
  /** `retry.max_attempts` and `retry.delay_seconds`, to count down a retry delay. */
  readonly retry: { readonly max_attempts: number; readonly delay_seconds: number };
  /** Clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** How long a wait lasts before it is shown. @default 1000 */
  readonly showAfterMs?: number;
}

/** Follows one CLI call: draws its waits on a terminal and names its fallbacks in one line at the end. */
export interface CallReporter {
  /** Feed for `createRouter({ onEvent })` (contract B events). */
  onEvent(event: unknown): void;
  /** Feed for the logger's records (the fallback when the router sends no events). */
  onRecord(record: LogRecord): void;
  /** True for log records this reporter turns into its own line (not printed again on a terminal). */
  claimed(record: LogRecord): boolean;
  /** Starts showing a wait (after a second) on a terminal. */
  waiting(what: string): void;
  /** Clears the progress line: the answer (or its first chunk) is here. */
  settle(): void;
  /** The fallbacks seen so far. */
  readonly fallbacks: readonly Fallback[];
}

const REASONS: Readonly<Record<string, string>> = {
  rate_limit: 'rate limited',
  concurrency: 'no free concurrent-request slot',
  model_unavailable: 'the model is not available on this plan',
  auth: 'the API key was rejected',
  transient: 'server error',
  timeout: 'no answer in time',
  connection: 'unreachable',
  not_found: 'model not found',
  stream: 'the stream broke',
};

/** A short human phrase for a failure reason (`rate_limit` → `rate limited`). */
export function reasonPhrase(reason: string): string {
  return REASONS[reason] ?? reason;
}

const CLEAR = '\r\u001b[2K';

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

/**
 * Creates a reporter. Router events are preferred: once one has arrived, log records no longer count as
 * fallbacks (both report the same failover).
 */
export function createCallReporter(options: CallReporterOptions): CallReporter {
  const now = options.now ?? Date.now;
  const showAfterMs = options.showAfterMs ?? 1000;
  const maxAttempts = Math.max(1, Math.floor(options.retry.max_attempts));
  const delayMs = Math.max(0, options.retry.delay_seconds * 1000);
  const fromEvents: Fallback[] = [];
  const fromLogs: Fallback[] = [];
  let sawEvents = false;
  let started = 0;
  let status = '';
  let retryUntil: number | undefined;
  let retryLabel = '';
  let cloudAttempts = 0;
  let timer: NodeJS.Timeout | undefined;
  let shown = '';

  const line = (): string => {
    const elapsed = Math.round((now() - started) / 1000);
    if (retryUntil !== undefined) {
      const left = Math.max(0, Math.ceil((retryUntil - now()) / 1000));
      return `${retryLabel}, retrying in ${left} s (${cloudAttempts + 1}/${maxAttempts})`;
    }
    return `${status} (${elapsed} s)`;
  };
  const draw = (): void => {
    if (!options.tty || now() - started < showAfterMs) return;
    const next = line();
    if (next === shown) return;
    shown = next;
    options.stderr(`${CLEAR}${next}`);
  };
  const clear = (): void => {
    if (shown !== '') options.stderr(CLEAR);
    shown = '';
  };
  const fallback = (item: Fallback, list: Fallback[]): void => {
    list.push(item);
    retryUntil = undefined;
    status =
      item.to === 'queue'
        ? `${item.from} ${item.code} (${reasonPhrase(item.reason)}): nothing else can answer, queueing`
        : `${item.from} ${item.code} (${reasonPhrase(item.reason)}): trying ${item.to}`;
    draw();
  };

  return {
    get fallbacks() {
      return sawEvents ? fromEvents : fromLogs;
    },
    onEvent(raw) {
      const event = raw as Record<string, unknown>;
      sawEvents = true;
      if (event.type === 'attempt' && event.provider === 'cloud' && event.outcome !== 'ok') {
        cloudAttempts++;
        if (event.outcome === 'transient' && cloudAttempts < maxAttempts) {
          retryLabel = `cloud ${text(event.status) || 'error'}`;
          retryUntil = now() + delayMs;
          draw();
        }
      } else if (event.type === 'attempt') {
        retryUntil = undefined;
      } else if (event.type === 'failover') {
        fallback(
          {
            from: text(event.from_provider),
            to: text(event.to_provider),
            reason: text(event.reason),
            code: text(event.error_code),
            model: text(event.model),
          },
          fromEvents,
        );
      } else if (event.type === 'queued') {
        status = `queued as ${text(event.requestId)}`;
        draw();
      }
    },
    onRecord(record) {
      if (record.event === 'llm_failover') {
        fallback(
          {
            from: text(record.from_provider),
            to: text(record.to_provider),
            reason: text(record.reason),
            code: text(record.error_code),
            model: text(record.model),
          },
          fromLogs,
        );
      }
    },
    claimed(record) {
      return options.tty && (record.event === 'llm_failover' || record.event === 'llm_cooldown_started');
    },
    waiting(what) {
      started = now();
      status = what;
      if (!options.tty) return;
      timer = setInterval(draw, 200);
      timer.unref();
    },
    settle() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      retryUntil = undefined;
      clear();
    },
  };
}

/** `21:55:03 UTC` for an epoch time. */
function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 19)} UTC`;
}

/**
 * The one line that says who served an answer and, after a fallback, why and until when the cloud is skipped:
 * `served by local (gemma2:9b) because cloud failed: 429 rate limited; cloud skipped until 22:05:13 UTC`.
 */
export function servedLine(
  provider: string,
  model: string,
  context: {
    readonly fallbacks: readonly Fallback[];
    readonly cooldown?: { readonly until: number; readonly reason?: string } | undefined;
    /** Whether a cloud API key is set (without one, local is the route, not a fallback). */
    readonly cloudConfigured?: boolean;
    readonly now?: number;
  },
): string {
  const head = `served by ${provider} (${model})`;
  const now = context.now ?? Date.now();
  const cooling =
    context.cooldown !== undefined && context.cooldown.until > now ? context.cooldown : undefined;
  const last = context.fallbacks.filter((f) => f.from !== provider).at(-1);
  let why: string | undefined;
  if (provider === 'cloud') why = undefined;
  else if (last !== undefined) {
    const code = last.code === '' ? '' : `${last.code} `;
    why = `${last.from} failed: ${code}${reasonPhrase(last.reason)}`;
    if (last.from === 'cloud' && cooling !== undefined)
      why += `; cloud skipped until ${clock(cooling.until)}`;
  } else if (cooling !== undefined) {
    const reason =
      cooling.reason === undefined || cooling.reason === '' ? '' : ` (${oneLineText(cooling.reason)})`;
    why = `cloud is cooling down until ${clock(cooling.until)}${reason}`;
  }
  return why === undefined ? `${head}\n` : `${head} because ${why}\n`;
}

function oneLineText(value: string): string {
  const flat = value.replace(/\s+/g, ' ').trim();
  return flat.length <= 80 ? flat : `${flat.slice(0, 79)}…`;
}
