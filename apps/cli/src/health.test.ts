import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, graphiti, type Sandbox, sandbox, startFakes } from './__fixtures__/harness.js';

let cloud: OllamaFake;
let local: OllamaFake;
const boxes: Sandbox[] = [];

beforeAll(async () => {
  ({ cloud, local } = await startFakes());
});
afterAll(async () => {
  await Promise.all([cloud.close(), local.close()]);
});
afterEach(async () => {
  cloud.reset();
  local.reset();
  local.setModels(['gemma2:9b', 'llama3.2:3b', 'nomic-embed-text']);
  await Promise.all([cloud.start(), local.start()]);
  for (const box of boxes.splice(0)) box.remove();
});

function box(...args: Parameters<typeof sandbox>): Sandbox {
  const created = sandbox(...args);
  boxes.push(created);
  return created;
}

describe('graphiti health', () => {
  it('reports both servers up, every model pulled, and exits 0', async () => {
    const env = box({ cloud: cloud.url, local: local.url }).env;
    const run = await graphiti(['health'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^local\s+up\s+Ollama 0\.12\.6 is running at/m);
    expect(run.stdout).toMatch(/^cloud\s+up\s+Ollama Cloud is reachable/m);
    expect(run.stdout).toMatch(/^storage\s+ok\s+sqlite:/m);
    expect(run.stdout).toContain('ready: cloud, then local (gemma2:9b, llama3.2:3b)');
    expect(run.stdout).not.toContain('To fix');
    expect(run.stdout).toContain('does not exist yet; it is created on first use');
    expect(existsSync(join(env.HOME as string, 'graphiti.db'))).toBe(false); // a health check creates nothing
  });

  it('says to run `ollama serve` on the configured port and exits 1 when local is down and there is no cloud key', async () => {
    await local.stop();
    const env = box({ local: local.url }).env;
    // the fake listens on a random port: plain `ollama serve` would start Ollama on 11434, the wrong one
    const serve = `OLLAMA_HOST=127.0.0.1:${new URL(local.url).port} ollama serve`;
    const run = await graphiti(['doctor'], { env });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^local\s+down\s+Ollama is not running at .*Start it with: OLLAMA_HOST=/m);
    expect(run.stdout).toContain(`Start it with: ${serve}`);
    expect(run.stdout).toMatch(/^cloud\s+unconfigured/m);
    expect(run.stdout).toContain('NOT READY');
    expect(run.stdout).toContain(`To fix, run:\n  ${serve}\n`);
    const json = await graphiti(['health', '--json'], { env });
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({
      ok: false,
      local: { status: 'down', startCommand: serve, chain: [] },
      cloud: { status: 'unconfigured' },
      storage: { status: 'ok', pending: 0 },
      actions: [serve],
    });
  });

  it('names a missing model with its `ollama pull` command, and still exits 0 while another can serve', async () => {
    local.setModels(['llama3.2:3b', 'nomic-embed-text']);
    const run = await graphiti(['health', '--json'], { env: box({ local: local.url }).env });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.local).toMatchObject({
      status: 'degraded',
      missing: ['gemma2:9b'],
      chain: ['llama3.2:3b'],
    });
    expect(report.actions).toEqual(['ollama pull gemma2:9b']);
    const text = await graphiti(['health'], { env: box({ local: local.url }).env });
    expect(text.stdout).toContain('Missing models: gemma2:9b. Run: ollama pull gemma2:9b');
    expect(text.stdout).toContain('  ollama pull gemma2:9b\n');
  });

  it('exits 0 on the cloud alone, and reports a wrong key as unauthorized without printing it', async () => {
    await local.stop();
    const up = await graphiti(['health'], { env: box({ cloud: cloud.url, local: local.url }).env });
    expect(up.code).toBe(0);
    expect(up.stdout).toContain('ready: cloud');
    const wrong = await graphiti(['health', '--json'], {
      env: box({ cloud: cloud.url, local: local.url }, { apiKey: 'wrong-key-42' }).env,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).not.toContain('wrong-key-42');
    expect(JSON.parse(wrong.stdout).cloud).toMatchObject({ status: 'unauthorized', httpStatus: 401 });
  });

  it('exits 1 and says which storage does not open', async () => {
    const env = box({ cloud: cloud.url, local: local.url }).env;
    const run = await graphiti(['health', '--json'], {
      env: { ...env, GRAPHITI_STORAGE_URL: 'postgres://postgres@127.0.0.1:1/none' },
    });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(false);
    expect(report.storage).toMatchObject({ status: 'down', url: 'postgres://postgres@127.0.0.1:1/none' });
    expect(report.storage.message).toContain('GRAPHITI_STORAGE_URL');
  });

  it('says a SQLite file that could never be created is down (its directory sits under a file)', async () => {
    const env = box({ cloud: cloud.url, local: local.url }).env;
    const blocker = join(env.HOME as string, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const url = `sqlite:${join(blocker, 'sub', 'graphiti.db')}`;
    const run = await graphiti(['health', '--json'], { env: { ...env, GRAPHITI_STORAGE_URL: url } });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.storage).toMatchObject({ status: 'down', url });
    expect(report.storage.message).toContain(`${blocker} is a file, not a directory`);
    const text = await graphiti(['health'], { env: { ...env, GRAPHITI_STORAGE_URL: url } });
    expect(text.stdout).toMatch(/^storage\s+down\s+sqlite:.*cannot be created/m);
  });
});

describe("graphiti health with the cloud plan's own figures", () => {
  let plan: OllamaFake;
  beforeAll(async () => {
    // ollama.com's account routes; a high per-minute allowance, so that only the test that wants a 429 gets one
    plan = await startOllamaFake({
      cloud: true,
      apiKey: API_KEY,
      models: ['gpt-oss:120b'],
      usageCallsPerMinute: 1000,
    });
  });
  afterAll(async () => {
    await plan.close();
  });
  afterEach(() => {
    plan.reset();
  });

  const asked = (path: string): number => plan.requests.filter((request) => request.path === path).length;

  it("prints the plan's credits from one GET /api/balance, and puts them in --json", async () => {
    plan.setAccount({
      balance: 'credits',
      balanceUsd: 12.5,
      allowanceUsd: 20,
      purchasedUsd: 3,
      periodUntil: '2027-01-01T00:00:00Z',
    });
    const env = box({ cloud: plan.url, local: local.url }).env;
    const run = await graphiti(['health'], { env });
    expect(run.code).toBe(0);
    expect(asked('/api/balance')).toBe(1);
    expect(asked('/api/usage')).toBe(0);
    expect(run.stdout).toMatch(
      /^cloud\s+up\s+Ollama Cloud is reachable.*\nusage\s+ok\s+from \/api\/balance at 20/m,
    );
    expect(run.stdout).toContain(
      `${' '.repeat(22)}plan credits: $7.50 used of $20.00, $12.50 left, resets 2027-01-01T00:00:00.000Z\n`,
    );
    expect(run.stdout).toContain(`${' '.repeat(22)}extra usage: $3.00 left\n`);
    expect(run.stdout).toContain('ready: cloud, then local (gemma2:9b, llama3.2:3b)');

    const json = await graphiti(['health', '--json'], { env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).cloud.usage).toMatchObject({
      status: 'ok',
      figures: {
        source: 'balance',
        balanceUsd: 12.5,
        allowanceUsd: 20,
        purchasedBalanceUsd: 3,
        periodEnd: '2027-01-01T00:00:00.000Z',
        windows: [{ name: 'included', usedFraction: 0.375, resetsAt: '2027-01-01T00:00:00.000Z' }],
      },
    });
    expect(asked('/api/balance')).toBe(2); // one per run
  });

  it("prints each window's use and reset from the legacy plans' shape", async () => {
    plan.setAccount({
      balance: 'windows',
      sessionRemainingPercent: 62,
      sessionResetsAt: '2026-12-01T17:00:00Z',
      weeklyRemainingPercent: 81,
      weeklyResetsAt: '2026-12-07T00:00:00Z',
    });
    const run = await graphiti(['health'], { env: box({ cloud: plan.url, local: local.url }).env });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('session window: 38% used, resets 2026-12-01T17:00:00.000Z\n');
    expect(run.stdout).toContain('weekly window: 19% used, resets 2026-12-07T00:00:00.000Z\n');
    expect(run.stdout).not.toContain('plan credits');
  });

  it('asks nothing without a key, and says so', async () => {
    const run = await graphiti(['health', '--json'], {
      env: box({ cloud: plan.url, local: local.url }, { apiKey: false }).env,
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).cloud).toMatchObject({
      status: 'unconfigured',
      usage: { status: 'skipped', message: 'not asked: no API key (set OLLAMA_API_KEY or cloud.api_key)' },
    });
    expect(plan.requests).toEqual([]);
  });

  it('says which usage request failed and how, and exits 0 all the same', async () => {
    plan.fault({ path: '/api/balance', kind: 'status', status: 500, times: 2 });
    const env = box({ cloud: plan.url, local: local.url }).env;
    const run = await graphiti(['health'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^usage\s+failed\s+no figures: GET \/api\/balance: HTTP 500 \(health does not depend on them\)$/m,
    );
    expect(run.stdout).toContain('ready: cloud, then local');
    const json = await graphiti(['health', '--json'], { env });
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report.ok).toBe(true);
    expect(report.cloud).toMatchObject({ status: 'up', usage: { status: 'failed', httpStatus: 500 } });
    expect(report.cloud.usage.figures).toBeUndefined();
  });

  it('gives up on a usage endpoint that does not answer within the timeout', async () => {
    plan.fault({ path: '/api/balance', kind: 'hang' });
    const env = box(
      { cloud: plan.url, local: local.url },
      { extraToml: '[timeouts.cloud]\nconnect = 0.5\nread = 0.5' },
    ).env;
    const started = Date.now();
    const run = await graphiti(['health'], { env });
    expect(Date.now() - started).toBeLessThan(4000);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage\s+failed\s+no figures: GET \/api\/balance: no answer within 0\.5 s/m);
    expect(run.stdout).toMatch(/^cloud\s+up/m);
  });

  it('says when the cloud does not list cloud.default_model', async () => {
    const sandboxed = box({ cloud: plan.url, local: local.url });
    const toml = readFileSync(sandboxed.configFile, 'utf8');
    writeFileSync(sandboxed.configFile, toml.replace('[cloud]\n', '[cloud]\ndefault_model = "glm-5"\n'));
    const run = await graphiti(['health', '--json'], { env: sandboxed.env });
    expect(run.code).toBe(0);
    const { cloud: report } = JSON.parse(run.stdout);
    expect(report).toMatchObject({ status: 'up', defaultModelListed: false });
    expect(report.message).toContain('cloud.default_model "glm-5" is not one of them');
  });
});
