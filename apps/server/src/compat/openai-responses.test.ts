import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_MODEL, LOCAL_MODEL, useGateway } from '../__fixtures__/gateway-fixture.js';
import { NATIVE_WEATHER_TOOLS, nativeWeatherRoundTrip, WEATHER } from './__fixtures__/weather-tool.js';

const TOKEN = 'gateway-token-responses';
const instructions = 'Be brief.';
const question = 'Name a colour.';
const native = [
  { role: 'system', content: instructions },
  { role: 'user', content: question },
];

describe('/v1/responses through the real openai client', () => {
  const fixture = useGateway({ token: TOKEN });
  let client: OpenAI;
  beforeAll(() => {
    client = fixture.openai();
  });

  it('answers a response from the cloud (output_text, usage, headers) and sends instructions as system', async () => {
    const { data, response } = await client.responses
      .create({ model: CLOUD_MODEL, instructions, input: question, max_output_tokens: 64, temperature: 0.5 })
      .withResponse();
    expect(data.object).toBe('response');
    expect(data.status).toBe('completed');
    expect(data.output_text).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, messages: native }));
    expect(data.usage?.output_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-graphiti-provider')).toBe('cloud');
    expect(fixture.cloud.requests.at(-1)?.body).toMatchObject({
      messages: native,
      options: { num_predict: 64, temperature: 0.5 },
      stream: false,
    });
  });

  it('streams events in order and the SDK assembles the final response', async () => {
    const stream = client.responses.stream({
      model: CLOUD_MODEL,
      instructions,
      input: [{ role: 'user', content: [{ type: 'input_text', text: question }] }],
    });
    const types: string[] = [];
    const sequence: number[] = [];
    for await (const event of stream) {
      types.push(event.type);
      sequence.push(event.sequence_number);
    }
    const final = await stream.finalResponse();
    expect(final.output_text).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, messages: native }));
    expect(types.slice(0, 5)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
    expect(types.slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(sequence).toEqual(sequence.map((_, index) => index));
  });

  it('fails over to local when the cloud is down', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    const { data, response } = await client.responses
      .create({ model: CLOUD_MODEL, input: question })
      .withResponse();
    expect(response.headers.get('x-graphiti-provider')).toBe('local');
    expect(data.model).toBe(LOCAL_MODEL);
    expect(data.output_text.length).toBeGreaterThan(0);
  });

  it('answers from the cloud with no local server at all', async () => {
    await fixture.local.stop();
    const final = await client.responses.stream({ model: CLOUD_MODEL, input: question }).finalResponse();
    expect(final.output_text).toBe(
      fixture.cloud.expectedText({ model: CLOUD_MODEL, messages: [{ role: 'user', content: question }] }),
    );
  });

  it('answers 503 with request_id when both are down', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    await fixture.local.stop();
    const error = await client.responses.create({ model: CLOUD_MODEL, input: question }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(503);
    expect(error.code).toBe('llm_unavailable');
    expect(error.error.request_id).toEqual(expect.any(String));
  });

  it('ends a stream that fails after its first chunk with response.failed, never response.completed', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'stream-error', afterChunks: 2 });
    const stream = await client.responses.create({ model: CLOUD_MODEL, input: question, stream: true });
    const types: string[] = [];
    let failed: OpenAI.Responses.Response | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.failed') failed = event.response;
    }
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('response.failed');
    expect(types).not.toContain('response.completed');
    expect(failed?.status).toBe('failed');
    expect(failed?.error?.message).toMatch(/incomplete|error/i);
  });

  it('refuses previous_response_id with a clear 400 (the gateway is stateless)', async () => {
    const error = await client.responses
      .create({ model: CLOUD_MODEL, input: question, previous_response_id: 'resp_123' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toMatch(/previous_response_id.*stateless/);
    expect(fixture.cloud.requests.filter((request) => request.path === '/api/chat')).toHaveLength(0);
  });

  it('passes an upstream 400 through as a 400 with the provider text', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 400, message: 'invalid tool schema' });
    fixture.local.fault({ path: '/api/chat', kind: 'status', status: 400, message: 'invalid tool schema' });
    const error = await client.responses.create({ model: CLOUD_MODEL, input: question }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toContain('invalid tool schema');
  });

  it('rejects a wrong type with a 400 naming the field', async () => {
    const error = await client.responses
      .create({ model: CLOUD_MODEL, input: [{ role: 'user', content: 7 as never }] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.type).toBe('invalid_request_error');
    expect(error.message).toContain('input[0].content');
  });

  it('sends function tools, function_call and function_call_output items to the native API', async () => {
    await client.responses.create({
      model: CLOUD_MODEL,
      reasoning: { effort: 'xhigh' as never },
      tools: [{ type: 'function', ...WEATHER, strict: false }],
      input: [
        { role: 'user', content: 'Weather in Oslo?' },
        { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Use the tool.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Oslo"}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      ],
    });
    const sent = fixture.cloud.requests.at(-1)?.body as Record<string, unknown>;
    expect(sent.think).toBe('high');
    expect(sent.tools).toEqual(NATIVE_WEATHER_TOOLS);
    expect(sent.messages).toEqual(nativeWeatherRoundTrip('call_1'));
  });
});
