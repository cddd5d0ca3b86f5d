import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtMain, spawnGateway } from './__fixtures__/spawned-gateway.js';

const mainJs = builtMain();
const KEY = 'main-cloud-key-9876';
const TOKEN = 'main-gateway-token-5432';
const MODEL = 'gpt-oss:120b';

describe('node dist/main.js', () => {
  let cloud: OllamaFake;
  let local: OllamaFake;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    cloud = await startOllamaFake({ models: [MODEL], apiKey: KEY });
    local = await startOllamaFake({ models: ['llama3.2:3b'] });
    dir = mkdtempSync(join(tmpdir(), 'graphiti-server-main-'));
    const configPath = join(dir, 'llm.toml');
    writeFileSync(
      configPath,
      [
        '[cloud]',
        `endpoint = "${cloud.url}"`,
        '[local]',
        `endpoint = "${local.url}"`,
        'models = ["llama3.2:3b"]',
        '[retry]',
        'delay_seconds = 0.01',
        '[storage]',
        `url = "sqlite:${join(dir, 'graphiti.db')}"`,
        '',
      ].join('\n'),
    );
    env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      GRAPHITI_HOME: dir,
      GRAPHITI_LLM_CONFIG: configPath,
      OLLAMA_API_KEY: KEY,
      GRAPHITI_SERVER_TOKEN: TOKEN,
      GRAPHITI_SERVER_PORT: '0',
      LOG_LEVEL: 'debug',
    };
  });
  afterAll(async () => {
    await Promise.all([cloud?.close(), local?.close()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('finishes an in-flight slow request on SIGTERM, then exits 0, never logging the key or token', async () => {
    const gateway = await spawnGateway(env);
    const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const health = await fetch(`${gateway.url}/api/version`, { headers });
    expect(health.status).toBe(200);

    cloud.fault({ path: '/api/chat', kind: 'delay', delayMs: 400, times: 1 });
    const messages = [{ role: 'user', content: 'slow one' }];
    const slow = fetch(`${gateway.url}/api/chat`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: MODEL, messages, stream: false }),
    });
    while (!cloud.requests.some((request) => request.path === '/api/chat')) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    gateway.child.kill('SIGTERM');
    const response = await slow;
    expect(response.status).toBe(200);
    expect(response.headers.get('x-graphiti-provider')).toBe('cloud');
    const body = (await response.json()) as { message: { content: string }; done: boolean };
    expect(body.done).toBe(true);
    expect(body.message.content).toBe(cloud.expectedText({ model: MODEL, messages }));
    expect(await gateway.exit).toBe(0);
    // stopped: nothing listens any more
    await expect(fetch(`${gateway.url}/healthz`)).rejects.toThrow();
    const output = gateway.output();
    expect(output).toContain('gateway_stopping');
    expect(output).toContain('gateway_stopped');
    expect(output).not.toContain(KEY);
    expect(output).not.toContain(TOKEN);
  });

  it('exits 1 with a message naming the key when the config file is invalid', async () => {
    const bad = join(dir, 'bad.toml');
    writeFileSync(bad, '[server]\nprot = 1\n');
    const child = spawn(process.execPath, [mainJs], {
      env: { ...env, GRAPHITI_LLM_CONFIG: bad },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => {
      stderr += data.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/prot/);
    expect(stderr).not.toContain(KEY);
  });
});
