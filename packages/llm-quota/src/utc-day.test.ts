import { describe, expect, it } from 'vitest';
import { utcDay } from './quota-tracker.js';

describe('utcDay', () => {
  it('gives the UTC date of any time, also when times jump back and forth across midnights', () => {
    const times = [
      Date.UTC(2026, 11, 1, 23, 59, 59, 999),
      Date.UTC(2026, 11, 2, 0, 0, 0, 0),
      Date.UTC(2026, 11, 1, 12),
      Date.UTC(2026, 11, 2, 23, 59, 59, 999),
      Date.UTC(2026, 11, 3),
      Date.UTC(2024, 1, 29, 6),
      0,
      -1,
      Date.UTC(2026, 11, 1, 23, 59, 59, 999),
    ];
    for (const time of times) expect(utcDay(time)).toBe(new Date(time).toISOString().slice(0, 10));
  });
});
