import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '@graphiti/llm-config';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openRuntime, type Runtime } from './runtime.js';

const fakeEntry = pathToFileURL(
  join(
    dirname(createRequire(import.meta.url).resolve('@graphiti/ollama-fake/package.json')),
    'dist',
    'index.js',
  ),
).href;
let dir: string;
let runtime: Runtime | undefined;

interface Logged {
  readonly level: string;
  readonly object: Record<string, unknown>;
}

function recordingLogger(lines: Logged[]) {
  const log = (level: string) => (object: object) =>
    lines.push({ level, object: object as Record<string, unknown> });
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** An `ollama` executable that, run as `ollama serve`, starts the fake on OLLAMA_HOST's port. */
function writeFakeOllama(): void {
  const script = `#!/usr/bin/env node
if (process.argv[2] !== 'serve') process.exit(2);
require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'pid'))}, String(process.pid));
const port = Number(String(process.env.OLLAMA_HOST).split(':').pop());
setTimeout(() => process.exit(0), 20000);
import(${JSON.stringify(fakeEntry)}).then(({ startOllamaFake }) =>
  startOllamaFake({ port, models: ['llama3.2:3b', 'nomic-embed-text'] }));
`;
  writeFileSync(join(dir, 'ollama'), script, { mode: 0o755 });
}

function config(port: number, autoStart: boolean) {
  return loadConfig({
    path: join(dir, 'absent.toml'),
    env: {},
    overrides: {
      local: { endpoint: `http://127.0.0.1:${port}`, auto_start: autoStart, models: ['llama3.2:3b'] },
      storage: { url: `sqlite:${join(dir, 'graphiti.db')}` },
      retry: { delay_seconds: 0.01 },
    },
  });
}

function spawnedPid(): number | undefined {
  try {
    return Number(readFileSync(join(dir, 'pid'), 'utf8'));
  } catch {
    return undefined;
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'graphiti-runtime-'));
});
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  vi.unstubAllEnvs();
  const pid = spawnedPid();
  if (pid !== undefined) {
    try {
      process.kill(pid);
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('openRuntime with local.auto_start', () => {
  it('starts `ollama serve` when the local server is down, so local answers at once', async () => {
    writeFakeOllama();
    vi.stubEnv('PATH', `${dir}${delimiter}${process.env.PATH ?? ''}`);
    const lines: Logged[] = [];
    runtime = await openRuntime({ config: config(await freePort(), true), logger: recordingLogger(lines) });
    expect(spawnedPid()).toBeGreaterThan(0);
    expect(lines.find((line) => line.object.event === 'local_auto_started')?.level).toBe('info');
    const answer = await runtime.router.chat({ messages: [{ role: 'user', content: 'hi' }] });
    expect(answer.provider).toBe('local');
    expect(answer.model).toBe('llama3.2:3b');
  });

  it('says what to do when the ollama binary is not on the PATH, and still opens', async () => {
    vi.stubEnv('PATH', dir);
    const lines: Logged[] = [];
    runtime = await openRuntime({ config: config(await freePort(), true), logger: recordingLogger(lines) });
    const warning = lines.find((line) => line.object.event === 'local_auto_start_failed');
    expect(warning?.level).toBe('warn');
    expect(String(warning?.object.message)).toContain('ollama serve');
    expect(String(warning?.object.message)).toContain('not found on PATH');
  });

  it('spawns nothing when auto_start is off (the default)', async () => {
    writeFakeOllama();
    vi.stubEnv('PATH', `${dir}${delimiter}${process.env.PATH ?? ''}`);
    const lines: Logged[] = [];
    runtime = await openRuntime({ config: config(await freePort(), false), logger: recordingLogger(lines) });
    expect(spawnedPid()).toBeUndefined();
    expect(lines.some((line) => String(line.object.event).startsWith('local_auto_start'))).toBe(false);
  });
});
