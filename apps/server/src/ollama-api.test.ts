import { describe, expect, it } from 'vitest';
import {
  CLOUD_KEY,
  CLOUD_MODEL,
  EMBED_MODEL,
  LOCAL_MODEL,
  postJson,
  replayNow,
  useGateway,
} from './__fixtures__/gateway-fixture.js';

const messages = [{ role: 'user', content: 'Why is the sky blue?' }];

describe('the Ollama API through the real ollama client', () => {
  const fixture = useGateway();

  it('serves chat from the cloud first, and the headers say so', async () => {
    const client = fixture.ollama();
    const answer = await client.chat({ model: CLOUD_MODEL, messages });
    expect(answer.message.content).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, messages }));
    expect(answer.done).toBe(true);
    expect(fixture.lastHeaders()?.get('x-graphiti-provider')).toBe('cloud');
    expect(fixture.lastHeaders()?.get('x-graphiti-model')).toBe(CLOUD_MODEL);
    expect('provider' in answer).toBe(false);
    // the key went to the cloud fake only
    expect(fixture.cloud.requests.at(-1)?.headers.authorization).toBe(`Bearer ${CLOUD_KEY}`);
    expect(fixture.local.requests.filter((request) => request.path === '/api/chat')).toHaveLength(0);
  });

  it('streams chat as NDJSON by default (stream omitted) and ends with done', async () => {
    const response = await postJson(fixture, '/api/chat', { model: CLOUD_MODEL, messages });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('x-graphiti-provider')).toBe('cloud');
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.at(-1).done).toBe(true);
    expect(lines.slice(0, -1).every((line) => line.done === false)).toBe(true);
    const text = lines.map((line) => line.message.content).join('');
    expect(text).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, messages }));
  });

  it('streams chat through the ollama client iterator', async () => {
    const client = fixture.ollama();
    const stream = await client.chat({ model: CLOUD_MODEL, messages, stream: true });
    let text = '';
    let chunks = 0;
    let done = false;
    for await (const part of stream) {
      chunks++;
      text += part.message.content;
      done = part.done;
    }
    expect(chunks).toBeGreaterThan(1);
    expect(done).toBe(true);
    expect(text).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, messages }));
  });

  it('serves generate, streamed and not', async () => {
    const client = fixture.ollama();
    const expected = fixture.cloud.expectedText({ model: CLOUD_MODEL, prompt: 'hello' });
    const whole = await client.generate({ model: CLOUD_MODEL, prompt: 'hello' });
    expect(whole.response).toBe(expected);
    let streamed = '';
    for await (const part of await client.generate({ model: CLOUD_MODEL, prompt: 'hello', stream: true })) {
      streamed += part.response;
    }
    expect(streamed).toBe(expected);
  });

  it('fails over to local when the cloud answers 503 until its retries are exhausted', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    const client = fixture.ollama();
    const answer = await client.chat({ model: CLOUD_MODEL, messages });
    expect(answer.message.content).toBe(fixture.local.expectedText({ model: LOCAL_MODEL, messages }));
    expect(fixture.lastHeaders()?.get('x-graphiti-provider')).toBe('local');
    expect(fixture.lastHeaders()?.get('x-graphiti-model')).toBe(LOCAL_MODEL);
    expect(fixture.cloud.requests.filter((request) => request.path === '/api/chat')).toHaveLength(3);
    // the key never reaches the local server
    expect(fixture.local.requests.some((request) => 'authorization' in request.headers)).toBe(false);
  });

  it('answers 503 with request_id and Retry-After when both are down, queues the request, and replays it', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    await fixture.local.stop();
    const response = await postJson(fixture, '/api/chat', { model: CLOUD_MODEL, messages, stream: false });
    expect(response.status).toBe(503);
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await response.json()) as { error: string; request_id: string; queued: boolean };
    expect(body.error).toMatch(/queued/);
    expect(body.request_id).toEqual(expect.any(String));
    expect(body.queued).toBe(true);
    expect(body.error).not.toContain(CLOUD_KEY);

    const queued = await fixture.fetch(`/graphiti/queue/${body.request_id}`);
    expect(queued.status).toBe(200);
    const item = (await queued.json()) as {
      status: string;
      operation: string;
      params: { messages: unknown };
    };
    expect(item).toMatchObject({ status: 'ready', operation: 'chat' });
    expect(item.params.messages).toEqual(messages);
    expect(JSON.stringify(item)).not.toContain(CLOUD_KEY);

    // still down: the replay puts it back
    expect(await replayNow(fixture)).toMatchObject({ processed: 1, succeeded: 0, requeued: 1 });

    await fixture.local.start();
    expect(await replayNow(fixture)).toMatchObject({ processed: 1, succeeded: 1, failed: 0 });
    const done = (await (await fixture.fetch(`/graphiti/queue/${body.request_id}`)).json()) as {
      status: string;
      result: { provider: string; message: { content: string } };
    };
    expect(done.status).toBe('done');
    expect(done.result.provider).toBe('local');
    expect(done.result.message.content).toBe(fixture.local.expectedText({ model: LOCAL_MODEL, messages }));
  });

  it('answers a streaming request with a real 503 status when both are down before the first chunk', async () => {
    fixture.cloud.fault({ path: '/api/generate', kind: 'status', status: 503 });
    await fixture.local.stop();
    const client = fixture.ollama();
    const error = await client.generate({ model: CLOUD_MODEL, prompt: 'x', stream: true }).catch((e) => e);
    expect(error).toMatchObject({ name: 'ResponseError', status_code: 503 });
  });

  it('turns an upstream failure after the first chunk into an error for the ollama client, not a complete answer', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'stream-error', afterChunks: 2 });
    const client = fixture.ollama();
    const stream = await client.chat({ model: CLOUD_MODEL, messages, stream: true });
    const seen: string[] = [];
    const error = await (async () => {
      for await (const part of stream) {
        seen.push(part.message.content);
        if (part.done) return undefined;
      }
      return undefined;
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/incomplete|failed/);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.join('')).not.toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, messages }));
    expect(fixture.lastHeaders()?.get('x-graphiti-provider')).toBe('cloud');
  });

  it('writes a final error line (and no done line) when the stream is cut after the first chunk', async () => {
    fixture.cloud.fault({ path: '/api/generate', kind: 'truncate', afterChunks: 1 });
    const response = await postJson(fixture, '/api/generate', { model: CLOUD_MODEL, prompt: 'cut me' });
    expect(response.status).toBe(200);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.at(-1)).toEqual({ error: expect.any(String) });
    expect(lines.some((line) => line.done === true)).toBe(false);
  });

  it('aborts the upstream request when the client disconnects', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'hang' });
    const controller = new AbortController();
    const pending = postJson(fixture, '/api/chat', { model: CLOUD_MODEL, messages }, {}).catch(
      () => undefined,
    );
    void pending;
    const request = fetch(`${fixture.gateway.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: CLOUD_MODEL, messages }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    await waitFor(() => fixture.cloud.requests.filter((r) => r.path === '/api/chat').length >= 2);
    expect(fixture.gateway.metrics.active).toBe(2);
    controller.abort();
    await request;
    // the aborted one is released at once; the other one still hangs upstream
    await waitFor(() => fixture.gateway.metrics.active === 1);
    expect(fixture.gateway.metrics.active).toBe(1);
    fixture.cloud.resetFaults();
    await fixture.cloud.stop();
    await fixture.cloud.start();
    await pending;
  });

  it('embeds (current and legacy endpoints) with the embeddings model', async () => {
    const client = fixture.ollama();
    const answer = await client.embed({ model: EMBED_MODEL, input: ['alpha', 'beta'] });
    expect(answer.embeddings).toEqual([
      fixture.cloud.expectedEmbedding(EMBED_MODEL, 'alpha'),
      fixture.cloud.expectedEmbedding(EMBED_MODEL, 'beta'),
    ]);
    expect(fixture.lastHeaders()?.get('x-graphiti-provider')).toBe('cloud');
    const legacy = await client.embeddings({ model: EMBED_MODEL, prompt: 'alpha' });
    expect(legacy.embedding).toEqual(fixture.cloud.expectedEmbedding(EMBED_MODEL, 'alpha'));
  });

  it('lists local models plus the cloud default model, and answers version, ps and show', async () => {
    const client = fixture.ollama();
    const list = await client.list();
    const names = list.models.map((model) => model.name);
    expect(names).toEqual(expect.arrayContaining([`${LOCAL_MODEL}`, CLOUD_MODEL]));
    expect(names.some((name) => name.startsWith(EMBED_MODEL))).toBe(true);
    expect((await client.version()).version).toMatch(/^\d+\.\d+/);
    await client.chat({ model: LOCAL_MODEL, messages, options: {} }).catch(() => undefined);
    const ps = await client.ps();
    expect(Array.isArray(ps.models)).toBe(true);
    const shown = await client.show({ model: LOCAL_MODEL });
    expect(shown.details.parameter_size).toBe('3B');
    expect(fixture.lastHeaders()?.get('x-graphiti-provider')).toBe('local');
    const cloudShown = await client.show({ model: CLOUD_MODEL });
    expect(cloudShown.details.family).toBeDefined();
    expect(fixture.lastHeaders()?.get('x-graphiti-provider')).toBe('cloud');
    const missing = await client.show({ model: 'nope:1b' }).catch((error) => error);
    expect(missing).toMatchObject({ status_code: 404 });
  });

  it('uses the cloud default model when the request names none or "default"', async () => {
    for (const body of [
      { messages, stream: false },
      { model: 'default', messages, stream: false },
    ]) {
      const response = await postJson(fixture, '/api/chat', body);
      expect(response.status).toBe(200);
      expect(response.headers.get('x-graphiti-model')).toBe(CLOUD_MODEL);
      expect(fixture.cloud.requests.at(-1)?.model).toBe(CLOUD_MODEL);
    }
  });

  it('queues a retried request once when the client sends the same Idempotency-Key', async () => {
    fixture.cloud.fault({ path: '/api/generate', kind: 'status', status: 503 });
    await fixture.local.stop();
    const send = () =>
      postJson(
        fixture,
        '/api/generate',
        { model: CLOUD_MODEL, prompt: 'once', stream: false },
        { 'idempotency-key': 'abc-1' },
      );
    const first = (await (await send()).json()) as { request_id: string };
    const second = (await (await send()).json()) as { request_id: string };
    expect(second.request_id).toBe(first.request_id);
  });

  it('flushes each NDJSON line as it arrives (the first chunk reaches the client while upstream stalls)', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'stall', afterChunks: 1 });
    const controller = new AbortController();
    const streamed = await fetch(`${fixture.gateway.url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: CLOUD_MODEL, messages }),
      signal: controller.signal,
    }).catch((error: unknown) => error);
    expect(streamed).toBeInstanceOf(Response);
    const reader = (streamed as Response).body!.getReader();
    const { value } = await reader.read();
    const line = JSON.parse(new TextDecoder().decode(value).split('\n')[0] as string);
    expect(line).toMatchObject({ done: false, message: { role: 'assistant' } });
    controller.abort();
    await waitFor(() => fixture.gateway.metrics.active === 0);
  });

  it('answers GET and HEAD / like Ollama', async () => {
    const get = await fixture.fetch('/');
    expect(await get.text()).toBe('Ollama is running');
    const head = await fixture.fetch('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
  });

  it('rejects a bad JSON body with a 400 that names the problem', async () => {
    const response = await fixture.fetch('/api/chat', { method: 'POST', body: '{"model": "x",' });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: string };
    expect(body.error).toMatch(/invalid JSON/);
    const empty = await fixture.fetch('/api/generate', { method: 'POST', body: '' });
    expect(await empty.json()).toEqual({ error: 'missing request body' });
    const wrongType = await postJson(fixture, '/api/chat', { model: CLOUD_MODEL, messages: 'hi' });
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: string }).error).toMatch(/"messages" must be an array/);
  });

  it('returns 400 when every provider rejects the request as invalid (and does not queue it)', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 400, message: 'invalid think value' });
    fixture.local.fault({ path: '/api/chat', kind: 'status', status: 400, message: 'invalid think value' });
    const before = (await (await fixture.fetch('/graphiti/queue')).json()) as { stats: { pending: number } };
    const response = await postJson(fixture, '/api/chat', { model: CLOUD_MODEL, messages, stream: false });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/invalid think value/);
    const after = (await (await fixture.fetch('/graphiti/queue')).json()) as { stats: { pending: number } };
    expect(after.stats.pending).toBe(before.stats.pending);
  });

  it('answers unknown paths with 404 and wrong methods with 405', async () => {
    expect((await fixture.fetch('/api/nothing')).status).toBe(404);
    const wrong = await fixture.fetch('/api/chat');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
