import { checkCloud, checkLocal, fallbackChain } from '@graphiti/llm-health';
import { type QueueStatus, queueStatuses } from '@graphiti/llm-queue';
import { asyncAnswer } from './async/async-answer.js';
import { type AsyncRecord, asyncRecordKey, deliveriesKey } from './async/async-submit.js';
import type { WebhookDelivery } from './async/webhook-sender.js';
import type { GatewayContext, Handler } from './exchange.js';
import { GatewayError } from './gateway-error.js';
import { sendJson, sendText } from './http-utils.js';

/** One dependency's readiness. */
export interface ReadinessCheck {
  /** Whether it can be used right now. */
  readonly ok: boolean;
  /** `up`, `down`, `degraded`, `unconfigured`, `unauthorized`, `cooldown`. */
  readonly status: string;
  readonly message: string;
}

/** What `GET /readyz` answers. */
export interface Readiness {
  /** Storage reachable and at least one provider usable. */
  readonly ready: boolean;
  readonly checks: {
    readonly storage: ReadinessCheck;
    readonly cloud: ReadinessCheck;
    readonly local: ReadinessCheck;
  };
  /** Why the gateway is not ready (empty when ready). */
  readonly reasons: readonly string[];
}

/** Checks the storage and both providers (the checks run in parallel and never throw). */
export async function checkReadiness(context: GatewayContext): Promise<Readiness> {
  const { config, runtime } = context;
  const storageCheck = async (): Promise<ReadinessCheck> => {
    const probe = await runtime.storage.probe().catch((error: unknown) => ({
      writable: false,
      error: error instanceof Error ? error.message : String(error),
    }));
    return probe.writable
      ? { ok: true, status: 'up', message: `storage ${runtime.storage.url} is writable` }
      : {
          ok: false,
          status: 'down',
          message: `storage ${runtime.storage.url} is not writable: nothing can be queued (${context.scrub?.(probe.error ?? '') ?? probe.error})`,
        };
  };
  const localCheck = async (): Promise<ReadinessCheck> => {
    const health = await checkLocal({
      endpoint: config.local.endpoint,
      timeouts: { connect: config.timeouts.local.connect, read: Math.min(config.timeouts.local.read, 5) },
    });
    if (health.status === 'down') return { ok: false, status: 'down', message: health.message };
    const { chain } = fallbackChain(config.local.models, health.models);
    if (chain.length === 0) {
      return {
        ok: false,
        status: 'degraded',
        message: `${health.message}; none of the fallback chain (local.models) is pulled`,
      };
    }
    return { ok: true, status: health.status, message: `local fallback chain: ${chain.join(', ')}` };
  };
  const cloudCheck = async (): Promise<ReadinessCheck> => {
    const key = config.cloud.api_key;
    if (key === undefined || key === '') {
      return {
        ok: false,
        status: 'unconfigured',
        message: 'no cloud API key (OLLAMA_API_KEY / cloud.api_key)',
      };
    }
    const cooldown = await runtime.router.cooldown().catch(() => undefined);
    if (cooldown !== undefined) {
      return {
        ok: false,
        status: 'cooldown',
        message: `cloud is cooling down after HTTP ${cooldown.status} until ${new Date(cooldown.until).toISOString()}: ${cooldown.reason}`,
      };
    }
    const health = await checkCloud({
      endpoint: config.cloud.endpoint,
      apiKey: key,
      timeouts: { connect: config.timeouts.cloud.connect, read: Math.min(config.timeouts.cloud.read, 5) },
    });
    return { ok: health.status === 'up', status: health.status, message: health.message };
  };
  const [storage, cloud, local] = await Promise.all([storageCheck(), cloudCheck(), localCheck()]);
  const reasons: string[] = [];
  if (!storage.ok) reasons.push(storage.message);
  if (!cloud.ok && !local.ok)
    reasons.push(`no provider is usable: cloud: ${cloud.message}; local: ${local.message}`);
  return { ready: reasons.length === 0, checks: { storage, cloud, local }, reasons };
}

/** `GET /healthz`: the process is up (no dependency checked, no auth). */
export const healthzHandler: Handler = async (exchange) => {
  sendJson(exchange.response, 200, { status: 'ok' });
};

/** Builds `GET /readyz` with a short cache, so probes do not hammer the providers. */
export function createReadyzHandler(): Handler {
  let cached: { at: number; value: Promise<Readiness> } | undefined;
  return async (exchange, context) => {
    const now = Date.now();
    if (cached === undefined || now - cached.at >= context.readyCacheMs) {
      cached = { at: now, value: checkReadiness(context) };
    }
    const readiness = await cached.value;
    sendJson(exchange.response, readiness.ready ? 200 : 503, {
      status: readiness.ready ? 'ready' : 'not_ready',
      ...readiness,
    });
  };
}

/** `GET /metrics`: Prometheus text. */
export const metricsHandler: Handler = async (exchange, context) => {
  const { runtime } = context;
  const [stats, cooldown] = await Promise.all([
    runtime.storage.queue.stats().catch(() => undefined),
    runtime.router.cooldown().catch(() => undefined),
  ]);
  const text = await context.metrics.render({
    ...(stats === undefined ? {} : { queueCounts: stats.counts }),
    cooldownActive: cooldown !== undefined,
    storageUp: stats !== undefined,
  });
  sendText(exchange.response, 200, text, { 'content-type': context.metrics.registry.contentType });
};

/** `GET /graphiti/quota`: the quota snapshot. */
export const quotaHandler: Handler = async (exchange, context) => {
  sendJson(exchange.response, 200, await context.runtime.quota.snapshot());
};

function parseStatus(value: string | null): QueueStatus[] | undefined {
  if (value === null || value === '') return undefined;
  const statuses = value.split(',').map((part) => part.trim());
  for (const status of statuses) {
    if (!(queueStatuses as readonly string[]).includes(status)) {
      throw new GatewayError(
        'BAD_REQUEST',
        `invalid status "${status}": expected one of ${queueStatuses.join(', ')} (comma-separated)`,
        { status: 400 },
      );
    }
  }
  return statuses as QueueStatus[];
}

function parseLimit(value: string | null, fallback: number): number {
  if (value === null || value === '') return fallback;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new GatewayError('BAD_REQUEST', `invalid limit "${value}": expected an integer from 1 to 10000`, {
      status: 400,
    });
  }
  return limit;
}

/** `GET /graphiti/queue?status=&limit=`: stats plus items, oldest first. */
export const queueListHandler: Handler = async (exchange, context) => {
  const status = parseStatus(exchange.url.searchParams.get('status'));
  const limit = parseLimit(exchange.url.searchParams.get('limit'), 100);
  const { queue } = context.runtime.storage;
  const [stats, items] = await Promise.all([
    queue.stats(),
    queue.list({ limit, ...(status === undefined ? {} : { status }) }),
  ]);
  sendJson(exchange.response, 200, { stats, replay: context.replayStatus?.(), items });
};

/** `GET /graphiti/queue/:id`. */
export async function queueItemHandler(
  exchange: Parameters<Handler>[0],
  context: GatewayContext,
  id: string,
): Promise<void> {
  const { queue, state } = context.runtime.storage;
  const item = await queue.get(id);
  if (item === undefined) {
    sendJson(exchange.response, 404, { error: `no queue item with id "${id}"` });
    return;
  }
  // an item submitted with Prefer: respond-async also carries its answer in the protocol it was asked in
  const record = await state.get<AsyncRecord>(asyncRecordKey(id)).catch(() => undefined);
  if (record === undefined) {
    sendJson(exchange.response, 200, item);
    return;
  }
  const deliveries = (await state.get<WebhookDelivery[]>(deliveriesKey(id)).catch(() => undefined)) ?? [];
  const served = item.result as { provider?: unknown; model?: unknown } | undefined;
  sendJson(exchange.response, 200, {
    ...item,
    route: record.route,
    ...(item.status === 'done'
      ? { provider: served?.provider, model: served?.model, answer: asyncAnswer(record, id, item.result) }
      : {}),
    ...(record.callback === undefined ? {} : { callback: record.callback, deliveries }),
  });
}

/**
 * `POST /graphiti/queue/retry`: an operator's replay-now: every ready item is made due at once (`wake()`,
 * past its per-item backoff), and a replay run starts in the background; the answer is a 202 at once, and
 * the run's progress shows in `GET /graphiti/queue` (`replay`).
 */
export const queueRetryHandler: Handler = async (exchange, context) => {
  exchange.request.resume();
  const woken = await context.runtime.storage.queue.wake();
  const run = context.replayOnce();
  run.catch((error: unknown) =>
    context.logger?.warn({ event: 'queue_replay_failed', error: String(error) }, 'queue_replay_failed'),
  );
  sendJson(
    exchange.response,
    202,
    { started: true, woken, status: '/graphiti/queue' },
    { location: '/graphiti/queue' },
  );
};
