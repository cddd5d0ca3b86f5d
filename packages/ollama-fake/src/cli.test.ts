// Spawns the built CLI (dist/cli.js, built by `pnpm build`; turbo builds before test).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';

const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let child: ChildProcess | undefined;

beforeAll(() => {
  if (!existsSync(cli))
    throw new Error(
      `${cli} is missing: run the package build (pnpm --filter @graphiti/ollama-fake build) first`,
    );
});
afterEach(() => {
  child?.kill('SIGTERM');
  child = undefined;
});

/** Starts the CLI and resolves with the URL it prints. */
function startCli(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const started = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let output = '';
    let errors = '';
    started.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) resolve(match[1]!);
    });
    started.stderr.on('data', (chunk: Buffer) => {
      errors += chunk.toString();
    });
    started.on('exit', (code) => reject(new Error(`cli exited ${code}: ${errors}`)));
  });
}

// Spawning Node can be slow on a loaded 2-core machine.
vi.setConfig({ testTimeout: 20_000 });

describe('ollama-fake CLI', () => {
  it('serves the given models behind the key and never prints the key', async () => {
    const url = await startCli([
      '--port',
      '0',
      '--models',
      'a:9b,b:3b',
      '--key',
      'K-secret',
      '--chunks',
      '2',
    ]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${url}/api/tags`)).status).toBe(401);
    const tags = (await (
      await fetch(`${url}/api/tags`, { headers: { authorization: 'Bearer K-secret' } })
    ).json()) as {
      models: { name: string }[];
    };
    expect(tags.models.map((model) => model.name)).toEqual(['a:9b', 'b:3b']);
    const stream = await fetch(`${url}/api/chat`, {
      method: 'POST',
      headers: { authorization: 'Bearer K-secret' },
      body: JSON.stringify({ model: 'a:9b', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect((await stream.text()).trimEnd().split('\n')).toHaveLength(3);
  });

  it('accepts faults through the control endpoint', async () => {
    const url = await startCli(['--port', '0']);
    await fetch(`${url}/__fake/faults`, { method: 'POST', body: '{"kind":"status","status":429,"times":1}' });
    expect((await fetch(`${url}/api/tags`)).status).toBe(429);
    expect((await fetch(`${url}/api/tags`)).status).toBe(200);
  });

  it.each([
    [['--bogus']],
    [['--port', 'abc']],
    [['--chunks', '0']],
    [['--models', 'a,,b']],
    [['extra']],
    [['--cloud']],
    [['--cloud', '--key', 'K', '--balance', 'gold']],
  ])('exits 2 with a usage message for %j', (args) => {
    const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: ollama-fake');
  });

  it('plays ollama.com with --cloud --key', async () => {
    const url = await startCli(['--port', '0', '--cloud', '--key', 'K-cloud', '--balance', 'windows']);
    const balance = await fetch(`${url}/api/balance`, { headers: { authorization: 'Bearer K-cloud' } });
    const body = (await balance.json()) as { included: { session: { remaining_percent: number } } };
    expect(typeof body.included.session.remaining_percent).toBe('number');
  });

  it('prints help and exits 0', () => {
    const result = spawnSync(process.execPath, [cli, '--help'], { encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('--chunk-delay-ms');
  });
});
