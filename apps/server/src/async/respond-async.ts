import type { Operation } from '@graphiti/llm-router';
import type { Exchange, GatewayContext } from '../exchange.js';
import { GatewayError } from '../gateway-error.js';
import { sendJson } from '../http-utils.js';
import { AsyncSubmitError, submitAsync } from './async-submit.js';

function header(exchange: Exchange, name: string): string | undefined {
  const value = exchange.request.headers[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Answers a request sent with `Prefer: respond-async`: queues it (durably: the 202 goes out only after the
 * row is written), answers `202 Accepted` with `Location: /graphiti/queue/<id>` and `Retry-After`, and wakes
 * the background replay, which answers it as soon as a provider can (and POSTs the result to
 * `x-graphiti-callback` when one was given).
 */
export async function respondAsync(
  exchange: Exchange,
  context: GatewayContext,
  submission: {
    readonly operation: Operation;
    readonly params: Readonly<Record<string, unknown>>;
    readonly request: Readonly<Record<string, unknown>>;
  },
): Promise<void> {
  const { stream: _stream, ...params } = submission.params;
  let id: string;
  try {
    id = await submitAsync(
      context.runtime.storage,
      {
        operation: submission.operation,
        params,
        route: exchange.url.pathname,
        request: submission.request,
        callback: header(exchange, 'x-graphiti-callback'),
        idempotencyKey: header(exchange, 'idempotency-key'),
      },
      {
        webhookSecret: context.config.server.webhook_secret,
        ttlSeconds: Math.ceil(context.config.queue.ttl_hours * 3600),
      },
    );
  } catch (error) {
    if (error instanceof AsyncSubmitError) {
      throw new GatewayError('BAD_REQUEST', error.message, { status: error.status });
    }
    throw error;
  }
  const location = `/graphiti/queue/${encodeURIComponent(id)}`;
  context.pokeReplay?.();
  sendJson(
    exchange.response,
    202,
    { id, status: 'queued', location },
    {
      location,
      // a poll hint: the replay starts at once, and most answers take seconds
      'retry-after': '1',
      'preference-applied': 'respond-async',
    },
  );
}
