import type { ProcessPendingResult, ReplayProgress, Router } from '@graphiti/llm-router';
import { processPending } from '@graphiti/llm-router';
import { asyncAnswer } from './async/async-answer.js';
import { type AsyncRecord, asyncRecordKey, deliveriesKey } from './async/async-submit.js';
import { createReplayScheduler, type ReplayScheduler } from './async/replay-scheduler.js';
import { createWebhookSender, type WebhookDelivery, type WebhookSender } from './async/webhook-sender.js';
import type { ReplayStatus } from './exchange.js';
import type { GatewayMetrics } from './metrics.js';
import type { Runtime } from './runtime.js';

/** A structural logger (pino satisfies it). */
interface Logger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
}

/** Options of {@link createReplayWorker}. */
export interface ReplayWorkerOptions {
  readonly runtime: Runtime;
  readonly metrics: GatewayMetrics;
  readonly logger?: Logger;
  /** The longest wait between background runs, in ms; 0: only runs asked for (poke, retry). */
  readonly intervalMs: number;
  /** Waits before webhook retries, in ms (tests shorten them). */
  readonly webhookRetryDelaysMs?: readonly number[];
}

/** The gateway's background replay: one run at a time, woken when an item is due, webhooks when done. */
export interface ReplayWorker {
  /** One run, after any run in progress. */
  runOnce(): Promise<ProcessPendingResult>;
  /** A run as soon as possible, in the background. */
  poke(): void;
  /** What the last or current run did. */
  status(): ReplayStatus;
  /** Whether a run is in progress (its promise, for a bounded shutdown). */
  readonly current: Promise<unknown> | undefined;
  /** Stops scheduling and webhook retries, and waits for the run in progress. */
  stop(): Promise<void>;
}

/** Creates the replay worker the gateway runs (see {@link ReplayWorker}). */
export function createReplayWorker(options: ReplayWorkerOptions): ReplayWorker {
  const { runtime, metrics, logger } = options;
  const stop = new AbortController();
  const secret = runtime.config.server.webhook_secret;
  const webhooks: WebhookSender | undefined =
    secret === undefined || secret === ''
      ? undefined
      : createWebhookSender({
          secret,
          ...(options.webhookRetryDelaysMs ? { retryDelaysMs: options.webhookRetryDelaysMs } : {}),
          ...(logger ? { logger } : {}),
          record: (id, delivery) => recordDelivery(id, delivery),
        });
  const deliveries = new Set<Promise<unknown>>();
  let current: Promise<ProcessPendingResult> | undefined;
  let runs = 0;
  let state: ReplayStatus = { running: false, runs, processed: 0, succeeded: 0, requeued: 0, failed: 0 };

  async function recordDelivery(id: string, delivery: WebhookDelivery): Promise<void> {
    const key = deliveriesKey(id);
    const list = ((await runtime.storage.state.get<WebhookDelivery[]>(key)) ?? []).concat(delivery);
    await runtime.storage.state.set(key, list, {
      ttlSeconds: Math.ceil(runtime.config.queue.ttl_hours * 3600),
    });
  }

  /** After an item settled: its webhook, when it was submitted asynchronously with a callback. */
  async function settle(progress: ReplayProgress): Promise<void> {
    if (webhooks === undefined || progress.outcome === 'retry') return;
    const record = await runtime.storage.state.get<AsyncRecord>(asyncRecordKey(progress.id));
    if (record?.callback === undefined) return;
    const item = await runtime.storage.queue.get(progress.id);
    const payload =
      progress.outcome === 'done'
        ? {
            id: progress.id,
            status: 'done',
            provider: progress.provider,
            model: progress.model,
            answer: asyncAnswer(record, progress.id, item?.result),
          }
        : { id: progress.id, status: 'failed', error: progress.error };
    await webhooks.deliver(progress.id, record.callback, payload);
  }

  async function run(): Promise<ProcessPendingResult> {
    state = {
      running: true,
      runs,
      startedAt: new Date().toISOString(),
      processed: 0,
      succeeded: 0,
      requeued: 0,
      failed: 0,
    };
    try {
      const result = await processPending(runtime.storage.queue, runtime.router as Router, {
        signal: stop.signal,
        onProgress: (progress) => {
          metrics.recordReplay(progress.outcome);
          state = {
            ...state,
            processed: progress.processed,
            succeeded: state.succeeded + (progress.outcome === 'done' ? 1 : 0),
            requeued: state.requeued + (progress.outcome === 'retry' ? 1 : 0),
            failed: state.failed + (progress.outcome === 'failed' ? 1 : 0),
          };
          const delivery = settle(progress).catch((error: unknown) =>
            logger?.warn(
              { event: 'webhook_failed', request_id: progress.id, error: String(error) },
              'webhook_failed',
            ),
          );
          deliveries.add(delivery);
          void delivery.finally(() => deliveries.delete(delivery));
        },
      });
      runs++;
      state = { ...state, ...result, runs, running: false, finishedAt: new Date().toISOString() };
      if (result.processed > 0) logger?.info({ event: 'queue_replayed', ...result }, 'queue_replayed');
      return result;
    } catch (error) {
      runs++;
      state = { ...state, runs, running: false, finishedAt: new Date().toISOString(), error: String(error) };
      throw error;
    }
  }

  async function runOnce(): Promise<ProcessPendingResult> {
    while (current !== undefined) await current.catch(() => {});
    const started = run();
    current = started;
    try {
      return await started;
    } finally {
      if (current === started) current = undefined;
    }
  }

  const onError = (error: unknown): void =>
    logger?.warn({ event: 'queue_replay_failed', error: String(error) }, 'queue_replay_failed');
  const queue = runtime.storage.queue;
  const scheduler: ReplayScheduler = createReplayScheduler({
    run: runOnce,
    nextDueAt: () => queue.nextDueAt(),
    // without a period, only asked-for runs: a very long sleep stands for "never"
    intervalMs: options.intervalMs > 0 ? options.intervalMs : 2 ** 31 - 1,
    onError,
  });
  if (options.intervalMs <= 0) scheduler.stop();

  return {
    runOnce,
    poke() {
      if (options.intervalMs > 0) scheduler.poke();
      else void runOnce().catch(onError);
    },
    status: () => state,
    get current() {
      return current;
    },
    async stop() {
      scheduler.stop();
      stop.abort();
      webhooks?.close();
      await current?.catch(() => {});
      await Promise.allSettled([...deliveries]);
    },
  };
}
