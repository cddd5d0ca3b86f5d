import { loadConfig } from '@graphiti/llm-config';
import { type Gateway, startGateway } from '@graphiti/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitAsync } from './async-submit.js';
import { type FakeWorld, startFakeWorld } from './fakes.js';

const TOKEN = 'example-gateway-token';
let world: FakeWorld;
let gateway: Gateway;
beforeAll(async () => {
  world = await startFakeWorld(`[server]\nauth_token = "${TOKEN}"\n`);
  gateway = await startGateway({
    config: loadConfig({ env: world.env }),
    logger: pino({ level: 'silent' }),
    port: 0,
  });
});
afterAll(async () => {
  await gateway.close();
  await world.close();
});

describe('example 3: the durable queue with Prefer: respond-async', () => {
  it('answers 202 with a Location, and the queue item is answered in the background', async () => {
    const result = await submitAsync(gateway.url, TOKEN, { idempotencyKey: 'notes-1' });
    expect(result.status).toBe(202);
    expect(result.location).toMatch(/^\/graphiti\/queue\/\S+$/);
    expect(result.item?.status).toBe('done');
    expect(result.item?.result?.message?.content).toBe(
      world.cloud.expectedText({
        model: 'gpt-oss:120b',
        messages: [{ role: 'user', content: 'Summarise my notes.' }],
      }),
    );
    const again = await submitAsync(gateway.url, TOKEN, { idempotencyKey: 'notes-1', timeoutMs: 1 });
    expect(again.id).toBe(result.id);
  });
});
