import { Webhook } from 'standardwebhooks';
import { request } from 'undici';
import { checkCallbackUrl } from './callback-url.js';

/** One attempt to deliver a webhook, as recorded on the queue item. */
export interface WebhookDelivery {
  /** 1 for the first attempt. */
  readonly attempt: number;
  /** ISO time of the attempt. */
  readonly at: string;
  /** The receiver's HTTP status, when it answered. */
  readonly status?: number;
  /** Why the attempt failed (connection error, timeout, non-2xx). */
  readonly error?: string;
  /** True when the receiver answered 2xx. */
  readonly ok: boolean;
}

/** A structural logger (pino satisfies it). */
interface Logger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
}

/** Options of {@link createWebhookSender}. */
export interface WebhookSenderOptions {
  /** `server.webhook_secret`: the raw signing key (Standard Webhooks, HMAC-SHA256). */
  readonly secret: string;
  /** Waits before the 2nd, 3rd, … attempt, in ms. @default [1000, 5000, 30000, 120000, 600000] */
  readonly retryDelaysMs?: readonly number[];
  /** Per-attempt time limit, in ms. @default 10000 */
  readonly timeoutMs?: number;
  /** Clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Called after every attempt (the gateway stores the deliveries beside the queue item). */
  readonly record?: (id: string, delivery: WebhookDelivery) => Promise<void> | void;
}

/** Delivers completion webhooks, signed, retried with backoff. */
export interface WebhookSender {
  /**
   * POSTs `payload` (JSON) to `url` with `webhook-id: msg_<id>`, `webhook-timestamp` and
   * `webhook-signature: v1,<base64 HMAC-SHA256>`; retries until a 2xx or the delays run out.
   * Resolves true when delivered. Never throws.
   */
  deliver(id: string, url: string, payload: unknown): Promise<boolean>;
  /** Cancels pending retries (deliveries in progress resolve false). */
  close(): void;
}

const DEFAULT_DELAYS = [1000, 5000, 30_000, 120_000, 600_000];

/** Creates the sender of completion webhooks (`x-graphiti-callback`). */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const signer = new Webhook(options.secret, { format: 'raw' });
  const delays = options.retryDelaysMs ?? DEFAULT_DELAYS;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const stop = new AbortController();

  async function attempt(id: string, url: URL, body: string, number: number): Promise<WebhookDelivery> {
    const at = new Date(now());
    const messageId = `msg_${id}`;
    const headers = {
      'content-type': 'application/json',
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': signer.sign(messageId, at, body),
      'user-agent': 'graphiti-gateway',
    };
    try {
      const answer = await request(url, {
        method: 'POST',
        headers,
        body,
        signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await answer.body.dump();
      const ok = answer.statusCode >= 200 && answer.statusCode < 300;
      return {
        attempt: number,
        at: at.toISOString(),
        status: answer.statusCode,
        ok,
        ...(ok ? {} : { error: `HTTP ${answer.statusCode}` }),
      };
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const text = typeof code === 'string' ? code : error instanceof Error ? error.name : 'error';
      return { attempt: number, at: at.toISOString(), ok: false, error: text };
    }
  }

  function wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      if (stop.signal.aborted) return resolve(false);
      const timer = setTimeout(() => resolve(true), ms);
      timer.unref();
      stop.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          resolve(false);
        },
        { once: true },
      );
    });
  }

  return {
    async deliver(id, target, payload) {
      const checked = checkCallbackUrl(target);
      if (!checked.ok) {
        options.logger?.warn(
          { event: 'webhook_refused', request_id: id, reason: checked.reason },
          checked.reason,
        );
        return false;
      }
      const body = JSON.stringify(payload);
      for (let number = 1; number <= delays.length + 1; number++) {
        if (number > 1 && !(await wait(delays[number - 2] as number))) return false;
        const delivery = await attempt(id, checked.url, body, number);
        await Promise.resolve(options.record?.(id, delivery)).catch(() => {});
        if (delivery.ok) {
          options.logger?.info(
            { event: 'webhook_delivered', request_id: id, attempt: number },
            'webhook_delivered',
          );
          return true;
        }
        options.logger?.warn(
          { event: 'webhook_failed', request_id: id, attempt: number, error: delivery.error },
          'webhook_failed',
        );
      }
      return false;
    },
    close() {
      stop.abort();
    },
  };
}
