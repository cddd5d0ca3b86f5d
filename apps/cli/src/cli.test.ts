import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const bin = resolve(import.meta.dirname, '../dist/main.js');
let home: string;

function graphiti(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'graphiti-cli-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
});

describe('graphiti config show', () => {
  it('prints the defaults when there is no file, and says so', () => {
    const run = graphiti(['config', 'show']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('cloud.endpoint = "https://ollama.com"');
    expect(run.stdout).toContain('not found: defaults');
    expect(run.stdout).toContain(join(home, '.graphiti', 'llm.toml'));
  });

  it('redacts the API key and the gateway token given by file or environment', () => {
    const file = join(home, 'llm.toml');
    writeFileSync(
      file,
      '[cloud]\napi_key = "file-secret-1234"\n[server]\nauth_token = "token-secret-5678"\n',
    );
    const env = { GRAPHITI_LLM_CONFIG: file, OLLAMA_API_KEY: 'env-secret-9999' };
    for (const args of [['config', 'show'], ['config', 'show', '--json'], ['demo']]) {
      const run = graphiti(args, env);
      expect(run.code).toBe(0);
      const output = run.stdout + run.stderr;
      // the secret values (the key name server.webhook_secret may appear, its value never)
      expect(output).not.toMatch(/(file|token|env)-secret/);
      expect(output).not.toMatch(/secret-\d{4}/);
      expect(output).toContain('[redacted]');
    }
    const json = JSON.parse(graphiti(['config', 'show', '--json'], env).stdout);
    expect(json.path).toBe(file);
    expect(json.exists).toBe(true);
    expect(json.config.cloud.api_key).toBe('[redacted]');
  });

  it('fails with exit 1 and names the file and key when the file is invalid', () => {
    const file = join(home, 'bad.toml');
    writeFileSync(file, '[retry]\nmax_atempts = 3\n');
    const run = graphiti(['config', 'show'], { GRAPHITI_LLM_CONFIG: file });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(file);
    expect(run.stderr).toContain('max_atempts');
    expect(run.stdout).toBe('');
  });
});

describe('graphiti config init', () => {
  it('writes the annotated defaults once, refuses to overwrite, and the result loads', () => {
    const file = join(home, 'conf', 'llm.toml');
    const first = graphiti(['config', 'init'], { GRAPHITI_LLM_CONFIG: file });
    expect(first.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain('[cloud]');
    const second = graphiti(['config', 'init'], { GRAPHITI_LLM_CONFIG: file });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('already exists');
    const show = graphiti(['config', 'show', '--json'], { GRAPHITI_LLM_CONFIG: file });
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout).exists).toBe(true);
  });
});

describe('graphiti usage', () => {
  it('exits 2 on an unknown verb or option, 0 on --help', () => {
    expect(graphiti(['frobnicate']).code).toBe(2);
    expect(graphiti(['config', 'show', '--nope']).code).toBe(2);
    const help = graphiti(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('config');
  });
});

describe('graphiti --version', () => {
  it('prints the package version for --version, -V and version', () => {
    const { version } = JSON.parse(readFileSync(resolve(import.meta.dirname, '../package.json'), 'utf8'));
    for (const args of [['--version'], ['-V'], ['version']]) {
      const run = graphiti(args);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`graphiti ${version}\n`);
    }
  });
});

describe('graphiti --config', () => {
  it('exits 2 and names the file when --config or -c names a missing file', () => {
    const missing = join(home, 'missing.toml');
    for (const flag of ['--config', '-c']) {
      const run = graphiti([flag, missing, 'config', 'show']);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(missing);
      expect(run.stderr).toContain('no such file');
      expect(run.stdout).toBe('');
    }
  });

  it('reports a configuration error as JSON on stdout with --json', () => {
    const file = join(home, 'bad.toml');
    writeFileSync(file, '[retry]\nmax_atempts = 3\n');
    const run = graphiti(['-c', file, 'queue', 'list', '--json']);
    expect(run.code).toBe(1);
    const body = JSON.parse(run.stdout);
    expect(body.error.code).toBe('CONFIG_INVALID');
    expect(body.error.message).toContain('max_atempts');
    expect(body.error.issues[0]).toMatchObject({ kind: 'unknown_key', file });
    expect(run.stderr).toContain('max_atempts');
  });
});
