/** One usage window of the cloud plan (legacy plans: `session`, `weekly`; current plans: `included` credits). */
export interface CloudUsageWindow {
  /** The window's name as the cloud gives it (`session`, `weekly`, …), or `included` for the credit pool. */
  readonly name: string;
  /** Fraction of the window used, 0..1. */
  readonly usedFraction?: number;
  /** ISO time the window resets. */
  readonly resetsAt?: string;
}

/** `/api/usage` totals over its range. */
export interface CloudUsageTotals {
  /** The range asked for (`24h`, `7d`, `30d`). */
  readonly range?: string;
  readonly requests?: number;
  readonly usageUsd?: number;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
  readonly totalTokens?: number;
}

/** The cloud's own usage figures, as its usage endpoints report them (contract C). */
export interface CloudUsage {
  /** Which endpoint answered. */
  readonly source: 'balance' | 'usage';
  /** Usage windows with the fraction used and the reset time, when the cloud reports them. */
  readonly windows: readonly CloudUsageWindow[];
  /** Plan credits left (`included.balance_usd`). */
  readonly balanceUsd?: number;
  /** Plan credits per period (`included.allowance_usd`). */
  readonly allowanceUsd?: number;
  /** Purchased (extra usage) credits left (`purchased.balance_usd`). */
  readonly purchasedBalanceUsd?: number;
  /** ISO end of the current plan period (`included.period.until`). */
  readonly periodEnd?: string;
  /** `/api/usage` totals. */
  readonly totals?: CloudUsageTotals;
  /** ISO time the figures were fetched. */
  readonly fetchedAt: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number, also from a numeric string; anything else is undefined. */
function numberOf(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

function first(record: Json, names: readonly string[]): unknown {
  for (const name of names) if (record[name] !== undefined && record[name] !== null) return record[name];
  return undefined;
}

/** An ISO time from a date string or epoch seconds/milliseconds, or undefined. */
function timeOf(value: unknown): string | undefined {
  let time: number | undefined;
  if (typeof value === 'string' && value.trim() !== '' && !/^-?\d+(\.\d+)?$/.test(value.trim())) {
    time = Date.parse(value);
  } else {
    const number = numberOf(value);
    if (number !== undefined && number > 0) time = number >= 1e12 ? number : number * 1000;
  }
  return time !== undefined && Number.isFinite(time) ? new Date(time).toISOString() : undefined;
}

/** 0..1, rounded to 6 decimals (so 70 % remaining is 0.3 used, not 0.30000000000000004). */
function clampFraction(value: number): number {
  return Math.round(Math.min(1, Math.max(0, value)) * 1e6) / 1e6;
}

const RESET_NAMES = ['resets_at', 'reset_at', 'resetsAt', 'resetAt', 'until', 'ends_at'];

/** A window object (`{ remaining_percent, resets_at }` and the spellings seen elsewhere), or undefined. */
function parseWindow(name: string, value: unknown): CloudUsageWindow | undefined {
  if (!isObject(value)) return undefined;
  const remainingPercent = numberOf(
    first(value, ['remaining_percent', 'remainingPercent', 'percent_remaining']),
  );
  const usedPercent = numberOf(
    first(value, ['used_percent', 'usedPercent', 'usage_percent', 'percent_used']),
  );
  const usedFraction = numberOf(first(value, ['used_fraction', 'usedFraction']));
  let used: number | undefined;
  if (remainingPercent !== undefined) used = 1 - remainingPercent / 100;
  else if (usedPercent !== undefined) used = usedPercent / 100;
  else if (usedFraction !== undefined) used = usedFraction;
  const resetsAt = timeOf(first(value, RESET_NAMES));
  if (used === undefined && resetsAt === undefined) return undefined;
  return {
    name,
    ...(used === undefined ? {} : { usedFraction: clampFraction(used) }),
    ...(resetsAt === undefined ? {} : { resetsAt }),
  };
}

/**
 * Parses a `GET /api/balance` body defensively (notes §9.5): current plans
 * `{"included":{"balance_usd","allowance_usd","period":{"from","until"}},"purchased":{"balance_usd"}}`, legacy
 * plans `{"included":{"session":{"remaining_percent","resets_at"},"weekly":{…}}}`; numeric strings and a few
 * other spellings are accepted, unknown fields ignored. Undefined when nothing usable is in it.
 */
export function parseBalance(body: unknown, fetchedAt: string): CloudUsage | undefined {
  if (!isObject(body)) return undefined;
  const included = isObject(body.included) ? body.included : body;
  const balanceUsd = numberOf(first(included, ['balance_usd', 'balanceUsd', 'remaining_usd']));
  const allowanceUsd = numberOf(first(included, ['allowance_usd', 'allowanceUsd', 'limit_usd']));
  const period = isObject(included.period) ? included.period : {};
  const periodEnd = timeOf(first(period, ['until', 'to', 'end', 'ends_at'])) ?? timeOf(included.period_end);
  const purchased = isObject(body.purchased) ? numberOf(body.purchased.balance_usd) : undefined;
  const windows: CloudUsageWindow[] = [];
  if (allowanceUsd !== undefined && allowanceUsd > 0 && balanceUsd !== undefined) {
    windows.push({
      name: 'included',
      usedFraction: clampFraction((allowanceUsd - balanceUsd) / allowanceUsd),
      ...(periodEnd === undefined ? {} : { resetsAt: periodEnd }),
    });
  }
  for (const [name, value] of Object.entries(included)) {
    if (name === 'period') continue;
    const window = parseWindow(name, value);
    if (window !== undefined) windows.push(window);
  }
  if (windows.length === 0 && balanceUsd === undefined && purchased === undefined) return undefined;
  return {
    source: 'balance',
    windows,
    ...(balanceUsd === undefined ? {} : { balanceUsd }),
    ...(allowanceUsd === undefined ? {} : { allowanceUsd }),
    ...(purchased === undefined ? {} : { purchasedBalanceUsd: purchased }),
    ...(periodEnd === undefined ? {} : { periodEnd }),
    fetchedAt,
  };
}

type NumericTotal = Exclude<keyof CloudUsageTotals, 'range'>;

const TOTAL_FIELDS: readonly (readonly [NumericTotal, readonly string[]])[] = [
  ['requests', ['request_count', 'requests', 'requestCount']],
  ['usageUsd', ['usage_usd', 'usageUsd', 'cost_usd']],
  ['promptTokens', ['prompt_tokens', 'input_tokens', 'promptTokens', 'inputTokens']],
  ['completionTokens', ['completion_tokens', 'output_tokens', 'completionTokens', 'outputTokens']],
  ['totalTokens', ['total_tokens', 'tokens', 'totalTokens']],
];

function readTotals(record: Json): Partial<Record<NumericTotal, number>> {
  const totals: Partial<Record<NumericTotal, number>> = {};
  for (const [field, names] of TOTAL_FIELDS) {
    const value = numberOf(first(record, names));
    if (value !== undefined && value >= 0) totals[field] = value;
  }
  return totals;
}

/**
 * Parses a `GET /api/usage` body defensively: `totals` (else the sum of `buckets`) with `request_count`,
 * `usage_usd` and token counts; window or balance fields, should a future shape carry them, as in
 * {@link parseBalance}. Undefined when nothing usable is in it.
 */
export function parseUsage(body: unknown, fetchedAt: string, range?: string): CloudUsage | undefined {
  if (!isObject(body)) return undefined;
  const totals: Partial<Record<NumericTotal, number>> = isObject(body.totals) ? readTotals(body.totals) : {};
  if (Object.keys(totals).length === 0 && Array.isArray(body.buckets)) {
    for (const bucket of body.buckets) {
      if (!isObject(bucket)) continue;
      for (const [field, value] of Object.entries(readTotals(bucket))) {
        const key = field as keyof typeof totals;
        totals[key] = (totals[key] ?? 0) + (value ?? 0);
      }
    }
  }
  const embedded = parseBalance(body, fetchedAt);
  const rangeName = typeof body.range === 'string' ? body.range : range;
  if (Object.keys(totals).length === 0 && embedded === undefined) return undefined;
  return {
    ...(embedded ?? { windows: [] }),
    source: 'usage',
    ...(Object.keys(totals).length === 0
      ? {}
      : { totals: { ...(rangeName === undefined ? {} : { range: rangeName }), ...totals } }),
    fetchedAt,
  };
}

/** The largest fraction used among the windows, if any reports one. */
export function maxUsedFraction(usage: CloudUsage): number | undefined {
  let max: number | undefined;
  for (const window of usage.windows) {
    if (window.usedFraction !== undefined && (max === undefined || window.usedFraction > max))
      max = window.usedFraction;
  }
  return max;
}

/**
 * When the cloud's figures say a usage limit ends, epoch milliseconds, so the router can end a cooldown then:
 * with `window` (`session`, `weekly`, …), that window's reset; without one (a 429 of unknown window), the
 * latest reset among used-up windows, else the period's end when the credits are used up. Only future times.
 */
export function cloudResetAt(
  usage: CloudUsage | undefined,
  nowMs: number,
  window?: string,
): number | undefined {
  if (usage === undefined) return undefined;
  const future = (iso: string | undefined): number | undefined => {
    const time = iso === undefined ? Number.NaN : Date.parse(iso);
    return Number.isFinite(time) && time > nowMs ? time : undefined;
  };
  if (window !== undefined) {
    const named = usage.windows.find((candidate) => candidate.name.toLowerCase() === window.toLowerCase());
    if (named !== undefined) return future(named.resetsAt);
    return window.toLowerCase() === 'monthly' ? future(usage.periodEnd) : undefined;
  }
  let latest: number | undefined;
  for (const candidate of usage.windows) {
    if ((candidate.usedFraction ?? 0) < 1) continue;
    const time = future(candidate.resetsAt);
    if (time !== undefined && (latest === undefined || time > latest)) latest = time;
  }
  if (latest !== undefined) return latest;
  const creditsGone =
    usage.balanceUsd !== undefined && usage.balanceUsd <= 0 && (usage.purchasedBalanceUsd ?? 0) <= 0;
  return creditsGone ? future(usage.periodEnd) : undefined;
}
