import type { Logger } from '@graphiti/llm-router';

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
 * The gateway's Prometheus counters. One instance per gateway; `observe()` wraps the logger given to the
 * router so that its `llm_failover`, `llm_request_queued` and `llm_stream_interrupted` events are counted.
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
  /** Counts a router event by name and fields (what `observe` calls). */
  recordEvent(event: string, fields: Readonly<Record<string, unknown>>): void;
  /** A logger that counts router events, then forwards every call to `base` (when given). */
  observe(base?: Logger): Logger;
  /** The Prometheus text exposition (format 0.0.4). */
  render(state: ScrapeState): string;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(',')}}`;
}

class Counter {
  private readonly values = new Map<string, { labels: Record<string, string>; value: number }>();

  add(labels: Record<string, string>, amount = 1): void {
    const key = labelText(labels);
    const entry = this.values.get(key);
    if (entry === undefined) this.values.set(key, { labels, value: amount });
    else entry.value += amount;
  }

  lines(name: string): string[] {
    return [...this.values.values()].map((entry) => `${name}${labelText(entry.labels)} ${entry.value}`);
  }
}

function field(fields: Readonly<Record<string, unknown>>, name: string): string {
  const value = fields[name];
  return value === undefined || value === null ? 'unknown' : String(value);
}

/** Creates the counters of one gateway. */
export function createGatewayMetrics(options: { readonly now?: () => number } = {}): GatewayMetrics {
  const now = options.now ?? Date.now;
  const startedAt = now();
  const requests = new Counter();
  const failovers = new Counter();
  const queued = new Counter();
  const interrupted = new Counter();
  const replays = new Counter();
  let active = 0;

  const metrics: GatewayMetrics = {
    recordRequest(labels) {
      requests.add({
        method: labels.method,
        path: labels.path,
        status: String(labels.status),
        provider: labels.provider,
      });
    },
    recordReplay(outcome) {
      replays.add({ outcome });
    },
    inFlight(delta) {
      active = Math.max(0, active + delta);
    },
    get active() {
      return active;
    },
    recordEvent(event, fields) {
      if (event === 'llm_failover') {
        failovers.add({
          from_provider: field(fields, 'from_provider'),
          to_provider: field(fields, 'to_provider'),
          reason: field(fields, 'reason'),
        });
      } else if (event === 'llm_request_queued') {
        queued.add({ operation: field(fields, 'operation') });
      } else if (event === 'llm_stream_interrupted') {
        interrupted.add({ provider: field(fields, 'provider') });
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
    render(state) {
      const out: string[] = [];
      const family = (name: string, type: string, help: string, lines: string[]): void => {
        out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
      };
      family(
        'graphiti_http_requests_total',
        'counter',
        'HTTP requests answered by the gateway, by route, status and the provider that served them.',
        requests.lines('graphiti_http_requests_total'),
      );
      family('graphiti_http_requests_in_flight', 'gauge', 'HTTP requests being served now.', [
        `graphiti_http_requests_in_flight ${active}`,
      ]);
      family(
        'graphiti_llm_failovers_total',
        'counter',
        'Router failovers (llm_failover events), by the provider left, the one tried next and the reason.',
        failovers.lines('graphiti_llm_failovers_total'),
      );
      family(
        'graphiti_llm_requests_queued_total',
        'counter',
        'Requests neither provider could answer that were queued for replay.',
        queued.lines('graphiti_llm_requests_queued_total'),
      );
      family(
        'graphiti_llm_stream_interruptions_total',
        'counter',
        'Streams that failed after their first chunk.',
        interrupted.lines('graphiti_llm_stream_interruptions_total'),
      );
      family(
        'graphiti_queue_replays_total',
        'counter',
        'Queue items replayed by this gateway, by outcome.',
        replays.lines('graphiti_queue_replays_total'),
      );
      if (state.queueCounts !== undefined) {
        family(
          'graphiti_queue_items',
          'gauge',
          'Items in the durable queue, by status.',
          Object.entries(state.queueCounts).map(
            ([status, count]) => `graphiti_queue_items${labelText({ status })} ${count}`,
          ),
        );
      }
      family('graphiti_cloud_cooldown_active', 'gauge', '1 while the cloud is in its 429 cooldown.', [
        `graphiti_cloud_cooldown_active ${state.cooldownActive ? 1 : 0}`,
      ]);
      family('graphiti_storage_up', 'gauge', '1 when the storage answered the scrape.', [
        `graphiti_storage_up ${state.storageUp ? 1 : 0}`,
      ]);
      family('graphiti_process_start_time_seconds', 'gauge', 'Start time of the gateway, Unix seconds.', [
        `graphiti_process_start_time_seconds ${Math.floor(startedAt / 1000)}`,
      ]);
      return `${out.join('\n')}\n`;
    },
  };
  return metrics;
}
