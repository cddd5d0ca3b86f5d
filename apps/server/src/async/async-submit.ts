import type { Operation } from '@graphiti/llm-router';
import { checkCallbackUrl } from './callback-url.js';

/** How an asynchronously submitted request is answered: which protocol, and where its webhook goes. */
export interface AsyncRecord {
  /** The route the request came in on (`/api/chat`, `/v1/chat/completions`, ...): the answer's protocol. */
  readonly route: string;
  /** The body as the client sent it (the protocol's own shape), for translating the answer back. */
  readonly request: Readonly<Record<string, unknown>>;
  /** Where the completion webhook goes, if anywhere. */
  readonly callback?: string;
  /** ISO time of submission. */
  readonly submittedAt: string;
}

/** The state-store key of an item's async record. */
export function asyncRecordKey(id: string): string {
  return `async_request:${id}`;
}

/** The state-store key of an item's webhook deliveries. */
export function deliveriesKey(id: string): string {
  return `webhook_deliveries:${id}`;
}

/** What the handler needs to accept an async submission. */
export interface AsyncSubmission {
  readonly operation: Operation;
  /** The native request the queue replays (no `stream`). */
  readonly params: Readonly<Record<string, unknown>>;
  readonly route: string;
  readonly request: Readonly<Record<string, unknown>>;
  readonly callback: string | undefined;
  readonly idempotencyKey: string | undefined;
}

/** A refused submission: the status and the message to send. */
export class AsyncSubmitError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'AsyncSubmitError';
  }
}

/** The storage side an async submission uses (`runtime.storage` satisfies it). */
export interface AsyncStorage {
  readonly queue: {
    put(
      operation: string,
      params: unknown,
      options?: { idempotencyKey?: string; lastError?: string },
    ): Promise<string>;
  };
  readonly state: {
    set(key: string, value: unknown, options?: { ttlSeconds?: number }): Promise<void>;
  };
}

/**
 * Queues a request submitted with `Prefer: respond-async` and records how to answer it. The callback, when
 * given, must be https or loopback, and needs `server.webhook_secret` to sign the webhook. Returns the id.
 */
export async function submitAsync(
  storage: AsyncStorage,
  submission: AsyncSubmission,
  options: {
    readonly webhookSecret: string | undefined;
    readonly ttlSeconds: number;
    readonly now?: () => number;
  },
): Promise<string> {
  if (submission.callback !== undefined) {
    const checked = checkCallbackUrl(submission.callback);
    if (!checked.ok) throw new AsyncSubmitError(400, checked.reason);
    if (options.webhookSecret === undefined || options.webhookSecret === '') {
      throw new AsyncSubmitError(
        400,
        'x-graphiti-callback needs a signing secret: set server.webhook_secret or GRAPHITI_WEBHOOK_SECRET',
      );
    }
  }
  const id = await storage.queue.put(submission.operation, submission.params, {
    ...(submission.idempotencyKey === undefined ? {} : { idempotencyKey: submission.idempotencyKey }),
    lastError: 'submitted with Prefer: respond-async',
  });
  const record: AsyncRecord = {
    route: submission.route,
    request: submission.request,
    ...(submission.callback === undefined ? {} : { callback: submission.callback }),
    submittedAt: new Date((options.now ?? Date.now)()).toISOString(),
  };
  await storage.state.set(asyncRecordKey(id), record, { ttlSeconds: options.ttlSeconds });
  return id;
}
