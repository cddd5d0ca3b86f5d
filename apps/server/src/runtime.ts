import type { LlmConfig } from '@graphiti/llm-config';
import { checkLocal } from '@graphiti/llm-health';
import { openStorage, type Storage } from '@graphiti/llm-queue';
import { createQuotaTracker, type QuotaTracker } from '@graphiti/llm-quota';
import type { RouterEvent } from '@graphiti/llm-router';
import { createRouter, type Logger, type Router, type RouterOptions } from '@graphiti/llm-router';

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
  /**
   * When the storage cannot be opened: false throws (as before); true opens the runtime anyway with a
   * stand-in storage that opens when it can (nothing can be queued meanwhile). @default false
   */
  readonly deferStorage?: boolean;
  /** Receives the router's typed events (metrics); given to `createRouter` as `onEvent`. */
  readonly onEvent?: (event: RouterEvent) => void;
  /**
   * Poll the cloud's own usage figures (`/api/balance`, else `/api/usage`) every `quota.poll_seconds` while the
   * runtime is open (needs `cloud.api_key`); long-lived processes (the gateway, `graphiti quota`) want it.
   * @default false
   */
  readonly pollCloudUsage?: boolean;
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
  const { config, logger, now } = options;
  if (config.local.auto_start) await autoStartLocal(config, logger);
  // A storage that cannot be opened now does not stop the runtime: requests are served, nothing can be
  // queued (and readiness says so) until it opens.
  const storageOptions = {
    maxSize: config.queue.max_size,
    ttlHours: config.queue.ttl_hours,
    maxAttempts: config.queue.max_attempts,
    sqliteSynchronous: config.storage.sqlite_synchronous,
    ...(logger ? { logger } : {}),
    ...(now ? { now } : {}),
  };
  // lazy: the queue package opens the storage when it can (every call throws STORAGE_UNREACHABLE until then)
  const storage = await openStorage(config.storage.url, {
    ...storageOptions,
    ...(options.deferStorage === true ? { lazy: true } : {}),
  });
  const quota = createQuotaTracker({
    warningThreshold: config.quota.warning_threshold,
    dailyRequestLimit: config.quota.daily_request_limit,
    stateStore: storage.state,
    ...(config.cloud.api_key === undefined ? {} : { apiKey: config.cloud.api_key }),
    ...(options.pollCloudUsage === true
      ? { usagePolling: { endpoint: config.cloud.endpoint, intervalSeconds: config.quota.poll_seconds } }
      : {}),
    ...(logger ? { logger } : {}),
    ...(now ? { now } : {}),
  });
  const routerOptions: RouterOptions = {
    config,
    stateStore: storage.state,
    failedRequests: storage.queue,
    quota,
    // a usage-window 429 cools the cloud until the reset the cloud's own figures name
    usageResetAt: (window) => quota.cloudResetAt(window),
    ...(logger ? { logger } : {}),
    ...(now ? { now } : {}),
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
  const router = createRouter(routerOptions);
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
      // counts are flushed in the background: write what is pending before the storage goes
      await quota.close();
      await storage.close();
    },
  };
}
