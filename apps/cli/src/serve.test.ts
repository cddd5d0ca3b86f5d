import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { API_KEY, bin, graphiti, useFakes } from './__fixtures__/harness.js';

const world = useFakes();

describe('graphiti serve', () => {
  it('serves the Ollama API through the router and closes cleanly on SIGTERM', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0'], {
      env: { PATH: process.env.PATH ?? '', ...world.box.env, LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (text: string) => {
        stderr += text;
        const match = /listening on (http:\/\/\S+)/.exec(stderr);
        if (match) resolve(match[1] as string);
      });
      child.on('close', () => reject(new Error(`serve exited early: ${stderr}`)));
    });

    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const response = await fetch(`${url}/api/chat`, {
      method: 'POST',
      body: JSON.stringify({ model: 'default', stream: false, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-graphiti-provider')).toBe('cloud');
    const answer = (await response.json()) as { message: { content: string } };
    expect(answer.message.content).toBe(
      world.cloud.expectedText({ model: 'gpt-oss:120b', messages: [{ role: 'user', content: 'hi' }] }),
    );

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('SIGTERM: closing the gateway');
    expect(stderr).toContain('gateway closed');
    expect(stdout + stderr).not.toContain(API_KEY);
  });

  it('exits 2 on a bad port', async () => {
    const run = await graphiti(['serve', '--port', 'http'], { env: world.box.env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('port');
  });
});

describe('graphiti --help', () => {
  it('documents every verb, and each verb has --help (exit 0)', async () => {
    // in this process (runCli from the build): sixteen process starts would only measure Node's start-up
    const { runCli } = (await import(
      bin.replace(/main\.js$/, 'run-cli.js')
    )) as typeof import('./run-cli.js');
    const help = async (args: string[]): Promise<{ code: number; stdout: string }> => {
      let stdout = '';
      const code = await runCli(args, {
        env: world.box.env,
        stdout: (text) => {
          stdout += text;
        },
        stderr: () => {},
      });
      return { code, stdout };
    };
    const verbs = [
      'chat',
      'generate',
      'embed',
      'health',
      'quota',
      'queue',
      'retry-queue',
      'config',
      'serve',
      'demo',
    ];
    const top = await help(['--help']);
    expect(top.code).toBe(0);
    for (const verb of verbs) expect(top.stdout).toContain(verb);
    for (const verb of [
      ...verbs,
      'doctor',
      'queue list',
      'queue show',
      'queue purge',
      'config show',
      'config init',
    ]) {
      const run = await help([...verb.split(' '), '--help']);
      expect(run.code, verb).toBe(0);
      expect(run.stdout).toContain('Usage: graphiti');
    }
    expect((await help(['chat', '--help'])).stdout).toContain('--no-stream');
    expect((await help(['queue', 'purge', '--help'])).stdout).toContain('--older-than');
  });
});
