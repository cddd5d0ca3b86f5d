import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGateway, startFakeGateway } from './fakes.js';
import { driveGateway, GATEWAY_TOKEN } from './gateway-clients.js';

let fake: FakeGateway;
beforeAll(async () => {
  fake = await startFakeGateway(GATEWAY_TOKEN);
});
afterAll(() => fake.close());

describe('example 2: the gateway behind real clients', () => {
  it('answers the openai client, the anthropic client and the native API with the cloud answer', async () => {
    const results = await driveGateway(fake.gateway.url);
    const expected = fake.world.cloud.expectedText({
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
    const response = await fetch(`${fake.gateway.url}/api/tags`);
    expect(response.status).toBe(401);
  });
});
