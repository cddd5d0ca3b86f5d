import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configErrorOf } from './__fixtures__/config-error-of.js';
import type { ConfigIssue } from './config-error.js';
import { DEFAULT_CORS_ORIGINS } from './cors-origins.js';
import { defaultConfig, loadConfig } from './load-config.js';
import { graphitiHome, resolveConfigPath } from './paths.js';

let dir: string;
let home: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'llm-config-'));
  home = join(dir, 'home');
  mkdirSync(home);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(text: string, name = 'llm.toml'): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function load(text: string | undefined, env: Record<string, string> = {}) {
  const path = text === undefined ? join(dir, 'missing.toml') : writeConfig(text);
  return loadConfig({ path, env: { HOME: home, ...env } });
}

function issuesOf(run: () => unknown): readonly ConfigIssue[] {
  return configErrorOf(run).issues;
}

describe('loadConfig defaults', () => {
  it('returns every documented default when the file is missing', () => {
    const config = load(undefined);
    expect(config).toEqual({
      cloud: {
        provider: 'ollama',
        endpoint: 'https://ollama.com',
        api_key: undefined,
        default_model: 'gpt-oss:120b',
        max_concurrency: 0,
      },
      local: { endpoint: 'http://localhost:11434', auto_start: false, models: ['gemma2:9b', 'llama3.2:3b'] },
      embeddings: { model: 'nomic-embed-text' },
      retry: { max_attempts: 3, delay_seconds: 10, timeout_seconds: 90 },
      timeouts: {
        cloud: { connect: 5, read: 90, write: 10, pool: 20, first_token: 30 },
        local: { connect: 2, read: 60, write: 10, pool: 5, first_token: 120 },
      },
      cooldown: { rate_limit_seconds: 600 },
      quota: { warning_threshold: 0.8, daily_request_limit: 0, poll_seconds: 60 },
      queue: {
        max_size: 1000,
        ttl_hours: 24,
        max_attempts: 5,
        retry_interval_seconds: 300,
        lease_seconds: 60,
      },
      storage: { url: `sqlite:${home}/.graphiti/graphiti.db`, sqlite_synchronous: 'full' },
      logging: { level: 'info', failover_events: true },
      server: {
        host: '127.0.0.1',
        port: 11436,
        auth_token: undefined,
        cors_origins: DEFAULT_CORS_ORIGINS,
        webhook_secret: undefined,
      },
    });
  });

  it('reports a missing file through onNotice and is not an error', () => {
    const notices: string[] = [];
    const path = join(dir, 'nope.toml');
    loadConfig({ path, env: { HOME: home }, onNotice: (message) => notices.push(message) });
    expect(notices).toEqual([`No config file at ${path}; using defaults`]);
  });

  it('treats an empty file as all defaults', () => {
    expect(load('')).toEqual(defaultConfig({ HOME: home }));
  });

  it('returns a deeply frozen object', () => {
    const config = load(undefined);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.cloud)).toBe(true);
    expect(Object.isFrozen(config.timeouts.local)).toBe(true);
    expect(Object.isFrozen(config.local.models)).toBe(true);
    expect(() => {
      (config.retry as { max_attempts: number }).max_attempts = 9;
    }).toThrow(TypeError);
  });

  it('defaultConfig places the database under GRAPHITI_HOME', () => {
    expect(defaultConfig({ HOME: home, GRAPHITI_HOME: '/srv/graphiti' }).storage.url).toBe(
      'sqlite:/srv/graphiti/graphiti.db',
    );
    expect(defaultConfig({ HOME: home, GRAPHITI_HOME: '~/g' }).storage.url).toBe(
      `sqlite:${home}/g/graphiti.db`,
    );
  });
});

describe('config file location', () => {
  it('reads GRAPHITI_LLM_CONFIG when no path is given', () => {
    const path = writeConfig('[retry]\nmax_attempts = 7\n', 'custom.toml');
    expect(loadConfig({ env: { HOME: home, GRAPHITI_LLM_CONFIG: path } }).retry.max_attempts).toBe(7);
  });

  it('falls back to ~/.graphiti/llm.toml under HOME', () => {
    mkdirSync(join(home, '.graphiti'));
    writeFileSync(join(home, '.graphiti', 'llm.toml'), '[queue]\nmax_size = 12\n');
    expect(loadConfig({ env: { HOME: home } }).queue.max_size).toBe(12);
    expect(resolveConfigPath({ HOME: home })).toBe(join(home, '.graphiti', 'llm.toml'));
  });

  it('prefers the explicit path over GRAPHITI_LLM_CONFIG', () => {
    const explicit = writeConfig('[retry]\nmax_attempts = 2\n', 'a.toml');
    const fromEnv = writeConfig('[retry]\nmax_attempts = 9\n', 'b.toml');
    expect(
      loadConfig({ path: explicit, env: { HOME: home, GRAPHITI_LLM_CONFIG: fromEnv } }).retry.max_attempts,
    ).toBe(2);
  });

  it('expands ~ in GRAPHITI_LLM_CONFIG and in GRAPHITI_HOME', () => {
    expect(resolveConfigPath({ HOME: home, GRAPHITI_LLM_CONFIG: '~/conf/x.toml' })).toBe(
      join(home, 'conf', 'x.toml'),
    );
    expect(graphitiHome({ HOME: home })).toBe(join(home, '.graphiti'));
    expect(graphitiHome({ HOME: home, GRAPHITI_HOME: '~/elsewhere' })).toBe(join(home, 'elsewhere'));
  });

  it('reports a file that cannot be read (a directory) as CONFIG_UNREADABLE', () => {
    const path = join(dir, 'adir.toml');
    mkdirSync(path);
    const error = configErrorOf(() => loadConfig({ path, env: { HOME: home } }));
    expect(error.code).toBe('CONFIG_UNREADABLE');
    expect(error.issues[0]).toMatchObject({ kind: 'unreadable', file: path });
    expect(error.message).toContain(path);
  });

  it.skipIf(process.getuid?.() === 0)('reports a file without read permission', () => {
    const path = writeConfig('[retry]\nmax_attempts = 2\n', 'locked.toml');
    chmodSync(path, 0o000);
    const error = configErrorOf(() => loadConfig({ path, env: { HOME: home } }));
    expect(error.code).toBe('CONFIG_UNREADABLE');
    expect(error.message).toContain('permission denied');
  });
});

describe('loadConfig file values', () => {
  it('reads every key from the file', () => {
    const config = load(`
[cloud]
provider = "ollama"
endpoint = "https://cloud.example/"
api_key = "file-key-123"
default_model = "glm-5:cloud"
max_concurrency = 3
[local]
endpoint = "http://10.0.0.5:11434"
auto_start = true
models = []
[embeddings]
model = "mxbai-embed-large"
[retry]
max_attempts = 1
delay_seconds = 0.01
timeout_seconds = 1.5
[timeouts]
cloud = { connect = 0.1, read = 0.2, write = 0.3, pool = 0.4, first_token = 0.5 }
[timeouts.local]
connect = 1
read = 2
write = 3
pool = 4
first_token = 5
[cooldown]
rate_limit_seconds = 0
[quota]
warning_threshold = 1
daily_request_limit = 500
poll_seconds = 0
[queue]
max_size = 1
ttl_hours = 0.5
max_attempts = 1
retry_interval_seconds = 0.01
lease_seconds = 2
[storage]
url = "postgres://postgres@127.0.0.1:5432/test"
sqlite_synchronous = "normal"
[logging]
level = "debug"
failover_events = false
[server]
host = "0.0.0.0"
port = 0
auth_token = "tok-123456"
cors_origins = ["https://app.example"]
webhook_secret = "whsec-123456"
`);
    expect(config).toEqual({
      cloud: {
        provider: 'ollama',
        endpoint: 'https://cloud.example',
        api_key: 'file-key-123',
        default_model: 'glm-5',
        max_concurrency: 3,
      },
      local: { endpoint: 'http://10.0.0.5:11434', auto_start: true, models: [] },
      embeddings: { model: 'mxbai-embed-large' },
      retry: { max_attempts: 1, delay_seconds: 0.01, timeout_seconds: 1.5 },
      timeouts: {
        cloud: { connect: 0.1, read: 0.2, write: 0.3, pool: 0.4, first_token: 0.5 },
        local: { connect: 1, read: 2, write: 3, pool: 4, first_token: 5 },
      },
      cooldown: { rate_limit_seconds: 0 },
      quota: { warning_threshold: 1, daily_request_limit: 500, poll_seconds: 0 },
      queue: { max_size: 1, ttl_hours: 0.5, max_attempts: 1, retry_interval_seconds: 0.01, lease_seconds: 2 },
      storage: { url: 'postgres://postgres@127.0.0.1:5432/test', sqlite_synchronous: 'normal' },
      logging: { level: 'debug', failover_events: false },
      server: {
        host: '0.0.0.0',
        port: 0,
        auth_token: 'tok-123456',
        cors_origins: ['https://app.example'],
        webhook_secret: 'whsec-123456',
      },
    });
  });

  it('normalises seed-style cloud model names to the ollama.com name', () => {
    expect(load('[cloud]\ndefault_model = "gpt-oss:120b-cloud"\n').cloud.default_model).toBe('gpt-oss:120b');
    expect(load('[cloud]\ndefault_model = "glm-5:cloud"\n').cloud.default_model).toBe('glm-5');
    expect(load('[cloud]\ndefault_model = "qwen3:8b"\n').cloud.default_model).toBe('qwen3:8b');
  });

  it('merges a partial table with the defaults of the other keys', () => {
    const config = load('[timeouts.cloud]\nread = 120\n');
    expect(config.timeouts.cloud).toEqual({ connect: 5, read: 120, write: 10, pool: 20, first_token: 30 });
    expect(config.timeouts.local).toEqual({ connect: 2, read: 60, write: 10, pool: 5, first_token: 120 });
  });

  it('expands ~ in a sqlite storage.url', () => {
    expect(load('[storage]\nurl = "sqlite:~/data/q.db"\n').storage.url).toBe(`sqlite:${home}/data/q.db`);
    expect(load('[storage]\nurl = "sqlite:~"\n').storage.url).toBe(`sqlite:${home}`);
    expect(load('[storage]\nurl = "sqlite:///var/lib/g.db"\n').storage.url).toBe('sqlite:/var/lib/g.db');
    expect(load('[storage]\nurl = "sqlite::memory:"\n').storage.url).toBe('sqlite::memory:');
    expect(load('[storage]\nurl = "sqlite:relative/g.db"\n').storage.url).toBe('sqlite:relative/g.db');
  });
});

describe('environment overrides', () => {
  const file = `
[cloud]
endpoint = "https://file.example"
api_key = "file-key-0000"
[local]
endpoint = "http://file-local:11434"
[storage]
url = "sqlite:/file/g.db"
[logging]
level = "warn"
[server]
host = "127.0.0.2"
port = 9000
auth_token = "file-token-0000"
`;

  it('every env var beats the file', () => {
    const config = load(file, {
      OLLAMA_API_KEY: 'env-key-1111',
      OLLAMA_CLOUD_ENDPOINT: 'https://env.example',
      OLLAMA_HOST: 'env-local:1234',
      GRAPHITI_STORAGE_URL: 'postgres://u@db:5432/g',
      LOG_LEVEL: 'DEBUG',
      GRAPHITI_SERVER_HOST: '::1',
      GRAPHITI_SERVER_PORT: '8080',
      GRAPHITI_SERVER_TOKEN: 'env-token-1111',
      GRAPHITI_SERVER_ORIGINS: 'https://app.example, chrome-extension://abc',
      GRAPHITI_WEBHOOK_SECRET: 'env-whsec-1111',
    });
    expect(config.cloud.api_key).toBe('env-key-1111');
    expect(config.cloud.endpoint).toBe('https://env.example');
    expect(config.local.endpoint).toBe('http://env-local:1234');
    expect(config.storage.url).toBe('postgres://u@db:5432/g');
    expect(config.logging.level).toBe('debug');
    expect(config.server).toEqual({
      host: '::1',
      port: 8080,
      auth_token: 'env-token-1111',
      cors_origins: [...DEFAULT_CORS_ORIGINS, 'https://app.example', 'chrome-extension://abc'],
      webhook_secret: 'env-whsec-1111',
    });
  });

  it('GRAPHITI_LOCAL_ENDPOINT wins over OLLAMA_HOST (which may point at the gateway)', () => {
    const config = load(undefined, { OLLAMA_HOST: '127.0.0.1:11436', GRAPHITI_LOCAL_ENDPOINT: ':11434' });
    expect(config.local.endpoint).toBe('http://127.0.0.1:11434');
  });

  it('the file is used when the env vars are unset or blank', () => {
    const config = load(file, { OLLAMA_API_KEY: '', GRAPHITI_SERVER_PORT: '  ' });
    expect(config.cloud.api_key).toBe('file-key-0000');
    expect(config.server.port).toBe(9000);
    expect(config.local.endpoint).toBe('http://file-local:11434');
  });

  it('env vars apply on top of defaults without a file', () => {
    const config = load(undefined, {
      OLLAMA_API_KEY: 'k-2222',
      OLLAMA_HOST: ':5000',
      GRAPHITI_SERVER_PORT: '1',
    });
    expect(config.cloud.api_key).toBe('k-2222');
    expect(config.local.endpoint).toBe('http://127.0.0.1:5000');
    expect(config.server.port).toBe(1);
  });

  it('gives a notice for a misspelt env var, and none for unrelated ones', () => {
    const notices: string[] = [];
    loadConfig({
      path: join(dir, 'none.toml'),
      env: {
        HOME: home,
        GRAPHITI_SERVER_PROT: '1',
        OLLAMA_APIKEY: 'x',
        OLLAMA_MODELS: '/m',
        GRAPHITI_TEST_PG_URL: 'p',
      },
      onNotice: (message) => notices.push(message),
    });
    expect(notices.slice(1)).toEqual([
      'Environment variable GRAPHITI_SERVER_PROT is not used; did you mean GRAPHITI_SERVER_PORT?',
      'Environment variable OLLAMA_APIKEY is not used; did you mean OLLAMA_API_KEY?',
    ]);
  });

  it('GRAPHITI_HOME moves the default database, not a configured one', () => {
    expect(load(undefined, { GRAPHITI_HOME: join(dir, 'gh') }).storage.url).toBe(
      `sqlite:${join(dir, 'gh')}/graphiti.db`,
    );
    expect(load('[storage]\nurl = "sqlite:/x/y.db"\n', { GRAPHITI_HOME: join(dir, 'gh') }).storage.url).toBe(
      'sqlite:/x/y.db',
    );
  });

  it('GRAPHITI_STORAGE_URL with ~ is expanded', () => {
    expect(load(undefined, { GRAPHITI_STORAGE_URL: 'sqlite:~/e.db' }).storage.url).toBe(
      `sqlite:${home}/e.db`,
    );
  });

  it('explicit overrides beat env vars and the file', () => {
    const path = writeConfig('[server]\nport = 9000\n[retry]\nmax_attempts = 4\n');
    const config = loadConfig({
      path,
      env: { HOME: home, GRAPHITI_SERVER_PORT: '8080' },
      overrides: { server: { port: 7000 }, retry: { delay_seconds: 0.01 } },
    });
    expect(config.server.port).toBe(7000);
    expect(config.retry).toEqual({ max_attempts: 4, delay_seconds: 0.01, timeout_seconds: 90 });
  });

  it('invalid explicit overrides are reported as options', () => {
    const [issue] = issuesOf(() =>
      loadConfig({ path: join(dir, 'none.toml'), env: { HOME: home }, overrides: { server: { port: -1 } } }),
    );
    expect(issue).toMatchObject({ source: 'option', key: 'server.port', kind: 'out_of_range' });
    expect(issue?.message).toContain('explicit option: server.port');
  });
});

describe('invalid values', () => {
  it('reports a wrong type with file, key, line, column, found and expected', () => {
    const path = writeConfig('# comment\n[retry]\n  max_attempts = "three"\n');
    const error = configErrorOf(() => loadConfig({ path, env: { HOME: home } }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({
      kind: 'invalid_type',
      source: 'file',
      file: path,
      key: 'retry.max_attempts',
      line: 3,
      column: 3,
      found: '"three"',
      expected: 'an integer from 1 to 100',
    });
    expect(error.message).toContain(
      `${path}:3:3: retry.max_attempts: expected an integer from 1 to 100, found "three"`,
    );
  });

  it('reports a float where an integer is required', () => {
    const [issue] = issuesOf(() => load('[queue]\nmax_size = 1.5\n'));
    expect(issue).toMatchObject({ key: 'queue.max_size', line: 2, found: '1.5 (a float)' });
  });

  it.each([
    ['[retry]\nmax_attempts = 0', 'retry.max_attempts'],
    ['[retry]\nmax_attempts = 101', 'retry.max_attempts'],
    ['[retry]\ndelay_seconds = -0.5', 'retry.delay_seconds'],
    ['[retry]\ntimeout_seconds = 0', 'retry.timeout_seconds'],
    ['[timeouts.local]\npool = 0', 'timeouts.local.pool'],
    ['[cooldown]\nrate_limit_seconds = 604801', 'cooldown.rate_limit_seconds'],
    ['[quota]\nwarning_threshold = 1.5', 'quota.warning_threshold'],
    ['[quota]\nwarning_threshold = 0', 'quota.warning_threshold'],
    ['[quota]\ndaily_request_limit = -1', 'quota.daily_request_limit'],
    ['[queue]\nmax_size = 0', 'queue.max_size'],
    ['[queue]\nttl_hours = 0', 'queue.ttl_hours'],
    ['[queue]\nmax_attempts = 1001', 'queue.max_attempts'],
    ['[queue]\nretry_interval_seconds = 0', 'queue.retry_interval_seconds'],
    ['[server]\nport = 65536', 'server.port'],
  ])('reports an out-of-range value: %s', (text, key) => {
    const issues = issuesOf(() => load(`${text}\n`));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ kind: 'out_of_range', key, line: 2, column: 1 });
  });

  it('rejects inf and nan', () => {
    const issues = issuesOf(() => load('[retry]\ndelay_seconds = inf\n[quota]\nwarning_threshold = nan\n'));
    expect(issues.map((issue) => [issue.key, issue.found])).toEqual([
      ['retry.delay_seconds', 'inf (a float)'],
      ['quota.warning_threshold', 'nan (a float)'],
    ]);
  });

  it.each([
    ['[cloud]\nprovider = "openai"', 'cloud.provider'],
    ['[storage]\nsqlite_synchronous = "off"', 'storage.sqlite_synchronous'],
    ['[logging]\nlevel = "verbose"', 'logging.level'],
  ])('reports a bad enum value: %s', (text, key) => {
    const [issue] = issuesOf(() => load(`${text}\n`));
    expect(issue).toMatchObject({ kind: 'invalid_value', key, line: 2 });
  });

  it.each([
    ['[cloud]\nendpoint = "ollama.com"', 'cloud.endpoint'],
    ['[cloud]\nendpoint = "ftp://ollama.com"', 'cloud.endpoint'],
    ['[local]\nendpoint = "http://"', 'local.endpoint'],
    ['[local]\nendpoint = "http://host:11434?x=1"', 'local.endpoint'],
  ])('reports a bad URL: %s', (text, key) => {
    const [issue] = issuesOf(() => load(`${text}\n`));
    expect(issue).toMatchObject({ kind: 'invalid_value', key, line: 2 });
    expect(issue?.expected).toMatch(/http\(s\) URL/);
  });

  it.each(['mysql://u@h/db', 'sqlite:', 'sqlite:~bob/g.db', '/plain/path.db', 'postgres://[bad'])(
    'reports a bad storage URL scheme or form: %s',
    (url) => {
      const [issue] = issuesOf(() => load(`[storage]\nurl = ${JSON.stringify(url)}\n`));
      expect(issue).toMatchObject({ kind: 'invalid_value', key: 'storage.url', line: 2 });
      expect(issue?.expected).toContain('sqlite:<path>');
    },
  );

  it('hides the password of a postgres URL in the message', () => {
    const error = configErrorOf(() => load('[storage]\nurl = "postgres://u:hunter2@[bad/db"\n'));
    expect(error.message).not.toContain('hunter2');
  });

  it('reports a table where a value belongs and a value where a table belongs', () => {
    const issues = issuesOf(() => load('retry = 5\n[server.host]\nname = "x"\n'));
    expect(issues.map((issue) => [issue.key, issue.kind, issue.line])).toEqual([
      ['retry', 'invalid_type', 1],
      ['server.host', 'invalid_type', 2],
    ]);
    expect(issues[0]?.expected).toBe('a table with keys max_attempts, delay_seconds, timeout_seconds');
  });

  it('reports bad array items and duplicates in local.models', () => {
    const issues = issuesOf(() => load('[local]\nmodels = ["a", 3, ""]\n'));
    expect(issues.map((issue) => issue.key)).toEqual(['local.models[1]', 'local.models[2]']);
    expect(issues[0]?.line).toBe(2);
    const [duplicate] = issuesOf(() => load('[local]\nmodels = ["a", "b", "a"]\n'));
    expect(duplicate?.found).toContain('duplicates "a"');
  });

  it('reports dates and arrays by type', () => {
    const issues = issuesOf(() => load('[server]\nport = 1979-05-27\nhost = ["a"]\n'));
    expect(issues.map((issue) => issue.found)).toEqual(['1979-05-27 (a date)', 'an array of 1 item']);
  });

  it('reports EVERY problem at once, in file order, then env', () => {
    const error = configErrorOf(() =>
      load('[server]\nport = "x"\n[retry]\nmax_attempts = 0\nbogus = 1\n[logging]\nlevel = "loud"\n', {
        GRAPHITI_SERVER_HOST: 'bad host!',
        OLLAMA_HOST: 'http://h:99999',
      }),
    );
    expect(error.issues.map((issue) => `${issue.source}:${issue.key}:${issue.line ?? '-'}`)).toEqual([
      'file:server.port:2',
      'file:retry.max_attempts:4',
      'file:retry.bogus:5',
      'file:logging.level:7',
      'env:local.endpoint:-',
      'env:server.host:-',
    ]);
    expect(error.message).toContain('(6 problems)');
    for (const issue of error.issues) expect(error.message).toContain(issue.message);
  });

  it('locates keys given as dotted keys and inline tables', () => {
    const issues = issuesOf(() =>
      load('[timeouts]\ncloud.read = "slow"\nlocal = { connect = 1, read = "x", write = 1, pool = 1 }\n'),
    );
    expect(issues.map((issue) => [issue.key, issue.line, issue.column])).toEqual([
      ['timeouts.cloud.read', 2, 1],
      ['timeouts.local.read', 3, 24],
    ]);
  });
});

describe('environment variable errors', () => {
  it('names the env var for an invalid GRAPHITI_SERVER_PORT', () => {
    const [issue] = issuesOf(() => load(undefined, { GRAPHITI_SERVER_PORT: 'abc' }));
    expect(issue).toMatchObject({
      source: 'env',
      envVar: 'GRAPHITI_SERVER_PORT',
      key: 'server.port',
      found: '"abc"',
    });
    expect(issue?.message).toContain(
      'environment variable GRAPHITI_SERVER_PORT: server.port: expected an integer',
    );
  });

  it.each([
    ['GRAPHITI_SERVER_PORT', '70000', 'server.port'],
    ['LOG_LEVEL', 'chatty', 'logging.level'],
    ['OLLAMA_CLOUD_ENDPOINT', 'not a url', 'cloud.endpoint'],
    ['GRAPHITI_STORAGE_URL', 'redis://x', 'storage.url'],
    ['GRAPHITI_SERVER_HOST', 'http://host', 'server.host'],
    ['OLLAMA_HOST', 'gopher://x', 'local.endpoint'],
    ['OLLAMA_HOST', 'host:port', 'local.endpoint'],
  ])('names %s=%s', (envVar, value, key) => {
    const [issue] = issuesOf(() => load(undefined, { [envVar]: value }));
    expect(issue).toMatchObject({ source: 'env', envVar, key });
    expect(issue?.message).toContain(`environment variable ${envVar}`);
  });

  it('still reports env problems when the file has a syntax error', () => {
    const error = configErrorOf(() => load('[retry\n', { GRAPHITI_SERVER_PORT: 'abc' }));
    expect(error.code).toBe('CONFIG_SYNTAX');
    expect(error.issues.map((issue) => issue.kind)).toEqual(['syntax', 'invalid_type']);
  });
});

describe('malformed TOML', () => {
  it.each([
    ['[retry\nmax_attempts = 3\n', 1],
    ['[retry]\nmax_attempts = = 3\n', 2],
    ['[cloud]\nendpoint = "unterminated\n', 2],
    ['a = 1\na = 2\n', 2],
    ['[server]\nport = 11435 11436\n', 2],
  ])('reports line and column for %j', (text, line) => {
    const path = writeConfig(text);
    const error = configErrorOf(() => loadConfig({ path, env: { HOME: home } }));
    expect(error.code).toBe('CONFIG_SYNTAX');
    const [issue] = error.issues;
    expect(issue).toMatchObject({ kind: 'syntax', file: path, line });
    expect(issue?.column).toBeGreaterThan(0);
    expect(error.message).toContain(`${path}:${line}:${issue?.column}: invalid TOML: `);
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('unknown keys', () => {
  it.each([
    ['[retry]\nmax_attempt = 3', 'retry.max_attempt', 'retry.max_attempts'],
    ['[retry]\nmax-attempts = 3', 'retry.max-attempts', 'retry.max_attempts'],
    ['[cloud]\napi_kye = "x"', 'cloud.api_kye', 'cloud.api_key'],
    ['[timeouts.cloud]\nconect = 3', 'timeouts.cloud.conect', 'timeouts.cloud.connect'],
    ['[loging]\nlevel = "info"', 'loging', 'logging'],
    ['api_key = "k"', 'api_key', 'cloud.api_key'],
  ])('suggests the closest key for %j', (text, key, suggestion) => {
    const [issue] = issuesOf(() => load(`${text}\n`));
    expect(issue).toMatchObject({ kind: 'unknown_key', key });
    expect(issue?.message).toContain(`did you mean "${suggestion}"?`);
    expect(issue?.line).toBeGreaterThan(0);
  });

  it('lists the valid keys when nothing is close', () => {
    const [issue] = issuesOf(() => load('[queue]\nfrobnicate = true\n'));
    expect(issue?.message).not.toContain('did you mean');
    expect(issue?.message).toContain(
      'valid keys in [queue]: max_size, ttl_hours, max_attempts, retry_interval_seconds',
    );
  });

  it('treats __proto__ as an unknown key, not a prototype change', () => {
    const [issue] = issuesOf(() => load('[server]\n__proto__ = { port = 1 }\n'));
    expect(issue).toMatchObject({ kind: 'unknown_key', key: 'server.__proto__' });
  });
});

describe('contradictions', () => {
  it('requires an auth token when the server host is not loopback', () => {
    const [issue] = issuesOf(() => load('[server]\nhost = "0.0.0.0"\n'));
    expect(issue).toMatchObject({ kind: 'contradiction', key: 'server.host', line: 2 });
    expect(issue?.message).toContain('GRAPHITI_SERVER_TOKEN');
    const [fromEnv] = issuesOf(() => load(undefined, { GRAPHITI_SERVER_HOST: '192.168.1.10' }));
    expect(fromEnv).toMatchObject({ kind: 'contradiction', envVar: 'GRAPHITI_SERVER_HOST' });
    expect(load('[server]\nhost = "0.0.0.0"\n', { GRAPHITI_SERVER_TOKEN: 'tok-9999' }).server.host).toBe(
      '0.0.0.0',
    );
    expect(load('[server]\nhost = "localhost"\n').server.host).toBe('localhost');
  });

  it('takes an IPv4-mapped loopback server.host as loopback, as the gateway does', () => {
    expect(load('[server]\nhost = "::ffff:127.0.0.1"\n').server.host).toBe('::ffff:127.0.0.1');
    expect(load(undefined, { GRAPHITI_SERVER_HOST: '127.0.0.2' }).server.host).toBe('127.0.0.2');
  });

  it('rejects a subdomain of localhost as server.host, with or without a token', () => {
    const [issue] = issuesOf(() => load('[server]\nhost = "app.localhost"\n'));
    expect(issue).toMatchObject({ kind: 'invalid_value', key: 'server.host', line: 2 });
    expect(issue?.message).toContain('use "localhost" or "127.0.0.1"');
    expect(issue?.message).not.toContain('needs a token');
    const [withToken] = issuesOf(() => load('[server]\nhost = "app.localhost"\nauth_token = "tok-9999"\n'));
    expect(withToken).toMatchObject({ kind: 'invalid_value', key: 'server.host' });
  });

  it('rejects a read timeout shorter than the connect timeout', () => {
    const [issue] = issuesOf(() => load('[timeouts.local]\nconnect = 10\nread = 5\n'));
    expect(issue).toMatchObject({ kind: 'contradiction', key: 'timeouts.local.read', line: 3 });
  });

  it('points at the key the user set, not at the default it clashes with', () => {
    const [issue] = issuesOf(() => load('[timeouts.cloud]\nwrite = 1\nconnect = 100\n'));
    expect(issue).toMatchObject({ kind: 'contradiction', key: 'timeouts.cloud.connect', line: 3, column: 1 });
    const [fromEnv] = issuesOf(() => load(undefined, { GRAPHITI_SERVER_PORT: '11434' }));
    expect(fromEnv).toMatchObject({
      kind: 'contradiction',
      envVar: 'GRAPHITI_SERVER_PORT',
      key: 'server.port',
    });
  });

  it('rejects a per-attempt cap shorter than the cloud connect timeout', () => {
    const [issue] = issuesOf(() => load('[retry]\ntimeout_seconds = 1\n'));
    expect(issue).toMatchObject({ kind: 'contradiction', key: 'retry.timeout_seconds', line: 2 });
  });

  it('rejects a queue ttl shorter than the replay interval', () => {
    const [issue] = issuesOf(() => load('[queue]\nttl_hours = 0.01\n'));
    expect(issue).toMatchObject({ kind: 'contradiction', key: 'queue.ttl_hours' });
  });

  it('rejects sending the API key over plain http to a remote host', () => {
    const [issue] = issuesOf(() =>
      load('[cloud]\nendpoint = "http://cloud.example"\n', { OLLAMA_API_KEY: 'k-3333' }),
    );
    expect(issue).toMatchObject({ kind: 'contradiction', key: 'cloud.endpoint' });
    expect(
      load('[cloud]\nendpoint = "http://127.0.0.1:9"\n', { OLLAMA_API_KEY: 'k-3333' }).cloud.endpoint,
    ).toBe('http://127.0.0.1:9');
  });

  it('rejects a local endpoint that is the gateway itself', () => {
    const [issue] = issuesOf(() => load(undefined, { OLLAMA_HOST: '127.0.0.1:11436' }));
    expect(issue).toMatchObject({ kind: 'contradiction', key: 'local.endpoint', envVar: 'OLLAMA_HOST' });
  });

  it('does not report a contradiction on top of an invalid value', () => {
    const issues = issuesOf(() => load('[timeouts.cloud]\nconnect = "x"\nread = 1\n'));
    expect(issues.map((issue) => issue.kind)).toEqual(['invalid_type']);
  });
});
