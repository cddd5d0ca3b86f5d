import Anthropic from '@anthropic-ai/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_MODEL, LOCAL_MODEL, postJson, useGateway } from '../__fixtures__/gateway-fixture.js';
import { NATIVE_WEATHER_TOOLS, nativeWeatherRoundTrip, WEATHER } from './__fixtures__/weather-tool.js';

const TOKEN = 'gateway-token-anthropic';
const system = 'Be brief.';
const question = 'Name a colour.';
const native = [
  { role: 'system', content: system },
  { role: 'user', content: question },
];

describe('/v1/messages through the real @anthropic-ai/sdk', () => {
  const fixture = useGateway({ token: TOKEN });
  let client: Anthropic;
  beforeAll(() => {
    client = fixture.anthropic();
  });
  /** The SSE text of a short streamed message, as it goes on the wire. */
  const rawStream = async (): Promise<string> => {
    const body = {
      model: CLOUD_MODEL,
      max_tokens: 8,
      stream: true,
      messages: [{ role: 'user', content: 'hi' }],
    };
    return (await postJson(fixture, '/v1/messages', body)).text();
  };

  it('answers a message from the cloud with text, stop_reason, usage and graphiti headers', async () => {
    const { data, response } = await client.messages
      .create({
        model: CLOUD_MODEL,
        max_tokens: 64,
        system,
        messages: [{ role: 'user', content: question }],
        stop_sequences: ['\n\n'],
      })
      .withResponse();
    expect(data.type).toBe('message');
    expect(data.role).toBe('assistant');
    expect(data.content).toEqual([
      { type: 'text', text: fixture.cloud.expectedText({ model: CLOUD_MODEL, messages: native }) },
    ]);
    expect(data.stop_reason).toBe('end_turn');
    expect(data.usage.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-graphiti-provider')).toBe('cloud');
    const sent = fixture.cloud.requests.at(-1);
    expect(sent?.path).toBe('/api/chat');
    expect(sent?.body).toMatchObject({
      model: CLOUD_MODEL,
      messages: native,
      options: { num_predict: 64, stop: ['\n\n'] },
      stream: false,
    });
    // the client's token is the gateway's business, never the upstream's
    expect(JSON.stringify(sent?.headers)).not.toContain(TOKEN);
  });

  it('streams events in order and the SDK assembles the final message', async () => {
    const stream = client.messages.stream({
      model: CLOUD_MODEL,
      max_tokens: 64,
      system: [{ type: 'text', text: system }],
      messages: [{ role: 'user', content: [{ type: 'text', text: question }] }],
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    const message = await stream.finalMessage();
    expect(message.content).toHaveLength(1);
    expect(message.content[0]).toMatchObject({
      type: 'text',
      text: fixture.cloud.expectedText({ model: CLOUD_MODEL, messages: native }),
    });
    expect(message.stop_reason).toBe('end_turn');
    expect(types[0]).toBe('message_start');
    expect(types[1]).toBe('content_block_start');
    expect(types.filter((type) => type === 'content_block_delta').length).toBeGreaterThan(1);
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
    const raw = await rawStream();
    expect(raw.match(/^event: (\S+)/gm)?.slice(0, 2)).toEqual(['event: message_start', 'event: ping']);
  });

  it('fails over to local when the cloud is down', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    const { data, response } = await client.messages
      .create({ model: CLOUD_MODEL, max_tokens: 32, messages: [{ role: 'user', content: question }] })
      .withResponse();
    expect(response.headers.get('x-graphiti-provider')).toBe('local');
    expect(data.model).toBe(LOCAL_MODEL);
    expect(data.content[0]).toMatchObject({ type: 'text' });
  });

  it('answers from the cloud with no local server at all', async () => {
    await fixture.local.stop();
    const stream = client.messages.stream({
      model: CLOUD_MODEL,
      max_tokens: 32,
      messages: [{ role: 'user', content: question }],
    });
    const message = await stream.finalMessage();
    expect(message.content[0]).toMatchObject({
      type: 'text',
      text: fixture.cloud.expectedText({
        model: CLOUD_MODEL,
        messages: [{ role: 'user', content: question }],
      }),
    });
  });

  it('raises an Anthropic overloaded_error (503, request_id) when both are down', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    await fixture.local.stop();
    const error = await client.messages
      .create({ model: CLOUD_MODEL, max_tokens: 32, messages: [{ role: 'user', content: question }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(503);
    expect(apiError.error).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect((apiError.error as { request_id?: unknown }).request_id).toEqual(expect.any(String));
    expect(apiError.headers?.get('retry-after')).toMatch(/^\d+$/);
  });

  it('queues once per Idempotency-Key: a retried request gets the same request_id', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    await fixture.local.stop();
    const ask = () =>
      client.messages
        .create(
          { model: CLOUD_MODEL, max_tokens: 32, messages: [{ role: 'user', content: 'queue me' }] },
          { headers: { 'Idempotency-Key': 'anthropic-key-1' } },
        )
        .catch((caught: unknown) => caught as InstanceType<typeof Anthropic.APIError>);
    const first = await ask();
    const second = await ask();
    const id = (error: unknown) =>
      ((error as InstanceType<typeof Anthropic.APIError>).error as { request_id?: string }).request_id;
    expect(id(first)).toEqual(expect.any(String));
    expect(id(second)).toBe(id(first));
  });

  it('ends a stream that fails after its first chunk with event: error, which the SDK raises', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'stream-error', afterChunks: 2 });
    const stream = client.messages.stream({
      model: CLOUD_MODEL,
      max_tokens: 64,
      messages: [{ role: 'user', content: question }],
    });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const error = await stream.finalMessage().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(text.length).toBeGreaterThan(0);
    const raw = await rawStream();
    fixture.cloud.resetFaults();
    expect(raw).toMatch(/event: error\ndata: \{"type":"error","error":\{"type":"api_error"/);
    expect(raw).not.toContain('message_stop');
  });

  it("passes an upstream 400 through as invalid_request_error with the provider's text", async () => {
    fixture.cloud.fault({
      path: '/api/chat',
      kind: 'status',
      status: 400,
      message: `"${CLOUD_MODEL}" does not support thinking`,
    });
    fixture.local.fault({
      path: '/api/chat',
      kind: 'status',
      status: 400,
      message: '"x" does not support thinking',
    });
    const error = await client.messages
      .create({
        model: CLOUD_MODEL,
        max_tokens: 16,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: question }],
      })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect((error as Error).message).toContain('does not support thinking');
    expect(fixture.cloud.requests.find((request) => request.path === '/api/chat')?.body).toMatchObject({
      think: true,
    });
  });

  it('rejects a wrong type with a 400 invalid_request_error naming the field, before any upstream call', async () => {
    const error = await client.messages
      .create({ model: CLOUD_MODEL, max_tokens: 8, messages: [{ role: 'user', content: 42 as never }] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    const apiError = error as InstanceType<typeof Anthropic.BadRequestError>;
    expect(apiError.error).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(apiError.message).toContain('messages[0].content');
    expect(fixture.cloud.requests.filter((request) => request.path === '/api/chat')).toHaveLength(0);
  });

  it('sends tools, tool_use and tool_result to the native API (tool_name from the tool_use)', async () => {
    await client.messages.create({
      model: CLOUD_MODEL,
      max_tokens: 64,
      tools: [{ name: WEATHER.name, description: WEATHER.description, input_schema: WEATHER.parameters }],
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'Use the tool.', signature: 'sig' },
            { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Oslo' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
      ],
    });
    const sent = fixture.cloud.requests.at(-1)?.body as Record<string, unknown>;
    expect(sent.tools).toEqual(NATIVE_WEATHER_TOOLS);
    expect(sent.messages).toEqual(nativeWeatherRoundTrip('toolu_1'));
  });
});

describe('/v1/messages on a gateway without a token', () => {
  const fixture = useGateway();

  it('accepts x-api-key and anthropic-version from the client and forwards neither', async () => {
    const client = fixture.anthropic({ apiKey: 'sk-ant-client-key' });
    const message = await client.messages.create({
      model: CLOUD_MODEL,
      max_tokens: 16,
      messages: [{ role: 'user', content: question }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text' });
    const sent = fixture.cloud.requests.at(-1);
    expect(JSON.stringify(sent?.headers)).not.toContain('sk-ant-client-key');
    expect(sent?.headers['anthropic-version']).toBeUndefined();
  });
});
