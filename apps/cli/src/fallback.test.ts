import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graphiti, useFakes } from './__fixtures__/harness.js';

// runCli from the build, in this process, to give it a terminal: spawned tests have no TTY.
const { runCli } = (await import(
  resolve(import.meta.dirname, '../dist/run-cli.js')
)) as typeof import('./run-cli.js');

const world = useFakes();

async function onTerminal(args: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    env: { PATH: process.env.PATH, ...env },
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stderrIsTTY: true,
  });
  return { code, stdout, stderr };
}

describe('a fallback is named in one line', () => {
  it('after a 429: who served, why, and until when the cloud is skipped', async () => {
    world.cloud.fault({
      path: '/api/chat',
      kind: 'status',
      status: 429,
      message: 'you have reached your hourly usage limit',
      headers: { 'Retry-After': '1200' },
    });
    const run = await graphiti(['chat', 'hi'], { env: world.box.env });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(
      /^served by local \(gemma2:9b\) because cloud failed: 429 rate limited; cloud skipped until \d\d:\d\d:\d\d UTC\n$/,
    );
    // the next call skips the cloud and says so
    const next = await graphiti(['chat', 'again'], { env: world.box.env });
    expect(next.code).toBe(0);
    expect(next.stderr).toMatch(
      /^served by local \(gemma2:9b\) because cloud is cooling down until \d\d:\d\d:\d\d UTC/,
    );
  });

  it('after a wrong key', async () => {
    const run = await graphiti(['chat', 'hi'], {
      env: { ...world.box.env, OLLAMA_API_KEY: 'not-the-key-000' },
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toBe(
      'served by local (gemma2:9b) because cloud failed: 401 the API key was rejected\n',
    );
    expect(run.stderr).not.toContain('not-the-key-000');
  });
});

describe('logging', () => {
  it('honours logging.level from the configuration file: JSON lines off a terminal', async () => {
    const { appendFileSync } = await import('node:fs');
    appendFileSync(world.box.configFile, '[logging]\nlevel = "warn"\n');
    world.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    const run = await graphiti(['chat', 'hi'], { env: world.box.env });
    expect(run.code).toBe(0);
    const events = run.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    expect(events).toContainEqual(expect.objectContaining({ event: 'llm_failover', reason: 'transient' }));
  });

  it('prints human lines on a terminal, and the failover only once (in the served line)', async () => {
    world.local.setModels(['llama3.2:3b', 'nomic-embed-text']); // gemma2:9b missing: a warning
    world.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    const run = await onTerminal(['chat', '--no-stream', 'hi'], { ...world.box.env, LOG_LEVEL: 'warn' });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('{"level"');
    expect(run.stderr).toMatch(/^warn {2}local_models_missing/m);
    expect(run.stderr).not.toMatch(/^warn {2}llm_failover/m);
    expect(run.stderr).toContain('served by local (llama3.2:3b) because cloud failed: 503 server error');
    world.local.setModels(['gemma2:9b', 'llama3.2:3b', 'nomic-embed-text']);
  });
});

describe('progress on a terminal', () => {
  it('shows a wait longer than a second, then clears it before the answer', async () => {
    world.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    const env = world.box.env;
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(
      world.box.configFile,
      readFileSync(world.box.configFile, 'utf8').replace('delay_seconds = 0.01', 'delay_seconds = 2.5'),
    );
    const run = await onTerminal(['chat', '--no-stream', 'hi'], env);
    expect(run.code).toBe(0);
    // with router events: "cloud 503, retrying in 2 s (2/2)"; with log lines only: "waiting for the answer (1 s)"
    const drawn = run.stderr.split('\r\u001b[2K').filter((part) => part !== '');
    expect(drawn.length).toBeGreaterThan(1);
    expect(drawn[0]).toMatch(/^(cloud 503, retrying in \d s \(2\/2\)|waiting for the answer \(\d s\))$/);
    const last = run.stderr.lastIndexOf('\r\u001b[2K');
    expect(run.stderr.slice(last + 5)).toMatch(/^served by local/);
    expect(run.stdout).toContain('\n');
    expect(run.stdout).not.toContain('\r');
  });

  it('shows nothing off a terminal', async () => {
    const { writeFileSync, readFileSync } = await import('node:fs');
    writeFileSync(
      world.box.configFile,
      readFileSync(world.box.configFile, 'utf8').replace('delay_seconds = 0.01', 'delay_seconds = 1.5'),
    );
    world.cloud.fault({ path: '/api/chat', kind: 'status', status: 503 });
    const run = await graphiti(['chat', 'hi'], { env: world.box.env });
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('\r');
    expect(run.stderr).not.toContain('waiting');
  });
});

describe('chat without storage', () => {
  it('answers when the storage does not open, warning that nothing could be queued', async () => {
    const env = { ...world.box.env, GRAPHITI_STORAGE_URL: 'postgres://postgres@127.0.0.1:1/none' };
    const run = await graphiti(['chat', 'hi'], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      `${world.cloud.expectedText({ model: 'gpt-oss:120b', messages: [{ role: 'user', content: 'hi' }] })}\n`,
    );
    expect(run.stderr).toMatch(/warning: the storage .* does not open/);
    expect(run.stderr).toContain('nothing can be queued');
    expect(run.stderr).toContain('served by cloud (gpt-oss:120b)');
  });

  it('says it was not queued when both providers are down too', async () => {
    await Promise.all([world.cloud.stop(), world.local.stop()]);
    const env = { ...world.box.env, GRAPHITI_STORAGE_URL: 'postgres://postgres@127.0.0.1:1/none' };
    const run = await graphiti(['chat', 'hi'], { env });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Not queued');
    expect(run.stderr).not.toContain('Queued as');
  });
});
