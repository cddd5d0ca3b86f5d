import { createTestDatabase, pgTestUrl, type TestDatabase } from '@graphiti/llm-queue/test';
import type { OllamaFake } from '@graphiti/ollama-fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLOUD_MODEL,
  type Fixture,
  postJson,
  replayNow,
  startFakes,
  startFixture,
} from './__fixtures__/gateway-fixture.js';

const pgUrl = await pgTestUrl();
const messages = [{ role: 'user', content: 'shared?' }];

describe.skipIf(!pgUrl)('two gateways on one PostgreSQL database', () => {
  let database: TestDatabase;
  let cloud: OllamaFake;
  let local: OllamaFake;
  let first: Fixture;
  let second: Fixture;

  beforeAll(async () => {
    database = await createTestDatabase({ prefix: 'graphiti_server' });
    ({ cloud, local } = await startFakes());
    first = await startFixture({ storageUrl: database.url, fakes: { cloud, local } });
    second = await startFixture({ storageUrl: database.url, fakes: { cloud, local } });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await Promise.all([cloud?.close(), local?.close()]);
    await database?.drop();
  });

  it('share the 429 cooldown and the queue', async () => {
    cloud.fault({ path: '/api/chat', kind: 'status', status: 429, times: 1 });
    const limited = await postJson(first, '/api/chat', { model: CLOUD_MODEL, messages, stream: false });
    expect(limited.headers.get('x-graphiti-provider')).toBe('local');
    cloud.clearRequests();

    // the second gateway never saw the 429, yet skips the cloud
    const served = await postJson(second, '/api/chat', { model: CLOUD_MODEL, messages, stream: false });
    expect(served.status).toBe(200);
    expect(served.headers.get('x-graphiti-provider')).toBe('local');
    expect(cloud.requests.filter((request) => request.path === '/api/chat')).toHaveLength(0);
    const metrics = await (await second.fetch('/metrics')).text();
    expect(metrics).toMatch(/^graphiti_cloud_cooldown_active 1$/m);

    // queued through the first, seen and replayed through the second
    await local.stop();
    const down = await postJson(first, '/api/chat', { model: CLOUD_MODEL, messages, stream: false });
    expect(down.status).toBe(503);
    const { request_id: id } = (await down.json()) as { request_id: string };
    const seen = (await (await second.fetch(`/graphiti/queue/${id}`)).json()) as { status: string };
    expect(seen.status).toBe('ready');
    await local.start();
    const replay = await replayNow(second);
    expect(replay.succeeded).toBe(1);
    const done = (await (await first.fetch(`/graphiti/queue/${id}`)).json()) as { status: string };
    expect(done.status).toBe('done');
  });
});
