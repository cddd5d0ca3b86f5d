import { createTestDatabase, pgTestUrl, type TestDatabase } from '@graphiti/llm-queue/test';
import type { OllamaFake } from '@graphiti/ollama-fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphiti, type Sandbox, sandbox, startFakes } from './__fixtures__/harness.js';

const pgUrl = await pgTestUrl();

describe.skipIf(!pgUrl)('graphiti on PostgreSQL storage', () => {
  let cloud: OllamaFake;
  let local: OllamaFake;
  let box: Sandbox;
  let database: TestDatabase;
  let env: Record<string, string>;

  beforeAll(async () => {
    ({ cloud, local } = await startFakes());
    database = await createTestDatabase({ url: pgUrl as string, prefix: 'graphiti_cli' });
    box = sandbox({ cloud: cloud.url, local: local.url });
    env = { ...box.env, GRAPHITI_STORAGE_URL: database.url };
  });
  afterAll(async () => {
    await Promise.all([cloud.close(), local.close()]);
    await database?.drop();
    box?.remove();
  });

  it('shares the cooldown and the queue between processes: queue, list, replay, show', async () => {
    cloud.fault({ path: '/api/chat', kind: 'status', status: 429, times: 1 });
    expect((await graphiti(['chat', 'limited'], { env })).code).toBe(0);
    const quota = JSON.parse((await graphiti(['quota', '--json'], { env })).stdout);
    expect(quota.quota.cooldown).toMatchObject({ window: 'hourly', status: 429 });

    await local.stop();
    const chat = await graphiti(['chat', '--json', 'kept in postgres'], { env });
    expect(chat.code).toBe(1);
    const id: string = JSON.parse(chat.stdout).error.request_id;
    const list = JSON.parse((await graphiti(['queue', 'list', '--json'], { env })).stdout);
    expect(list.items.map((item: { id: string }) => item.id)).toEqual([id]);

    await local.start();
    const replay = JSON.parse((await graphiti(['retry-queue', '--json'], { env })).stdout);
    expect(replay).toMatchObject({ processed: 1, succeeded: 1 });
    const item = JSON.parse((await graphiti(['queue', 'show', id, '--json'], { env })).stdout);
    expect(item).toMatchObject({ status: 'done', result: { provider: 'local', model: 'gemma2:9b' } });
    const health = await graphiti(['health'], { env });
    expect(health.stdout).toMatch(/^storage\s+ok\s+postgres:\/\//m);
    expect(health.stdout).toMatch(/^cooldown\s+active/m);
  });
});
