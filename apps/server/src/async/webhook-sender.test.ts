import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { checkCallbackUrl } from './callback-url.js';
import { createWebhookSender, type WebhookDelivery } from './webhook-sender.js';

const SECRET = 'whsec-test-secret-0123456789';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A real loopback receiver answering the given statuses in turn (the last one repeats). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.statusCode = statuses[Math.min(received.length - 1, statuses.length - 1)] as number;
      response.end();
    });
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

describe('createWebhookSender', () => {
  it('delivers a Standard Webhooks POST whose signature verifies with the secret', async () => {
    const { url, received } = await receiver([204]);
    const sender = createWebhookSender({ secret: SECRET });
    const payload = { id: 'q1', status: 'done', result: { message: { content: 'hi' } } };
    expect(await sender.deliver('q1', url, payload)).toBe(true);
    expect(received).toHaveLength(1);
    const [first] = received as [Received];
    expect(first.headers['webhook-id']).toBe('msg_q1');
    expect(first.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/=]+$/);
    const verified = new Webhook(SECRET, { format: 'raw' }).verify(first.body, {
      'webhook-id': String(first.headers['webhook-id']),
      'webhook-timestamp': String(first.headers['webhook-timestamp']),
      'webhook-signature': String(first.headers['webhook-signature']),
    });
    expect(verified).toEqual(payload);
    expect(() =>
      new Webhook('another-secret', { format: 'raw' }).verify(first.body, {
        'webhook-id': String(first.headers['webhook-id']),
        'webhook-timestamp': String(first.headers['webhook-timestamp']),
        'webhook-signature': String(first.headers['webhook-signature']),
      }),
    ).toThrow();
  });

  it('retries with backoff until a 2xx and records every attempt', async () => {
    const { url, received } = await receiver([500, 503, 200]);
    const deliveries: WebhookDelivery[] = [];
    const sender = createWebhookSender({
      secret: SECRET,
      retryDelaysMs: [20, 20, 20],
      record: (_id, delivery) => {
        deliveries.push(delivery);
      },
    });
    expect(await sender.deliver('q2', url, { ok: true })).toBe(true);
    expect(received).toHaveLength(3);
    expect(deliveries.map((delivery) => [delivery.attempt, delivery.status, delivery.ok])).toEqual([
      [1, 500, false],
      [2, 503, false],
      [3, 200, true],
    ]);
    // every retry is the same message (same id) with a fresh signature over the same body
    expect(new Set(received.map((entry) => entry.headers['webhook-id']))).toEqual(new Set(['msg_q2']));
  });

  it('gives up after the last delay and reports false', async () => {
    const { url, received } = await receiver([500]);
    const sender = createWebhookSender({ secret: SECRET, retryDelaysMs: [10] });
    expect(await sender.deliver('q3', url, {})).toBe(false);
    expect(received).toHaveLength(2);
  });

  it('records a connection failure without throwing', async () => {
    const deliveries: WebhookDelivery[] = [];
    const sender = createWebhookSender({
      secret: SECRET,
      retryDelaysMs: [],
      record: (_id, delivery) => {
        deliveries.push(delivery);
      },
    });
    expect(await sender.deliver('q4', 'http://127.0.0.1:9/hook', {})).toBe(false);
    expect(deliveries).toEqual([expect.objectContaining({ attempt: 1, ok: false, error: 'ECONNREFUSED' })]);
  });

  it('never contacts an address that is neither https nor loopback', async () => {
    const deliveries: WebhookDelivery[] = [];
    const sender = createWebhookSender({
      secret: SECRET,
      record: (_id, delivery) => void deliveries.push(delivery),
    });
    expect(await sender.deliver('q5', 'http://10.1.2.3/hook', {})).toBe(false);
    expect(deliveries).toEqual([]);
  });

  it('close() cancels a pending retry', async () => {
    const { url, received } = await receiver([500]);
    const sender = createWebhookSender({ secret: SECRET, retryDelaysMs: [60_000] });
    const delivered = sender.deliver('q6', url, {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    sender.close();
    expect(await delivered).toBe(false);
    expect(received).toHaveLength(1);
  });
});

describe('checkCallbackUrl', () => {
  it.each([
    ['https://hooks.example.com/x', true],
    ['http://127.0.0.1:8080/x', true],
    ['http://127.9.9.9/x', true],
    ['http://localhost:3000/x', true],
    ['http://[::1]:3000/x', true],
    ['http://example.com/x', false],
    ['http://192.168.1.5/x', false],
    ['http://10.0.0.1/x', false],
    ['ftp://127.0.0.1/x', false],
    ['file:///etc/passwd', false],
    ['https://user:pw@hooks.example.com/x', false],
    ['not a url', false],
  ])('%s -> %s', (url, ok) => {
    expect(checkCallbackUrl(url).ok).toBe(ok);
  });
});
