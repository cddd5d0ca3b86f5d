import { describe, expect, it } from 'vitest';
import { graphiti, useFakes } from './__fixtures__/harness.js';

const world = useFakes({ extraToml: '[quota]\ndaily_request_limit = 10' });

describe('graphiti quota', () => {
  it('counts cloud requests against the daily limit and shows the queue', async () => {
    const empty = JSON.parse((await graphiti(['quota', '--json'], { env: world.box.env })).stdout);
    expect(empty.quota).toMatchObject({ source: 'counted', limit: 10, remaining: 10 });
    expect(empty.quota.counters.requests).toBe(0);
    expect(empty.queue).toMatchObject({ pending: 0, maxSize: 1000 });

    expect((await graphiti(['chat', 'one'], { env: world.box.env })).code).toBe(0);
    const run = await graphiti(['quota', '--json'], { env: world.box.env });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.quota).toMatchObject({ source: 'counted', limit: 10, remaining: 9, usedFraction: 0.1 });
    expect(report.quota.counters.requests).toBe(1);
    expect(report.quota.counters.completionTokens).toBeGreaterThan(0);
    expect(report.quota.cooldown).toBeUndefined();
    expect(report.queue.counts).toEqual({ ready: 0, leased: 0, done: 0, failed: 0, expired: 0 });
  });

  it('shows the cooldown a 429 started, with the usage window the cloud named', async () => {
    world.cloud.fault({ path: '/api/chat', kind: 'status', status: 429, times: 1 });
    expect((await graphiti(['chat', 'limited'], { env: world.box.env })).code).toBe(0);
    const report = JSON.parse((await graphiti(['quota', '--json'], { env: world.box.env })).stdout);
    expect(report.quota.cooldown).toMatchObject({ window: 'hourly', status: 429 });
    expect(report.quota.cooldown.reason).toContain('hourly usage limit');
    expect(Date.parse(report.quota.cooldown.until)).toBeGreaterThan(Date.now());
    const text = await graphiti(['quota'], { env: world.box.env });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/cooldown\s+cloud skipped until .* \(hourly limit\)/);
    expect(text.stdout).toMatch(/limit\s+10\n/);
    expect(text.stdout).toContain('0 ready, 0 leased, 0 done');
  });
});

describe("graphiti quota with the cloud's own figures", () => {
  it("shows the plan's credits from /api/balance, and each window's use from the legacy shape", async () => {
    const { startOllamaFake } = await import('@graphiti/ollama-fake');
    const { sandbox, API_KEY } = await import('./__fixtures__/harness.js');
    for (const balance of ['credits', 'windows'] as const) {
      const cloud = await startOllamaFake({
        cloud: true,
        apiKey: API_KEY,
        models: ['gpt-oss:120b'],
        balance,
      });
      const box = sandbox({ cloud: cloud.url, local: 'http://127.0.0.1:9' });
      try {
        const text = await graphiti(['quota'], { env: box.env });
        expect(text.code).toBe(0);
        expect(text.stdout).toContain('cloud (its own figures from /api/balance');
        if (balance === 'credits')
          expect(text.stdout).toMatch(/plan credits\s+\$\d+\.\d\d left of \$\d+\.\d\d/);
        else expect(text.stdout).toMatch(/session window\s+\d+(\.\d)?% used, resets \d{4}-/);
        const json = JSON.parse((await graphiti(['quota', '--json'], { env: box.env })).stdout);
        expect(json.quota.cloud).toMatchObject({ source: 'balance' });
        expect(cloud.requests.some((request) => request.path === '/api/balance')).toBe(true);
      } finally {
        box.remove();
        await cloud.close();
      }
    }
  });
});
