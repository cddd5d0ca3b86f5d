import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { OllamaFake } from '@graphiti/ollama-fake';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { graphiti, type Sandbox, sandbox, startFakes } from './__fixtures__/harness.js';

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
