// Uses the built package (dist/, built by `pnpm build`; turbo builds before test): the executable it
// writes runs in a plain Node process and imports the built fake. Without a build the import below fails.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type FakeOllamaCommand, freePort, writeFakeOllamaCommand } from '../dist/index.js';

let ollama: FakeOllamaCommand | undefined;
let child: ChildProcess | undefined;

afterEach(() => {
  ollama?.close();
  ollama = undefined;
  child?.kill();
  child = undefined;
});

// Spawning Node can be slow on a loaded 2-core machine.
vi.setConfig({ testTimeout: 20_000 });

/** Runs `<command> serve` as llm-health's auto-start does, listening on 127.0.0.1:port. */
function serve(command: FakeOllamaCommand, port: number): ChildProcess {
  child = spawn(command.path, ['serve'], {
    env: { ...process.env, OLLAMA_HOST: `127.0.0.1:${port}` },
    stdio: 'ignore',
  });
  return child;
}

/** GETs `url` until it answers (the server is starting), for at most 10 s. */
async function getWhenUp(url: string): Promise<unknown> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await (await fetch(url)).json();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(25);
    }
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('writeFakeOllamaCommand', () => {
  it('writes an `ollama` whose `serve` starts the fake on OLLAMA_HOST with the given models and version', async () => {
    ollama = writeFakeOllamaCommand({ models: ['llama3.2:3b', 'nomic-embed-text'], version: '9.9.9' });
    expect(ollama.path).toBe(`${ollama.directory}/ollama`);
    const port = await freePort();
    const server = serve(ollama, port);
    expect(await getWhenUp(`http://127.0.0.1:${port}/api/version`)).toEqual({ version: '9.9.9' });
    const tags = (await getWhenUp(`http://127.0.0.1:${port}/api/tags`)) as { models: { name: string }[] };
    expect(tags.models.map((model) => model.name)).toEqual(['llama3.2:3b', 'nomic-embed-text:latest']);
    expect(ollama.pid()).toBe(server.pid);

    const exited = once(server, 'exit');
    ollama.close();
    await exited;
    expect(existsSync(ollama.directory)).toBe(false);
    expect(await refused(port)).toBe(true);
    ollama.close(); // a second close is harmless
  });

  it('exits 2 for any other subcommand and starts nothing', () => {
    ollama = writeFakeOllamaCommand();
    const result = spawnSync(ollama.path, ['list'], { timeout: 10_000 });
    expect(result.status).toBe(2);
    expect(ollama.pid()).toBeUndefined();
  });

  it('lets the server exit by itself after lifetimeMs', async () => {
    ollama = writeFakeOllamaCommand({ lifetimeMs: 500 });
    const port = await freePort();
    const server = serve(ollama, port);
    const exited = once(server, 'exit');
    expect(await getWhenUp(`http://127.0.0.1:${port}/api/version`)).toEqual({ version: '0.12.6' });
    expect(await exited).toEqual([0, null]);
    expect(await refused(port)).toBe(true);
  });
});

describe('freePort', () => {
  it('gives a loopback port where a connection is refused', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(await refused(port)).toBe(true);
  });
});
