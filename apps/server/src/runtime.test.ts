import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { loadConfig } from '@graphiti/llm-config';
import { type FakeOllamaCommand, freePort, writeFakeOllamaCommand } from '@graphiti/ollama-fake';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openRuntime, type Runtime } from './runtime.js';

let dir: string;
let runtime: Runtime | undefined;
let ollama: FakeOllamaCommand | undefined;

/** An `ollama` executable first on PATH that, run as `ollama serve`, starts the fake on OLLAMA_HOST's port. */
function putFakeOllamaOnPath(): FakeOllamaCommand {
  ollama = writeFakeOllamaCommand({ models: ['llama3.2:3b', 'nomic-embed-text'] });
  vi.stubEnv('PATH', `${ollama.directory}${delimiter}${process.env.PATH ?? ''}`);
  return ollama;
}

interface Logged {
  readonly level: string;
  readonly object: Record<string, unknown>;
}

function recordingLogger(lines: Logged[]) {
  const log = (level: string) => (object: object) =>
    lines.push({ level, object: object as Record<string, unknown> });
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
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

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'graphiti-runtime-'));
});
afterEach(async () => {
  await runtime?.close();
  runtime = undefined;
  vi.unstubAllEnvs();
  ollama?.close();
  ollama = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('openRuntime with local.auto_start', () => {
  it('starts `ollama serve` when the local server is down, so local answers at once', async () => {
    const command = putFakeOllamaOnPath();
    const lines: Logged[] = [];
    runtime = await openRuntime({ config: config(await freePort(), true), logger: recordingLogger(lines) });
    expect(command.pid()).toBeGreaterThan(0);
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
    const command = putFakeOllamaOnPath();
    const lines: Logged[] = [];
    runtime = await openRuntime({ config: config(await freePort(), false), logger: recordingLogger(lines) });
    expect(command.pid()).toBeUndefined();
    expect(lines.some((line) => String(line.object.event).startsWith('local_auto_start'))).toBe(false);
  });
});
