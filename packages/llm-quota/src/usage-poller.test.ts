// The poller against a real HTTP server playing ollama.com's usage endpoints (notes §9.5).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from './logger.js';
import { createQuotaTracker } from './quota-tracker.js';
import { createUsagePoller, type UsagePoller } from './usage-poller.js';

const API_KEY = 'sk-ollama-test-0123456789';

type Route = (request: IncomingMessage, response: ServerResponse) => void;

interface UsageServer {
  readonly url: string;
  readonly requests: { path: string; authorization: string | undefined }[];
  routes: Record<string, Route>;
  close(): Promise<void>;
}

const servers: UsageServer[] = [];
const pollers: UsagePoller[] = [];
afterEach(async () => {
  for (const poller of pollers.splice(0)) poller.close();
  for (const server of servers.splice(0)) await server.close();
});

function json(status: number, body: unknown, headers: Record<string, string> = {}): Route {
  return (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json', ...headers });
    response.end(JSON.stringify(body));
  };
}

async function startUsageServer(routes: Record<string, Route>): Promise<UsageServer> {
  const requests: UsageServer['requests'] = [];
  const state = { routes };
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    requests.push({ path: request.url ?? '/', authorization: request.headers.authorization });
    if (request.headers.authorization !== `Bearer ${API_KEY}`) {
      json(401, { error: 'unauthorized' })(request, response);
      return;
    }
    const route = state.routes[path];
    if (route === undefined) json(404, { error: '404 page not found' })(request, response);
    else route(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const usage: UsageServer = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    get routes() {
      return state.routes;
    },
    set routes(value) {
      state.routes = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(usage);
  return usage;
}

function recordingLogger(): Logger & { entries: { level: string; object: Record<string, unknown> }[] } {
  const entries: { level: string; object: Record<string, unknown> }[] = [];
  const log = (level: string) => (object: object) => {
    entries.push({ level, object: object as Record<string, unknown> });
  };
  return { entries, debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

const CREDITS = {
  included: {
    balance_usd: 4,
    allowance_usd: 20,
    period: { from: '2026-12-01T00:00:00Z', until: '2027-01-01T00:00:00Z' },
  },
  purchased: { balance_usd: 0 },
};
const WINDOWS = {
  included: {
    session: { remaining_percent: 10, resets_at: '2026-12-01T15:00:00Z' },
    weekly: { remaining_percent: 70, resets_at: '2026-12-07T00:00:00Z' },
  },
};

function poller(server: UsageServer, options: Partial<Parameters<typeof createUsagePoller>[0]> = {}) {
  const created = createUsagePoller({
    endpoint: `${server.url}/`,
    apiKey: API_KEY,
    intervalSeconds: 0,
    ...options,
  });
  pollers.push(created);
  return created;
}

describe('createUsagePoller', () => {
  it('asks /api/balance with the key as a Bearer token and parses the credits shape', async () => {
    const server = await startUsageServer({ '/api/balance': json(200, CREDITS) });
    const usage = await poller(server).poll();
    expect(server.requests).toEqual([{ path: '/api/balance', authorization: `Bearer ${API_KEY}` }]);
    expect(usage).toMatchObject({
      source: 'balance',
      balanceUsd: 4,
      allowanceUsd: 20,
      periodEnd: '2027-01-01T00:00:00.000Z',
      windows: [{ name: 'included', usedFraction: 0.8 }],
    });
  });

  it('parses the windows shape of legacy plans', async () => {
    const server = await startUsageServer({ '/api/balance': json(200, WINDOWS) });
    const usage = await poller(server).poll();
    expect(usage?.windows.map((window) => [window.name, window.usedFraction])).toEqual([
      ['session', 0.9],
      ['weekly', 0.3],
    ]);
  });

  it('falls back to /api/usage when there is no balance route, and keeps asking it', async () => {
    const server = await startUsageServer({
      '/api/usage': json(200, { totals: { request_count: 7, usage_usd: 0.12 } }),
    });
    const usagePoller = poller(server);
    expect(await usagePoller.poll()).toMatchObject({
      source: 'usage',
      totals: { range: '24h', requests: 7, usageUsd: 0.12 },
    });
    await usagePoller.poll();
    expect(server.requests.map((request) => request.path)).toEqual([
      '/api/balance',
      '/api/usage?range=24h',
      '/api/usage?range=24h',
    ]);
  });

  it('honours a 429 and its Retry-After: no request until it has passed', async () => {
    let time = Date.parse('2026-12-01T12:00:00Z');
    const server = await startUsageServer({
      '/api/balance': json(429, { error: 'too many requests' }, { 'retry-after': '120' }),
    });
    const logger = recordingLogger();
    const usagePoller = poller(server, { now: () => time, logger });
    expect(await usagePoller.poll()).toBeUndefined();
    expect(usagePoller.blockedUntil()).toBe(time + 120_000);
    await usagePoller.poll();
    expect(server.requests).toHaveLength(1);
    expect(logger.entries).toMatchObject([
      { level: 'info', object: { event: 'quota_usage_rate_limited', retry_after_seconds: 120 } },
    ]);
    server.routes = { '/api/balance': json(200, CREDITS) };
    time += 120_000;
    expect(await usagePoller.poll()).toMatchObject({ source: 'balance' });
    expect(server.requests).toHaveLength(2);
  });

  it('polls by itself, the first time at once', async () => {
    const server = await startUsageServer({ '/api/balance': json(200, CREDITS) });
    const seen: unknown[] = [];
    // An hour's interval: a poll within the test can only be the first one, made at once.
    poller(server, { intervalSeconds: 3600, onUsage: (usage) => seen.push(usage) });
    const started = Date.now();
    while (seen.length === 0 && Date.now() - started < 5000) await sleep(10);
    expect(seen).toHaveLength(1);
  });

  it('polls again every intervalSeconds', async () => {
    const server = await startUsageServer({ '/api/balance': json(200, CREDITS) });
    const seen: unknown[] = [];
    poller(server, { intervalSeconds: 0.2, onUsage: (usage) => seen.push(usage) });
    await sleep(1500);
    expect(seen.length).toBeGreaterThanOrEqual(3);
    expect(seen.length).toBeLessThanOrEqual(9);
  });

  it('never logs the key, even when the server echoes it, and logs a run of failures once', async () => {
    const echo: Route = (request, response) => {
      response.writeHead(500, {
        'content-type': 'text/plain',
        'x-echo': request.headers.authorization ?? '',
      });
      response.end(`internal error for ${request.headers.authorization}`);
    };
    const server = await startUsageServer({ '/api/balance': echo });
    const logger = recordingLogger();
    const usagePoller = poller(server, { logger });
    await usagePoller.poll();
    await usagePoller.poll();
    expect(logger.entries).toEqual([
      {
        level: 'warn',
        object: { event: 'quota_usage_error', endpoint: '/api/balance', status: 500, error: 'HTTP 500' },
      },
    ]);
    const unreachable = poller({ ...server, url: 'http://127.0.0.1:1' }, { logger });
    await unreachable.poll();
    expect(logger.entries).toHaveLength(2);
    expect(JSON.stringify(logger.entries)).not.toContain(API_KEY);
  });

  it('does not try /api/usage with a key the cloud refused', async () => {
    const server = await startUsageServer({});
    const logger = recordingLogger();
    const usagePoller = createUsagePoller({
      endpoint: server.url,
      apiKey: 'wrong-key',
      intervalSeconds: 0,
      logger,
    });
    pollers.push(usagePoller);
    expect(await usagePoller.poll()).toBeUndefined();
    expect(server.requests.map((request) => request.path)).toEqual(['/api/balance']);
    expect(logger.entries[0]?.object).toMatchObject({ event: 'quota_usage_error', status: 401 });
  });

  it('says why the last poll brought no figures, and forgets it once figures come', async () => {
    const hang: Route = () => {}; // never answers
    const server = await startUsageServer({ '/api/balance': json(500, { error: 'boom' }) });
    const usagePoller = poller(server, { timeoutMs: 200 });
    expect(usagePoller.lastProblem()).toBeUndefined();
    await usagePoller.poll();
    expect(usagePoller.lastProblem()).toEqual({ endpoint: '/api/balance', status: 500, problem: 'HTTP 500' });

    server.routes = { '/api/balance': json(200, { included: {} }) }; // no figures here, and no /api/usage
    await usagePoller.poll();
    expect(usagePoller.lastProblem()).toEqual({
      endpoint: '/api/balance, /api/usage',
      problem: 'no usage figures',
    });

    server.routes = { '/api/balance': hang };
    await usagePoller.poll();
    expect(usagePoller.lastProblem()).toEqual({
      endpoint: '/api/balance',
      problem: 'no answer within 0.2 s',
    });

    server.routes = { '/api/balance': json(200, CREDITS) };
    expect(await usagePoller.poll()).toMatchObject({ source: 'balance' });
    expect(usagePoller.lastProblem()).toBeUndefined();

    server.routes = { '/api/balance': json(429, { error: 'slow down' }, { 'retry-after': '30' }) };
    await usagePoller.poll();
    expect(usagePoller.lastProblem()).toEqual({
      endpoint: '/api/balance',
      status: 429,
      problem: 'rate limited for 30 s',
    });

    const closed = await startUsageServer({});
    await closed.close(); // nothing listens on its port any more
    const refused = poller(closed);
    await refused.poll();
    expect(refused.lastProblem()).toMatchObject({ endpoint: '/api/balance' });
    expect(refused.lastProblem()?.problem).toMatch(/^fetch failed: .*ECONNREFUSED/);
  });
});

describe('createQuotaTracker with usagePolling', () => {
  it('shows the cloud figures in the snapshot, warns at the threshold once, and knows the resets', async () => {
    const now = Date.parse('2026-12-01T12:00:00Z');
    const server = await startUsageServer({ '/api/balance': json(200, WINDOWS) });
    const logger = recordingLogger();
    const quota = createQuotaTracker({
      apiKey: API_KEY,
      usagePolling: { endpoint: server.url, intervalSeconds: 60 },
      warningThreshold: 0.8,
      logger,
      now: () => now,
    });
    const snapshot = await quota.snapshot();
    expect(snapshot.source).toBe('counted');
    expect(snapshot.cloud).toMatchObject({
      source: 'balance',
      windows: [
        { name: 'session', usedFraction: 0.9, resetsAt: '2026-12-01T15:00:00.000Z' },
        { name: 'weekly', usedFraction: 0.3 },
      ],
    });
    quota.recordCloudUsage(snapshot.cloud!); // the same figures again: no second warning
    const warnings = logger.entries.filter((entry) => entry.object.event === 'quota_warning');
    expect(warnings).toEqual([
      {
        level: 'warn',
        object: {
          event: 'quota_warning',
          used_fraction: 0.9,
          limit: null,
          remaining: null,
          source: 'cloud',
          threshold: 0.8,
          window: 'session',
          resets_at: '2026-12-01T15:00:00.000Z',
        },
      },
    ]);
    expect(quota.cloudResetAt('session')).toBe(Date.parse('2026-12-01T15:00:00Z'));
    expect(quota.cloudResetAt('weekly')).toBe(Date.parse('2026-12-07T00:00:00Z'));
    expect(JSON.stringify(logger.entries)).not.toContain(API_KEY);
    await quota.close();
  });

  it('lets another tracker on the same store show the figures', async () => {
    const server = await startUsageServer({ '/api/balance': json(200, CREDITS) });
    const { createMemoryStateStore } = await import('./state-store.js');
    const stateStore = createMemoryStateStore();
    const gateway = createQuotaTracker({
      stateStore,
      apiKey: API_KEY,
      usagePolling: { endpoint: server.url, intervalSeconds: 60 },
    });
    await gateway.snapshot();
    await gateway.close();
    const cli = createQuotaTracker({ stateStore });
    expect((await cli.snapshot()).cloud).toMatchObject({ source: 'balance', balanceUsd: 4 });
  });
});
