import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitAsync } from './async-submit.js';
import { type FakeGateway, startFakeGateway } from './fakes.js';

const TOKEN = 'example-gateway-token';
let fake: FakeGateway;
beforeAll(async () => {
  fake = await startFakeGateway(TOKEN);
});
afterAll(() => fake.close());

describe('example 3: the durable queue with Prefer: respond-async', () => {
  it('answers 202 with a Location, and the queue item is answered in the background', async () => {
    const result = await submitAsync(fake.gateway.url, TOKEN, { idempotencyKey: 'notes-1' });
    expect(result.status).toBe(202);
    expect(result.location).toMatch(/^\/graphiti\/queue\/\S+$/);
    expect(result.item?.status).toBe('done');
    expect(result.item?.result?.message?.content).toBe(
      fake.world.cloud.expectedText({
        model: 'gpt-oss:120b',
        messages: [{ role: 'user', content: 'Summarise my notes.' }],
      }),
    );
    const again = await submitAsync(fake.gateway.url, TOKEN, { idempotencyKey: 'notes-1', timeoutMs: 1 });
    expect(again.id).toBe(result.id);
  });
});
