import { describe, expect, it } from 'vitest';
import { QuotaError } from './quota-error.js';
import { canonicalJson, createMemoryStateStore } from './state-store.js';

describe('createMemoryStateStore', () => {
  it('returns copies, so callers cannot change stored values', async () => {
    const store = createMemoryStateStore();
    const value = { requests: 1 };
    await store.set('k', value);
    value.requests = 99;
    const read = await store.get<{ requests: number }>('k');
    expect(read).toEqual({ requests: 1 });
    read!.requests = 5;
    expect(await store.get('k')).toEqual({ requests: 1 });
  });

  it('expires values after ttlSeconds', async () => {
    let time = 0;
    const store = createMemoryStateStore({ now: () => time });
    await store.set('k', 1, { ttlSeconds: 10 });
    time = 9_999;
    expect(await store.get('k')).toBe(1);
    time = 10_000;
    expect(await store.get('k')).toBeUndefined();
    expect(await store.compareAndSet('k', undefined, 2)).toBe(true);
    expect(await store.get('k')).toBe(2);
  });

  it('compareAndSet writes only when the current value equals expected, ignoring key order', async () => {
    const store = createMemoryStateStore();
    expect(await store.compareAndSet('k', undefined, { a: 1, b: 2 })).toBe(true);
    expect(await store.compareAndSet('k', undefined, { a: 9 })).toBe(false);
    expect(await store.compareAndSet('k', { a: 1, b: 3 }, { a: 9 })).toBe(false);
    expect(await store.compareAndSet('k', { b: 2, a: 1 }, { a: 3 })).toBe(true);
    expect(await store.get('k')).toEqual({ a: 3 });
  });

  it('rejects values that are not JSON with a QuotaError', async () => {
    const store = createMemoryStateStore();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const error = await store.set('k', cyclic).catch((caught: unknown) => caught);
    expect(QuotaError.isInstance(error) && error.code).toBe('INVALID_STATE_VALUE');
    const undefinedValue = await store.set('k', undefined).catch((caught: unknown) => caught);
    expect(QuotaError.isInstance(undefinedValue)).toBe(true);
  });

  it('canonicalJson sorts keys at every depth', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":0,"z":1}]},"b":1}',
    );
  });
});
