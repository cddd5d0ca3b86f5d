import { describe, expect, it } from 'vitest';
import { parseRetryAfter, retryAfterAt } from './retry-after.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);

describe('parseRetryAfter (seconds)', () => {
  it.each([
    ['30', 30],
    [' 30 ', 30],
    ['0', 0],
    ['1.5', 1.5],
    ['Wed, 25 Nov 2026 12:01:00 GMT', 60],
    ['Wed, 25 Nov 2026 11:59:00 GMT', 0],
    ['-1', undefined],
    ['whenever', undefined],
    ['', undefined],
    ['   ', undefined],
    [null, undefined],
    [undefined, undefined],
  ])('parseRetryAfter(%j) = %j', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('is seconds, not milliseconds: "30" is thirty', () => {
    expect(parseRetryAfter('30', NOW)).toBe(30);
  });
});

describe('retryAfterAt (epoch milliseconds)', () => {
  it('adds the delay to now', () => {
    expect(retryAfterAt('5', NOW)).toBe(NOW + 5000);
    expect(retryAfterAt('Wed, 25 Nov 2026 12:01:00 GMT', NOW)).toBe(NOW + 60_000);
    expect(retryAfterAt('-1', NOW)).toBeUndefined();
    expect(retryAfterAt('whenever', NOW)).toBeUndefined();
  });
});
