import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { format, inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configErrorOf } from './__fixtures__/config-error-of.js';
import type { ConfigError } from './config-error.js';
import { defaultConfig, loadConfig } from './load-config.js';
import { REDACTED, redact } from './redact.js';
import type { LlmConfig } from './types.js';

const API_KEY = 'sk-live-APIKEY-4f9a8b7c6d';
const TOKEN = 'gw-token-TOKEN-0e1d2c3b4a';
const FILE_KEY = 'sk-file-FILEKEY-1234abcd';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llm-config-secrets-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function loadWith(text: string, env: Record<string, string> = {}): LlmConfig {
  const path = join(dir, 'llm.toml');
  writeFileSync(path, text);
  return loadConfig({ path, env: { HOME: dir, ...env } });
}

/** Every way an error can end up in a log. */
function errorRenderings(error: ConfigError): string[] {
  return [
    error.message,
    String(error),
    error.stack ?? '',
    JSON.stringify(error),
    JSON.stringify(error.issues),
    inspect(error, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
    format('%o', error),
  ];
}

function expectHidden(renderings: readonly string[], secrets: readonly string[]): void {
  for (const text of renderings) {
    for (const secret of secrets) expect(text).not.toContain(secret);
  }
}

describe('secrets in a loaded config', () => {
  const env = { OLLAMA_API_KEY: API_KEY, GRAPHITI_SERVER_TOKEN: TOKEN };

  it('are readable as properties', () => {
    const config = loadWith('', env);
    expect(config.cloud.api_key).toBe(API_KEY);
    expect(config.server.auth_token).toBe(TOKEN);
  });

  it('never appear in JSON.stringify, String(), template literals or util.inspect', () => {
    const config = loadWith('[storage]\nurl = "postgres://app:db-PASSWORD-9@db.example:5432/g"\n', env);
    const renderings = [
      JSON.stringify(config),
      JSON.stringify(config, null, 2),
      JSON.stringify(config.cloud),
      JSON.stringify(config.server),
      JSON.stringify({ nested: config }),
      JSON.stringify(config.storage),
      String(config),
      String(config.cloud),
      `${config.server}`,
      inspect(config),
      inspect(config, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      inspect(config.cloud),
      inspect(config.server, { showHidden: true }),
      inspect({ wrapper: [config] }, { depth: 10 }),
      format('%o %O %s %j', config, config.cloud, config.server, config),
    ];
    expectHidden(renderings, [API_KEY, TOKEN, 'db-PASSWORD-9']);
    expect(JSON.parse(JSON.stringify(config)).cloud.api_key).toBe(REDACTED);
    expect(JSON.parse(JSON.stringify(config.server)).auth_token).toBe(REDACTED);
    expect(JSON.parse(String(config)).storage.url).toBe('postgres://app:[redacted]@db.example:5432/g');
    expect(config.storage.url).toBe('postgres://app:db-PASSWORD-9@db.example:5432/g');
  });

  it('serialisation hooks are non-enumerable', () => {
    const config = loadWith('', env);
    expect(Object.keys(config)).toEqual([
      'cloud',
      'local',
      'embeddings',
      'retry',
      'timeouts',
      'cooldown',
      'quota',
      'queue',
      'storage',
      'logging',
      'server',
    ]);
    expect(Object.keys(config.cloud)).toEqual([
      'provider',
      'endpoint',
      'api_key',
      'default_model',
      'max_concurrency',
    ]);
  });
});

describe('redact', () => {
  it('returns a plain mutable copy with the secrets replaced', () => {
    const config = loadWith('', { OLLAMA_API_KEY: API_KEY, GRAPHITI_SERVER_TOKEN: TOKEN });
    const copy = redact(config);
    expect(copy.cloud.api_key).toBe(REDACTED);
    expect(copy.server.auth_token).toBe(REDACTED);
    expect(Object.isFrozen(copy)).toBe(false);
    expect(Object.isFrozen(copy.cloud)).toBe(false);
    expect(copy.retry).toEqual(config.retry);
    expect(copy.local.models).not.toBe(config.local.models);
    expectHidden([JSON.stringify(copy), inspect(copy, { showHidden: true, depth: 10 })], [API_KEY, TOKEN]);
    // The original still holds the real values.
    expect(config.cloud.api_key).toBe(API_KEY);
  });

  it('leaves absent secrets absent', () => {
    const copy = redact(defaultConfig({ HOME: dir }));
    expect(copy.cloud.api_key).toBeUndefined();
    expect(copy.server.auth_token).toBeUndefined();
    expect(JSON.stringify(copy)).not.toContain(REDACTED);
  });

  it('masks passwords in endpoint URLs', () => {
    const copy = redact(loadWith('[cloud]\nendpoint = "https://user:cloud-PW-1@cloud.example"\n'));
    expect(copy.cloud.endpoint).toBe('https://user:[redacted]@cloud.example');
  });
});

describe('secrets in ConfigError', () => {
  it('an api_key of the wrong type is described without its value', () => {
    const error = configErrorOf(() => loadWith('[cloud]\napi_key = 98765432123\n'));
    expect(error.issues[0]).toMatchObject({ key: 'cloud.api_key', found: 'an integer (value hidden)' });
    expectHidden(errorRenderings(error), ['98765432123']);
  });

  it('an invalid api_key or token string is not shown', () => {
    const error = configErrorOf(() =>
      loadWith(`[cloud]\napi_key = "${FILE_KEY} with spaces"\n[server]\nauth_token = "${TOKEN}\\u0007"\n`),
    );
    expect(error.issues.map((issue) => issue.key)).toEqual(['cloud.api_key', 'server.auth_token']);
    expectHidden(errorRenderings(error), [FILE_KEY, TOKEN]);
  });

  it('an invalid secret from the environment is not shown', () => {
    const error = configErrorOf(() =>
      loadWith('', { OLLAMA_API_KEY: `${API_KEY} x`, GRAPHITI_SERVER_TOKEN: `${TOKEN}\u0001` }),
    );
    expect(error.issues.map((issue) => issue.envVar)).toEqual(['OLLAMA_API_KEY', 'GRAPHITI_SERVER_TOKEN']);
    expectHidden(errorRenderings(error), [API_KEY, TOKEN]);
  });

  it('a secret under a misspelt key is not shown', () => {
    const error = configErrorOf(() =>
      loadWith(`[cloud]\napikey = "${FILE_KEY}"\n[server]\ntoken = "${TOKEN}"\n`),
    );
    expect(error.issues.map((issue) => issue.kind)).toEqual(['unknown_key', 'unknown_key']);
    expect(error.issues[0]?.message).toContain('did you mean "cloud.api_key"?');
    expectHidden(errorRenderings(error), [FILE_KEY, TOKEN]);
  });

  it('a syntax error on the line holding a secret does not quote the line', () => {
    const error = configErrorOf(() => loadWith(`[cloud]\napi_key = "${FILE_KEY}\n`));
    expect(error.code).toBe('CONFIG_SYNTAX');
    expect(error.issues[0]?.line).toBe(2);
    expectHidden(errorRenderings(error), [FILE_KEY]);
  });

  it('a secret pasted into another key is scrubbed from the message', () => {
    const error = configErrorOf(() =>
      loadWith(`[cloud]\napi_key = "${FILE_KEY}"\nendpoint = "${FILE_KEY}"\n`),
    );
    expect(error.issues[0]?.key).toBe('cloud.endpoint');
    expectHidden(errorRenderings(error), [FILE_KEY]);
  });

  it('the secret of a valid key does not leak through a contradiction elsewhere', () => {
    const error = configErrorOf(() =>
      loadWith('[cloud]\nendpoint = "http://remote.example"\n', { OLLAMA_API_KEY: API_KEY }),
    );
    expect(error.issues[0]?.kind).toBe('contradiction');
    expectHidden(errorRenderings(error), [API_KEY]);
  });
});

describe('the webhook secret', () => {
  it('is redacted like the other secrets: every secret key of the spec is', () => {
    const webhookSecret = 'whsec-WEBHOOK-9f8e7d6c5b';
    const config = loadWith('', { GRAPHITI_WEBHOOK_SECRET: webhookSecret });
    expect(config.server.webhook_secret).toBe(webhookSecret);
    expect(redact(config).server.webhook_secret).toBe(REDACTED);
    expect(JSON.stringify(config)).not.toContain(webhookSecret);
    expect(inspect(config, { depth: 5 })).not.toContain(webhookSecret);
    expect(String(config.server)).not.toContain(webhookSecret);
  });
});
