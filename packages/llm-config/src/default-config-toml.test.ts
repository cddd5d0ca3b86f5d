import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfigToml } from './default-config-toml.js';
import { defaultConfig, loadConfig } from './load-config.js';
import { KEY_SPECS } from './spec.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llm-config-toml-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function loadText(text: string, env: Record<string, string>) {
  const path = join(dir, 'llm.toml');
  writeFileSync(path, text);
  return loadConfig({ path, env });
}

describe('defaultConfigToml', () => {
  it('loads back to exactly the defaults', () => {
    const env = { HOME: dir };
    expect(loadText(defaultConfigToml(), env)).toEqual(defaultConfig(env));
  });

  it('keeps GRAPHITI_HOME working after `config init` (storage.url is commented out)', () => {
    const env = { HOME: dir, GRAPHITI_HOME: join(dir, 'gh') };
    const config = loadText(defaultConfigToml(), env);
    expect(config.storage.url).toBe(`sqlite:${join(dir, 'gh')}/graphiti.db`);
    expect(config).toEqual(defaultConfig(env));
  });

  it('mentions every key, with a comment line above it', () => {
    const lines = defaultConfigToml().split('\n');
    for (const spec of KEY_SPECS) {
      const key = spec.path.split('.').at(-1)!;
      const index = lines.findIndex((line) => line.startsWith(`${key} = `) || line.startsWith(`# ${key} = `));
      expect(index, spec.path).toBeGreaterThan(0);
      expect(lines[index - 1]?.startsWith('# '), spec.path).toBe(true);
    }
  });

  it('writes the secrets only as commented-out examples', () => {
    const parsed = parse(defaultConfigToml()) as { cloud: object; server: object };
    expect(parsed.cloud).not.toHaveProperty('api_key');
    expect(parsed.server).not.toHaveProperty('auth_token');
    expect(defaultConfigToml()).toContain('# api_key = "your-ollama-api-key"');
    expect(defaultConfigToml()).toContain('# auth_token = ');
  });

  it('the commented-out examples are valid when uncommented', () => {
    const text = defaultConfigToml()
      .replace('# api_key = ', 'api_key = ')
      .replace('# auth_token = ', 'auth_token = ')
      .replace('# url = ', 'url = ');
    const config = loadText(text, { HOME: dir });
    expect(config.cloud.api_key).toBe('your-ollama-api-key');
    expect(config.server.auth_token).toBe('a-long-random-token');
    expect(config.storage.url).toBe(`sqlite:${dir}/.graphiti/graphiti.db`);
  });
});
