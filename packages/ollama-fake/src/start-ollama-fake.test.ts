// Wire-level checks with plain fetch: status codes, content types, framing, the request log and the
// fault script. "notes §N" refers to the project's Ollama protocol notes (ollama-api-notes.md).
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OllamaFakeError } from './ollama-fake-error.js';
import { startOllamaFake } from './start-ollama-fake.js';
import type { OllamaFake } from './types.js';

let fake: OllamaFake;
const messages = [{ role: 'user', content: 'hello there' }];

beforeAll(async () => {
  fake = await startOllamaFake({
    models: ['gemma2:9b', 'llama3.2:3b', { name: 'nomic-embed-text', embeddingDimensions: 4 }],
    chunks: 3,
  });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function lines(response: Response): Promise<Record<string, unknown>[]> {
  const text = await response.text();
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('startOllamaFake: native endpoints', () => {
  it('answers GET and HEAD / with "Ollama is running" as text/plain', async () => {
    const get = await fetch(`${fake.url}/`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await get.text()).toBe('Ollama is running');
    const head = await fetch(`${fake.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('streams chat as NDJSON when stream is omitted (notes §1.1): chunks, then a done line with metrics', async () => {
    const response = await post('/api/chat', { model: 'gemma2:9b', messages });
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const parsed = await lines(response);
    expect(parsed).toHaveLength(4);
    expect(parsed.slice(0, 3).every((line) => line.done === false)).toBe(true);
    const text = parsed.map((line) => (line.message as { content: string }).content).join('');
    expect(text).toBe(fake.expectedText({ model: 'gemma2:9b', messages }));
    expect(parsed[3]).toMatchObject({
      done: true,
      done_reason: 'stop',
      message: { role: 'assistant', content: '' },
    });
    expect(Object.keys(parsed[3]!)).toEqual(
      expect.arrayContaining([
        'total_duration',
        'load_duration',
        'prompt_eval_count',
        'eval_count',
        'eval_duration',
      ]),
    );
  });

  it('answers stream:false with one JSON object as application/json; charset=utf-8', async () => {
    const response = await post('/api/chat', { model: 'gemma2:9b', messages, stream: false });
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body.message).toEqual({
      role: 'assistant',
      content: fake.expectedText({ model: 'gemma2:9b', messages }),
    });
  });

  it('omits zero metrics (notes §1.2: omitempty), e.g. prompt_eval_* for an empty prompt', async () => {
    const response = await post('/api/chat', {
      model: 'gemma2:9b',
      messages: [{ role: 'user', content: '' }],
      stream: false,
    });
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('prompt_eval_count');
    expect(body).not.toHaveProperty('prompt_eval_duration');
    expect(body.eval_count).toBeGreaterThan(0);
  });

  it('answers an empty messages list with done_reason "load" (notes §1.1)', async () => {
    const body = await (await post('/api/chat', { model: 'gemma2:9b', messages: [], stream: false })).json();
    expect(body).toMatchObject({ done: true, done_reason: 'load', message: { content: '' } });
  });

  it('gives the same text for the same request and different text for another model or prompt', async () => {
    const ask = async (model: string, content: string) =>
      (
        (await (
          await post('/api/chat', { model, messages: [{ role: 'user', content }], stream: false })
        ).json()) as {
          message: { content: string };
        }
      ).message.content;
    const first = await ask('gemma2:9b', 'a');
    expect(await ask('gemma2:9b', 'a')).toBe(first);
    expect(await ask('llama3.2:3b', 'a')).not.toBe(first);
    expect(await ask('gemma2:9b', 'b')).not.toBe(first);
  });

  it('answers format "json" with a JSON document as text', async () => {
    const body = (await (
      await post('/api/generate', { model: 'gemma2:9b', prompt: 'x', format: 'json', stream: false })
    ).json()) as { response: string };
    expect(JSON.parse(body.response)).toMatchObject({ model: 'gemma2:9b' });
    expect(body.response).toBe(fake.expectedText({ model: 'gemma2:9b', prompt: 'x', format: 'json' }));
  });

  it('streams generate with response chunks and a final context, omitted when raw', async () => {
    const parsed = await lines(await post('/api/generate', { model: 'gemma2:9b', prompt: 'p' }));
    expect(parsed.map((line) => line.response).join('')).toBe(
      fake.expectedText({ model: 'gemma2:9b', prompt: 'p' }),
    );
    expect(parsed.at(-1)).toHaveProperty('context');
    const raw = await lines(await post('/api/generate', { model: 'gemma2:9b', prompt: 'p', raw: true }));
    expect(raw.at(-1)).not.toHaveProperty('context');
  });

  it('embeds: empty input gives no vectors, non-string items give 400 "invalid input type"', async () => {
    expect(await (await post('/api/embed', { model: 'nomic-embed-text', input: [] })).json()).toMatchObject({
      embeddings: [],
    });
    const bad = await post('/api/embed', { model: 'nomic-embed-text', input: [1, 2] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'invalid input type' });
  });

  it('embeds with dimensions by truncating and re-normalising', async () => {
    const body = (await (
      await post('/api/embed', { model: 'nomic-embed-text', input: 'x', dimensions: 2 })
    ).json()) as {
      embeddings: number[][];
    };
    expect(body.embeddings[0]).toEqual(fake.expectedEmbedding('nomic-embed-text', 'x', 2));
    const norm = Math.hypot(...body.embeddings[0]!);
    expect(norm).toBeCloseTo(1, 5);
  });

  it('refuses chat on an embedding-only model with 400 "does not support chat"', async () => {
    const response = await post('/api/chat', { model: 'nomic-embed-text', messages, stream: false });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: '"nomic-embed-text" does not support chat' });
  });

  it.each([
    ['/api/chat', '', 400, 'missing request body'],
    ['/api/chat', '{"model":', 400, 'unexpected EOF'],
    ['/api/chat', 'nonsense', 400, "invalid character 'n' looking for beginning of value"],
    ['/api/chat', '{"messages":[]}', 400, 'model is required'],
    [
      '/api/chat',
      '{"model":7}',
      400,
      'json: cannot unmarshal number into Go struct field ChatRequest.model of type string',
    ],
    ['/api/chat', '[]', 400, 'json: cannot unmarshal array into Go value of type api.ChatRequest'],
    ['/api/generate', '{"prompt":"x"}', 404, "model '' not found"],
    ['/api/show', '{}', 400, 'model is required'],
  ])('POST %s %j answers %i %j', async (path, body, status, message) => {
    const response = await post(path, body);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await response.json()).toEqual({ error: message });
  });

  it('answers unknown paths with a text 404 and wrong methods with 405', async () => {
    const missing = await fetch(`${fake.url}/api/nope`);
    expect([missing.status, await missing.text()]).toEqual([404, '404 page not found']);
    const wrong = await fetch(`${fake.url}/api/chat`);
    expect([wrong.status, await wrong.text()]).toEqual([405, '405 method not allowed']);
  });

  it('answers odd bodies on every route with a 2xx or 4xx, never a 5xx or a crash', async () => {
    const bodies = [
      'null',
      '"x"',
      '[1]',
      '{"model":null}',
      '{"model":"gemma2:9b","messages":[null]}',
      '{"model":"gemma2:9b","messages":[{"content":5}]}',
      '{"model":"gemma2:9b","messages":"x"}',
      '{"model":"gemma2:9b","prompt":5}',
      '{"model":"gemma2:9b","stream":"yes"}',
      '{"model":"gemma2:9b","input":{}}',
      '{"model":"nomic-embed-text","input":"x","dimensions":-3}',
      '{"model":"gemma2:9b","format":{"type":"object"},"messages":[{"role":"user","content":"x"}]}',
      '{"model":"gemma2:9b","stream":true,"stream_options":5,"messages":[]}',
      '{"name":7}',
      '\u0000\u0001',
    ];
    const routes = [
      '/api/chat',
      '/api/generate',
      '/api/embed',
      '/api/embeddings',
      '/api/show',
      '/api/pull',
      '/v1/chat/completions',
      '/v1/embeddings',
    ];
    for (const route of routes) {
      for (const body of bodies) {
        const response = await post(route, body);
        await response.arrayBuffer();
        expect(response.status, `${route} ${body}`).toBeLessThan(500);
      }
    }
    fake.setModels(['gemma2:9b', 'llama3.2:3b', { name: 'nomic-embed-text', embeddingDimensions: 4 }]);
    expect((await fetch(`${fake.url}/`)).status).toBe(200);
  });

  it('accepts the legacy "name" field on show and reports the model version', async () => {
    const shown = (await (await post('/api/show', { name: 'gemma2:9b' })).json()) as {
      details: { family: string };
    };
    expect(shown.details.family).toBe('gemma');
    expect(await (await fetch(`${fake.url}/api/version`)).json()).toEqual({ version: '0.12.6' });
  });

  it('treats "x" and "x:latest" as the same model', async () => {
    const response = await post('/api/embed', { model: 'nomic-embed-text:latest', input: 'a' });
    expect(response.status).toBe(200);
  });

  it('setModels replaces the pulled models', async () => {
    fake.setModels(['qwen2.5:7b']);
    try {
      const tags = (await (await fetch(`${fake.url}/api/tags`)).json()) as { models: { name: string }[] };
      expect(tags.models.map((model) => model.name)).toEqual(['qwen2.5:7b']);
      expect((await post('/api/chat', { model: 'gemma2:9b', messages })).status).toBe(404);
    } finally {
      fake.setModels(['gemma2:9b', 'llama3.2:3b', { name: 'nomic-embed-text', embeddingDimensions: 4 }]);
    }
  });
});

describe('startOllamaFake: OpenAI-compatible endpoints', () => {
  it('answers /v1/chat/completions without streaming by default', async () => {
    const body = (await (
      await post('/v1/chat/completions', { model: 'gemma2:9b', messages })
    ).json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gemma2:9b',
      system_fingerprint: 'fp_ollama',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: fake.expectedText({ model: 'gemma2:9b', messages }) },
          finish_reason: 'stop',
        },
      ],
    });
    expect(body.id).toMatch(/^chatcmpl-/);
    expect((body.usage as { total_tokens: number }).total_tokens).toBeGreaterThan(0);
  });

  it('streams /v1/chat/completions as SSE ending in a finish chunk, a usage chunk and [DONE]', async () => {
    const response = await post('/v1/chat/completions', {
      model: 'gemma2:9b',
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const events = (await response.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice('data: '.length)));
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe(fake.expectedText({ model: 'gemma2:9b', messages }));
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: expect.any(Number) } });
  });

  it('ends a truncated /v1 stream without [DONE]', async () => {
    fake.fault({ path: '/v1/chat/completions', kind: 'truncate', afterChunks: 1 });
    const text = await (
      await post('/v1/chat/completions', { model: 'gemma2:9b', messages, stream: true })
    ).text();
    expect(text).not.toContain('[DONE]');
    expect(text.split('\n\n').filter(Boolean)).toHaveLength(1);
  });

  it('inserts a non-JSON data event for malformed on a /v1 stream and still ends with [DONE]', async () => {
    fake.fault({ path: '/v1/chat/completions', kind: 'malformed', afterChunks: 1 });
    const events = (
      await (await post('/v1/chat/completions', { model: 'gemma2:9b', messages, stream: true })).text()
    )
      .split('\n\n')
      .filter(Boolean);
    expect(events[1]).toBe('data: this is not json {"choices":');
    expect(events.at(-1)).toBe('data: [DONE]');
  });

  it('answers /v1 errors in the OpenAI error shape (notes §4)', async () => {
    const response = await post('/v1/chat/completions', { model: 'nope', messages });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { message: "model 'nope' not found", type: 'not_found_error', param: null, code: null },
    });
    fake.fault({ path: '/v1/chat/completions', kind: 'status', status: 429, times: 1 });
    const limited = await post('/v1/chat/completions', { model: 'gemma2:9b', messages });
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { error: { type: string } }).error.type).toBe('api_error');
  });

  it('answers /v1/embeddings and /v1/models', async () => {
    const embedded = (await (
      await post('/v1/embeddings', { model: 'nomic-embed-text', input: ['a', 'b'] })
    ).json()) as {
      object: string;
      data: { embedding: number[]; index: number }[];
    };
    expect(embedded.object).toBe('list');
    expect(embedded.data.map((item) => item.index)).toEqual([0, 1]);
    expect(embedded.data[1]!.embedding).toEqual(fake.expectedEmbedding('nomic-embed-text', 'b'));
    const models = (await (await fetch(`${fake.url}/v1/models`)).json()) as {
      data: { id: string; object: string }[];
    };
    expect(models.data.map((model) => model.id)).toEqual([
      'gemma2:9b',
      'llama3.2:3b',
      'nomic-embed-text:latest',
    ]);
  });
});

describe('startOllamaFake: request log', () => {
  it('records method, path, model, headers, body and time, but not control requests', async () => {
    const before = Date.now();
    await post('/api/chat', { model: 'gemma2:9b', messages, stream: false }, { 'x-test': 'yes' });
    await fetch(`${fake.url}/__fake/requests`);
    await fetch(`${fake.url}/api/tags`);
    const [chat, tags, ...rest] = fake.requests;
    expect(rest).toEqual([]);
    expect(chat).toMatchObject({ method: 'POST', path: '/api/chat', model: 'gemma2:9b', body: { messages } });
    expect(chat!.headers['x-test']).toBe('yes');
    expect(chat!.time).toBeGreaterThanOrEqual(before);
    expect(tags).toMatchObject({ method: 'GET', path: '/api/tags' });
    expect(tags).not.toHaveProperty('model');
    fake.clearRequests();
    expect(fake.requests).toEqual([]);
  });

  it('keeps the newest requests when the log limit is reached', async () => {
    const small = await startOllamaFake({ maxLoggedRequests: 3 });
    try {
      for (let i = 0; i < 5; i++) await fetch(`${small.url}/api/version?i=${i}`);
      expect(small.requests.length).toBeLessThanOrEqual(3);
      expect(small.requests.at(-1)?.path).toBe('/api/version');
      expect(small.requests.length).toBeGreaterThan(0);
    } finally {
      await small.close();
    }
  });
});

describe('startOllamaFake: fault script', () => {
  const chat = () => post('/api/chat', { model: 'gemma2:9b', messages, stream: false });

  it('fails twice with 503, then succeeds', async () => {
    fake.fault({ path: '/api/chat', kind: 'status', status: 503, times: 2 });
    expect((await chat()).status).toBe(503);
    expect((await chat()).status).toBe(503);
    expect((await chat()).status).toBe(200);
  });

  it('applies faults in order, each for its own count', async () => {
    fake.fault([
      { kind: 'status', status: 429, times: 1 },
      { kind: 'status', status: 500, times: 2 },
    ]);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await chat()).status);
    expect(statuses).toEqual([429, 500, 500, 200]);
  });

  it('matches only the given path and model', async () => {
    fake.fault({ path: '/api/chat', model: 'llama3.2:3b', kind: 'status', status: 500 });
    expect((await chat()).status).toBe(200);
    expect((await post('/api/generate', { model: 'llama3.2:3b', prompt: 'x', stream: false })).status).toBe(
      200,
    );
    const hit = await post('/api/chat', { model: 'llama3.2:3b', messages, stream: false });
    expect(hit.status).toBe(500);
  });

  it('keeps a fault without times until reset', async () => {
    fake.fault({ kind: 'status', status: 404 });
    for (let i = 0; i < 3; i++) expect((await chat()).status).toBe(404);
    fake.resetFaults();
    expect((await chat()).status).toBe(200);
  });

  it('404 defaults to Ollama text with the requested model name', async () => {
    fake.fault({ kind: 'status', status: 404, times: 1 });
    expect(await (await chat()).json()).toEqual({ error: "model 'gemma2:9b' not found" });
  });

  it('sends fault headers with errors (Retry-After) and on success (kind "headers")', async () => {
    fake.fault([
      {
        kind: 'status',
        status: 429,
        times: 1,
        headers: { 'Retry-After': '30', 'x-ratelimit-remaining': '0' },
      },
      { kind: 'headers', times: 1, headers: { 'x-ratelimit-limit': '100', 'x-ratelimit-remaining': '42' } },
    ]);
    const limited = await chat();
    expect([
      limited.status,
      limited.headers.get('retry-after'),
      limited.headers.get('x-ratelimit-remaining'),
    ]).toEqual([429, '30', '0']);
    const ok = await chat();
    expect([ok.status, ok.headers.get('x-ratelimit-remaining')]).toEqual([200, '42']);
    expect((await chat()).headers.get('x-ratelimit-remaining')).toBeNull();
  });

  it('delay waits before answering normally', async () => {
    fake.fault({ kind: 'delay', delayMs: 30, times: 1 });
    const started = Date.now();
    const response = await chat();
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('stream-error keeps status 200 and ends with an error line and no done line (notes §2)', async () => {
    fake.fault({ kind: 'stream-error', afterChunks: 1, message: 'boom' });
    const response = await post('/api/chat', { model: 'gemma2:9b', messages });
    expect(response.status).toBe(200);
    const parsed = await lines(response);
    expect(parsed).toHaveLength(2);
    expect(parsed[1]).toEqual({ error: 'boom' });
  });

  it('malformed inserts one non-JSON line and keeps the rest of the stream', async () => {
    fake.fault({ kind: 'malformed', afterChunks: 2 });
    const text = await (await post('/api/chat', { model: 'gemma2:9b', messages })).text();
    const raw = text.trimEnd().split('\n');
    expect(raw).toHaveLength(5);
    expect(() => JSON.parse(raw[2]!)).toThrow();
    expect(JSON.parse(raw[4]!)).toMatchObject({ done: true });
  });

  it('stall on a non-streaming request sends the headers and never the body', async () => {
    fake.fault({ kind: 'stall', times: 1 });
    const response = await fetch(`${fake.url}/api/tags`, { signal: AbortSignal.timeout(100) });
    expect(response.status).toBe(200);
    const body = await response.text().catch((error: Error) => error.name);
    expect(body).toMatch(/AbortError|TimeoutError/);
  });

  it('fault() chains and throws INVALID_FAULT on a bad spec without adding anything', async () => {
    expect(fake.fault({ kind: 'headers', headers: { 'x-a': '1' } })).toBe(fake);
    let caught: unknown;
    try {
      fake.fault([{ kind: 'status', status: 500 }, { kind: 'explode' as never }]);
    } catch (error) {
      caught = error;
    }
    expect(OllamaFakeError.isInstance(caught) && caught.code).toBe('INVALID_FAULT');
    const response = await chat();
    expect([response.status, response.headers.get('x-a')]).toEqual([200, '1']);
  });

  it('checks the API key before faults, so unauthorised requests do not use them up', async () => {
    const keyed = await startOllamaFake({ apiKey: 'k', faults: { kind: 'status', status: 503, times: 1 } });
    try {
      const anonymous = await fetch(`${keyed.url}/api/tags`);
      expect([anonymous.status, await anonymous.json()]).toEqual([401, { error: 'unauthorized' }]);
      const signed = () => fetch(`${keyed.url}/api/tags`, { headers: { authorization: 'Bearer k' } });
      expect((await signed()).status).toBe(503);
      expect((await signed()).status).toBe(200);
      expect((await fetch(`${keyed.url}/`)).status).toBe(200); // only /api/* and /v1/* need the key
    } finally {
      await keyed.close();
    }
  });

  it('truncate on a non-streaming request sends half a JSON body', async () => {
    fake.fault({ kind: 'truncate' });
    const text = await (await chat()).text();
    expect(() => JSON.parse(text)).toThrow();
    expect(text.length).toBeGreaterThan(0);
  });

  it('stop() destroys hung sockets, refuses new connections, and start() reuses the port', async () => {
    fake.fault({ kind: 'hang' });
    const port = fake.port;
    const pending = chat().then(
      () => 'answered',
      (error: Error) => (error.cause as { code?: string } | undefined)?.code ?? error.message,
    );
    // wait until the hung request has reached the fake, however loaded the machine is
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await fake.stop();
    expect(await pending).toMatch(/UND_ERR_SOCKET|ECONNRESET/);
    const refused = await fetch(`${fake.url}/`).catch(
      (error: Error) => (error.cause as { code: string }).code,
    );
    expect(refused).toBe('ECONNREFUSED');
    await fake.start();
    expect(fake.port).toBe(port);
    fake.resetFaults();
    expect((await chat()).status).toBe(200);
  });

  it('a stalled stream keeps the socket open until stop()', async () => {
    const local = await startOllamaFake({ chunks: 3, faults: { kind: 'stall', afterChunks: 1 } });
    const received = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(`${local.url}/api/generate`, { method: 'POST' }, (res) => {
        let data = '';
        res.on('data', (chunk: Buffer) => {
          data += chunk.toString();
          if (data.includes('\n')) void local.close();
        });
        res.on('error', () => resolve(data));
        res.on('close', () => resolve(data));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ model: 'llama3.2:3b', prompt: 'x' }));
    });
    expect(received.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(received)).toMatchObject({ done: false });
  });

  it('paces streamed chunks by chunkDelayMs', async () => {
    const paced = await startOllamaFake({ chunks: 3, chunkDelayMs: 15 });
    try {
      const started = Date.now();
      const response = await fetch(`${paced.url}/api/generate`, {
        method: 'POST',
        body: JSON.stringify({ model: 'llama3.2:3b', prompt: 'x' }),
      });
      const parsed = await lines(response);
      expect(parsed).toHaveLength(4);
      // three pauses: between the 3 content lines and before the done line
      expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    } finally {
      await paced.close();
    }
  });

  it('start() after close() throws FAKE_CLOSED', async () => {
    const once = await startOllamaFake();
    await once.close();
    const error = await once.start().catch((caught: unknown) => caught);
    expect(OllamaFakeError.isInstance(error) && error.code).toBe('FAKE_CLOSED');
  });

  it('rejects a port in use with LISTEN_FAILED', async () => {
    const error = await startOllamaFake({ port: fake.port }).catch((caught: unknown) => caught);
    expect(OllamaFakeError.isInstance(error) && error.code).toBe('LISTEN_FAILED');
  });
});
