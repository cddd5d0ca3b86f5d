// Drives the real `ollama` npm client against the fake and checks that it sees what it would see from
// Ollama. "notes §N" refers to /work/shared/ollama-api-notes.md (the project's protocol notes).
import { Ollama } from 'ollama';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startOllamaFake } from './start-ollama-fake.js';
import type { OllamaFake } from './types.js';

let fake: OllamaFake;
let client: Ollama;
const user = [{ role: 'user', content: 'What is a knowledge graph?' }];

beforeAll(async () => {
  fake = await startOllamaFake({
    models: [
      'gemma2:9b',
      { name: 'llama3.2:3b', parameterSize: '3.2B', family: 'llama', sizeBytes: 2019393189 },
      { name: 'nomic-embed-text', embeddingDimensions: 8 },
    ],
    chunks: 5,
  });
  client = new Ollama({ host: fake.url });
});
afterEach(() => {
  fake.reset();
  vi.restoreAllMocks();
});
afterAll(() => fake.close());

/** Runs `fn` and returns what it threw. */
async function thrown(
  fn: () => Promise<unknown>,
): Promise<Error & { status_code?: number; cause?: unknown }> {
  try {
    await fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

async function collectChat(model = 'gemma2:9b'): Promise<{ parts: string[]; last: unknown }> {
  const parts: string[] = [];
  let last: unknown;
  for await (const part of await client.chat({ model, messages: user, stream: true })) {
    parts.push(part.message.content);
    last = part;
  }
  return { parts, last };
}

describe('ollama client: results', () => {
  it('chat without streaming returns the expected text, done_reason stop and nanosecond metrics', async () => {
    const response = await client.chat({ model: 'gemma2:9b', messages: user });
    expect(response.message).toEqual({
      role: 'assistant',
      content: fake.expectedText({ model: 'gemma2:9b', messages: user }),
    });
    expect(response.done).toBe(true);
    expect(response.done_reason).toBe('stop');
    expect(response.model).toBe('gemma2:9b');
    expect(Number.isNaN(Date.parse(String(response.created_at)))).toBe(false);
    // notes §1.2: durations are integers in nanoseconds
    for (const key of ['total_duration', 'eval_duration', 'prompt_eval_duration', 'load_duration'] as const) {
      expect(Number.isInteger(response[key])).toBe(true);
      expect(response[key]).toBeGreaterThan(0);
    }
    expect(response.eval_count).toBeGreaterThan(0);
  });

  it('chat streaming yields the configured chunks whose concatenation equals the non-streaming text', async () => {
    // notes §1.2 / §2: one NDJSON object per line, the last one done:true with empty content
    const { parts, last } = await collectChat();
    expect(parts).toHaveLength(6); // 5 content chunks + the done chunk with empty content
    expect(parts.join('')).toBe(fake.expectedText({ model: 'gemma2:9b', messages: user }));
    expect(last).toMatchObject({
      done: true,
      done_reason: 'stop',
      message: { role: 'assistant', content: '' },
    });
  });

  it('generate with and without streaming gives the same deterministic text and a context', async () => {
    const expected = fake.expectedText({ model: 'llama3.2:3b', prompt: 'Why is the sky blue?' });
    const whole = await client.generate({ model: 'llama3.2:3b', prompt: 'Why is the sky blue?' });
    expect(whole.response).toBe(expected);
    expect(whole.done_reason).toBe('stop');
    expect(whole.context.length).toBeGreaterThan(0); // notes §1.3: the final chunk carries context
    let text = '';
    let final: { done: boolean; context?: number[] } | undefined;
    for await (const part of await client.generate({
      model: 'llama3.2:3b',
      prompt: 'Why is the sky blue?',
      stream: true,
    })) {
      text += part.response;
      final = part;
    }
    expect(text).toBe(expected);
    expect(final?.done).toBe(true);
    expect(final?.context).toEqual(whole.context);
  });

  it('embed returns one vector per input with the model dimension, equal to expectedEmbedding', async () => {
    // notes §1.4: {model, embeddings: [[..]], total_duration, load_duration, prompt_eval_count}
    const response = await client.embed({ model: 'nomic-embed-text', input: ['alpha', 'beta'] });
    expect(response.model).toBe('nomic-embed-text');
    expect(response.embeddings).toEqual([
      fake.expectedEmbedding('nomic-embed-text', 'alpha'),
      fake.expectedEmbedding('nomic-embed-text', 'beta'),
    ]);
    expect(response.embeddings[0]).toHaveLength(8);
    expect(response.embeddings[0]).not.toEqual(response.embeddings[1]);
  });

  it('legacy embeddings returns the same vector as embed for the same input', async () => {
    const legacy = await client.embeddings({ model: 'nomic-embed-text', prompt: 'alpha' });
    expect(legacy.embedding).toEqual(fake.expectedEmbedding('nomic-embed-text', 'alpha'));
  });

  it('list reports the pulled models with details', async () => {
    const { models } = await client.list(); // notes §1.5: ListModelResponse
    expect(models.map((model) => model.name)).toEqual([
      'gemma2:9b',
      'llama3.2:3b',
      'nomic-embed-text:latest',
    ]);
    expect(models[1]).toMatchObject({
      size: 2019393189,
      details: { family: 'llama', parameter_size: '3.2B', quantization_level: 'Q4_K_M', format: 'gguf' },
    });
  });

  it('show returns details, model_info and capabilities', async () => {
    const info = await client.show({ model: 'nomic-embed-text' });
    expect(info.details.parameter_size).toBe('137M');
    expect(info.capabilities).toEqual(['embedding']);
    expect(info.model_info).toBeTypeOf('object');
  });

  it('ps lists the models used recently and version reports the configured version', async () => {
    await client.generate({ model: 'llama3.2:3b', prompt: 'x' });
    const { models } = await client.ps();
    expect(models.map((model) => model.name)).toContain('llama3.2:3b');
    expect(await client.version()).toEqual({ version: '0.12.6' });
  });
});

describe('ollama client: model management', () => {
  it('pull streams progress ending in success and the model is listed afterwards; delete removes it', async () => {
    const statuses: string[] = [];
    for await (const part of await client.pull({ model: 'qwen2.5:7b', stream: true }))
      statuses.push(part.status);
    expect(statuses[0]).toBe('pulling manifest'); // notes §1.6
    expect(statuses.at(-1)).toBe('success');
    expect((await client.list()).models.map((model) => model.name)).toContain('qwen2.5:7b');
    // notes §5: delete() ignores the (empty, notes §1.6) body and returns {status:'success'}
    expect(await client.delete({ model: 'qwen2.5:7b' })).toEqual({ status: 'success' });
    expect((await client.list()).models.map((model) => model.name)).not.toContain('qwen2.5:7b');
    const error = await thrown(() => client.delete({ model: 'qwen2.5:7b' }));
    expect([error.status_code, error.message]).toEqual([404, "model 'qwen2.5:7b' not found"]);
  });

  it('pull without streaming answers {status: "success"}; a failed pull stream is a plain Error', async () => {
    expect(await client.pull({ model: 'phi3:3.8b' })).toEqual({ status: 'success' });
    await client.delete({ model: 'phi3:3.8b' });
    fake.fault({ path: '/api/pull', kind: 'stream-error', afterChunks: 2 });
    const error = await thrown(async () => {
      for await (const part of await client.pull({ model: 'phi3:3.8b', stream: true })) void part;
    });
    expect([error.name, error.message]).toEqual(['Error', 'max retries exceeded: unexpected EOF']);
    expect((await client.list()).models.map((model) => model.name)).not.toContain('phi3:3.8b');
  });
});

describe('ollama client: errors', () => {
  it('an unknown model is a ResponseError 404 with Ollama text', async () => {
    const error = await thrown(() => client.chat({ model: 'nope:1b', messages: user }));
    expect(error.name).toBe('ResponseError');
    expect(error.status_code).toBe(404);
    expect(error.message).toBe("model 'nope:1b' not found"); // notes §2 table: single quotes, name as sent
  });

  it('an unknown model is 404 on generate, embed and show too, and "try pulling it first" on legacy embeddings', async () => {
    for (const call of [
      () => client.generate({ model: 'nope', prompt: 'x' }),
      () => client.embed({ model: 'nope', input: 'x' }),
      () => client.show({ model: 'nope' }),
    ]) {
      const error = await thrown(call);
      expect([error.status_code, error.message]).toEqual([404, "model 'nope' not found"]);
    }
    const legacy = await thrown(() => client.embeddings({ model: 'nope', prompt: 'x' }));
    // notes §2 table: the scheduler path words it differently
    expect([legacy.status_code, legacy.message]).toEqual([
      404,
      'model "nope" not found, try pulling it first',
    ]);
  });

  it('a missing model on chat is 400 "model is required"', async () => {
    // notes §2 table: chat answers 400 for a missing model (generate and embed answer 404)
    const error = await thrown(() => client.chat({ model: '', messages: user }));
    expect([error.name, error.status_code, error.message]).toEqual([
      'ResponseError',
      400,
      'model is required',
    ]);
  });

  it.each([
    [429, "you've reached your hourly usage limit, please wait or upgrade to continue"],
    [401, 'unauthorized'],
    [500, 'llama runner process has terminated: exit status 2'],
  ])('a %i fault is a ResponseError carrying Ollama text', async (status, message) => {
    fake.fault({ path: '/api/chat', kind: 'status', status, times: 1 });
    const error = await thrown(() => client.chat({ model: 'gemma2:9b', messages: user, stream: true }));
    // notes §5: HTTP errors reject the awaited call before any iteration, even when streaming
    expect([error.name, error.status_code, error.message]).toEqual(['ResponseError', status, message]);
  });

  it('a 503 fault says "Server overloaded" with a ref uuid', async () => {
    fake.fault({ kind: 'status', status: 503, times: 1 });
    const error = await thrown(() => client.generate({ model: 'gemma2:9b', prompt: 'x' }));
    expect(error.status_code).toBe(503);
    expect(error.message).toMatch(/^Server overloaded, please retry shortly \(ref: [0-9a-f-]{36}\)$/);
  });

  it('a 502 fault carries a transport error text', async () => {
    fake.fault({ kind: 'status', status: 502, times: 1 });
    const error = await thrown(() => client.embed({ model: 'nomic-embed-text', input: 'x' }));
    expect(error.status_code).toBe(502);
    expect(error.message).toContain('/api/embed');
    expect(error.message).toContain('connection refused');
  });

  it('a text/plain 503 reaches the client as its raw text (notes §3.3: may not be JSON)', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    fake.fault({
      kind: 'status',
      status: 503,
      contentType: 'text/plain',
      message: 'Service Temporarily Unavailable',
    });
    const error = await thrown(() => client.chat({ model: 'gemma2:9b', messages: user }));
    expect([error.status_code, error.message]).toEqual([503, 'Service Temporarily Unavailable']);
  });

  it('an in-stream error line is a plain Error after the chunks before it (notes §2: status stays 200)', async () => {
    fake.fault({ kind: 'stream-error', afterChunks: 2, message: 'runner crashed' });
    const parts: string[] = [];
    const iterator = await client.chat({ model: 'gemma2:9b', messages: user, stream: true });
    const error = await thrown(async () => {
      for await (const part of iterator) parts.push(part.message.content);
    });
    expect(error.name).toBe('Error');
    expect(error.message).toBe('runner crashed');
    expect(error.status_code).toBeUndefined();
    expect(parts.join('')).toBe(
      fake.expectedText({ model: 'gemma2:9b', messages: user }).slice(0, parts.join('').length),
    );
    expect(parts).toHaveLength(2);
  });

  it('stream-error on a non-streaming request is a real 500 (notes §2: stream:false gets a real status)', async () => {
    fake.fault({ kind: 'stream-error', message: 'runner crashed' });
    const error = await thrown(() => client.chat({ model: 'gemma2:9b', messages: user }));
    expect([error.name, error.status_code, error.message]).toEqual(['ResponseError', 500, 'runner crashed']);
  });

  it('a stream cut before the done line fails with "Did not receive done or success response in stream."', async () => {
    // notes §5 iteration: EOF without done throws this exact text
    fake.fault({ kind: 'truncate', afterChunks: 3 });
    const parts: string[] = [];
    const error = await thrown(async () => {
      for await (const part of await client.generate({ model: 'gemma2:9b', prompt: 'x', stream: true })) {
        parts.push(part.response ?? '');
      }
    });
    expect(error.message).toBe('Did not receive done or success response in stream.');
    expect(parts).toHaveLength(3);
  });

  it('a malformed line is skipped by the client and the answer is still complete', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    // notes §5 parseJSON: unparseable lines are skipped with console.warn('invalid json: ', line)
    fake.fault({ kind: 'malformed', afterChunks: 1 });
    const { parts } = await collectChat();
    expect(parts.join('')).toBe(fake.expectedText({ model: 'gemma2:9b', messages: user }));
    expect(warn).toHaveBeenCalledWith('invalid json: ', expect.stringContaining('not json'));
  });

  it('a reset fault surfaces as TypeError "fetch failed" with a socket error cause', async () => {
    // notes §5: network errors surface raw, as TypeError: fetch failed with a cause
    fake.fault({ kind: 'reset', times: 1 });
    const error = await thrown(() => client.chat({ model: 'gemma2:9b', messages: user }));
    expect(error.name).toBe('TypeError');
    expect(error.message).toBe('fetch failed');
    expect((error.cause as { code?: string }).code).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
  });

  it('a stopped fake refuses connections (ECONNREFUSED) and answers again after start()', async () => {
    await fake.stop();
    const error = await thrown(() => client.version());
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
    await fake.start();
    expect(await client.version()).toEqual({ version: '0.12.6' });
  });

  it('hang and stall are seen by a client with a timeout as an AbortError; delay answers late but whole', async () => {
    // notes §5: no timeout option; a custom fetch with AbortSignal.timeout gives AbortError/TimeoutError
    const timed = new Ollama({
      host: fake.url,
      fetch: (input, init) => fetch(input, { ...init, signal: AbortSignal.timeout(250) }),
    });
    fake.fault({ path: '/api/chat', kind: 'hang', times: 1 });
    const hung = await thrown(() => timed.chat({ model: 'gemma2:9b', messages: user }));
    expect(hung.name).toMatch(/AbortError|TimeoutError/);

    fake.fault({ path: '/api/chat', kind: 'stall', afterChunks: 2, times: 1 });
    const parts: string[] = [];
    const stalled = await thrown(async () => {
      for await (const part of await timed.chat({ model: 'gemma2:9b', messages: user, stream: true })) {
        parts.push(part.message.content);
      }
    });
    expect(stalled.name).toMatch(/AbortError|TimeoutError/);
    expect(parts).toHaveLength(2);

    fake.fault({ path: '/api/chat', kind: 'delay', delayMs: 20, times: 1 });
    const late = await client.chat({ model: 'gemma2:9b', messages: user });
    expect(late.message.content).toBe(fake.expectedText({ model: 'gemma2:9b', messages: user }));
  });
});

describe('ollama client: authentication', () => {
  it('needs the bearer key when apiKey is set, and answers 401 "unauthorized" without it', async () => {
    // notes §3.1: Authorization: Bearer $OLLAMA_API_KEY; notes §2 table: 401 {"error":"unauthorized"}
    const cloud = await startOllamaFake({ models: ['gpt-oss:120b'], apiKey: 'secret' });
    try {
      const anonymous = new Ollama({ host: cloud.url });
      const error = await thrown(() => anonymous.list());
      expect([error.name, error.status_code, error.message]).toEqual(['ResponseError', 401, 'unauthorized']);
      const wrong = new Ollama({ host: cloud.url, headers: { Authorization: 'Bearer nope' } });
      expect((await thrown(() => wrong.chat({ model: 'gpt-oss:120b', messages: user }))).status_code).toBe(
        401,
      );
      const signed = new Ollama({ host: cloud.url, headers: { Authorization: 'Bearer secret' } });
      const response = await signed.chat({ model: 'gpt-oss:120b', messages: user });
      expect(response.message.content).toBe(cloud.expectedText({ model: 'gpt-oss:120b', messages: user }));
      expect(cloud.requests.at(-1)?.headers.authorization).toBe('Bearer secret');
      expect(fake.requests.some((request) => 'authorization' in request.headers)).toBe(false);
    } finally {
      await cloud.close();
    }
  });
});
