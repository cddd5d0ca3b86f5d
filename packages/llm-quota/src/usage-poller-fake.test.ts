// The poller against @graphiti/ollama-fake playing ollama.com (cloud mode: Bearer key, /api/balance, /api/usage).
import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { afterEach, describe, expect, it } from 'vitest';
import { createQuotaTracker } from './quota-tracker.js';
import { createUsagePoller } from './usage-poller.js';

const API_KEY = 'fake-cloud-key-0123456789';
const fakes: OllamaFake[] = [];
afterEach(async () => {
  for (const fake of fakes.splice(0)) await fake.close();
});

async function cloud(options: Parameters<typeof startOllamaFake>[0] = {}): Promise<OllamaFake> {
  const fake = await startOllamaFake({ cloud: true, apiKey: API_KEY, ...options });
  fakes.push(fake);
  return fake;
}

describe('createUsagePoller against the fake ollama.com', () => {
  it('reads the credits shape', async () => {
    const fake = await cloud({ balance: 'credits', account: { balanceUsd: 5, allowanceUsd: 20 } });
    const poller = createUsagePoller({ endpoint: fake.url, apiKey: API_KEY, intervalSeconds: 0 });
    expect(await poller.poll()).toMatchObject({
      source: 'balance',
      balanceUsd: 5,
      allowanceUsd: 20,
      windows: [{ name: 'included', usedFraction: 0.75 }],
    });
    poller.close();
  });

  it('reads the legacy windows shape', async () => {
    const fake = await cloud({
      balance: 'windows',
      account: { sessionRemainingPercent: 5, sessionResetsAt: '2030-01-01T05:00:00Z' },
    });
    const poller = createUsagePoller({ endpoint: fake.url, apiKey: API_KEY, intervalSeconds: 0 });
    const usage = await poller.poll();
    expect(usage?.windows[0]).toEqual({
      name: 'session',
      usedFraction: 0.95,
      resetsAt: '2030-01-01T05:00:00.000Z',
    });
    expect(usage?.windows[1]?.name).toBe('weekly');
    poller.close();
  });

  it('stops at the 429 past the per-minute limit until its Retry-After has passed', async () => {
    const fake = await cloud({ usageCallsPerMinute: 1 });
    const poller = createUsagePoller({ endpoint: fake.url, apiKey: API_KEY, intervalSeconds: 0 });
    expect(await poller.poll()).toMatchObject({ source: 'balance' });
    poller.close();
    const second = createUsagePoller({ endpoint: fake.url, apiKey: API_KEY, intervalSeconds: 0 });
    expect(await second.poll()).toBeUndefined();
    const blocked = second.blockedUntil();
    expect(blocked).toBeGreaterThan(Date.now() + 1000);
    expect(blocked).toBeLessThanOrEqual(Date.now() + 61_000);
    second.close();
  });

  it('feeds the tracker: a used-up session window warns and names the cooldown end', async () => {
    const resets = new Date(Date.now() + 3 * 3_600_000).toISOString();
    const fake = await cloud({
      balance: 'windows',
      account: { sessionRemainingPercent: 0, sessionResetsAt: resets },
    });
    const warnings: object[] = [];
    const ignore = (): void => {};
    const quota = createQuotaTracker({
      apiKey: API_KEY,
      usagePolling: { endpoint: fake.url, intervalSeconds: 60 },
      logger: { debug: ignore, info: ignore, error: ignore, warn: (object) => warnings.push(object) },
    });
    expect((await quota.snapshot()).cloud?.windows[0]).toMatchObject({ name: 'session', usedFraction: 1 });
    expect(warnings).toMatchObject([{ event: 'quota_warning', source: 'cloud', window: 'session' }]);
    expect(quota.cloudResetAt()).toBe(Date.parse(resets));
    expect(quota.cloudResetAt('session')).toBe(Date.parse(resets));
    await quota.close();
  });
});
