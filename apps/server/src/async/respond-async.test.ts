import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CLOUD_KEY,
  CLOUD_MODEL,
  type Fixture,
  LOCAL_MODEL,
  postJson,
  replayNow,
  startFixture,
} from '../__fixtures__/gateway-fixture.js';

const SECRET = 'whsec-async-test-0123456789';
const messages = [{ role: 'user', content: 'answer me later' }];
const ASYNC = { prefer: 'respond-async' };

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let fixture: Fixture;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  fixture = await startFixture({
    overrides: { server: { webhook_secret: SECRET } },
    gateway: { webhookRetryDelaysMs: [20, 20] },
  });
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.statusCode = 204;
      response.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/done`;
});
afterAll(async () => {
  await fixture.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});
afterEach(async () => {
  fixture.cloud.reset();
  fixture.local.reset();
  await fixture.local.start().catch(() => {});
  received.length = 0;
});

interface QueueView {
  readonly status: string;
  readonly route?: string;
  readonly provider?: string;
  readonly answer?: Record<string, unknown>;
  readonly deliveries?: { attempt: number; status?: number; ok: boolean }[];
}

async function settled(location: string): Promise<QueueView> {
  let view: QueueView | undefined;
  await vi.waitFor(
    async () => {
      view = (await (await fixture.fetch(location)).json()) as QueueView;
      expect(['done', 'failed']).toContain(view.status);
    },
    { timeout: 15_000, interval: 50 },
  );
  return view as QueueView;
}

describe('Prefer: respond-async', () => {
  it('answers 202 with Location at once, then the answer in Ollama shape at that location', async () => {
    const response = await postJson(
      fixture,
      '/api/chat',
      { model: CLOUD_MODEL, messages, stream: false },
      ASYNC,
    );
    expect(response.status).toBe(202);
    expect(response.headers.get('preference-applied')).toBe('respond-async');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await response.json()) as { id: string; location: string };
    expect(response.headers.get('location')).toBe(`/graphiti/queue/${body.id}`);
    const view = await settled(body.location);
    expect(view).toMatchObject({ status: 'done', route: '/api/chat', provider: 'cloud' });
    expect(view.answer).toMatchObject({ done: true, message: { role: 'assistant' } });
    expect((view.answer?.message as { content?: string } | undefined)?.content).toBe(
      fixture.cloud.expectedText({ model: CLOUD_MODEL, messages }),
    );
    expect(view.answer).not.toHaveProperty('provider');
  });

  it('keeps the request while both providers are down and answers it when one is back', async () => {
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    await fixture.local.stop();
    const response = await postJson(fixture, '/api/chat', { model: CLOUD_MODEL, messages }, ASYNC);
    expect(response.status).toBe(202);
    const { location } = (await response.json()) as { location: string };
    await vi.waitFor(async () => {
      const status = (await (await fixture.fetch('/graphiti/queue?limit=1')).json()) as {
        replay: { runs: number; running: boolean };
      };
      expect(status.replay.runs).toBeGreaterThan(0);
      expect(status.replay.running).toBe(false);
    });
    expect(((await (await fixture.fetch(location)).json()) as QueueView).status).toBe('ready');
    await fixture.local.start();
    await replayNow(fixture);
    const view = await settled(location);
    expect(view).toMatchObject({ status: 'done', provider: 'local' });
    expect((view.answer?.message as { content?: string } | undefined)?.content).toBe(
      fixture.local.expectedText({ model: LOCAL_MODEL, messages }),
    );
  });

  it('answers /v1/chat/completions as a chat.completion, and /v1/messages as an Anthropic message', async () => {
    const openai = await postJson(fixture, '/v1/chat/completions', { model: CLOUD_MODEL, messages }, ASYNC);
    expect(openai.status).toBe(202);
    const openaiView = await settled(((await openai.json()) as { location: string }).location);
    expect(openaiView.answer).toMatchObject({ object: 'chat.completion', choices: [{ index: 0 }] });

    const anthropic = await postJson(
      fixture,
      '/v1/messages',
      { model: CLOUD_MODEL, max_tokens: 64, messages },
      ASYNC,
    );
    expect(anthropic.status).toBe(202);
    const anthropicView = await settled(((await anthropic.json()) as { location: string }).location);
    expect(anthropicView.answer).toMatchObject({ type: 'message', role: 'assistant' });
  });

  it('POSTs the result to x-graphiti-callback, signed with server.webhook_secret, and records the delivery', async () => {
    const response = await postJson(
      fixture,
      '/api/generate',
      { model: CLOUD_MODEL, prompt: 'later' },
      { ...ASYNC, 'x-graphiti-callback': receiverUrl },
    );
    expect(response.status).toBe(202);
    const { id, location } = (await response.json()) as { id: string; location: string };
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 15_000 });
    const [hook] = received as [Received];
    const payload = new Webhook(SECRET, { format: 'raw' }).verify(hook.body, {
      'webhook-id': String(hook.headers['webhook-id']),
      'webhook-timestamp': String(hook.headers['webhook-timestamp']),
      'webhook-signature': String(hook.headers['webhook-signature']),
    }) as { id: string; status: string; answer: { response: string } };
    expect(payload).toMatchObject({ id, status: 'done' });
    expect(payload.answer.response).toBe(fixture.cloud.expectedText({ model: CLOUD_MODEL, prompt: 'later' }));
    expect(hook.body).not.toContain(CLOUD_KEY);
    await vi.waitFor(async () => {
      const view = (await (await fixture.fetch(location)).json()) as QueueView;
      expect(view.deliveries).toEqual([expect.objectContaining({ attempt: 1, status: 204, ok: true })]);
    });
  });

  it('refuses a callback that is neither https nor loopback, and queues nothing', async () => {
    const before = ((await (await fixture.fetch('/graphiti/queue')).json()) as { stats: { pending: number } })
      .stats.pending;
    const response = await postJson(
      fixture,
      '/api/chat',
      { model: CLOUD_MODEL, messages },
      { ...ASYNC, 'x-graphiti-callback': 'http://10.0.0.7/hook' },
    );
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/https URL or http on a loopback/);
    const after = ((await (await fixture.fetch('/graphiti/queue')).json()) as { stats: { pending: number } })
      .stats.pending;
    expect(after).toBe(before);
  });

  it('validates the body before queueing: a wrong field type is a 400, never queued', async () => {
    const response = await postJson(fixture, '/api/chat', { model: CLOUD_MODEL, messages: 'nope' }, ASYNC);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toContain('messages');
  });

  it('answers 422 when an Idempotency-Key comes back with a different body', async () => {
    const headers = { ...ASYNC, 'idempotency-key': 'async-key-1' };
    const first = await postJson(fixture, '/api/chat', { model: CLOUD_MODEL, messages }, headers);
    expect(first.status).toBe(202);
    const again = await postJson(fixture, '/api/chat', { model: CLOUD_MODEL, messages }, headers);
    expect(again.status).toBe(202);
    expect(((await again.json()) as { id: string }).id).toBe(((await first.json()) as { id: string }).id);
    const other = await postJson(
      fixture,
      '/api/chat',
      { model: CLOUD_MODEL, messages: [{ role: 'user', content: 'something else' }] },
      headers,
    );
    expect(other.status).toBe(422);
  });
});
