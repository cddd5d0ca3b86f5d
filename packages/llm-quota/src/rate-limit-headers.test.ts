import { describe, expect, it } from 'vitest';
import { parseRateLimitHeaders, parseReset, redactHeaders } from './rate-limit-headers.js';
import { parseRetryAfter, retryAfterAt } from './retry-after.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('parseRateLimitHeaders', () => {
  it('reads x-ratelimit-* with a delta-seconds reset', () => {
    expect(
      parseRateLimitHeaders(
        { 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '25', 'X-RateLimit-Reset': '60' },
        { now: NOW },
      ),
    ).toEqual({
      limit: 100,
      remaining: 25,
      resetAt: NOW + 60_000,
      headerNames: ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'],
    });
  });

  it('reads an epoch-seconds reset as an absolute time', () => {
    const epochSeconds = NOW / 1000 + 3600;
    expect(
      parseRateLimitHeaders(
        { 'x-ratelimit-limit': '10', 'x-ratelimit-reset': String(epochSeconds) },
        { now: NOW },
      )?.resetAt,
    ).toBe(NOW + 3_600_000);
  });

  it('reads the OpenAI-style -requests names with a duration reset', () => {
    const result = parseRateLimitHeaders(
      {
        'x-ratelimit-limit-requests': '500',
        'x-ratelimit-remaining-requests': '499',
        'x-ratelimit-reset-requests': '1m30s',
      },
      { now: NOW },
    );
    expect(result).toMatchObject({ limit: 500, remaining: 499, resetAt: NOW + 90_000 });
  });

  it('reads x-rate-limit-* spellings', () => {
    expect(
      parseRateLimitHeaders({ 'x-rate-limit-limit': '20', 'x-rate-limit-remaining': '4' }, { now: NOW }),
    ).toMatchObject({ limit: 20, remaining: 4 });
  });

  it('reads the IETF ratelimit-limit/remaining/reset fields', () => {
    expect(
      parseRateLimitHeaders(
        { 'RateLimit-Limit': '1000', 'RateLimit-Remaining': '900', 'RateLimit-Reset': '30' },
        { now: NOW },
      ),
    ).toMatchObject({ limit: 1000, remaining: 900, resetAt: NOW + 30_000 });
  });

  it('reads the combined draft-7 RateLimit header with ratelimit-policy', () => {
    expect(
      parseRateLimitHeaders(
        { RateLimit: 'limit=100, remaining=50, reset=30', 'RateLimit-Policy': '100;w=3600' },
        { now: NOW },
      ),
    ).toEqual({
      limit: 100,
      remaining: 50,
      resetAt: NOW + 30_000,
      policy: '100;w=3600',
      headerNames: ['ratelimit', 'ratelimit-policy'],
    });
  });

  it('reads the draft-8 structured RateLimit header, taking the limit from the policy quota', () => {
    expect(
      parseRateLimitHeaders(
        { ratelimit: '"default";r=5;t=12', 'ratelimit-policy': '"default";q=60;w=60' },
        { now: NOW },
      ),
    ).toMatchObject({ limit: 60, remaining: 5, resetAt: NOW + 12_000 });
  });

  it('takes the limit from a draft-7 policy alone', () => {
    expect(
      parseRateLimitHeaders(
        { 'ratelimit-remaining': '3', 'ratelimit-policy': '10;w=1, 50;w=60' },
        { now: NOW },
      ),
    ).toMatchObject({ limit: 10, remaining: 3 });
  });

  it('reads Retry-After seconds on a 429 as an exhausted window', () => {
    expect(parseRateLimitHeaders({ 'retry-after': '120' }, { now: NOW, status: 429 })).toEqual({
      remaining: 0,
      resetAt: NOW + 120_000,
      exhausted: true,
      headerNames: ['retry-after'],
    });
  });

  it('reads Retry-After as an HTTP-date on a 429', () => {
    expect(
      parseRateLimitHeaders({ 'Retry-After': 'Wed, 25 Nov 2026 13:00:00 GMT' }, { now: NOW, status: 429 })
        ?.resetAt,
    ).toBe(NOW + 3_600_000);
  });

  it('ignores Retry-After on other statuses (a 503 is not a quota signal)', () => {
    expect(parseRateLimitHeaders({ 'retry-after': '5' }, { now: NOW, status: 503 })).toBeUndefined();
  });

  it('reads a Headers object', () => {
    const headers = new Headers({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '9' });
    expect(parseRateLimitHeaders(headers, { now: NOW })).toMatchObject({ limit: 10, remaining: 9 });
  });

  it('reads array values from Node-style header records', () => {
    expect(
      parseRateLimitHeaders({ 'x-ratelimit-limit': ['10'], 'x-ratelimit-remaining': ['2'] }, { now: NOW }),
    ).toMatchObject({ limit: 10, remaining: 2 });
  });

  it('returns undefined without rate-limit headers', () => {
    expect(parseRateLimitHeaders({ 'content-type': 'application/json' }, { now: NOW })).toBeUndefined();
    expect(parseRateLimitHeaders({}, { now: NOW, status: 429 })).toBeUndefined();
  });

  it.each([
    ['remaining "abc"', { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': 'abc' }, { limit: 100 }],
    ['negative remaining', { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '-5' }, { limit: 100 }],
    ['limit 0', { 'x-ratelimit-limit': '0', 'x-ratelimit-remaining': '5' }, { remaining: 5 }],
    ['negative limit', { 'x-ratelimit-limit': '-1', 'x-ratelimit-remaining': '5' }, { remaining: 5 }],
    ['empty values', { 'x-ratelimit-limit': '', 'x-ratelimit-remaining': ' ' }, undefined],
    ['garbage combined header', { ratelimit: 'limit=x, remaining=-1, reset=soon' }, undefined],
    ['garbage reset', { 'x-ratelimit-limit': '10', 'x-ratelimit-reset': 'later' }, { limit: 10 }],
  ])('ignores %s without throwing', (_label, headers, expected) => {
    const result = parseRateLimitHeaders(headers, { now: NOW });
    if (expected === undefined) expect(result).toBeUndefined();
    else {
      expect(result).toMatchObject(expected);
      expect(result?.resetAt).toBeUndefined();
      for (const key of ['limit', 'remaining'] as const) {
        if (!(key in expected)) expect(result?.[key]).toBeUndefined();
      }
    }
  });

  it('falls back to a later family when the first is malformed', () => {
    expect(
      parseRateLimitHeaders({
        'x-ratelimit-remaining': 'abc',
        'ratelimit-remaining': '7',
        'ratelimit-limit': '9',
      }),
    ).toMatchObject({ limit: 9, remaining: 7 });
  });

  it('clamps a remaining above the limit', () => {
    expect(
      parseRateLimitHeaders({ 'x-ratelimit-limit': '10', 'x-ratelimit-remaining': '15' }, { now: NOW }),
    ).toMatchObject({ limit: 10, remaining: 10 });
  });
});

describe('parseReset and parseRetryAfter', () => {
  it.each([
    ['30', NOW + 30_000],
    ['0', NOW],
    ['1.5', NOW + 1500],
    ['20ms', NOW + 20],
    ['6m0s', NOW + 360_000],
    ['1h', NOW + 3_600_000],
    [String(NOW), NOW],
    ['Wed, 25 Nov 2026 12:00:10 GMT', NOW + 10_000],
    ['soon', undefined],
    ['-5', undefined],
    ['', undefined],
  ])('parseReset(%s)', (value, expected) => {
    expect(parseReset(value, NOW)).toBe(expected);
  });

  it('parses Retry-After seconds and dates, and rejects garbage', () => {
    // parseRetryAfter returns seconds (contract C); retryAfterAt is the same value as an epoch time.
    expect(retryAfterAt('5', NOW)).toBe(NOW + 5000);
    expect(retryAfterAt('Wed, 25 Nov 2026 12:01:00 GMT', NOW)).toBe(NOW + 60_000);
    expect(retryAfterAt('-1', NOW)).toBeUndefined();
    expect(retryAfterAt('whenever', NOW)).toBeUndefined();
    expect(parseRetryAfter('5', NOW)).toBe(5);
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:01:00 GMT', NOW)).toBe(60);
    expect(parseRetryAfter('-1', NOW)).toBeUndefined();
    expect(parseRetryAfter('whenever', NOW)).toBeUndefined();
  });
});

describe('redactHeaders', () => {
  it('redacts authorisation, cookie and key values and keeps the rest', () => {
    expect(
      redactHeaders({
        Authorization: 'Bearer sk-secret',
        'Set-Cookie': ['a=1', 'b=2'],
        Cookie: 'session=abc',
        'X-Api-Key': 'k',
        'x-ratelimit-remaining': '5',
      }),
    ).toEqual({
      authorization: '[redacted]',
      'set-cookie': '[redacted]',
      cookie: '[redacted]',
      'x-api-key': '[redacted]',
      'x-ratelimit-remaining': '5',
    });
  });
});

describe('redactHeaders with secret values', () => {
  it('scrubs a secret value echoed in any header, plain or URL-encoded', () => {
    const key = 'sk-live/abc+123';
    const redacted = redactHeaders(
      {
        'x-echo': `Bearer ${key}`,
        location: `https://example.test/?key=${encodeURIComponent(key)}`,
        'x-ratelimit-remaining': '5',
      },
      [key],
    );
    expect(redacted).toEqual({
      'x-echo': 'Bearer [redacted]',
      location: 'https://example.test/?key=[redacted]',
      'x-ratelimit-remaining': '5',
    });
    expect(JSON.stringify(redacted)).not.toContain('abc');
  });
});
