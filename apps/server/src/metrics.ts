import type { Logger, RouterEvent } from '@graphiti/llm-router';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { cachedChildren } from './metric-children.js';

/** Labels of one answered HTTP request. */
export interface RequestLabels {
  /** The route template (`/api/chat`, `/graphiti/queue/:id`), or `unmatched`. */
  readonly path: string;
  readonly method: string;
  readonly status: number;
  /** `cloud`, `local`, or `none` when no provider answered. */
  readonly provider: string;
}

/** Values read at scrape time. */
export interface ScrapeState {
  /** Queue items per status. Omitted when the storage could not be read. */
  readonly queueCounts?: Readonly<Record<string, number>>;
  /** Whether the cloud is in its rate-limit cooldown. */
  readonly cooldownActive: boolean;
  /** Whether the storage answered. */
  readonly storageUp: boolean;
}

/**
 * The gateway's Prometheus metrics (prom-client, one registry per gateway), fed from the router's typed
 * events (`onRouterEvent`, passed to `createRouter` as `onEvent`). `observe()` still counts the router's
 * `llm_failover` / `llm_request_queued` / `llm_stream_interrupted` log events for a router that emits no
 * typed events; once a typed event has arrived, log lines are no longer counted.
 */
export interface GatewayMetrics {
  /** Counts one answered request. */
  recordRequest(labels: RequestLabels): void;
  /** Counts the outcome of one replayed queue item (`done`, `retry`, `failed`). */
  recordReplay(outcome: string): void;
  /** A request started (+1) or ended (-1). */
  inFlight(delta: 1 | -1): void;
  /** Requests being served right now. */
  readonly active: number;
  /** Counts one typed router event. */
  onRouterEvent(event: RouterEvent): void;
  /**
   * A request with this call id ended after `durationMs`: the gateway's own added time (its duration
   * minus the upstream's total time of the answer) goes to `graphiti_gateway_added_seconds`.
   */
  finishCall(callId: string | undefined, durationMs: number, path: string): void;
  /** Counts a router log event by name and fields (what `observe` calls; ignored once typed events flow). */
  recordEvent(event: string, fields: Readonly<Record<string, unknown>>): void;
  /** A logger that counts router log events (for routers without typed events), then forwards to `base`. */
  observe(base?: Logger): Logger;
  /** The Prometheus text exposition. */
  render(state: ScrapeState): Promise<string>;
  /** The prom-client registry (to add your own metrics or merge registries). */
  readonly registry: Registry;
}

function field(fields: Readonly<Record<string, unknown>>, name: string): string {
  const value = fields[name];
  return value === undefined || value === null ? 'unknown' : String(value);
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const ADDED_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5];

function createFamilies(registry: Registry) {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'graphiti_http_requests_total',
      help: 'HTTP requests answered by the gateway, by route, status and the provider that served them.',
      labelNames: ['method', 'path', 'status', 'provider'],
      registers,
    }),
    inFlight: new Gauge({
      name: 'graphiti_http_requests_in_flight',
      help: 'HTTP requests being served now.',
      registers,
    }),
    upstreamRequests: new Counter({
      name: 'graphiti_llm_requests_total',
      help: 'Upstream attempts by provider, model and outcome (ok, a failure reason, bad_request).',
      labelNames: ['provider', 'model', 'outcome'],
      registers,
    }),
    failovers: new Counter({
      name: 'graphiti_llm_failovers_total',
      help: 'Router failovers, by the provider left, the one tried next and the reason.',
      labelNames: ['from_provider', 'to_provider', 'reason'],
      registers,
    }),
    queued: new Counter({
      name: 'graphiti_llm_requests_queued_total',
      help: 'Requests neither provider could answer that were queued for replay.',
      labelNames: ['operation'],
      registers,
    }),
    notQueued: new Counter({
      name: 'graphiti_llm_requests_not_queued_total',
      help: 'Requests neither provider could answer that could not be queued either.',
      labelNames: ['operation', 'error_code'],
      registers,
    }),
    interrupted: new Counter({
      name: 'graphiti_llm_stream_interruptions_total',
      help: 'Streams that failed after their first chunk.',
      labelNames: ['provider'],
      registers,
    }),
    cooldowns: new Counter({
      name: 'graphiti_llm_cooldowns_total',
      help: 'Cooldowns started, by scope (cloud, model) and reason.',
      labelNames: ['scope', 'reason'],
      registers,
    }),
    modelCooldown: new Gauge({
      name: 'graphiti_model_cooldown_active',
      help: '1 while a cloud model is cooled down (402/403 for that model).',
      labelNames: ['model'],
      registers,
    }),
    replays: new Counter({
      name: 'graphiti_queue_replays_total',
      help: 'Queue items replayed by this gateway, by outcome.',
      labelNames: ['outcome'],
      registers,
    }),
    queueItems: new Gauge({
      name: 'graphiti_queue_items',
      help: 'Items in the durable queue, by status (read at scrape).',
      labelNames: ['status'],
      registers,
    }),
    cooldownActive: new Gauge({
      name: 'graphiti_cloud_cooldown_active',
      help: '1 while the cloud is in its 429 cooldown.',
      registers,
    }),
    storageUp: new Gauge({
      name: 'graphiti_storage_up',
      help: '1 when the storage answered the scrape.',
      registers,
    }),
    startTime: new Gauge({
      name: 'graphiti_process_start_time_seconds',
      help: 'Start time of the gateway, Unix seconds.',
      registers,
    }),
    firstChunk: new Histogram({
      name: 'graphiti_upstream_first_chunk_seconds',
      help: 'Upstream time to the first chunk of an answer, by provider and operation.',
      labelNames: ['provider', 'operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    upstreamTotal: new Histogram({
      name: 'graphiti_upstream_total_seconds',
      help: 'Upstream total time of an answered attempt, by provider and operation.',
      labelNames: ['provider', 'operation'],
      buckets: LATENCY_BUCKETS,
      registers,
    }),
    added: new Histogram({
      name: 'graphiti_gateway_added_seconds',
      help: "The gateway's own time on an answered request: its duration minus the upstream's total time.",
      labelNames: ['path'],
      buckets: ADDED_BUCKETS,
      registers,
    }),
  };
}

/** Creates the metrics of one gateway. */
export function createGatewayMetrics(options: { readonly now?: () => number } = {}): GatewayMetrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  const m = createFamilies(registry);
  m.startTime.set(Math.floor(now() / 1000));
  let active = 0;
  let typed = false;
  const upstreamMs = new Map<string, number>();
  // the request path's series (label order as in createFamilies)
  const requestSeries = cachedChildren((method, path, status, provider) =>
    m.requests.labels(method, path, status, provider),
  );
  const attemptSeries = cachedChildren((provider, model, outcome) =>
    m.upstreamRequests.labels(provider, model, outcome),
  );
  const firstChunkSeries = cachedChildren((provider, operation) => m.firstChunk.labels(provider, operation));
  const totalSeries = cachedChildren((provider, operation) => m.upstreamTotal.labels(provider, operation));
  const addedSeries = cachedChildren((path) => m.added.labels(path));
  const modelCooldowns = new Map<string, number>();

  const metrics: GatewayMetrics = {
    registry,
    recordRequest(labels) {
      requestSeries(labels.method, labels.path, String(labels.status), labels.provider).inc();
    },
    recordReplay(outcome) {
      m.replays.inc({ outcome });
    },
    inFlight(delta) {
      active = Math.max(0, active + delta);
      m.inFlight.set(active);
    },
    get active() {
      return active;
    },
    onRouterEvent(event) {
      typed = true;
      switch (event.type) {
        case 'attempt':
          attemptSeries(event.provider, event.model, event.outcome).inc();
          if (event.outcome === 'stream') m.interrupted.inc({ provider: event.provider });
          return;
        case 'failover':
          m.failovers.inc({
            from_provider: event.from_provider,
            to_provider: event.to_provider,
            reason: event.reason,
          });
          return;
        case 'cooldown':
          m.cooldowns.inc({ scope: event.scope, reason: event.reason });
          if (event.scope === 'model' && event.model !== undefined)
            modelCooldowns.set(event.model, event.until);
          return;
        case 'answered': {
          if (event.upstreamFirstChunkMs !== undefined)
            firstChunkSeries(event.provider, event.operation).observe(event.upstreamFirstChunkMs / 1000);
          if (event.upstreamTotalMs !== undefined) {
            totalSeries(event.provider, event.operation).observe(event.upstreamTotalMs / 1000);
            if (event.callId !== undefined) upstreamMs.set(event.callId, event.upstreamTotalMs);
          }
          return;
        }
        case 'queued':
          m.queued.inc({ operation: event.operation });
          return;
        case 'not_queued':
          m.notQueued.inc({ operation: event.operation, error_code: event.error_code });
          return;
      }
    },
    finishCall(callId, durationMs, path) {
      if (callId === undefined) return;
      const upstream = upstreamMs.get(callId);
      if (upstream === undefined) return;
      upstreamMs.delete(callId);
      addedSeries(path).observe(Math.max(0, durationMs - upstream) / 1000);
    },
    recordEvent(event, fields) {
      if (typed) return;
      if (event === 'llm_failover') {
        m.failovers.inc({
          from_provider: field(fields, 'from_provider'),
          to_provider: field(fields, 'to_provider'),
          reason: field(fields, 'reason'),
        });
      } else if (event === 'llm_request_queued') {
        m.queued.inc({ operation: field(fields, 'operation') });
      } else if (event === 'llm_stream_interrupted') {
        m.interrupted.inc({ provider: field(fields, 'provider') });
      }
    },
    observe(base) {
      const count = (object: object): void => {
        const event = (object as { event?: unknown }).event;
        if (typeof event === 'string') metrics.recordEvent(event, object as Record<string, unknown>);
      };
      return {
        debug(object, message) {
          count(object);
          base?.debug(object, message);
        },
        info(object, message) {
          count(object);
          base?.info(object, message);
        },
        warn(object, message) {
          count(object);
          base?.warn(object, message);
        },
        error(object, message) {
          count(object);
          base?.error(object, message);
        },
      };
    },
    async render(state) {
      if (state.queueCounts !== undefined) {
        for (const [status, count] of Object.entries(state.queueCounts)) m.queueItems.set({ status }, count);
      }
      m.cooldownActive.set(state.cooldownActive ? 1 : 0);
      m.storageUp.set(state.storageUp ? 1 : 0);
      const at = now();
      for (const [model, until] of modelCooldowns) {
        m.modelCooldown.set({ model }, until > at ? 1 : 0);
        if (until <= at) modelCooldowns.delete(model);
      }
      // a call id whose request never ended (aborted before its answer) must not pile up
      if (upstreamMs.size > 10_000) upstreamMs.clear();
      return registry.metrics();
    },
  };
  return metrics;
}
