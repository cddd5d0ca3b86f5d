// The HTTP control endpoint, as a test in another process would drive it.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaFake } from './start-ollama-fake.js';
import type { OllamaFake } from './types.js';

let fake: OllamaFake;

beforeAll(async () => {
  fake = await startOllamaFake({ models: ['gemma2:9b'], apiKey: 'secret' });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

function control(method: string, path: string, body?: string): Promise<Response> {
  return fetch(`${fake.url}/__fake/${path}`, { method, ...(body === undefined ? {} : { body }) });
}

function chat(): Promise<Response> {
  return fetch(`${fake.url}/api/chat`, {
    method: 'POST',
    headers: { authorization: 'Bearer secret' },
    body: JSON.stringify({ model: 'gemma2:9b', messages: [{ role: 'user', content: 'x' }], stream: false }),
  });
}

describe('control endpoint', () => {
  it('installs a fault script without an API key and without being logged', async () => {
    const response = await control(
      'POST',
      'faults',
      JSON.stringify([{ path: '/api/chat', kind: 'status', status: 503, times: 1 }]),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ faults: 1 });
    expect((await chat()).status).toBe(503);
    expect((await chat()).status).toBe(200);
    expect(fake.requests.map((request) => request.path)).toEqual(['/api/chat', '/api/chat']);
  });

  it('accepts a single spec object and clears faults with DELETE', async () => {
    await control('POST', 'faults', JSON.stringify({ kind: 'status', status: 500 }));
    expect((await chat()).status).toBe(500);
    expect(await (await control('DELETE', 'faults')).json()).toEqual({ faults: 0 });
    expect((await chat()).status).toBe(200);
  });

  it('lists and clears the request log', async () => {
    await chat();
    const listed = (await (await control('GET', 'requests')).json()) as {
      requests: { path: string; model: string; headers: Record<string, string> }[];
    };
    expect(listed.requests).toHaveLength(1);
    expect(listed.requests[0]).toMatchObject({ path: '/api/chat', model: 'gemma2:9b' });
    expect(listed.requests[0]!.headers.authorization).toBe('Bearer secret');
    await control('DELETE', 'requests');
    expect(fake.requests).toEqual([]);
  });

  it('replaces the models with PUT, as an array or {models}', async () => {
    try {
      const put = await control(
        'PUT',
        'models',
        JSON.stringify(['a:1b', { name: 'b:2b', parameterSize: '2.1B' }]),
      );
      expect(await put.json()).toEqual({ models: ['a:1b', 'b:2b'] });
      await control('PUT', 'models', JSON.stringify({ models: ['c:3b'] }));
      expect(await (await control('GET', 'models')).json()).toEqual({ models: ['c:3b'] });
    } finally {
      fake.setModels(['gemma2:9b']);
    }
  });

  it.each([
    ['POST', 'faults', undefined, /missing request body/],
    ['POST', 'faults', '{kind:', /invalid JSON/],
    ['POST', 'faults', '{"kind":"explode"}', /"kind" must be one of status, reset, hang/],
    ['POST', 'faults', '{"kind":"status","status":"503"}', /"status" must be an integer HTTP status/],
    ['POST', 'faults', '{"kind":"status","times":0}', /"times" must be a positive integer/],
    ['POST', 'faults', '{"kind":"delay","delayMs":-1}', /"delayMs" must be a number >= 0/],
    ['POST', 'faults', '{"kind":"stall","afterChunks":1.5}', /"afterChunks" must be an integer >= 0/],
    ['POST', 'faults', '{"kind":"status","headers":{"Retry-After":30}}', /header "Retry-After" must have/],
    ['POST', 'faults', '{"kind":"status","path":"api/chat"}', /"path" must be a string starting with/],
    ['POST', 'faults', '{"kind":"status","statsu":503}', /unknown field "statsu"/],
    ['POST', 'faults', '[{"kind":"status"},{"kind":1}]', /fault\[1\]/],
    ['POST', 'faults', '42', /expected an object/],
    ['PUT', 'models', '{"models":"gemma"}', /expects a JSON array of models/],
    ['PUT', 'models', '[{"name":""}]', /non-empty string "name"/],
    [
      'PUT',
      'models',
      '[{"name":"a","embeddingDimensions":0}]',
      /embeddingDimensions must be a positive integer/,
    ],
  ])('%s /__fake/%s %s is a 400 with a clear message', async (method, path, body, message) => {
    const response = await control(method, path, body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(message);
  });

  it('leaves the faults unchanged when one spec of an array is invalid', async () => {
    await control('POST', 'faults', '[{"kind":"status","status":500},{"kind":"nope"}]');
    expect((await chat()).status).toBe(200);
  });

  it('answers unknown control paths with 404 and wrong methods with 405', async () => {
    expect((await control('GET', 'nope')).status).toBe(404);
    const wrong = await control('GET', 'faults');
    expect(wrong.status).toBe(405);
    expect(((await wrong.json()) as { error: string }).error).toContain('POST, DELETE');
  });

  it('resets faults and the log with POST /__fake/reset', async () => {
    fake.fault({ kind: 'status', status: 500 });
    await chat();
    await control('POST', 'reset');
    expect(fake.requests).toEqual([]);
    expect((await chat()).status).toBe(200);
  });
});
