import { afterEach, describe, expect, it } from 'vitest';
import { type FakeWorld, startFakeWorld } from './fakes.js';
import { runRouterLibrary } from './router-library.js';

let world: FakeWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('example 1: the router as a library with SQLite', () => {
  it('answers from the cloud, falls back to local, queues, and replays', async () => {
    const w = await startFakeWorld();
    world = w;
    const result = await runRouterLibrary(w.env, {
      cloudDown: async () => w.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 }),
      allDown: () => w.local.stop(),
      localBack: async () => {
        await w.local.start();
      },
    });
    expect(result.first).toEqual({
      provider: 'cloud',
      model: 'gpt-oss:120b',
      text: w.cloud.expectedText({
        model: 'gpt-oss:120b',
        messages: [{ role: 'user', content: 'Why is the sky blue?' }],
      }),
    });
    expect(result.afterOutage).toEqual({ provider: 'local', model: 'gemma2:9b' });
    expect(result.queuedId).toMatch(/\S+/);
    expect(result.replayed).toBe(1);
  });
});
