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
  /** For `retry` while a cloud cooldown is in force: the item is not tried again before its end. */
  readonly notBefore?: Date;
}

/** Options of {@link processPending}. */
export interface ProcessPendingOptions {
  /** Most items to handle in this run. @default 100 */
  readonly limit?: number;
  /** Items leased per round: the worker holds no more than it works on. @default 1 */
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
 * Replays queued requests through the router: leases due items one at a time (so a worker never holds
 * items it is not working on), acks each answer with its result, nacks availability failures, and fails
 * invalid requests and unknown operations at once. A nacked item is pushed back alone (the queue's
 * per-item backoff, or until the cloud cooldown ends when one is in force), so a failing item never blocks
 * the items behind it; the queue fails an item once it reaches `queue.max_attempts`. Each item is tried at
 * most once per run. Leasing makes it safe to run from several processes against one PostgreSQL queue.
 *
 * ```ts
 * const result = await processPending(storage.queue, router, { limit: 50, onProgress: (p) => bar.update(p.processed) });
 * ```
 */
export async function processPending(
  queue: ReplayQueue,
  router: Pick<Router, 'replay' | 'config'> & Partial<Pick<Router, 'cooldown'>>,
  options: ProcessPendingOptions = {},
): Promise<ProcessPendingResult> {
  const limit = Math.max(0, Math.floor(options.limit ?? 100));
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 1));
  const leaseSeconds = options.leaseSeconds ?? router.config.queue.lease_seconds;
  const maxAttempts = options.maxAttempts ?? router.config.queue.max_attempts;
  const { signal } = options;
  const stopped = (): boolean => signal?.aborted === true;
  const seen = new Set<string>();
  const counts = { processed: 0, succeeded: 0, requeued: 0, failed: 0 };

  const report = (
    item: QueueItem,
    outcome: ReplayProgress['outcome'],
    extra: Partial<ReplayProgress>,
  ): void => {
    counts.processed++;
    options.onProgress?.({
      id: item.id,
      operation: item.operation,
      outcome,
      processed: counts.processed,
      limit,
      ...extra,
    });
  };

  /** When a nacked item may be tried again: the cloud cooldown's end, if one is in force. */
  const deferUntil = async (): Promise<Date | undefined> => {
    const cooldown = await router.cooldown?.().catch(() => undefined);
    return cooldown === undefined || cooldown.until <= Date.now() ? undefined : new Date(cooldown.until);
  };

  async function replayOne(item: QueueItem): Promise<void> {
    // queues that check lease owners hand out a token; older queues take no third argument
    const owner = item.leaseToken === undefined ? undefined : { leaseToken: item.leaseToken };
    if (item.attempts >= maxAttempts) {
      const reason = `Gave up after ${item.attempts} attempts (queue.max_attempts = ${maxAttempts}).`;
      await (owner === undefined ? queue.fail(item.id, reason) : queue.fail(item.id, reason, owner));
      counts.failed++;
      report(item, 'failed', { error: reason });
      return;
    }
    const stopExtending = keepLease(queue, item, leaseSeconds);
    try {
      const result = await router.replay(item, signal === undefined ? undefined : { signal });
      await (owner === undefined ? queue.ack(item.id, result) : queue.ack(item.id, result, owner));
      counts.succeeded++;
      report(item, 'done', { provider: result.provider, model: result.model });
    } catch (error) {
      if (stopped()) return;
      const message = describe(error);
      if (LLMRequestError.isInstance(error)) {
        await (owner === undefined ? queue.fail(item.id, message) : queue.fail(item.id, message, owner));
        counts.failed++;
        report(item, 'failed', { error: message });
        return;
      }
      const notBefore = await deferUntil();
      const nackOptions = { ...owner, ...(notBefore === undefined ? {} : { notBefore }) };
      await (owner === undefined && notBefore === undefined
        ? queue.nack(item.id, message)
        : queue.nack(item.id, message, nackOptions));
      counts.requeued++;
      report(item, 'retry', { error: message, ...(notBefore === undefined ? {} : { notBefore }) });
    } finally {
      stopExtending();
    }
  }

  while (counts.processed < limit && !stopped()) {
    const items = await queue.lease({ count: Math.min(batchSize, limit - counts.processed), leaseSeconds });
    // A queue without per-item backoff hands a nacked item out again at once: the run ends there (the
    // item's lease runs out on its own).
    const fresh = items.filter((item) => !seen.has(item.id));
    if (fresh.length === 0) break;
    for (const item of fresh) {
      seen.add(item.id);
      if (stopped()) break;
      await replayOne(item);
    }
  }
  return counts;
}
