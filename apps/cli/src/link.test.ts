import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const cliDir = resolve(import.meta.dirname, '..');
const prefix = mkdtempSync(join(tmpdir(), 'graphiti-npm-prefix-'));
afterAll(() => rmSync(prefix, { recursive: true, force: true }));

describe('graphiti on PATH from a clone (pnpm link:cli runs npm link in apps/cli)', () => {
  it('npm link puts a working graphiti in the global bin directory', () => {
    // a private global prefix: the test never touches the machine's real global packages
    const env = { ...process.env, NPM_CONFIG_PREFIX: prefix, npm_config_prefix: prefix };
    execFileSync('npm', ['link', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: cliDir,
      env,
      stdio: 'pipe',
    });
    const binDir = join(prefix, 'bin');
    expect(existsSync(join(binDir, 'graphiti'))).toBe(true);
    const home = mkdtempSync(join(tmpdir(), 'graphiti-link-home-'));
    try {
      const run = spawnSync('graphiti', ['--version'], {
        encoding: 'utf8',
        env: { PATH: `${binDir}:${process.env.PATH ?? ''}`, HOME: home },
      });
      expect(run.status).toBe(0);
      expect(run.stdout).toMatch(/^graphiti \d+\.\d+\.\d+\n$/);
      const show = spawnSync('graphiti', ['config', 'show'], {
        encoding: 'utf8',
        env: { PATH: `${binDir}:${process.env.PATH ?? ''}`, HOME: home },
      });
      expect(show.status).toBe(0);
      expect(show.stdout).toContain('cloud.endpoint = "https://ollama.com"');
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
