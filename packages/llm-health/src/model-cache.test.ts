import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HealthError } from './health-error.js';
import { createModelCache } from './model-cache.js';
import { fallbackChain } from './model-names.js';

let fake: OllamaFake;

beforeAll(async () => {
  fake = await startOllamaFake({ models: ['llama3.2:3b'] });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fake.setModels(['llama3.2:3b']);
});

function tagRequests(): number {
  return fake.requests.filter((request) => request.path === '/api/tags').length;
}

describe('createModelCache', () => {
  it('asks the server once within the TTL and again after it', async () => {
    let time = 0;
    const cache = createModelCache({ endpoint: fake.url, ttlMs: 1000, now: () => time });
    expect((await cache.list()).map((model) => model.name)).toEqual(['llama3.2:3b']);
    time = 999;
    await cache.list();
    expect(tagRequests()).toBe(1);
    time = 1000;
    await cache.list();
    expect(tagRequests()).toBe(2);
  });

  it('shares one request between concurrent callers', async () => {
    const cache = createModelCache({ endpoint: fake.url });
    const lists = await Promise.all([cache.list(), cache.list(), cache.list()]);
    expect(lists.map((list) => list.length)).toEqual([1, 1, 1]);
    expect(tagRequests()).toBe(1);
  });

  it('sees newly pulled models after invalidate()', async () => {
    const cache = createModelCache({ endpoint: fake.url });
    await cache.list();
    fake.setModels(['llama3.2:3b', 'gemma2:9b']);
    expect((await cache.list()).length).toBe(1);
    cache.invalidate();
    const models = await cache.list();
    expect(fallbackChain([], models).chain).toEqual(['gemma2:9b', 'llama3.2:3b']);
  });

  it('gives the router a partial chain: configured order, pulled names, missing ones dropped with a warning', async () => {
    fake.setModels(['llama3.2:3b', { name: 'mistral:latest', parameterSize: '7.2B' }, 'nomic-embed-text']);
    const cache = createModelCache({ endpoint: fake.url });
    const result = fallbackChain(['gemma2:9b', 'llama3.2:3b', 'mistral', 'qwen2.5:1.5b'], await cache.list());
    expect(result).toEqual({
      chain: ['llama3.2:3b', 'mistral:latest'],
      dropped: ['gemma2:9b', 'qwen2.5:1.5b'],
      warning:
        'Local fallback models not pulled, skipped: gemma2:9b, qwen2.5:1.5b. Using: llama3.2:3b, mistral:latest. Run: ollama pull gemma2:9b && ollama pull qwen2.5:1.5b',
    });
    expect(fallbackChain([], await cache.list()).chain).toEqual(['mistral:latest', 'llama3.2:3b']);
  });

  it('throws LOCAL_DOWN when the server is unreachable, and recovers when it is back', async () => {
    const other = await startOllamaFake({ models: ['gemma2:9b'] });
    const cache = createModelCache({ endpoint: other.url, ttlMs: 60_000 });
    await cache.list();
    cache.invalidate();
    await other.stop();
    const error = await cache.list().then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(HealthError.isInstance(error)).toBe(true);
    expect((error as HealthError).code).toBe('LOCAL_DOWN');
    expect((error as HealthError).retryable).toBe(true);
    expect((error as HealthError).message).toBe(
      `Ollama is not reachable at ${other.url} (connection refused). Start it with: ollama serve`,
    );
    await other.start();
    expect((await cache.list()).map((model) => model.name)).toEqual(['gemma2:9b']);
    await other.close();
  });

  it('throws LOCAL_BAD_RESPONSE on an error status and does not cache the failure', async () => {
    const cache = createModelCache({ endpoint: fake.url });
    fake.fault({ path: '/api/tags', kind: 'status', status: 500, times: 1 });
    const error = await cache.list().catch((caught: unknown) => caught);
    expect(HealthError.isInstance(error) && error.code).toBe('LOCAL_BAD_RESPONSE');
    expect((await cache.list()).length).toBe(1);
  });

  it('fails fast on a hanging server with the read timeout', async () => {
    fake.fault({ path: '/api/tags', kind: 'hang', times: 1 });
    const cache = createModelCache({ endpoint: fake.url, timeouts: { connect: 1, read: 0.1 } });
    const error = await cache.list().catch((caught: unknown) => caught);
    expect(HealthError.isInstance(error) && error.code).toBe('LOCAL_DOWN');
    expect((error as Error).message).toContain('no answer within 0.1s');
  });

  it('rejects an endpoint that is not a URL with INVALID_OPTION', () => {
    let caught: unknown;
    try {
      createModelCache({ endpoint: 'ftp://localhost:11434' });
    } catch (error) {
      caught = error;
    }
    expect(HealthError.isInstance(caught) && caught.code).toBe('INVALID_OPTION');
  });
});
