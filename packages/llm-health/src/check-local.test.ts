import { freePort, type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkLocal } from './check-local.js';

let fake: OllamaFake;

beforeAll(async () => {
  fake = await startOllamaFake({ models: [] });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  fake.reset();
  fake.setModels([]);
});

describe('checkLocal', () => {
  it('reports a server that is not running, with the command to start it', async () => {
    const port = await freePort();
    const health = await checkLocal({ endpoint: `http://127.0.0.1:${port}/`, requiredModels: ['gemma2:9b'] });
    expect(health).toEqual({
      status: 'down',
      endpoint: `http://127.0.0.1:${port}`,
      models: [],
      missing: ['gemma2:9b'],
      message: `Ollama is not running at http://127.0.0.1:${port}. Start it with: ollama serve`,
      startCommand: 'ollama serve',
    });
  });

  it('reports a server that was stopped as down', async () => {
    const other = await startOllamaFake({ models: ['llama3.2:3b'] });
    expect((await checkLocal({ endpoint: other.url })).status).toBe('up');
    await other.stop();
    const health = await checkLocal({ endpoint: other.url });
    await other.close();
    expect(health.status).toBe('down');
    expect(health.message).toBe(`Ollama is not running at ${other.url}. Start it with: ollama serve`);
  });

  it('gives up on a server that accepts but never answers within the read timeout', async () => {
    fake.fault({ path: '/api/version', kind: 'hang' });
    const health = await checkLocal({ endpoint: fake.url, timeouts: { connect: 1, read: 0.2 } });
    expect(health.status).toBe('down');
    expect(health.message).toBe(
      `Ollama is not running at ${fake.url} (no answer within 0.2s). Start it with: ollama serve`,
    );
  });

  it('reports an up server without models as degraded, naming every required model', async () => {
    const health = await checkLocal({ endpoint: fake.url, requiredModels: ['gemma2:9b', 'llama3.2:3b'] });
    expect(health).toMatchObject({
      status: 'degraded',
      version: '0.12.6',
      models: [],
      missing: ['gemma2:9b', 'llama3.2:3b'],
      message:
        'Missing models: gemma2:9b, llama3.2:3b. Run: ollama pull gemma2:9b && ollama pull llama3.2:3b',
      pullCommand: 'ollama pull gemma2:9b && ollama pull llama3.2:3b',
    });
  });

  it('says to pull a model when nothing is pulled and nothing is required', async () => {
    const health = await checkLocal({ endpoint: fake.url });
    expect(health.status).toBe('degraded');
    expect(health.message).toBe(
      `Ollama is running at ${fake.url} but has no models pulled. Pull one, e.g.: ollama pull llama3.2:3b`,
    );
  });

  it('lists pulled models with sizes and quantisation, and only the missing ones as missing', async () => {
    fake.setModels([
      {
        name: 'llama3.2:3b',
        parameterSize: '3.2B',
        quantization: 'Q4_K_M',
        family: 'llama',
        sizeBytes: 2019393189,
      },
      {
        name: 'mistral:latest',
        parameterSize: '7.2B',
        quantization: 'Q4_0',
        family: 'llama',
        sizeBytes: 4113301824,
      },
    ]);
    const health = await checkLocal({
      endpoint: fake.url,
      requiredModels: ['gemma2:9b', 'llama3.2:3b', 'mistral'],
    });
    expect(health.status).toBe('degraded');
    expect(health.missing).toEqual(['gemma2:9b']);
    expect(health.message).toBe('Missing models: gemma2:9b. Run: ollama pull gemma2:9b');
    expect(health.models).toEqual([
      {
        name: 'llama3.2:3b',
        sizeBytes: 2019393189,
        parameterSize: '3.2B',
        quantization: 'Q4_K_M',
        family: 'llama',
        parameters: 3.2e9,
      },
      {
        name: 'mistral:latest',
        sizeBytes: 4113301824,
        parameterSize: '7.2B',
        quantization: 'Q4_0',
        family: 'llama',
        parameters: 7.2e9,
      },
    ]);
  });

  it('is up when every required model is pulled', async () => {
    fake.setModels(['gemma2:9b', 'llama3.2:3b', 'nomic-embed-text']);
    const health = await checkLocal({
      endpoint: fake.url,
      requiredModels: ['gemma2:9b', 'llama3.2:3b', 'nomic-embed-text'],
    });
    expect(health.status).toBe('up');
    expect(health.missing).toEqual([]);
    expect(health.message).toBe(
      `Ollama 0.12.6 is running at ${fake.url} with 3 models: gemma2:9b, llama3.2:3b, nomic-embed-text:latest`,
    );
    expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /api/version',
      'GET /api/tags',
    ]);
  });

  it('is degraded when listing models fails', async () => {
    fake.setModels(['llama3.2:3b']);
    fake.fault({ path: '/api/tags', kind: 'status', status: 500, message: 'boom' });
    const health = await checkLocal({ endpoint: fake.url, requiredModels: ['llama3.2:3b'] });
    expect(health.status).toBe('degraded');
    expect(health.missing).toEqual(['llama3.2:3b']);
    expect(health.message).toBe(
      `Ollama is running at ${fake.url}, but listing its models failed (GET /api/tags answered HTTP 500: boom).`,
    );
  });

  it('explains a 403 from the host check', async () => {
    fake.fault({ path: '/api/version', kind: 'status', status: 403, message: '' });
    const health = await checkLocal({ endpoint: fake.url });
    expect(health.status).toBe('down');
    expect(health.message).toContain('HTTP 403');
  });
});

describe('checkLocal with a bad endpoint', () => {
  it('says the endpoint is not a URL instead of throwing', async () => {
    const health = await checkLocal({ endpoint: 'http://exa mple:11434' });
    expect(health.status).toBe('down');
    expect(health.message).toContain('is not an http(s) URL');
  });
});
