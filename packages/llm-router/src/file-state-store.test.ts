import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLog } from './__fixtures__/harness.js';
import { createFileStateStore, createMemoryStateStore } from './file-state-store.js';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'llm-router-state-'));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('createFileStateStore', () => {
  it('stores JSON values in the file, creating its directory, and reads them back from a new store', async () => {
    const path = join(directory, 'nested', 'llm-state.json');
    await createFileStateStore(path).set('cloud_cooldown', { until: 5, reason: 'hourly' });
    expect(await createFileStateStore(path).get('cloud_cooldown')).toEqual({ until: 5, reason: 'hourly' });
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({
      entries: { cloud_cooldown: { value: { until: 5 } } },
    });
    // no temporary or lock files are left behind
    expect(await readdir(join(directory, 'nested'))).toEqual(['llm-state.json']);
  });

  it('expires values after ttlSeconds', async () => {
    let clock = 1_000_000;
    const store = createFileStateStore(join(directory, 's.json'), { now: () => clock });
    await store.set('k', 1, { ttlSeconds: 10 });
    clock += 9_999;
    expect(await store.get('k')).toBe(1);
    clock += 1;
    expect(await store.get('k')).toBeUndefined();
    // an expired value counts as absent for compareAndSet
    expect(await store.compareAndSet('k', undefined, 2)).toBe(true);
    expect(await store.get('k')).toBe(2);
  });

  it('compareAndSet writes only when the current value equals the expected one', async () => {
    const store = createFileStateStore(join(directory, 's.json'));
    expect(await store.compareAndSet('k', undefined, { a: 1, b: [1, 2] })).toBe(true);
    expect(await store.compareAndSet('k', undefined, { a: 2 })).toBe(false);
    expect(await store.compareAndSet('k', { a: 9 }, { a: 2 })).toBe(false);
    expect(await store.compareAndSet('k', { a: 1, b: [1, 2] }, { a: 3 })).toBe(true);
    expect(await store.get('k')).toEqual({ a: 3 });
  });

  it('lets exactly one of many concurrent writers (two stores on one file) win a compareAndSet', async () => {
    const path = join(directory, 's.json');
    const stores = [createFileStateStore(path), createFileStateStore(path)];
    const wins = await Promise.all(
      Array.from({ length: 20 }, (_, index) => stores[index % 2]!.compareAndSet('k', undefined, index)),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
  });

  it('reports a corrupt file through the logger and replaces it, never throwing', async () => {
    const path = join(directory, 's.json');
    await writeFile(path, '{"version":1,"entries":{"cloud_cooldown":');
    const log = captureLog();
    const store = createFileStateStore(path, { logger: log.logger });
    expect(await store.get('cloud_cooldown')).toBeUndefined();
    expect(log.events('state_file_corrupt')).toMatchObject([{ path }]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 1, entries: {} });
    await store.set('k', true);
    expect(await store.get('k')).toBe(true);
    expect(log.events('state_file_corrupt')).toHaveLength(1);
  });

  it('breaks a stale lock left by a dead process', async () => {
    const path = join(directory, 's.json');
    await writeFile(`${path}.lock`, '');
    const store = createFileStateStore(path, { lockTimeoutMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    await store.set('k', 1);
    expect(await store.get('k')).toBe(1);
  });
});

describe('createMemoryStateStore', () => {
  it('follows the same get / set / compareAndSet / ttl contract', async () => {
    let clock = 0;
    const store = createMemoryStateStore({ now: () => clock });
    expect(await store.compareAndSet('k', undefined, { v: 1 }, { ttlSeconds: 1 })).toBe(true);
    expect(await store.compareAndSet('k', { v: 2 }, { v: 3 })).toBe(false);
    expect(await store.get('k')).toEqual({ v: 1 });
    clock = 1000;
    expect(await store.get('k')).toBeUndefined();
  });
});
