import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CLOUD_MODEL,
  EMBED_MODEL,
  LOCAL_MODEL,
  postJson,
  useGateway,
} from './__fixtures__/gateway-fixture.js';

const TOKEN = 'gateway-token-openai';
const messages = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'Name a colour.' },
];

describe('the OpenAI-compatible API through the real openai client', () => {
  const fixture = useGateway({ token: TOKEN });
  let client: OpenAI;
  beforeAll(() => {
    client = fixture.openai();
  });

  it('answers a chat completion with the cloud model, usage and graphiti headers', async () => {
    const { data, response } = await client.chat.completions
      .create({ model: CLOUD_MODEL, messages, temperature: 0.2, max_tokens: 64 })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.content).toBe(
      fixture.cloud.expectedText({ model: CLOUD_MODEL, messages }),
    );
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.total_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-graphiti-provider')).toBe('cloud');
    // OpenAI options became Ollama options
    const sent = fixture.cloud.requests.at(-1)?.body as { options: Record<string, unknown>; stream: boolean };
    expect(sent.options).toMatchObject({ temperature: 0.2, num_predict: 64 });
    expect(sent.stream).toBe(false);
  });

  it('streams a chat completion as SSE ending in [DONE], with a usage chunk on request', async () => {
    const stream = await client.chat.completions.create({
      model: CLOUD_MODEL,
      messages,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined | null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, messages }));
    expect(finish).toBe('stop');
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    const raw = await postJson(fixture, '/v1/chat/completions', {
      model: CLOUD_MODEL,
      messages,
      stream: true,
    });
    expect(raw.headers.get('content-type')).toBe('text/event-stream');
    expect((await raw.text()).trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('raises an error in the openai client when the stream fails after its first chunk (no [DONE])', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'stream-error', afterChunks: 2 });
    const stream = await client.chat.completions.create({ model: CLOUD_MODEL, messages, stream: true });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/incomplete/);
    expect(text.length).toBeGreaterThan(0);
    expect(text).not.toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, messages }));
  });

  it('fails over to local and says so in the headers', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    const { data, response } = await client.chat.completions
      .create({ model: CLOUD_MODEL, messages })
      .withResponse();
    expect(response.headers.get('x-graphiti-provider')).toBe('local');
    expect(data.model).toBe(LOCAL_MODEL);
  });

  it('answers 503 in the OpenAI error shape with request_id and Retry-After when both are down', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    await fixture.local.stop();
    const error = await client.chat.completions.create({ model: CLOUD_MODEL, messages }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(503);
    expect(error.type).toBe('api_error');
    expect(error.code).toBe('llm_unavailable');
    expect(error.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(error.error.request_id).toEqual(expect.any(String));
  });

  it('returns an OpenAI-shaped 400 for an invalid request', async () => {
    const error = await client.chat.completions
      .create({ model: CLOUD_MODEL, messages: 'nope' as never })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toMatch(/messages/);
  });

  it('translates tool calls both ways', async () => {
    const body = {
      model: CLOUD_MODEL,
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Oslo"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      ],
      tools: [{ type: 'function', function: { name: 'weather', parameters: { type: 'object' } } }],
      response_format: { type: 'json_object' },
    };
    const response = await postJson(fixture, '/v1/chat/completions', body);
    expect(response.status).toBe(200);
    const sent = fixture.cloud.requests.at(-1)?.body as Record<string, unknown>;
    expect(sent.format).toBe('json');
    expect(sent.tools).toEqual(body.tools);
    expect(sent.messages).toEqual([
      { role: 'user', content: 'weather?' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ id: 'call_1', function: { name: 'weather', arguments: { city: 'Oslo' } } }],
      },
      // Ollama derives tool_name from the assistant tool call with that id
      { role: 'tool', content: 'sunny', tool_call_id: 'call_1', tool_name: 'weather' },
    ]);
  });

  it('passes logprobs/top_logprobs through and maps every reasoning effort level as Ollama does', async () => {
    const ask = async (extra: Record<string, unknown>) => {
      const response = await postJson(fixture, '/v1/chat/completions', {
        model: CLOUD_MODEL,
        messages,
        ...extra,
      });
      expect(response.status).toBe(200);
      return fixture.cloud.requests.at(-1)?.body as Record<string, unknown>;
    };
    expect(await ask({ logprobs: true, top_logprobs: 3 })).toMatchObject({ logprobs: true, top_logprobs: 3 });
    expect((await ask({})).logprobs).toBeUndefined();
    const levels: [string, unknown][] = [
      ['none', false],
      ['minimal', 'low'],
      ['low', 'low'],
      ['medium', 'medium'],
      ['high', 'high'],
      ['xhigh', 'high'],
      ['max', 'high'],
    ];
    for (const [effort, think] of levels) {
      expect((await ask({ reasoning_effort: effort })).think).toBe(think);
      expect((await ask({ reasoning: { effort } })).think).toBe(think);
    }
  });

  it('sends an assistant message reasoning back as native thinking', async () => {
    await postJson(fixture, '/v1/chat/completions', {
      model: CLOUD_MODEL,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: 'hello', reasoning: 'greet back' },
        { role: 'user', content: 'again' },
      ],
    });
    const sent = fixture.cloud.requests.at(-1)?.body as { messages: Record<string, unknown>[] };
    expect(sent.messages[1]).toEqual({ role: 'assistant', content: 'hello', thinking: 'greet back' });
  });

  it('names the field of a wrong type in a 400 before anything goes upstream', async () => {
    const error = await client.chat.completions
      .create({ model: CLOUD_MODEL, messages, reasoning_effort: 'extreme' as never })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toContain('"reasoning_effort"');
    const typed = await client.chat.completions
      .create({ model: CLOUD_MODEL, messages: [{ role: 'user', content: 3 as never }] })
      .catch((e) => e);
    expect(typed.message).toContain('"messages[0].content"');
    expect(fixture.cloud.requests.filter((request) => request.path === '/api/chat')).toHaveLength(0);
  });

  it('answers from the cloud with no local server at all', async () => {
    await fixture.local.stop();
    const data = await client.chat.completions.create({ model: CLOUD_MODEL, messages });
    expect(data.choices[0]?.message.content).toBe(
      fixture.cloud.expectedText({ model: CLOUD_MODEL, messages }),
    );
  });

  it('creates embeddings (float and base64)', async () => {
    const result = await client.embeddings.create({
      model: EMBED_MODEL,
      input: ['one', 'two'],
      encoding_format: 'float',
    });
    expect(result.data).toHaveLength(2);
    expect(result.data[1]?.embedding).toEqual(fixture.cloud.expectedEmbedding(EMBED_MODEL, 'two'));
    // the openai client asks for base64 by default and decodes it
    const decoded = await client.embeddings.create({ model: EMBED_MODEL, input: 'one' });
    const expected = fixture.cloud.expectedEmbedding(EMBED_MODEL, 'one');
    expect(decoded.data[0]?.embedding).toHaveLength(expected.length);
    decoded.data[0]?.embedding.forEach((value, index) => {
      expect(value).toBeCloseTo(expected[index] as number, 5);
    });
  });

  it('lists models: local pulled ones plus the cloud default', async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining([LOCAL_MODEL, CLOUD_MODEL]));
  });

  it('needs the token on /v1 too, with an OpenAI-shaped 401', async () => {
    const anonymous = fixture.openai({ apiKey: 'wrong' });
    const error = await anonymous.models.list().catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.message).not.toContain(TOKEN);
  });
});
