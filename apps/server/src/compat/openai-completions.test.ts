import OpenAI from 'openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLOUD_MODEL, LOCAL_MODEL, postJson, useGateway } from '../__fixtures__/gateway-fixture.js';

const TOKEN = 'gateway-token-completions';
const prompt = 'def add(a, b):\n    ';

describe('/v1/completions through the real openai client', () => {
  const fixture = useGateway({ token: TOKEN });
  let client: OpenAI;
  beforeAll(() => {
    client = fixture.openai();
  });

  it('completes with fill-in-the-middle: prompt and suffix go to /api/generate', async () => {
    const { data, response } = await client.completions
      .create({ model: CLOUD_MODEL, prompt, suffix: '\n\nprint(add(1, 2))', max_tokens: 32, stop: ['\n\n'] })
      .withResponse();
    expect(data.object).toBe('text_completion');
    expect(data.choices[0]?.text).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, prompt }));
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage?.completion_tokens).toBeGreaterThan(0);
    expect(response.headers.get('x-graphiti-provider')).toBe('cloud');
    const sent = fixture.cloud.requests.at(-1);
    expect(sent?.path).toBe('/api/generate');
    expect(sent?.body).toMatchObject({
      model: CLOUD_MODEL,
      prompt,
      suffix: '\n\nprint(add(1, 2))',
      options: { num_predict: 32, stop: ['\n\n'] },
      stream: false,
    });
  });

  it('streams text chunks ending in [DONE], with a usage chunk on request', async () => {
    const stream = await client.completions.create({
      model: CLOUD_MODEL,
      prompt,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, prompt }));
    expect(finish).toBe('stop');
    expect(usage?.total_tokens).toBeGreaterThan(0);
    const raw = await (
      await postJson(fixture, '/v1/completions', { model: CLOUD_MODEL, prompt, stream: true })
    ).text();
    expect(raw.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('fails over to local when the cloud is down', async () => {
    fixture.cloud.fault({ path: '/api/generate', kind: 'status', status: 503 });
    const { data, response } = await client.completions.create({ model: CLOUD_MODEL, prompt }).withResponse();
    expect(response.headers.get('x-graphiti-provider')).toBe('local');
    expect(data.model).toBe(LOCAL_MODEL);
  });

  it('answers from the cloud with no local server at all', async () => {
    await fixture.local.stop();
    const data = await client.completions.create({ model: CLOUD_MODEL, prompt });
    expect(data.choices[0]?.text).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, prompt }));
  });

  it('raises in the client when the stream fails after its first chunk (no [DONE])', async () => {
    fixture.cloud.fault({ path: '/api/generate', kind: 'stream-error', afterChunks: 2 });
    const stream = await client.completions.create({ model: CLOUD_MODEL, prompt, stream: true });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(text.length).toBeGreaterThan(0);
  });

  it('rejects a wrong type with a 400 naming the field', async () => {
    const error = await client.completions.create({ model: CLOUD_MODEL, prompt: 5 as never }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.message).toContain('"prompt"');
    expect(fixture.cloud.requests.filter((request) => request.path === '/api/generate')).toHaveLength(0);
  });
});
