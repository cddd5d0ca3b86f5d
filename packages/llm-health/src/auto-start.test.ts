import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { freePort } from './__fixtures__/free-port.js';
import { isLoopbackEndpoint, startLocalOllama } from './auto-start.js';
import { checkLocal } from './check-local.js';

const fakeEntry = pathToFileURL(
  join(
    dirname(createRequire(import.meta.url).resolve('@graphiti/ollama-fake/package.json')),
    'dist',
    'index.js',
  ),
).href;

let dir: string;
const started: number[] = [];

/**
 * Writes an `ollama` executable into `dir`: on `serve` it starts the Ollama fake on the port in OLLAMA_HOST,
 * records its pid, and exits by itself after 20 s in case a test fails before stopping it.
 */
function writeFakeOllama(body?: string): void {
  const script =
    body ??
    `#!/usr/bin/env node
const { writeFileSync } = require('node:fs');
if (process.argv[2] !== 'serve') process.exit(2);
const port = Number(String(process.env.OLLAMA_HOST).split(':').pop());
writeFileSync(${JSON.stringify(join('DIR', 'pid'))}.replace('DIR', __dirname), String(process.pid));
setTimeout(() => process.exit(0), 20000);
import(${JSON.stringify(fakeEntry)}).then(({ startOllamaFake }) =>
  startOllamaFake({ port, models: ['llama3.2:3b'], version: '9.9.9' }));
`;
  writeFileSync(join(dir, 'ollama'), script, { mode: 0o755 });
}

function spawnedPid(): number | undefined {
  try {
    return Number(readFileSync(join(dir, 'pid'), 'utf8'));
  } catch {
    return undefined;
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'graphiti-health-'));
});
afterEach(() => {
  vi.unstubAllEnvs();
  const pid = spawnedPid();
  if (pid !== undefined) started.push(pid);
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
    writeFakeOllama();
    vi.stubEnv('PATH', `${dir}${delimiter}${process.env.PATH ?? ''}`);
    const port = await freePort();
    const health = await checkLocal({
      endpoint: `http://127.0.0.1:${port}`,
      requiredModels: ['llama3.2:3b'],
      autoStart: true,
      autoStartWaitSeconds: 10,
    });
    expect(health).toMatchObject({ status: 'up', version: '9.9.9', autoStarted: true, missing: [] });
    expect(spawnedPid()).toBeGreaterThan(0);
  });

  it('does not spawn anything when auto-start is off (the default)', async () => {
    writeFakeOllama();
    vi.stubEnv('PATH', `${dir}${delimiter}${process.env.PATH ?? ''}`);
    const port = await freePort();
    const health = await checkLocal({ endpoint: `http://127.0.0.1:${port}` });
    expect(health.status).toBe('down');
    await sleep(50);
    expect(spawnedPid()).toBeUndefined();
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
    writeFakeOllama('#!/bin/sh\nexit 3\n');
    const port = await freePort();
    const result = await startLocalOllama({
      endpoint: `http://127.0.0.1:${port}`,
      command: join(dir, 'ollama'),
      waitSeconds: 5,
      pollIntervalMs: 20,
    });
    expect(result.ready).toBe(false);
    expect(result.message).toContain('exited (code 3) before answering');
  });

  it('stops waiting after the bounded wait', async () => {
    writeFakeOllama(`#!/bin/sh\necho $$ > "${join(dir, 'pid')}"\nexec sleep 5\n`);
    const port = await freePort();
    const result = await startLocalOllama({
      endpoint: `http://127.0.0.1:${port}`,
      command: join(dir, 'ollama'),
      waitSeconds: 0.3,
      pollIntervalMs: 20,
    });
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
