// The fake playing ollama.com (contract D): the key, cloud-shaped /api/tags, /api/balance in both shapes,
// /api/usage, their rate limit, and the cloud fault kinds (notes §9.4, §9.5).
import { Ollama } from 'ollama';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cloudAnswers } from './cloud-answers.js';
import { OllamaFakeError } from './ollama-fake-error.js';
import { startOllamaFake } from './start-ollama-fake.js';
import type { OllamaFake } from './types.js';

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON, inspected loosely in tests
type Loose = Record<string, any>;

const key = 'sk-cloud-test-key';
const auth = { authorization: `Bearer ${key}` };
let cloud: OllamaFake;
const messages = [{ role: 'user', content: 'hi' }];

beforeAll(async () => {
  cloud = await startOllamaFake({ cloud: true, apiKey: key, models: ['gpt-oss:120b', 'glm-5'], chunks: 2 });
});
afterEach(() => cloud.reset());
afterAll(() => cloud.close());

function get(path: string, headers: Record<string, string> = auth): Promise<Response> {
  return fetch(`${cloud.url}${path}`, { headers });
}

function chat(body: Record<string, unknown> = {}, path = '/api/chat'): Promise<Response> {
  return fetch(`${cloud.url}${path}`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ model: 'gpt-oss:120b', messages, stream: false, ...body }),
  });
}

describe('cloud mode', () => {
  it('needs an apiKey', async () => {
    await expect(startOllamaFake({ cloud: true })).rejects.toSatisfy(
      (error) =>
        OllamaFakeError.isInstance(error) && error.code === 'INVALID_OPTIONS' && /apiKey/.test(error.message),
    );
  });

  it('answers 401 without the Bearer key and serves the real client with it', async () => {
    expect((await get('/api/tags', {})).status).toBe(401);
    expect((await get('/api/tags', { authorization: 'Bearer wrong' })).status).toBe(401);
    const client = new Ollama({ host: cloud.url, headers: auth });
    const answer = await client.chat({ model: 'gpt-oss:120b', messages });
    expect(answer.message.content).toBe(cloud.expectedText({ model: 'gpt-oss:120b', messages }));
  });

  it('lists models as ollama.com does: families null, empty detail strings, a 12-hex digest', async () => {
    const body = (await (await get('/api/tags')).json()) as { models: Loose[] };
    const entry = body.models.find((model) => model.name === 'gpt-oss:120b')!;
    expect(entry.details).toEqual({
      parent_model: '',
      format: '',
      family: '',
      families: null,
      parameter_size: '',
      quantization_level: '',
    });
    expect(entry.digest).toMatch(/^[0-9a-f]{12}$/);
    expect(entry.size).toBeGreaterThan(1e10);
  });

  it('answers /api/balance in the credits shape by default and the windows shape on request', async () => {
    const credits = (await (await get('/api/balance')).json()) as Loose;
    expect(credits.included.balance_usd).toBe(12.5);
    expect(credits.included.allowance_usd).toBe(20);
    expect(Date.parse(credits.included.period.until)).toBeGreaterThan(
      Date.parse(credits.included.period.from),
    );
    expect(credits.purchased).toEqual({ balance_usd: 0 });
    cloud.setAccount({
      balance: 'windows',
      sessionResetsAt: '2026-12-02T03:00:00Z',
      sessionRemainingPercent: 0,
    });
    const windows = (await (await get('/api/balance')).json()) as Loose;
    expect(windows.included.session).toEqual({ remaining_percent: 0, resets_at: '2026-12-02T03:00:00Z' });
    expect(new Date(windows.included.weekly.resets_at).getUTCDay()).toBe(1);
    expect(windows.included.balance_usd).toBeUndefined();
    cloud.setAccount({ balance: 'credits' });
  });

  it('takes account figures through PUT /__fake/account and names bad ones', async () => {
    const put = (body: string) => fetch(`${cloud.url}/__fake/account`, { method: 'PUT', body });
    expect((await put('{"balanceUsd": 0.5}')).status).toBe(200);
    const credits = (await (await get('/api/balance')).json()) as Loose;
    expect(credits.included.balance_usd).toBe(0.5);
    const bad = await put('{"balance": "gold"}');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/balance must be 'credits' or 'windows'/);
    expect((await put('[1]')).status).toBe(400);
    cloud.setAccount({ balanceUsd: 12.5 });
  });

  it('counts answered requests in /api/usage totals and hourly buckets', async () => {
    await chat();
    await chat();
    const body = (await (await get('/api/usage?range=24h')).json()) as Loose;
    expect(body.totals.request_count).toBeGreaterThanOrEqual(2);
    expect(body.buckets).toHaveLength(24);
    const sum = body.buckets.reduce((n: number, b: { request_count: number }) => n + b.request_count, 0);
    expect(sum).toBe(body.totals.request_count);
    expect((await get('/api/usage?range=1y')).status).toBe(400);
  });

  it('answers 429 with Retry-After past 10 usage calls a minute', async () => {
    const limited = await startOllamaFake({ cloud: true, apiKey: key });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 12; i++) {
        const response = await fetch(`${limited.url}${i % 2 ? '/api/usage' : '/api/balance'}`, {
          headers: auth,
        });
        statuses.push(response.status);
        if (response.status === 429) retryAfter = response.headers.get('retry-after');
      }
      expect(statuses.slice(0, 10).every((status) => status === 200)).toBe(true);
      expect(statuses.slice(10)).toEqual([429, 429]);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);
    } finally {
      await limited.close();
    }
  });

  it('has no /api/balance when not playing the cloud, and /api/me is 401 with signin_url there', async () => {
    const local = await startOllamaFake();
    try {
      expect((await fetch(`${local.url}/api/balance`)).status).toBe(404);
      const me = await fetch(`${local.url}/api/me`, { method: 'POST' });
      expect(me.status).toBe(401);
      const body = (await me.json()) as { error: string; signin_url: string };
      expect(body.error).toBe('unauthorized');
      expect(body.signin_url).toMatch(/^https:\/\/ollama\.com\/connect\?/);
    } finally {
      await local.close();
    }
    const me = await fetch(`${cloud.url}/api/me`, { method: 'POST', headers: auth });
    expect(await me.json()).toMatchObject({ name: 'fake-user', plan: 'pro' });
  });
});

describe('cloud fault kinds', () => {
  const expected: Record<string, [number, RegExp]> = {
    concurrency: [429, /^timed out waiting for a concurrent request slot$/],
    session: [429, /^you \(fake-user\) have reached your session usage limit, upgrade for higher limits: /],
    weekly: [429, /weekly usage limit, upgrade .* or add extra usage: .*\(ref: [0-9a-f-]{36}\)$/],
    hourly: [429, /^you've reached your hourly usage limit, please wait or upgrade to continue$/],
    extra_usage: [
      402,
      /^this model uses extra usage only \(not included plan usage\) and your extra usage balance is empty/,
    ],
    subscription: [403, /^this model requires a subscription, upgrade for access$/],
    overloaded: [503, /^Server overloaded, please retry shortly \(ref: [0-9a-f-]{36}\)$/],
  };

  it.each(cloudAnswers.map((answer) => [answer]))(
    'plays the %s answer with its status and text',
    async (answer) => {
      cloud.fault({ kind: 'cloud', answer, times: 1 });
      const response = await chat();
      const [status, text] = expected[answer]!;
      expect(response.status).toBe(status);
      expect(response.headers.get('retry-after')).toBeNull();
      expect(((await response.json()) as { error: string }).error).toMatch(text);
      expect((await chat()).status).toBe(200);
    },
  );

  it('uses the OpenAI error shape on /v1 and rejects a cloud fault without a known answer', async () => {
    cloud.fault({ kind: 'cloud', answer: 'concurrency', path: '/v1/chat/completions' });
    const response = await chat({}, '/v1/chat/completions');
    expect(response.status).toBe(429);
    expect(await response.json()).toMatchObject({
      error: { message: 'timed out waiting for a concurrent request slot', type: 'api_error' },
    });
    expect(() => cloud.fault({ kind: 'cloud', answer: 'monthly' as never })).toThrow(
      /"answer" must be one of/,
    );
    expect(() => cloud.fault({ kind: 'status', answer: 'weekly' })).toThrow(/only applies to kind "cloud"/);
  });

  it('first-chunk-delay sends the headers at once and the first line late', async () => {
    cloud.fault({ kind: 'first-chunk-delay', delayMs: 300, times: 1 });
    const started = Date.now();
    const response = await chat({ stream: true });
    const headersAt = Date.now() - started;
    expect(response.status).toBe(200);
    expect(headersAt).toBeLessThan(250);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);
    expect(new TextDecoder().decode(first.value)).toContain('"done":false');
    await reader.cancel();
  });

  it('echo-auth puts the Authorization value in the error body and in x-echo', async () => {
    cloud.fault({ kind: 'echo-auth', path: '/api/show' });
    const response = await fetch(`${cloud.url}/api/show`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ model: 'gpt-oss:120b' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-echo')).toBe(`Bearer ${key}`);
    expect(((await response.json()) as { error: string }).error).toContain(key);
    cloud.resetFaults();
    cloud.fault({ kind: 'echo-auth', status: 200 });
    const ok = await chat();
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-echo')).toBe(`Bearer ${key}`);
  });
});
