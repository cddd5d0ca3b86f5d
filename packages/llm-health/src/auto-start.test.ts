import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type FakeOllamaCommand, freePort, writeFakeOllamaCommand } from '@graphiti/ollama-fake';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isLoopbackEndpoint, startLocalOllama } from './auto-start.js';
import { checkLocal } from './check-local.js';

let dir: string;
/** The `ollama` whose `serve` starts the Ollama fake (and records its pid). */
let ollama: FakeOllamaCommand | undefined;
const started: number[] = [];

/** Writes an `ollama` executable running this script into `dir`: the ways a server fails to start. */
function writeOllamaScript(script: string): string {
  const path = join(dir, 'ollama');
  writeFileSync(path, script, { mode: 0o755 });
  return path;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'graphiti-health-'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  ollama?.close();
  ollama = undefined;
  for (const id of started.splice(0)) {
    try {
      process.kill(id);
    } catch {
      // already gone
    }
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('auto-start', () => {
  it('spawns `ollama serve` found on the PATH when the server is down, and waits for it', async () => {
    ollama = writeFakeOllamaCommand({ models: ['llama3.2:3b'], version: '9.9.9' });
    vi.stubEnv('PATH', `${ollama.directory}${delimiter}${process.env.PATH ?? ''}`);
    const port = await freePort();
    const health = await checkLocal({
      endpoint: `http://127.0.0.1:${port}`,
      requiredModels: ['llama3.2:3b'],
      autoStart: true,
      autoStartWaitSeconds: 10,
    });
    expect(health).toMatchObject({ status: 'up', version: '9.9.9', autoStarted: true, missing: [] });
    expect(ollama.pid()).toBeGreaterThan(0);
  });

  it('does not spawn anything when auto-start is off (the default)', async () => {
    ollama = writeFakeOllamaCommand({ models: ['llama3.2:3b'], version: '9.9.9' });
    vi.stubEnv('PATH', `${ollama.directory}${delimiter}${process.env.PATH ?? ''}`);
    const port = await freePort();
    const health = await checkLocal({ endpoint: `http://127.0.0.1:${port}` });
    expect(health.status).toBe('down');
    await sleep(50);
    expect(ollama.pid()).toBeUndefined();
  });

  it('says clearly when the ollama binary is not on the PATH', async () => {
    vi.stubEnv('PATH', dir);
    const port = await freePort();
    const health = await checkLocal({ endpoint: `http://127.0.0.1:${port}`, autoStart: true });
    expect(health.status).toBe('down');
    expect(health.startCommand).toBe('ollama serve');
    expect(health.message).toBe(
      `Ollama is not running at http://127.0.0.1:${port} and auto-start failed: the \`ollama\` binary was not found on PATH. Install Ollama from https://ollama.com/download, or start it yourself with: ollama serve`,
    );
  });

  it('reports a server process that exits before answering', async () => {
    const command = writeOllamaScript('#!/bin/sh\nexit 3\n');
    const port = await freePort();
    const result = await startLocalOllama({
      endpoint: `http://127.0.0.1:${port}`,
      command,
      waitSeconds: 5,
      pollIntervalMs: 20,
    });
    expect(result.ready).toBe(false);
    expect(result.message).toContain('exited (code 3) before answering');
  });

  it('stops waiting after the bounded wait', async () => {
    const command = writeOllamaScript('#!/bin/sh\nexec sleep 5\n');
    const port = await freePort();
    const result = await startLocalOllama({
      endpoint: `http://127.0.0.1:${port}`,
      command,
      waitSeconds: 0.3,
      pollIntervalMs: 20,
    });
    if (result.pid !== undefined) started.push(result.pid); // the sleeper outlives the wait
    expect(result.ready).toBe(false);
    expect(result.message).toContain('did not answer within 0.3s');
  });

  it('refuses to auto-start for an endpoint on another machine', async () => {
    expect(isLoopbackEndpoint('http://gpu-box.lan:11434')).toBe(false);
    expect(isLoopbackEndpoint('localhost:11434')).toBe(true);
    const result = await startLocalOllama({
      endpoint: 'http://gpu-box.lan:11434',
      command: join(dir, 'ollama'),
    });
    expect(result.ready).toBe(false);
    expect(result.message).toContain('not on this machine');
  });
});
