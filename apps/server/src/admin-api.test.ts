import { describe, expect, it } from 'vitest';
import {
  buildConfig,
  CLOUD_KEY,
  CLOUD_MODEL,
  postJson,
  startFixture,
  useGateway,
} from './__fixtures__/gateway-fixture.js';
import { createGatewayMetrics } from './metrics.js';
import { openRuntime } from './runtime.js';
import { startGateway } from './start-gateway.js';

const TOKEN = 'gateway-token-admin-77';
const messages = [{ role: 'user', content: 'hello' }];

/** Parses Prometheus text into `name{labels}` -> value, checking every line is well formed. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const declared = new Set<string>();
  const histograms = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (meta !== null) {
      if (meta[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram']).toContain(meta[3]);
        declared.add(meta[2] as string);
        if (meta[3] === 'histogram') histograms.add(meta[2] as string);
      }
      continue;
    }
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+]+)$/.exec(
        line,
      );
    if (sample === null) throw new Error(`malformed metrics line: ${line}`);
    const base = (sample[1] as string).replace(/_(bucket|sum|count)$/, '');
    expect(declared.has(sample[1] as string) || histograms.has(base)).toBe(true);
    samples.set(`${sample[1]}${sample[2] ?? ''}`, Number(sample[3]));
  }
  return samples;
}

describe('admin endpoints and auth', () => {
  const fixture = useGateway({ token: TOKEN });

  it('requires the bearer token on every path but /healthz', async () => {
    const anonymous = (path: string, init?: RequestInit) => fetch(`${fixture.gateway.url}${path}`, init);
    expect((await anonymous('/healthz')).status).toBe(200);
    for (const path of [
      '/',
      '/api/tags',
      '/api/version',
      '/metrics',
      '/readyz',
      '/graphiti/quota',
      '/graphiti/queue',
    ]) {
      const response = await anonymous(path);
      expect(response.status, path).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
    }
    const wrong = await anonymous('/api/chat', {
      method: 'POST',
      headers: { authorization: 'Bearer not-the-token' },
      body: JSON.stringify({ messages }),
    });
    expect(wrong.status).toBe(401);
    const text = await wrong.text();
    expect(text).not.toContain(TOKEN);
    // the ollama client without the token is refused; with it, served
    const refused = await fixture
      .ollama('nope')
      .list()
      .catch((error) => error);
    expect(refused).toMatchObject({ status_code: 401 });
    expect((await fixture.ollama().list()).models.length).toBeGreaterThan(0);
  });

  it('reports ready when storage and a provider are usable, and 503 with reasons when none is', async () => {
    const up = await fixture.fetch('/readyz');
    expect(up.status).toBe(200);
    const ready = (await up.json()) as { ready: boolean; checks: Record<string, { ok: boolean }> };
    expect(ready.ready).toBe(true);
    expect(ready.checks.storage?.ok).toBe(true);
    expect(ready.checks.cloud?.ok).toBe(true);
    expect(ready.checks.local?.ok).toBe(true);

    await fixture.local.stop();
    const cloudOnly = await fixture.fetch('/readyz');
    expect(cloudOnly.status).toBe(200);

    await fixture.cloud.stop();
    const down = await fixture.fetch('/readyz');
    expect(down.status).toBe(503);
    const body = (await down.json()) as { ready: boolean; reasons: string[] };
    expect(body.ready).toBe(false);
    expect(body.reasons.join(' ')).toMatch(/no provider is usable/);
    expect(JSON.stringify(body)).not.toContain(CLOUD_KEY);
  });

  it('counts requests by path, status and provider, failovers, queue depth and cooldown in /metrics', async () => {
    const before = parseMetrics(await (await fixture.fetch('/metrics')).text());
    await postJson(fixture, '/api/chat', { model: CLOUD_MODEL, messages, stream: false });
    fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 429, times: 1 });
    const failedOver = await postJson(fixture, '/api/chat', { model: CLOUD_MODEL, messages, stream: false });
    expect(failedOver.headers.get('x-graphiti-provider')).toBe('local');
    const response = await fixture.fetch('/metrics');
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const after = parseMetrics(await response.text());
    const key = (provider: string) =>
      `graphiti_http_requests_total{method="POST",path="/api/chat",status="200",provider="${provider}"}`;
    expect((after.get(key('cloud')) ?? 0) - (before.get(key('cloud')) ?? 0)).toBe(1);
    expect((after.get(key('local')) ?? 0) - (before.get(key('local')) ?? 0)).toBe(1);
    expect(
      after.get(
        'graphiti_llm_failovers_total{from_provider="cloud",to_provider="local",reason="rate_limit"}',
      ),
    ).toBe(1);
    expect(after.get('graphiti_cloud_cooldown_active')).toBe(1);
    expect(after.get('graphiti_queue_items{status="ready"}')).toBeGreaterThanOrEqual(0);
    expect(after.get('graphiti_storage_up')).toBe(1);
    // the cooldown is in the quota snapshot too, with the usage window named by the 429 body
    const quota = (await (await fixture.fetch('/graphiti/quota')).json()) as {
      source: string;
      counters: { requests: number };
      cooldown?: { window?: string };
    };
    expect(quota.cooldown?.window).toBe('hourly');
    expect(quota.counters.requests).toBeGreaterThanOrEqual(1);
  });

  it('lists the queue with ?status= and ?limit=, and rejects bad filters', async () => {
    await fixture.local.stop();
    const cloudDown = { path: '/api/generate', kind: 'status' as const, status: 503 };
    fixture.cloud.fault(cloudDown);
    const ids: string[] = [];
    for (const prompt of ['a', 'b', 'c']) {
      const response = await postJson(fixture, '/api/generate', {
        model: CLOUD_MODEL,
        prompt,
        stream: false,
      });
      expect(response.status).toBe(503);
      ids.push(((await response.json()) as { request_id: string }).request_id);
    }
    const listed = (await (await fixture.fetch('/graphiti/queue?status=ready&limit=2')).json()) as {
      stats: { counts: Record<string, number> };
      items: { id: string; status: string }[];
    };
    expect(listed.items).toHaveLength(2);
    expect(listed.items.every((item) => item.status === 'ready')).toBe(true);
    expect(listed.stats.counts.ready).toBeGreaterThanOrEqual(3);
    const all = (await (await fixture.fetch('/graphiti/queue?status=ready&limit=100')).json()) as {
      items: { id: string }[];
    };
    expect(all.items.map((item) => item.id)).toEqual(expect.arrayContaining(ids));
    expect((await fixture.fetch('/graphiti/queue?status=bogus')).status).toBe(400);
    expect((await fixture.fetch('/graphiti/queue?limit=-1')).status).toBe(400);
    const missing = await fixture.fetch('/graphiti/queue/does-not-exist');
    expect(missing.status).toBe(404);
    expect((await fixture.fetch('/graphiti/queue/%E0%A4%A')).status).toBe(404);
  });
});

describe('startGateway', () => {
  it('refuses a non-loopback host without an auth token', async () => {
    const error = await startFixture({ gateway: { host: '0.0.0.0' } }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ name: 'GatewayError', code: 'AUTH_TOKEN_REQUIRED' });
  });

  it('serves with a runtime passed in, counts its failovers through metrics.observe, and leaves it open on close', async () => {
    const fakes = await startFixture();
    try {
      const config = buildConfig(fakes.dir, fakes.cloud, fakes.local, {
        storageUrl: `sqlite:${fakes.dir}/own.db`,
      });
      const metrics = createGatewayMetrics();
      const runtime = await openRuntime({ config, logger: metrics.observe() });
      const gateway = await startGateway({ config, runtime, metrics, port: 0, replayIntervalMs: 0 });
      fakes.cloud.fault({ path: '/api/chat', kind: 'status', status: 401, times: 1 });
      const response = await fetch(`${gateway.url}/api/chat`, {
        method: 'POST',
        body: JSON.stringify({ model: CLOUD_MODEL, messages, stream: false }),
      });
      expect(response.headers.get('x-graphiti-provider')).toBe('local');
      const text = await (await fetch(`${gateway.url}/metrics`)).text();
      expect(text).toContain(
        'graphiti_llm_failovers_total{from_provider="cloud",to_provider="local",reason="auth"} 1',
      );
      await gateway.close();
      expect(await runtime.storage.ping()).toBe(true);
      await runtime.close();
    } finally {
      await fakes.close();
    }
  });

  it('replays the queue in the background every retry interval', async () => {
    const fixture = await startFixture({ gateway: { replayIntervalMs: 30 } });
    try {
      fixture.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
      await fixture.local.stop();
      const response = await postJson(fixture, '/api/chat', { model: CLOUD_MODEL, messages, stream: false });
      const { request_id: id } = (await response.json()) as { request_id: string };
      await fixture.local.start();
      let status = '';
      for (let i = 0; i < 500 && status !== 'done'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        status = ((await (await fixture.fetch(`/graphiti/queue/${id}`)).json()) as { status: string }).status;
      }
      expect(status).toBe('done');
    } finally {
      await fixture.close();
    }
  });
});
