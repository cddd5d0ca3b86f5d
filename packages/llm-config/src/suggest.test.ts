import { describe, expect, it } from 'vitest';
import { editDistance, suggestKey } from './suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', 'abc', 0],
    ['abc', 'ab', 1],
    ['abc', 'acb', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('%j vs %j = %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('suggestKey', () => {
  it('suggests a sibling within a third of its length', () => {
    expect(suggestKey('queue', 'max_sise')).toBe('queue.max_size');
    expect(suggestKey('server', 'prot')).toBe('server.port');
    expect(suggestKey('', 'timeout')).toBe('timeouts');
  });

  it('suggests the same key in another table', () => {
    expect(suggestKey('', 'auth_token')).toBe('server.auth_token');
  });

  it('suggests nothing for unrelated keys or ambiguous names', () => {
    expect(suggestKey('queue', 'colour')).toBeUndefined();
    // max_attempts exists in both [retry] and [queue].
    expect(suggestKey('', 'max_attempts')).toBeUndefined();
  });
});
