import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const mainJs = join(packageDir, 'dist', 'main.js');
const KEY = 'main-cloud-key-9876';
const TOKEN = 'main-gateway-token-5432';
const MODEL = 'gpt-oss:120b';

/** Builds dist/ when it is missing or older than a source file, so the spawned entry is this code. */
function ensureBuilt(): void {
  const newestSource = readdirSync(join(packageDir, 'src'))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => statSync(join(packageDir, 'src', name)).mtimeMs)
    .reduce((a, b) => Math.max(a, b), 0);
  let built = 0;
  try {
    built = statSync(mainJs).mtimeMs;
  } catch {}
  if (built >= newestSource) return;
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageDir, stdio: 'inherit' });
}

interface Spawned {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: () => string;
  readonly exit: Promise<number | null>;
}

async function spawnGateway(env: Record<string, string>): Promise<Spawned> {
  const child = spawn(process.execPath, [mainJs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gateway did not start:\n${output}`)), 15_000);
    const onData = (data: Buffer): void => {
      output += data.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match !== null && output.includes('gateway_listening')) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`gateway exited (${code}):\n${output}`)));
  });
  return { child, url, output: () => output, exit };
}

describe('node dist/main.js', () => {
  let cloud: OllamaFake;
  let local: OllamaFake;
  let dir: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    ensureBuilt();
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
