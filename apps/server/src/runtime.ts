import type { LlmConfig } from '@graphiti/llm-config';
import { checkLocal } from '@graphiti/llm-health';
import { openStorage, type Storage } from '@graphiti/llm-queue';
import { createQuotaTracker, type QuotaTracker } from '@graphiti/llm-quota';
import { createRouter, type Logger, type Router } from '@graphiti/llm-router';

/** Everything an app needs to serve requests: one storage, one quota tracker, one router over them. */
export interface Runtime {
  readonly config: LlmConfig;
  readonly storage: Storage;
  readonly quota: QuotaTracker;
  readonly router: Router;
  /** Closes the router's connections, then the storage. Safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link openRuntime}. */
export interface RuntimeOptions {
  /** The validated configuration (`loadConfig()`). */
  readonly config: LlmConfig;
  /** Receives every event of the router, the quota tracker and the storage. */
  readonly logger?: Logger;
  /** Clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Passed to `createRouter({ onEvent })`: the router's structured events (attempts, failovers, cooldowns). */
  readonly onEvent?: (event: unknown) => void;
}

/**
 * `local.auto_start = true`: when the local server does not answer, spawn `ollama serve` and wait for it,
 * so that the first failover finds it up. A failure is logged with what to do, never thrown: the cloud
 * may still serve, and the queue keeps what neither can.
 */
async function autoStartLocal(config: LlmConfig, logger: Logger | undefined): Promise<void> {
  const health = await checkLocal({
    endpoint: config.local.endpoint,
    timeouts: { connect: config.timeouts.local.connect, read: config.timeouts.local.read },
    autoStart: true,
  });
  if (health.autoStarted === true) {
    logger?.info(
      { event: 'local_auto_started', endpoint: health.endpoint, version: health.version },
      'local_auto_started',
    );
  } else if (health.status === 'down') {
    logger?.warn(
      { event: 'local_auto_start_failed', endpoint: health.endpoint, message: health.message },
      'local_auto_start_failed',
    );
  }
}

/**
 * Composes the packages the way both apps use them: the storage named by `storage.url` holds the queue
 * (the router's FailedRequestSink and the replay queue) and the state store (the persisted cooldown and
 * the quota counters), so every process on the same storage shares them.
 */
export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { config, logger, now, onEvent } = options;
  if (config.local.auto_start) await autoStartLocal(config, logger);
  const storage = await openStorage(config.storage.url, {
    maxSize: config.queue.max_size,
    ttlHours: config.queue.ttl_hours,
    maxAttempts: config.queue.max_attempts,
    sqliteSynchronous: config.storage.sqlite_synchronous,
    ...(logger ? { logger } : {}),
    ...(now ? { now } : {}),
  });
  const quota = createQuotaTracker({
    warningThreshold: config.quota.warning_threshold,
    dailyRequestLimit: config.quota.daily_request_limit,
    stateStore: storage.state,
    ...(logger ? { logger } : {}),
    ...(now ? { now } : {}),
  });
  const router = createRouter({
    config,
    stateStore: storage.state,
    failedRequests: storage.queue,
    quota,
    ...(logger ? { logger } : {}),
    ...(now ? { now } : {}),
    ...(onEvent ? { onEvent } : {}),
  });
  let closed = false;
  return {
    config,
    storage,
    quota,
    router,
    async close() {
      if (closed) return;
      closed = true;
      await router.close();
      await storage.close();
    },
  };
}
