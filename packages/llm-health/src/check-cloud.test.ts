import { freePort, type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkCloud } from './check-cloud.js';

const KEY = 'sk-test-0123456789abcdef';
let fake: OllamaFake;

beforeAll(async () => {
  fake = await startOllamaFake({ models: ['gpt-oss:120b', 'glm-5:latest'], apiKey: KEY });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
});

function expectNoSecret(value: unknown, secret: string): void {
  expect(JSON.stringify(value)).not.toContain(secret);
}

describe('checkCloud', () => {
  it('is unconfigured without a key, and asks nothing of the server', async () => {
    const health = await checkCloud({ endpoint: fake.url });
    expect(health.status).toBe('unconfigured');
    expect(health.message).toContain('OLLAMA_API_KEY');
    expect(fake.requests).toHaveLength(0);
  });

  it('is up with the right key, listing the models offered, without echoing the key', async () => {
    const health = await checkCloud({ endpoint: fake.url, apiKey: KEY });
    expect(health).toMatchObject({ status: 'up', models: ['gpt-oss:120b', 'glm-5:latest'], httpStatus: 200 });
    expect(fake.requests[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
    expectNoSecret(health, KEY);
  });

  it('reports a cloud.default_model the cloud does not list, naming what it offers', async () => {
    const missing = await checkCloud({ endpoint: fake.url, apiKey: KEY, defaultModel: 'gpt-oss:20b' });
    expect(missing).toMatchObject({ status: 'up', defaultModelListed: false });
    expect(missing.message).toContain('cloud.default_model "gpt-oss:20b" is not one of them');
    expect(missing.message).toContain('gpt-oss:120b, glm-5:latest');
    const listed = await checkCloud({ endpoint: fake.url, apiKey: KEY, defaultModel: 'glm-5' });
    expect(listed).toMatchObject({ status: 'up', defaultModelListed: true });
    expect(listed.message).not.toContain('default_model');
  });

  it('says a wrong key is wrong (401), without echoing it', async () => {
    const wrong = 'sk-wrong-key-should-not-leak';
    const health = await checkCloud({ endpoint: fake.url, apiKey: wrong });
    expect(health.status).toBe('unauthorized');
    expect(health.httpStatus).toBe(401);
    expect(health.message).toContain('rejected the API key (HTTP 401)');
    expectNoSecret(health, wrong);
  });

  it('treats 403 as a rejected key', async () => {
    fake.fault({ path: '/api/tags', kind: 'status', status: 403, message: 'forbidden' });
    const health = await checkCloud({ endpoint: fake.url, apiKey: KEY });
    expect(health.status).toBe('unauthorized');
    expect(health.httpStatus).toBe(403);
  });

  it('reports a 429 with the usage window text', async () => {
    fake.fault({
      path: '/api/tags',
      kind: 'status',
      status: 429,
      message: "you've reached your hourly usage limit, please wait or upgrade to continue",
    });
    const health = await checkCloud({ endpoint: fake.url, apiKey: KEY });
    expect(health.status).toBe('down');
    expect(health.httpStatus).toBe(429);
    expect(health.message).toContain('hourly usage limit');
  });

  it('reports a 503 as down', async () => {
    fake.fault({
      path: '/api/tags',
      kind: 'status',
      status: 503,
      contentType: 'text/plain',
      message: 'Service Temporarily Unavailable',
    });
    const health = await checkCloud({ endpoint: fake.url, apiKey: KEY });
    expect(health.status).toBe('down');
    expect(health.message).toContain('HTTP 503');
    expect(health.message).toContain('Service Temporarily Unavailable');
  });

  it('reports an unreachable endpoint as down, quickly', async () => {
    const port = await freePort();
    const health = await checkCloud({ endpoint: `http://127.0.0.1:${port}`, apiKey: KEY });
    expect(health.status).toBe('down');
    expect(health.message).toBe(
      `Ollama Cloud is not reachable at http://127.0.0.1:${port} (connection refused).`,
    );
    expectNoSecret(health, KEY);
  });

  it('redacts the key even if it shows up in the endpoint', async () => {
    const port = await freePort();
    const health = await checkCloud({ endpoint: `http://127.0.0.1:${port}/${KEY}`, apiKey: KEY });
    expectNoSecret(health, KEY);
  });
});
