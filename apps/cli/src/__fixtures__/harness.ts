import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type OllamaFake, startOllamaFake } from '@graphiti/ollama-fake';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';

/** The built CLI: tests run it as a user would. */
export const bin: string = resolve(import.meta.dirname, '../../dist/main.js');

/** What one run of `graphiti` printed, and its exit code. */
export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The cloud key the fakes use; every run checks it never appears in any output. */
export const API_KEY = 'sk-test-cloud-key-0123456789';

/**
 * Runs `node dist/main.js ...args` asynchronously (the fakes live in this process, so the test must not block),
 * with `input` on stdin (stdin is closed either way), and asserts the API key is not in the output.
 */
export function graphiti(
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
    });
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
    });
    child.on('error', fail);
    child.on('close', (code) => {
      expect(stdout + stderr).not.toContain(API_KEY);
      done({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** A temporary HOME with a config file pointing at the fakes and a SQLite database inside it. */
export interface Sandbox {
  readonly home: string;
  readonly configFile: string;
  /** The environment for `graphiti`: HOME, GRAPHITI_LLM_CONFIG and (unless `cloud: false`) OLLAMA_API_KEY. */
  readonly env: Record<string, string>;
  remove(): void;
}

/** Writes the sandbox config: `retry.delay_seconds = 0.01`, the fakes' endpoints, SQLite in the temp dir. */
export function sandbox(
  endpoints: { cloud?: string; local: string },
  options: { extraToml?: string; models?: readonly string[]; apiKey?: string | false } = {},
): Sandbox {
  const home = mkdtempSync(join(tmpdir(), 'graphiti-cli-test-'));
  const configFile = join(home, 'llm.toml');
  const models = options.models ?? ['gemma2:9b', 'llama3.2:3b'];
  writeFileSync(
    configFile,
    [
      '[cloud]',
      `endpoint = "${endpoints.cloud ?? 'http://127.0.0.1:9'}"`,
      '[local]',
      `endpoint = "${endpoints.local}"`,
      `models = ${JSON.stringify(models)}`,
      '[retry]',
      'max_attempts = 2',
      'delay_seconds = 0.01',
      '[storage]',
      `url = "sqlite:${join(home, 'graphiti.db')}"`,
      options.extraToml ?? '',
      '',
    ].join('\n'),
  );
  const key = options.apiKey === undefined ? API_KEY : options.apiKey;
  const env: Record<string, string> = { HOME: home, GRAPHITI_HOME: home, GRAPHITI_LLM_CONFIG: configFile };
  if (key !== false && endpoints.cloud !== undefined) env.OLLAMA_API_KEY = key;
  return { home, configFile, env, remove: () => rmSync(home, { recursive: true, force: true }) };
}

/** The two fakes: "cloud" (needs API_KEY, gpt-oss:120b) and "local" (gemma2:9b, llama3.2:3b, nomic-embed-text). */
export async function startFakes(): Promise<{ cloud: OllamaFake; local: OllamaFake }> {
  const [cloud, local] = await Promise.all([
    startOllamaFake({ models: ['gpt-oss:120b'], apiKey: API_KEY }),
    startOllamaFake({ models: ['gemma2:9b', 'llama3.2:3b', 'nomic-embed-text'] }),
  ]);
  return { cloud, local };
}

/** The fakes and the current test's sandbox, as {@link useFakes} keeps them. */
export interface FakeWorld {
  readonly cloud: OllamaFake;
  readonly local: OllamaFake;
  readonly box: Sandbox;
}

/**
 * Registers the usual hooks of a test file: the two fakes for the whole file, a fresh sandbox pointing at
 * them for each test, and after each test the fakes reset (faults, request log) and listening again.
 */
export function useFakes(options: Parameters<typeof sandbox>[1] = {}): FakeWorld {
  let fakes: { cloud: OllamaFake; local: OllamaFake } | undefined;
  let box: Sandbox | undefined;
  const world: FakeWorld = {
    get cloud() {
      if (fakes === undefined) throw new Error('the fakes are not started yet');
      return fakes.cloud;
    },
    get local() {
      if (fakes === undefined) throw new Error('the fakes are not started yet');
      return fakes.local;
    },
    get box() {
      if (box === undefined) throw new Error('the sandbox exists only inside a test');
      return box;
    },
  };
  beforeAll(async () => {
    fakes = await startFakes();
  });
  afterAll(async () => {
    await Promise.all([world.cloud.close(), world.local.close()]);
  });
  beforeEach(() => {
    box = sandbox({ cloud: world.cloud.url, local: world.local.url }, options);
  });
  afterEach(async () => {
    world.cloud.reset();
    world.local.reset();
    await Promise.all([world.cloud.start(), world.local.start()]);
    box?.remove();
    box = undefined;
  });
  return world;
}
