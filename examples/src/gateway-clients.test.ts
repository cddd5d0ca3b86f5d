import { loadConfig } from '@graphiti/llm-config';
import { type Gateway, startGateway } from '@graphiti/server';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeWorld, startFakeWorld } from './fakes.js';
import { driveGateway, GATEWAY_TOKEN } from './gateway-clients.js';

let world: FakeWorld;
let gateway: Gateway;
beforeAll(async () => {
  world = await startFakeWorld(`[server]\nauth_token = "${GATEWAY_TOKEN}"\n`);
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

describe('example 2: the gateway behind real clients', () => {
  it('answers the openai client, the anthropic client and the native API with the cloud answer', async () => {
    const results = await driveGateway(gateway.url);
    const expected = world.cloud.expectedText({
      model: 'gpt-oss:120b',
      messages: [{ role: 'user', content: 'Say hello to the knowledge graph.' }],
    });
    expect(results.map((r) => r.route)).toEqual(
      expect.arrayContaining(['/v1/chat/completions', '/v1/responses', '/v1/messages', '/api/chat']),
    );
    for (const result of results) expect(result.text, result.client).toBe(expected);
    expect(results.find((r) => r.route === '/v1/chat/completions')?.provider).toBe('cloud');
  });

  it('refuses a client without the gateway token', async () => {
    const response = await fetch(`${gateway.url}/api/tags`);
    expect(response.status).toBe(401);
  });
});
