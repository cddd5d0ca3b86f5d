import { describe, expect, it } from 'vitest';
import { useStorageSuite } from './__fixtures__/storage-suite.js';
import { backends } from './__fixtures__/test-backends.js';

describe.each(backends())('StateStore.batch on $name', (backend) => {
  const suite = useStorageSuite(backend);

  it('applies increments and sets together and returns the totals in order', async () => {
    const { state } = await suite.open();
    await state.increment('quota:requests', 10);
    const totals = await state.batch({
      increments: [
        { key: 'quota:requests', delta: 2, ttlSeconds: 60 },
        { key: 'quota:prompt_tokens', delta: 5 },
        { key: 'quota:requests', delta: 1 },
      ],
      sets: [{ key: 'quota:headers', value: { limit: 100, remaining: 90 }, ttlSeconds: 1 }],
    });
    expect(totals).toEqual([12, 5, 13]);
    expect(await state.getNumber('quota:requests')).toBe(13);
    expect(await state.get('quota:headers')).toEqual({ limit: 100, remaining: 90 });
    suite.clock += 1000;
    expect(await state.get('quota:headers')).toBeUndefined();
    expect(await state.getNumber('quota:requests')).toBe(13); // its 60 s ttl has not run out
    suite.clock += 60_000;
    expect(await state.getNumber('quota:requests')).toBe(0);
    expect(await state.batch({ increments: [], sets: [] })).toEqual([]);
  });

  it('is all or nothing: a write that fails inside it undoes the others', async () => {
    const { state } = await suite.open();
    await state.set('cooldown', { until: 1 });
    await expect(
      state.batch({
        increments: [
          { key: 'quota:requests', delta: 4 },
          { key: 'cooldown', delta: 1 }, // not a number: the whole batch is refused
        ],
        sets: [{ key: 'quota:headers', value: { limit: 1 } }],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await state.getNumber('quota:requests')).toBe(0);
    expect(await state.get('quota:headers')).toBeUndefined();
    expect(await state.get('cooldown')).toEqual({ until: 1 });
    // bad arguments are refused before anything is written
    await expect(
      state.batch({
        increments: [
          { key: 'a', delta: 1 },
          { key: '', delta: 1 },
        ],
        sets: [],
      }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await state.getNumber('a')).toBe(0);
  });
});
