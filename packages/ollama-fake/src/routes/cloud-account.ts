import { type Exchange, HttpError, type Json, type RouteTable } from '../exchange.js';
import type { FakeContext } from '../fake-context.js';
import type { FakeState } from '../fake-state.js';
import type { FakeAccount } from '../types.js';

const hour = 3_600_000;
const day = 24 * hour;

/** The account figures a fresh fake reports: a Pro plan, part of its monthly credits used. */
export function defaultAccount(now: number): Required<FakeAccount> {
  const date = new Date(now);
  const monthStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const nextMonth = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  const daysToMonday = (8 - date.getUTCDay()) % 7 || 7;
  const seconds = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString();
  return {
    balance: 'credits',
    user: 'fake-user',
    plan: 'pro',
    balanceUsd: 12.5,
    allowanceUsd: 20,
    purchasedUsd: 0,
    periodFrom: seconds(monthStart),
    periodUntil: seconds(nextMonth),
    sessionRemainingPercent: 62,
    sessionResetsAt: seconds(now + 5 * hour),
    weeklyRemainingPercent: 81,
    weeklyResetsAt: seconds(midnight + daysToMonday * day),
  };
}

const ranges: Record<string, { span: number; bucket: number }> = {
  '24h': { span: day, bucket: hour },
  '7d': { span: 7 * day, bucket: day },
  '30d': { span: 30 * day, bucket: day },
};

function usd(tokens: number): number {
  return Math.round(tokens * 2e-6 * 1e6) / 1e6;
}

function summarize(state: FakeState, from: number, until: number): Json {
  let requests = 0;
  let prompt = 0;
  let completion = 0;
  for (const entry of state.usage) {
    if (entry.time < from || entry.time >= until) continue;
    requests += 1;
    prompt += entry.promptTokens;
    completion += entry.completionTokens;
  }
  return {
    request_count: requests,
    usage_usd: usd(prompt + completion),
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/**
 * ollama.com's account routes (notes §9.5): `/api/balance` (current `credits` or legacy `windows` shape)
 * and `/api/usage?range=`, both limited to `limit` calls a minute (429 with `Retry-After` past it).
 */
export function cloudAccountRoutes(context: FakeContext, limit: number): RouteTable {
  const { state, respond } = context;

  function rateLimited(exchange: Exchange): boolean {
    const now = Date.now();
    const calls = state.usageCalls;
    while (calls.length > 0 && calls[0]! <= now - 60_000) calls.shift();
    if (calls.length < limit) {
      calls.push(now);
      return false;
    }
    const retry = Math.max(1, Math.ceil((calls[0]! + 60_000 - now) / 1000));
    const text = JSON.stringify({ error: `too many requests, please retry in ${retry}s` });
    exchange.response.writeHead(429, {
      ...exchange.headers,
      'retry-after': String(retry),
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    exchange.response.end(text);
    return true;
  }

  function balance(exchange: Exchange): void {
    if (rateLimited(exchange)) return;
    const account = { ...defaultAccount(Date.now()), ...state.account };
    if (account.balance === 'windows') {
      respond.json(exchange, {
        included: {
          session: { remaining_percent: account.sessionRemainingPercent, resets_at: account.sessionResetsAt },
          weekly: { remaining_percent: account.weeklyRemainingPercent, resets_at: account.weeklyResetsAt },
        },
      });
      return;
    }
    respond.json(exchange, {
      included: {
        balance_usd: account.balanceUsd,
        allowance_usd: account.allowanceUsd,
        period: { from: account.periodFrom, until: account.periodUntil },
      },
      purchased: { balance_usd: account.purchasedUsd },
    });
  }

  function usage(exchange: Exchange): void {
    const range = exchange.query.get('range') ?? '24h';
    const spec = ranges[range];
    if (!spec) throw new HttpError(400, `invalid range "${range}": use 24h, 7d or 30d`);
    if (rateLimited(exchange)) return;
    const now = Date.now();
    const end = Math.ceil((now + 1) / spec.bucket) * spec.bucket;
    const start = end - spec.span;
    const buckets: Json[] = [];
    for (let from = start; from < end; from += spec.bucket) {
      buckets.push({
        start: new Date(from).toISOString(),
        end: new Date(from + spec.bucket).toISOString(),
        ...summarize(state, from, from + spec.bucket),
      });
    }
    respond.json(exchange, {
      range,
      from: new Date(start).toISOString(),
      until: new Date(end).toISOString(),
      totals: summarize(state, start, end),
      buckets,
    });
  }

  return {
    '/api/balance': { GET: balance },
    '/api/usage': { GET: usage },
  };
}

/** `/api/me` (sign-in state; a local server that is not signed in answers 401 with `signin_url`) and `/api/status`. */
export function accountStatusRoutes(context: FakeContext): RouteTable {
  const { state, respond } = context;
  function me(exchange: Exchange): void {
    if (!state.cloud) {
      throw new HttpError(401, 'unauthorized', {
        signin_url:
          'https://ollama.com/connect?name=ollama-fake&key=c3NoLWVkMjU1MTkgQUFBQUMzTnphQzFsWkRJMU5URTVBQUFBSUZha2VGYWtlRmFrZQ',
      });
    }
    const account = { ...defaultAccount(Date.now()), ...state.account };
    respond.json(exchange, {
      name: account.user,
      email: `${account.user}@example.invalid`,
      plan: account.plan,
    });
  }
  function status(exchange: Exchange): void {
    respond.json(exchange, { cloud: { disabled: false, source: 'default' } });
  }
  return { '/api/me': { POST: me }, '/api/status': { GET: status } };
}
