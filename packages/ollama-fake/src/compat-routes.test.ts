// The OpenAI (/v1/chat/completions, /v1/completions, /v1/models/:model, /v1/responses) and Anthropic
// (/v1/messages) layers, driven by the real `openai` and `@anthropic-ai/sdk` clients (notes §4, §9.1).
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOllamaFake } from './start-ollama-fake.js';
import type { OllamaFake } from './types.js';

let fake: OllamaFake;
let openai: OpenAI;
let anthropic: Anthropic;
const tool = {
  name: 'lookup',
  description: 'Looks a word up',
  parameters: {
    type: 'object',
    properties: { word: { type: 'string' }, limit: { type: 'number' } },
    required: ['word', 'limit'],
  },
};

beforeAll(async () => {
  fake = await startOllamaFake({ models: ['gemma2:9b', 'gpt-oss:20b'], chunks: 3, apiKey: 'ollama' });
  openai = new OpenAI({ baseURL: `${fake.url}/v1`, apiKey: 'ollama', maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: fake.url, apiKey: 'ollama', maxRetries: 0 });
});
afterEach(() => fake.reset());
afterAll(() => fake.close());

describe('OpenAI chat completions and completions', () => {
  it('returns a tool call with JSON-string arguments and finish_reason tool_calls', async () => {
    const completion = await openai.chat.completions.create({
      model: 'gemma2:9b',
      messages: [{ role: 'user', content: 'define graph' }],
      tools: [{ type: 'function', function: tool }],
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0]! as {
      type: string;
      function: { name: string; arguments: string };
    };
    expect(call.type).toBe('function');
    expect(call.function.name).toBe('lookup');
    expect(JSON.parse(call.function.arguments)).toEqual({ word: 'x', limit: 1 });
  });

  it('answers /v1/completions whole and streamed with the same text', async () => {
    const whole = await openai.completions.create({
      model: 'gemma2:9b',
      prompt: 'def add(',
      suffix: 'return a',
    });
    expect(whole.object).toBe('text_completion');
    expect(whole.choices[0]!.finish_reason).toBe('stop');
    const parts: string[] = [];
    const stream = await openai.completions.create({
      model: 'gemma2:9b',
      prompt: 'def add(',
      suffix: 'return a',
      stream: true,
    });
    for await (const chunk of stream) parts.push(chunk.choices[0]?.text ?? '');
    expect(parts.join('')).toBe(whole.choices[0]!.text);
  });

  it('retrieves one model and answers 404 for an unknown one', async () => {
    const model = await openai.models.retrieve('gemma2:9b');
    expect(model).toMatchObject({ id: 'gemma2:9b', object: 'model', owned_by: 'library' });
    const error = await openai.models.retrieve('nope:1b').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  });
});

describe('OpenAI responses', () => {
  it('answers with a message item whose text is the deterministic chat answer', async () => {
    const response = await openai.responses.create({
      model: 'gemma2:9b',
      input: 'hello',
      instructions: 'be brief',
    });
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe(
      fake.expectedText({
        model: 'gemma2:9b',
        messages: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'hello' },
        ],
      }),
    );
  });

  it('streams reasoning then text events in order, sequence numbers rising, ending with response.completed', async () => {
    const stream = await openai.responses.create({
      model: 'gpt-oss:20b',
      input: 'why?',
      reasoning: { effort: 'low' },
      stream: true,
    });
    const types: string[] = [];
    const sequence: number[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types.indexOf('response.reasoning_summary_text.delta')).toBeLessThan(
      types.indexOf('response.output_text.delta'),
    );
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    expect(text).toBe(
      fake.expectedText({ model: 'gpt-oss:20b', messages: [{ role: 'user', content: 'why?' }] }),
    );
  });

  it('makes a function call and answers its output', async () => {
    const first = await openai.responses.create({
      model: 'gemma2:9b',
      input: [{ role: 'user', content: 'define graph' }],
      tools: [{ type: 'function', strict: false, ...tool }],
    });
    const call = first.output.find((item) => item.type === 'function_call')!;
    expect(call).toMatchObject({ name: 'lookup', arguments: '{"word":"x","limit":1}' });
    const second = await openai.responses.create({
      model: 'gemma2:9b',
      input: [
        { role: 'user', content: 'define graph' },
        call,
        {
          type: 'function_call_output',
          call_id: (call as { call_id: string }).call_id,
          output: 'a set of nodes',
        },
      ],
      tools: [{ type: 'function', strict: false, ...tool }],
    });
    expect(second.output_text).not.toBe('');
  });

  it('ends a stream that fails midway with response.failed, never response.completed', async () => {
    fake.fault({ path: '/v1/responses', kind: 'stream-error', afterChunks: 3, message: 'runner died' });
    const response = await fetch(`${fake.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: 'Bearer ollama' },
      body: JSON.stringify({ model: 'gemma2:9b', input: 'hi', stream: true }),
    });
    const events = (await response.text()).trimEnd().split('\n\n');
    expect(events.at(-1)).toMatch(/^event: response.failed\ndata: .*"message":"runner died"/);
    expect(events.some((event) => event.startsWith('event: response.completed'))).toBe(false);
  });

  it('refuses previous_response_id with a 400 (stateless)', async () => {
    const error = await openai.responses
      .create({ model: 'gemma2:9b', input: 'x', previous_response_id: 'resp_1' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(String((error as Error).message)).toMatch(/previous_response_id/);
  });
});

describe('Anthropic messages', () => {
  const user = [{ role: 'user' as const, content: 'hello' }];

  it('answers text with end_turn and usage', async () => {
    const message = await anthropic.messages.create({
      model: 'gemma2:9b',
      max_tokens: 100,
      messages: user,
      system: 'be brief',
    });
    expect(message.stop_reason).toBe('end_turn');
    expect(message.content).toEqual([
      {
        type: 'text',
        text: fake.expectedText({
          model: 'gemma2:9b',
          messages: [{ role: 'system', content: 'be brief' }, ...user],
        }),
      },
    ]);
    expect(message.usage.output_tokens).toBeGreaterThan(0);
  });

  it('streams a thinking block closed before the text block', async () => {
    const stream = anthropic.messages.stream({
      model: 'gpt-oss:20b',
      max_tokens: 1000,
      messages: user,
      thinking: { type: 'enabled', budget_tokens: 500 },
    });
    const order: string[] = [];
    for await (const event of stream) {
      if (event.type === 'content_block_start') order.push(`start:${event.content_block.type}`);
      if (event.type === 'content_block_stop') order.push('stop');
    }
    expect(order).toEqual(['start:thinking', 'stop', 'start:text', 'stop']);
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({
      type: 'thinking',
      thinking: fake.expectedThinking({ model: 'gpt-oss:20b', messages: user }),
    });
    expect(final.content[1]).toMatchObject({
      type: 'text',
      text: fake.expectedText({ model: 'gpt-oss:20b', messages: user }),
    });
  });

  it('round-trips tool_use and tool_result', async () => {
    const tools = [
      {
        name: 'lookup',
        description: 'Looks up',
        input_schema: { ...tool.parameters, type: 'object' as const },
      },
    ];
    const first = await anthropic.messages.create({
      model: 'gemma2:9b',
      max_tokens: 100,
      messages: user,
      tools,
    });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((block) => block.type === 'tool_use')!;
    expect(use).toMatchObject({ name: 'lookup', input: { word: 'x', limit: 1 } });
    const second = await anthropic.messages.create({
      model: 'gemma2:9b',
      max_tokens: 100,
      tools,
      messages: [
        ...user,
        { role: 'assistant', content: first.content },
        {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: (use as { id: string }).id, content: 'found' }],
        },
      ],
    });
    expect(second.stop_reason).toBe('end_turn');
    expect(second.content[0]).toMatchObject({
      type: 'text',
      text: fake.expectedText({
        model: 'gemma2:9b',
        messages: [...user, { role: 'assistant', content: '' }, { role: 'tool', content: 'found' }],
      }),
    });
  });

  it('accepts x-api-key, uses the Anthropic error shape, and ends a failing stream with event: error', async () => {
    const missing = await anthropic.messages
      .create({ model: 'nope:1b', max_tokens: 10, messages: user })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
    expect((missing as { error: unknown }).error).toMatchObject({
      type: 'error',
      error: { type: 'not_found_error' },
    });
    fake.fault({ path: '/v1/messages', kind: 'stream-error', afterChunks: 2 });
    const response = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'ollama', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'gemma2:9b', max_tokens: 10, messages: user, stream: true }),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text.trimEnd().split('\n\n').at(-1)).toMatch(/^event: error\ndata: \{"type":"error"/);
    expect(text).not.toContain('message_stop');
  });
});
