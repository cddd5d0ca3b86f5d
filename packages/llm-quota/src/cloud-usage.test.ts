import { describe, expect, it } from 'vitest';
import { cloudResetAt, maxUsedFraction, parseBalance, parseUsage } from './cloud-usage.js';

const AT = '2026-12-01T12:00:00.000Z';
const NOW = Date.parse(AT);

describe('parseBalance', () => {
  it('reads the credits shape of current plans', () => {
    const usage = parseBalance(
      {
        included: {
          balance_usd: 5,
          allowance_usd: 20,
          period: { from: '2026-12-01T00:00:00Z', until: '2027-01-01T00:00:00Z' },
        },
        purchased: { balance_usd: 2.5 },
      },
      AT,
    );
    expect(usage).toEqual({
      source: 'balance',
      windows: [{ name: 'included', usedFraction: 0.75, resetsAt: '2027-01-01T00:00:00.000Z' }],
      balanceUsd: 5,
      allowanceUsd: 20,
      purchasedBalanceUsd: 2.5,
      periodEnd: '2027-01-01T00:00:00.000Z',
      fetchedAt: AT,
    });
  });

  it('reads the session and weekly windows of legacy plans', () => {
    const usage = parseBalance(
      {
        included: {
          session: { remaining_percent: 12.5, resets_at: '2026-12-01T15:00:00Z' },
          weekly: { remaining_percent: '60', resets_at: '2026-12-07T00:00:00Z' },
        },
      },
      AT,
    );
    expect(usage?.windows).toEqual([
      { name: 'session', usedFraction: 0.875, resetsAt: '2026-12-01T15:00:00.000Z' },
      { name: 'weekly', usedFraction: 0.4, resetsAt: '2026-12-07T00:00:00.000Z' },
    ]);
    expect(maxUsedFraction(usage!)).toBe(0.875);
  });

  it('is defensive: junk, wrong types and out-of-range values never throw', () => {
    expect(parseBalance(null, AT)).toBeUndefined();
    expect(parseBalance('credits', AT)).toBeUndefined();
    expect(parseBalance([1, 2], AT)).toBeUndefined();
    expect(parseBalance({ included: { note: 'hi' } }, AT)).toBeUndefined();
    expect(parseBalance({ included: { balance_usd: 'lots', allowance_usd: null } }, AT)).toBeUndefined();
    const clamped = parseBalance(
      {
        included: {
          session: { remaining_percent: 140, resets_at: 'not a date' },
          weekly: { used_percent: 250 },
        },
      },
      AT,
    );
    expect(clamped?.windows).toEqual([
      { name: 'session', usedFraction: 0 },
      { name: 'weekly', usedFraction: 1 },
    ]);
  });

  it('accepts the windows at the top level and epoch reset times', () => {
    const usage = parseBalance({ session: { used_fraction: 0.5, reset_at: 1_796_126_400 } }, AT);
    expect(usage?.windows).toEqual([
      { name: 'session', usedFraction: 0.5, resetsAt: new Date(1_796_126_400_000).toISOString() },
    ]);
  });
});

describe('parseUsage', () => {
  it('reads totals', () => {
    expect(
      parseUsage(
        {
          range: '24h',
          totals: { request_count: 42, usage_usd: 0.31, input_tokens: 1000, output_tokens: 250 },
          buckets: [{ request_count: 40 }],
        },
        AT,
      ),
    ).toEqual({
      source: 'usage',
      windows: [],
      totals: { range: '24h', requests: 42, usageUsd: 0.31, promptTokens: 1000, completionTokens: 250 },
      fetchedAt: AT,
    });
  });

  it('sums the buckets when there are no totals', () => {
    const usage = parseUsage(
      { buckets: [{ request_count: 2, usage_usd: 0.5 }, { request_count: 3 }, 'junk'] },
      AT,
      '7d',
    );
    expect(usage?.totals).toEqual({ range: '7d', requests: 5, usageUsd: 0.5 });
  });

  it('returns undefined for a shape without figures', () => {
    expect(parseUsage({ data: [] }, AT)).toBeUndefined();
    expect(parseUsage(undefined, AT)).toBeUndefined();
  });
});

describe('cloudResetAt', () => {
  const legacy = parseBalance(
    {
      included: {
        session: { remaining_percent: 0, resets_at: '2026-12-01T15:00:00Z' },
        weekly: { remaining_percent: 30, resets_at: '2026-12-07T00:00:00Z' },
      },
    },
    AT,
  );

  it('gives the named window’s reset', () => {
    expect(cloudResetAt(legacy, NOW, 'weekly')).toBe(Date.parse('2026-12-07T00:00:00Z'));
    expect(cloudResetAt(legacy, NOW, 'Session')).toBe(Date.parse('2026-12-01T15:00:00Z'));
    expect(cloudResetAt(legacy, NOW, 'hourly')).toBeUndefined();
  });

  it('without a window, gives the reset of a used-up window', () => {
    expect(cloudResetAt(legacy, NOW)).toBe(Date.parse('2026-12-01T15:00:00Z'));
  });

  it('gives the period end when the credits are used up, and never a past time', () => {
    const spent = parseBalance(
      { included: { balance_usd: 0, allowance_usd: 20, period: { until: '2027-01-01T00:00:00Z' } } },
      AT,
    );
    expect(cloudResetAt(spent, NOW)).toBe(Date.parse('2027-01-01T00:00:00Z'));
    expect(cloudResetAt(spent, NOW, 'monthly')).toBe(Date.parse('2027-01-01T00:00:00Z'));
    expect(cloudResetAt(spent, Date.parse('2027-02-01T00:00:00Z'))).toBeUndefined();
    expect(cloudResetAt(undefined, NOW)).toBeUndefined();
  });
});
