import type { Router } from './create-router.js';
import { LLMRequestError } from './errors.js';
import type { QueueItem, ReplayQueue } from './types.js';

/** One replayed item, as reported to `onProgress`. */
export interface ReplayProgress {
  readonly id: string;
  readonly operation: string;
  /** `done`: answered and acked; `retry`: nacked for a later run; `failed`: given up. */
  readonly outcome: 'done' | 'retry' | 'failed';
  /** Items handled so far in this run, this one included. */
  readonly processed: number;
  /** The run's limit. */
  readonly limit: number;
  /** Who answered, for `done`. */
  readonly provider?: string;
  readonly model?: string;
  /** Why, for `retry` and `failed`. */
  readonly error?: string;
}

/** Options of {@link processPending}. */
export interface ProcessPendingOptions {
  /** Most items to handle in this run. @default 100 */
  readonly limit?: number;
  /** Items leased per round. @default 10 */
  readonly batchSize?: number;
  /** How long a leased item stays invisible to other workers, in seconds; extended while an item is replayed
   * when the queue can (`extend`). @default router.config.queue.lease_seconds (else 600) */
  readonly leaseSeconds?: number;
  /** Items that already had this many attempts are failed without a replay. @default router.config.queue.max_attempts */
  readonly maxAttempts?: number;
  /** Called after each item. */
  readonly onProgress?: (progress: ReplayProgress) => void;
  /** Stops the run; an item being replayed is left leased and becomes ready again when its lease ends. */
  readonly signal?: AbortSignal;
}

/** What a run did. */
export interface ProcessPendingResult {
  readonly processed: number;
  readonly succeeded: number;
  readonly requeued: number;
  readonly failed: number;
}

/** Extends an item's lease at half its length while it is replayed (queues with `extend` and lease tokens). */
function keepLease(queue: ReplayQueue, item: QueueItem, leaseSeconds: number): () => void {
  const { extend } = queue;
  const token = item.leaseToken;
  if (extend === undefined || token === undefined) return () => {};
  const timer = setInterval(
    () => {
      extend.call(queue, item.id, token, leaseSeconds).catch(() => {});
    },
    Math.max(1000, (leaseSeconds * 1000) / 2),
  );
  timer.unref?.();
  return () => clearInterval(timer);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Replays queued requests through the router: leases ready items, acks each answer with its result,
 * nacks availability failures (the queue fails an item once it reaches `queue.max_attempts`), and fails
 * invalid requests and unknown operations at once. Each item is tried at most once per run: the run ends
 * after a batch in which an item had to be put back (the providers are still down). Leasing makes it safe to run from several processes
 * against one PostgreSQL queue: each item is replayed by one worker at a time.
 *
 * ```ts
 * const result = await processPending(storage.queue, router, { limit: 50, onProgress: (p) => bar.update(p.processed) });
 * ```
 */
export async function processPending(
  queue: ReplayQueue,
  router: Pick<Router, 'replay' | 'config'>,
  options: ProcessPendingOptions = {},
): Promise<ProcessPendingResult> {
  const limit = Math.max(0, Math.floor(options.limit ?? 100));
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 10));
  const leaseSeconds =
    options.leaseSeconds ?? (router.config.queue as { lease_seconds?: number }).lease_seconds ?? 600;
  const maxAttempts = options.maxAttempts ?? router.config.queue.max_attempts;
  const { signal } = options;
  const stopped = (): boolean => signal?.aborted === true;
  let processed = 0;
  let succeeded = 0;
  let requeued = 0;
  let failed = 0;

  const report = (
    item: QueueItem,
    outcome: ReplayProgress['outcome'],
    extra: Partial<ReplayProgress>,
  ): void => {
    processed++;
    options.onProgress?.({ id: item.id, operation: item.operation, outcome, processed, limit, ...extra });
  };

  // A nacked item is ready again at once: the run ends after the batch in which one was nacked, so each
  // item is tried at most once per run, and a run against down providers ends quickly.
  let requeuedBefore = 0;
  while (processed < limit && !stopped() && requeued === requeuedBefore) {
    requeuedBefore = requeued;
    const items = await queue.lease({ count: Math.min(batchSize, limit - processed), leaseSeconds });
    if (items.length === 0) break;
    for (const item of items) {
      if (stopped()) break;
      // queues that check lease owners hand out a token; older queues take no third argument
      const owner = item.leaseToken === undefined ? undefined : { leaseToken: item.leaseToken };
      if (item.attempts >= maxAttempts) {
        const reason = `Gave up after ${item.attempts} attempts (queue.max_attempts = ${maxAttempts}).`;
        await (owner === undefined ? queue.fail(item.id, reason) : queue.fail(item.id, reason, owner));
        failed++;
        report(item, 'failed', { error: reason });
        continue;
      }
      const stopExtending = keepLease(queue, item, leaseSeconds);
      try {
        const result = await router.replay(item, signal === undefined ? undefined : { signal });
        await (owner === undefined ? queue.ack(item.id, result) : queue.ack(item.id, result, owner));
        succeeded++;
        report(item, 'done', { provider: result.provider, model: result.model });
      } catch (error) {
        if (stopped()) break;
        const message = describe(error);
        if (LLMRequestError.isInstance(error)) {
          await (owner === undefined ? queue.fail(item.id, message) : queue.fail(item.id, message, owner));
          failed++;
          report(item, 'failed', { error: message });
        } else {
          await (owner === undefined ? queue.nack(item.id, message) : queue.nack(item.id, message, owner));
          requeued++;
          report(item, 'retry', { error: message });
        }
      } finally {
        stopExtending();
      }
    }
  }
  return { processed, succeeded, requeued, failed };
}
