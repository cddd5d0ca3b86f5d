// Tools, thinking, format, logprobs, images, load and unload on /api/chat and /api/generate (contract D),
// through the real `ollama` client where it can express the request and plain fetch where it cannot.
import { Ollama } from 'ollama';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaFake } from './start-ollama-fake.js';
import type { OllamaFake } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON, inspected loosely in tests
type Loose = Record<string, any>;

let fake: OllamaFake;
let client: Ollama;
const user = [{ role: 'user', content: 'What is the weather in Paris?' }];
const weather = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: {
      type: 'object',
      properties: {
        city: { type: 'string' },
        days: { type: 'integer' },
        metric: { type: 'boolean' },
        note: { type: 'string' },
      },
      required: ['city', 'days', 'metric'],
    },
  },
};

beforeAll(async () => {
  fake = await startOllamaFake({ models: ['gemma2:9b', 'qwen3:8b'], chunks: 3 });
  client = new Ollama({ host: fake.url });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${fake.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
}

async function ndjson(response: Response): Promise<Loose[]> {
  return (await response.text())
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Loose);
}

describe('tool calls', () => {
  it('answers a user turn with one tool call of the first tool, required parameters set', async () => {
    const response = await client.chat({ model: 'gemma2:9b', messages: user, tools: [weather] });
    expect(response.message.content).toBe('');
    expect(response.done_reason).toBe('stop');
    expect(response.message.tool_calls).toHaveLength(1);
    const call = response.message.tool_calls![0]! as unknown as Loose;
    expect(call.id).toMatch(/^call_\d+$/);
    expect(call.function).toEqual({
      index: 0,
      name: 'get_weather',
      arguments: { city: 'x', days: 1, metric: true },
    });
  });

  it('streams the tool call whole in one chunk, then the done line', async () => {
    const parts = [];
    for await (const part of await client.chat({
      model: 'gemma2:9b',
      messages: user,
      tools: [weather],
      stream: true,
    })) {
      parts.push(part);
    }
    expect(parts).toHaveLength(2);
    expect(parts[0]!.message.tool_calls?.[0]?.function.name).toBe('get_weather');
    expect(parts[0]!.done).toBe(false);
    expect(parts[1]).toMatchObject({ done: true, done_reason: 'stop' });
    expect(parts[1]!.message.tool_calls).toBeUndefined();
  });

  it('answers the tool result turn with the deterministic text', async () => {
    const messages = [
      ...user,
      { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: {} } }] },
      { role: 'tool', content: '{"temp": 21}', tool_name: 'get_weather' },
    ];
    const response = await client.chat({ model: 'gemma2:9b', messages, tools: [weather] });
    expect(response.message.tool_calls).toBeUndefined();
    expect(response.message.content).toBe(fake.expectedText({ model: 'gemma2:9b', messages }));
  });

  it('gives each call a fresh id', async () => {
    const first = await client.chat({ model: 'gemma2:9b', messages: user, tools: [weather] });
    const second = await client.chat({ model: 'gemma2:9b', messages: user, tools: [weather] });
    const id = (r: typeof first) => (r.message.tool_calls![0] as unknown as { id: string }).id;
    expect(id(first)).not.toBe(id(second));
  });
});

describe('thinking', () => {
  it('streams thinking chunks before the content on a thinking model', async () => {
    const thinking: string[] = [];
    const content: string[] = [];
    let sawContentFirst = false;
    for await (const part of await client.chat({
      model: 'qwen3:8b',
      messages: user,
      think: 'low',
      stream: true,
    })) {
      if (part.message.thinking) {
        if (content.join('') !== '') sawContentFirst = true;
        thinking.push(part.message.thinking);
      }
      content.push(part.message.content);
    }
    expect(sawContentFirst).toBe(false);
    expect(thinking.join('')).toBe(fake.expectedThinking({ model: 'qwen3:8b', messages: user }));
    expect(content.join('')).toBe(fake.expectedText({ model: 'qwen3:8b', messages: user }));
  });

  it('returns thinking and content joined without streaming, on chat and generate', async () => {
    const chat = await client.chat({ model: 'qwen3:8b', messages: user, think: true });
    expect(chat.message.thinking).toBe(fake.expectedThinking({ model: 'qwen3:8b', messages: user }));
    const generate = await client.generate({ model: 'qwen3:8b', prompt: 'why?', think: 'high' });
    expect(generate.thinking).toBe(fake.expectedThinking({ model: 'qwen3:8b', prompt: 'why?' }));
    expect(generate.response).toBe(fake.expectedText({ model: 'qwen3:8b', prompt: 'why?' }));
  });

  it("refuses think on a model without the capability with Ollama's 400", async () => {
    const error = await client.chat({ model: 'gemma2:9b', messages: user, think: true }).catch((e) => e);
    expect(error.status_code).toBe(400);
    expect(error.message).toBe('"gemma2:9b" does not support thinking');
    const off = await client.chat({ model: 'gemma2:9b', messages: user, think: false });
    expect(off.message.thinking).toBeUndefined();
  });

  it('rejects an unknown think level', async () => {
    const response = await post('/api/chat', {
      model: 'qwen3:8b',
      messages: user,
      think: 'huge',
      stream: false,
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/^invalid think value: "huge"/);
  });
});

describe('format, logprobs, images, load and unload', () => {
  it('answers a schema format with JSON that has every property of the schema', async () => {
    const format = {
      type: 'object',
      properties: {
        city: { type: 'string' },
        population: { type: 'integer' },
        tags: { type: 'array', items: { type: 'string' } },
      },
      required: ['city', 'population'],
    };
    const response = await client.chat({ model: 'gemma2:9b', messages: user, format });
    const parsed = JSON.parse(response.message.content) as Record<string, unknown>;
    expect(typeof parsed.city).toBe('string');
    expect(parsed.population).toBe(1);
    expect(Array.isArray(parsed.tags)).toBe(true);
    expect(response.message.content).toBe(fake.expectedText({ model: 'gemma2:9b', messages: user, format }));
  });

  it('adds logprobs with top_logprobs alternatives to each content chunk', async () => {
    const lines = await ndjson(
      await post('/api/chat', { model: 'gemma2:9b', messages: user, logprobs: true, top_logprobs: 2 }),
    );
    const content = lines.filter((line) => !line.done && line.message.content !== '');
    expect(content.length).toBeGreaterThan(0);
    for (const line of content) {
      const tokens = (line.logprobs as { token: string; logprob: number; top_logprobs: unknown[] }[]).map(
        (e) => e.token,
      );
      expect(tokens.join('')).toBe(line.message.content);
      for (const entry of line.logprobs) {
        expect(entry.logprob).toBeLessThan(0);
        expect(entry.top_logprobs).toHaveLength(2);
      }
    }
    expect(lines.at(-1)!.logprobs).toBeUndefined();
    const bad = await post('/api/chat', { model: 'gemma2:9b', messages: user, top_logprobs: 21 });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'top_logprobs must be between 0 and 20' });
  });

  it('accepts base64 images and rejects a non-string image with a 400 naming the field', async () => {
    const ok = await post('/api/chat', {
      model: 'gemma2:9b',
      messages: [{ role: 'user', content: 'what is this?', images: ['aGVsbG8='] }],
      stream: false,
    });
    expect(ok.status).toBe(200);
    const bad = await post('/api/chat', {
      model: 'gemma2:9b',
      messages: [{ role: 'user', content: 'x', images: [{ length: 3e7 }] }],
      stream: false,
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toContain('ChatRequest.messages.images');
    const generate = await post('/api/generate', { model: 'gemma2:9b', prompt: 'x', images: [5] });
    expect(generate.status).toBe(400);
  });

  it('loads with an empty prompt and unloads with keep_alive 0, which /api/ps reflects', async () => {
    const load = await client.generate({ model: 'gemma2:9b', prompt: '' });
    expect(load.done_reason).toBe('load');
    expect((await client.ps()).models.map((m) => m.name)).toContain('gemma2:9b');
    const unload = await client.generate({ model: 'gemma2:9b', prompt: '', keep_alive: 0 });
    expect(unload.done_reason).toBe('unload');
    expect((await client.ps()).models.map((m) => m.name)).not.toContain('gemma2:9b');
    const chat = await client.chat({ model: 'gemma2:9b', messages: [], keep_alive: 0 });
    expect(chat.done_reason).toBe('unload');
    const bare = await post('/api/generate', { model: 'gemma2:9b', prompt: '', keep_alive: '300' });
    expect(bare.status).toBe(400);
    expect(await bare.json()).toEqual({ error: 'time: missing unit in duration "300"' });
  });
});
