import { readFileSync } from 'node:fs';
import { parse as parseToml, TomlError } from 'smol-toml';
import {
  ConfigError,
  type ConfigIssue,
  type ConfigIssueKind,
  type ConfigIssueSource,
} from './config-error.js';
import { finalizeParsed, rawDefaults } from './derive-config.js';
import { isLocalhostSubdomain, isLoopbackHost, isUnspecifiedHost, maskUrlPassword } from './hosts.js';
import { type ConfigEnv, envValue, resolveConfigPath, resolveExplicitPath } from './paths.js';
import { sealConfig } from './redact.js';
import { configSchema, type ParsedConfig } from './schema.js';
import { describeTable, ENV_OVERRIDES, findKeySpec, KEY_SPECS, SECRET_PATHS } from './spec.js';
import { editDistance, suggestKey } from './suggest.js';
import { findKeyPosition, locateKeys, type SourcePosition } from './toml-locations.js';
import type { LlmConfig } from './types.js';

type DeepPartial<T> = T extends readonly (infer _Item)[]
  ? T
  : T extends object
    ? { readonly [K in keyof T]?: DeepPartial<T[K]> }
    : T;

/** Explicit values (e.g. from command-line flags): they win over the environment and the file. */
export type ConfigOverrides = DeepPartial<LlmConfig>;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** The configuration file. @default env.GRAPHITI_LLM_CONFIG, else `~/.graphiti/llm.toml` */
  readonly path?: string;
  /** Environment variables to read. @default process.env */
  readonly env?: ConfigEnv;
  /** Receives one-line notices, e.g. `No config file at <path>; using defaults`. @default ignore them */
  readonly onNotice?: (message: string) => void;
  /** Explicit values, highest precedence (explicit value, env var, file, default). Validated like the file. */
  readonly overrides?: ConfigOverrides;
}

type Raw = Record<string, unknown>;

interface Provenance {
  readonly source: ConfigIssueSource;
  readonly envVar?: string;
}

interface Context {
  readonly file: string;
  readonly fileExists: boolean;
  /** Key positions in the file, computed on first use (only error paths need them). */
  readonly positions: () => ReadonlyMap<string, SourcePosition>;
  /** dotted path -> where the winning value came from (file values are not listed: the fallback). */
  readonly provenance: Map<string, Provenance>;
  readonly merged: Raw;
  /** Secret strings seen anywhere, scrubbed from every message as a last line of defence. */
  readonly secrets: Set<string>;
}

function isPlainObject(value: unknown): value is Raw {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function setOwn(target: Raw, key: string, value: unknown): void {
  // defineProperty: a `__proto__` key stays an own (and therefore unknown) key instead of changing the prototype.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function merge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const result: Raw = {};
  for (const [key, value] of Object.entries(base)) setOwn(result, key, value);
  for (const [key, value] of Object.entries(over)) setOwn(result, key, merge(base[key], value));
  return result;
}

function setPath(target: Raw, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isPlainObject(node[part])) setOwn(node, part, {});
    node = node[part] as Raw;
  }
  setOwn(node, parts.at(-1)!, value);
}

function getPath(target: unknown, path: readonly PropertyKey[]): unknown {
  let node = target;
  for (const part of path) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

function displayPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => {
    if (typeof part === 'number') return `${text}[${part}]`;
    return text === '' ? String(part) : `${text}.${String(part)}`;
  }, '');
}

function isSecretPath(path: string): boolean {
  return SECRET_PATHS.includes(path);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Date) return 'a date';
  if (isPlainObject(value)) return 'a table';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return Number.isInteger(value) ? 'an integer' : 'a float';
    case 'boolean':
      return 'a boolean';
    case 'bigint':
      return 'an integer';
    default:
      return typeof value;
  }
}

/** A short, safe description of a value; secrets and values under unknown keys show only their type. */
function describeValue(value: unknown, hidden: boolean): string {
  if (value === undefined) return 'nothing';
  if (hidden) {
    return typeof value === 'string'
      ? `a string of ${value.length} characters (value hidden)`
      : `${typeName(value)} (value hidden)`;
  }
  if (typeof value === 'string') {
    const shown = maskUrlPassword(value);
    return JSON.stringify(shown.length > 80 ? `${shown.slice(0, 77)}...` : shown);
  }
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan (a float)';
    if (!Number.isFinite(value)) return `${value > 0 ? 'inf' : '-inf'} (a float)`;
    return `${value} (${typeName(value)})`;
  }
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) {
    const text = Number.isNaN(value.getTime()) ? 'an invalid date' : value.toISOString();
    return `${text} (a date)`;
  }
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (isPlainObject(value)) return 'a table';
  return typeName(value);
}

function provenanceOf(context: Context, path: readonly PropertyKey[]): Provenance {
  const keys = path.filter((part): part is string => typeof part === 'string');
  for (let length = keys.length; length > 0; length--) {
    const found = context.provenance.get(keys.slice(0, length).join('.'));
    if (found) return found;
  }
  return { source: context.fileExists ? 'file' : 'default' };
}

function makeIssue(
  context: Context,
  path: readonly PropertyKey[],
  kind: ConfigIssueKind,
  expected: string,
  found: string | undefined,
  text?: string,
  forced?: Provenance,
): ConfigIssue {
  const key = displayPath(path);
  const provenance = forced ?? provenanceOf(context, path);
  const position =
    provenance.source === 'file'
      ? findKeyPosition(
          context.positions(),
          path.filter((part): part is string => typeof part === 'string'),
        )
      : undefined;
  let where: string;
  switch (provenance.source) {
    case 'file':
      where = position ? `${context.file}:${position.line}:${position.column}` : context.file;
      break;
    case 'env':
      where = `environment variable ${provenance.envVar}`;
      break;
    case 'option':
      where = 'explicit option';
      break;
    default:
      where = 'default value';
  }
  const body = text ?? `expected ${expected}, found ${found}`;
  const message = scrub(context, `${where}: ${key === '' ? '' : `${key}: `}${body}`);
  return {
    kind,
    source: provenance.source,
    file: provenance.source === 'file' ? context.file : undefined,
    envVar: provenance.envVar,
    key,
    line: position?.line,
    column: position?.column,
    found: found === undefined ? undefined : scrub(context, found),
    expected: scrub(context, expected),
    message,
  };
}

function scrub(context: Context, text: string): string {
  let result = text;
  for (const secret of context.secrets) {
    if (secret.length >= 4) result = result.split(secret).join('[redacted]');
  }
  return result;
}

function expectedFor(path: readonly PropertyKey[]): string {
  const key = displayPath(path);
  const spec = findKeySpec(key);
  if (spec) {
    if (typeof path.at(-1) === 'number') return `an item of ${spec.expected}`;
    return spec.expected;
  }
  return describeTable(key);
}

function collectSecrets(value: unknown, secrets: Set<string>, path: string[] = []): void {
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) collectSecrets(item, secrets, [...path, key]);
  } else if (typeof value === 'string' && isSecretPath(path.join('.'))) {
    secrets.add(value);
    if (value.trim() !== value) secrets.add(value.trim());
  }
}

interface Layers {
  readonly defaults: Raw;
  readonly file: unknown;
  readonly env: Raw;
  readonly overrides: unknown;
}

interface EnvIssue {
  readonly envVar: string;
  readonly path: string;
  readonly value: string;
  readonly expected: string;
}

/** The environment layer: for each key, the first of its variables that is set (the spec's `env`). */
function buildEnvLayer(
  env: ConfigEnv,
  provenance: Map<string, Provenance>,
  secrets: Set<string>,
): { layer: Raw; envIssues: EnvIssue[] } {
  const layer: Raw = {};
  const envIssues: EnvIssue[] = [];
  for (const spec of KEY_SPECS) {
    const envVar = spec.envVars.find((name) => envValue(env, name) !== undefined);
    if (envVar === undefined) continue;
    const raw = envValue(env, envVar)!;
    if (spec.secret) {
      secrets.add(raw);
      secrets.add(raw.trim());
    }
    const reading = spec.definition.fromEnv?.(raw) ?? { ok: true, value: raw.trim() };
    if (!reading.ok) {
      envIssues.push({ envVar, path: spec.path, value: raw, expected: reading.expected });
      continue;
    }
    setPath(layer, spec.path, reading.value);
    provenance.set(spec.path, { source: 'env', envVar });
  }
  return { layer, envIssues };
}

const KNOWN_ENV = [...ENV_OVERRIDES.map((entry) => entry.envVar), 'GRAPHITI_LLM_CONFIG', 'GRAPHITI_HOME'];

/** A notice for a set variable that looks like a misspelt one of ours (e.g. GRAPHITI_SERVER_PROT). */
function noticeEnvTypos(env: ConfigEnv, onNotice: ((message: string) => void) | undefined): void {
  if (!onNotice) return;
  for (const name of Object.keys(env)) {
    if (KNOWN_ENV.includes(name) || !/^(GRAPHITI|OLLAMA)_/i.test(name) || name.length > 40) continue;
    const match = KNOWN_ENV.find((known) => editDistance(name.toUpperCase(), known) <= 2);
    if (match) onNotice(`Environment variable ${name} is not used; did you mean ${match}?`);
  }
}

function recordOverrideProvenance(
  value: unknown,
  provenance: Map<string, Provenance>,
  path: string[] = [],
): void {
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value))
      recordOverrideProvenance(item, provenance, [...path, key]);
  } else if (value !== undefined && path.length > 0) {
    provenance.set(path.join('.'), { source: 'option' });
  }
}

function hostOf(url: string): { host: string; port: number } | undefined {
  try {
    const parsed = new URL(url);
    const port = parsed.port === '' ? (parsed.protocol === 'https:' ? 443 : 80) : Number(parsed.port);
    return { host: parsed.hostname, port };
  } catch {
    return undefined;
  }
}

function checkContradictions(context: Context, config: Raw, invalid: readonly string[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const valid = (...paths: string[]): boolean =>
    paths.every(
      (path) =>
        !invalid.some((bad) => bad === path || path.startsWith(`${bad}.`) || bad.startsWith(`${path}.`)),
    );
  const get = (path: string): unknown => getPath(config, path.split('.'));
  // Report a contradiction at the first involved key the user actually set (env, option or file line).
  const explicit = (path: string): boolean => context.provenance.has(path) || context.positions().has(path);
  const contradiction = (paths: readonly string[], text: string): void => {
    const path = paths.find(explicit) ?? paths[0]!;
    issues.push(makeIssue(context, path.split('.'), 'contradiction', text, undefined, text));
  };

  const serverHostValue = get('server.host');
  if (valid('server.host') && typeof serverHostValue === 'string' && isLocalhostSubdomain(serverHostValue)) {
    const text =
      `server.host ${JSON.stringify(serverHostValue)} is a subdomain of localhost, which not every system ` +
      'resolves (the gateway could not listen on it); use "localhost" or "127.0.0.1"';
    issues.push(
      makeIssue(
        context,
        ['server', 'host'],
        'invalid_value',
        text,
        describeValue(serverHostValue, false),
        text,
      ),
    );
  } else if (valid('server.host', 'server.auth_token')) {
    const host = get('server.host');
    if (typeof host === 'string' && !isLoopbackHost(host) && get('server.auth_token') === undefined) {
      contradiction(
        ['server.host'],
        `server.host ${JSON.stringify(host)} is not a loopback address, so the gateway needs a token: set ` +
          'server.auth_token or GRAPHITI_SERVER_TOKEN, or listen on 127.0.0.1',
      );
    }
  }
  for (const provider of ['cloud', 'local'] as const) {
    const connectPath = `timeouts.${provider}.connect`;
    const readPath = `timeouts.${provider}.read`;
    const connect = get(connectPath);
    const read = get(readPath);
    if (
      valid(connectPath, readPath) &&
      typeof connect === 'number' &&
      typeof read === 'number' &&
      read < connect
    ) {
      contradiction(
        [readPath, connectPath],
        `the read timeout (${read} s) is shorter than the connect timeout ${connectPath} (${connect} s); ` +
          'the read timeout must be at least the connect timeout',
      );
    }
  }
  const attemptCap = get('retry.timeout_seconds');
  const cloudConnect = get('timeouts.cloud.connect');
  if (
    valid('retry.timeout_seconds', 'timeouts.cloud.connect') &&
    typeof attemptCap === 'number' &&
    typeof cloudConnect === 'number' &&
    attemptCap < cloudConnect
  ) {
    contradiction(
      ['retry.timeout_seconds', 'timeouts.cloud.connect'],
      `the per-attempt cap (${attemptCap} s) is shorter than timeouts.cloud.connect (${cloudConnect} s); ` +
        'an attempt could never finish connecting',
    );
  }
  const ttlHours = get('queue.ttl_hours');
  const interval = get('queue.retry_interval_seconds');
  if (
    valid('queue.ttl_hours', 'queue.retry_interval_seconds') &&
    typeof ttlHours === 'number' &&
    typeof interval === 'number' &&
    ttlHours * 3600 < interval
  ) {
    contradiction(
      ['queue.ttl_hours', 'queue.retry_interval_seconds'],
      `queued items expire after ${ttlHours} h, before the first replay (queue.retry_interval_seconds = ${interval}); ` +
        'raise queue.ttl_hours or lower queue.retry_interval_seconds',
    );
  }
  const endpoint = get('cloud.endpoint');
  if (
    valid('cloud.endpoint', 'cloud.api_key') &&
    typeof endpoint === 'string' &&
    get('cloud.api_key') !== undefined
  ) {
    const target = hostOf(endpoint);
    if (target && endpoint.startsWith('http:') && !isLoopbackHost(target.host)) {
      contradiction(
        ['cloud.endpoint', 'cloud.api_key'],
        `cloud.endpoint ${JSON.stringify(maskUrlPassword(endpoint))} is plain http to a remote host, so the API key ` +
          'would travel unencrypted; use https',
      );
    }
  }
  const localEndpoint = get('local.endpoint');
  const serverHost = get('server.host');
  const serverPort = get('server.port');
  if (
    valid('local.endpoint', 'server.host', 'server.port') &&
    typeof localEndpoint === 'string' &&
    typeof serverHost === 'string' &&
    typeof serverPort === 'number' &&
    serverPort !== 0
  ) {
    const target = hostOf(localEndpoint);
    const sameHost =
      target !== undefined &&
      (target.host === serverHost ||
        (isLoopbackHost(target.host) && (isLoopbackHost(serverHost) || isUnspecifiedHost(serverHost))));
    if (target && sameHost && target.port === serverPort) {
      contradiction(
        ['local.endpoint', 'server.port', 'server.host'],
        `local.endpoint ${JSON.stringify(localEndpoint)} points at the gateway itself (server.host ` +
          `${JSON.stringify(serverHost)}, server.port ${serverPort}); the gateway would call itself`,
      );
    }
  }
  return issues;
}

function validate(context: Context): { config?: ParsedConfig; issues: ConfigIssue[] } {
  const result = configSchema.safeParse(context.merged);
  const issues: ConfigIssue[] = [];
  const invalid: string[] = [];
  if (!result.success) {
    for (const zodIssue of result.error.issues) {
      const path = zodIssue.path as PropertyKey[];
      if (zodIssue.code === 'unrecognized_keys') {
        const parent = displayPath(path);
        for (const key of zodIssue.keys) {
          const fullPath = [...path, key];
          const suggestion = suggestKey(parent, key);
          const expected =
            parent === '' ? describeTable('').replace('a table', 'a top-level table') : describeTable(parent);
          const found = describeValue(getPath(context.merged, fullPath), true);
          const text =
            `unknown key${suggestion ? `; did you mean "${suggestion}"?` : ''} ` +
            `(${parent === '' ? 'valid top-level tables' : `valid keys in [${parent}]`}: ${expected.replace(/^a (top-level )?table with keys /, '')})`;
          issues.push(makeIssue(context, fullPath, 'unknown_key', expected, found, text));
        }
        continue;
      }
      const key = displayPath(path);
      invalid.push(key.replace(/\[\d+\].*$/, ''));
      const value = getPath(context.merged, path);
      const hidden = isSecretPath(key);
      let kind: ConfigIssueKind = 'invalid_value';
      if (zodIssue.code === 'invalid_type') kind = 'invalid_type';
      else if (zodIssue.code === 'too_small' || zodIssue.code === 'too_big') kind = 'out_of_range';
      let expected = expectedFor(path);
      if (zodIssue.code === 'custom' && (zodIssue.params as { duplicate?: boolean } | undefined)?.duplicate) {
        const models = Array.isArray(value) ? value : [];
        const duplicates = models.filter((item, index) => models.indexOf(item) !== index);
        issues.push(
          makeIssue(
            context,
            path,
            'invalid_value',
            expected,
            `${describeValue(value, false)} with duplicates ${duplicates.map((item) => JSON.stringify(item)).join(', ')}`,
          ),
        );
        continue;
      }
      if (value === undefined && zodIssue.code === 'invalid_type')
        expected = `${expected} (the key is required)`;
      issues.push(makeIssue(context, path, kind, expected, describeValue(value, hidden)));
    }
  }
  issues.push(...checkContradictions(context, context.merged, invalid));
  return result.success && issues.length === 0 ? { config: result.data, issues } : { issues };
}

function sortIssues(issues: ConfigIssue[]): ConfigIssue[] {
  const rank: Record<ConfigIssueSource, number> = { file: 0, env: 1, option: 2, default: 3 };
  return issues
    .map((issue, index) => ({ issue, index }))
    .sort(
      (a, b) =>
        rank[a.issue.source] - rank[b.issue.source] ||
        (a.issue.line ?? Number.MAX_SAFE_INTEGER) - (b.issue.line ?? Number.MAX_SAFE_INTEGER) ||
        (a.issue.column ?? 0) - (b.issue.column ?? 0) ||
        a.index - b.index,
    )
    .map(({ issue }) => issue);
}

function finalize(parsed: ParsedConfig, env: ConfigEnv): LlmConfig {
  return sealConfig(finalizeParsed(parsed, env));
}

function readSource(
  file: string,
  onNotice: ((message: string) => void) | undefined,
): { source?: string; exists: boolean; error?: ConfigIssue; cause?: unknown } {
  try {
    return { source: readFileSync(file, 'utf8'), exists: true };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      onNotice?.(`No config file at ${file}; using defaults`);
      return { exists: false };
    }
    const reason =
      code === 'EISDIR'
        ? 'it is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : (code ?? 'unknown error');
    const expected = 'a readable TOML file';
    return {
      exists: true,
      cause: error,
      error: {
        kind: 'unreadable',
        source: 'file',
        file,
        envVar: undefined,
        key: '',
        line: undefined,
        column: undefined,
        found: reason,
        expected,
        message: `${file}: cannot read the configuration file (${reason}); expected ${expected}`,
      },
    };
  }
}

/**
 * Loads the graphiti-llm configuration, synchronously: the TOML file (`path`, else `GRAPHITI_LLM_CONFIG`, else
 * `~/.graphiti/llm.toml`), then environment overrides, then `overrides`; validates everything and returns a deeply
 * frozen config whose serialisations hide the secrets. A missing file means defaults plus a notice.
 *
 * ```ts
 * const config = loadConfig({ onNotice: (message) => console.error(message) });
 * config.retry.max_attempts; // 3
 * JSON.stringify(config); // api_key / auth_token shown as "[redacted]"
 * ```
 *
 * @throws ConfigError listing every problem (file, key, line and column, value found, what was expected).
 */
export function loadConfig(options: LoadConfigOptions = {}): LlmConfig {
  const env = options.env ?? process.env;
  const file = options.path === undefined ? resolveConfigPath(env) : resolveExplicitPath(options.path, env);
  const read = readSource(file, options.onNotice);
  const provenance = new Map<string, Provenance>();
  const secrets = new Set<string>();
  const issues: ConfigIssue[] = [];
  let cause: unknown = read.cause;
  if (read.error) issues.push(read.error);

  let fileValue: unknown = {};
  let positions: () => ReadonlyMap<string, SourcePosition> = () => new Map();
  let fileUsable = read.exists && read.error === undefined;
  if (read.source !== undefined) {
    try {
      fileValue = parseToml(read.source);
      const source = read.source;
      let cached: ReadonlyMap<string, SourcePosition> | undefined;
      positions = () => {
        cached ??= safeLocateKeys(source);
        return cached;
      };
    } catch (error) {
      fileUsable = false;
      fileValue = {};
      const issue = syntaxIssue(file, error);
      cause = sanitizeCause(error, issue.message);
      issues.push(issue);
    }
  }
  collectSecrets(fileValue, secrets);

  const { layer: envLayer, envIssues } = buildEnvLayer(env, provenance, secrets);
  noticeEnvTypos(env, options.onNotice);
  recordOverrideProvenance(options.overrides, provenance);
  collectSecrets(options.overrides, secrets);
  const layers: Layers = {
    defaults: rawDefaults(env),
    file: fileValue,
    env: envLayer,
    overrides: options.overrides,
  };
  const merged = merge(merge(merge(layers.defaults, layers.file), layers.env), layers.overrides) as Raw;
  const context: Context = { file, fileExists: fileUsable, positions, provenance, merged, secrets };

  for (const { envVar, path, value, expected } of envIssues) {
    issues.push(
      makeIssue(context, path.split('.'), 'invalid_value', expected, describeValue(value, false), undefined, {
        source: 'env',
        envVar,
      }),
    );
  }
  const validation = validate(context);
  // With a broken file, only problems that do not come from the file are meaningful.
  issues.push(
    ...(read.exists && !fileUsable
      ? validation.issues.filter((issue) => issue.source !== 'file' && issue.source !== 'default')
      : validation.issues),
  );
  if (issues.length > 0 || !validation.config) {
    throw new ConfigError(sortIssues(issues), { cause });
  }
  return finalize(validation.config, env);
}

/** Positions only improve messages: a scanner failure must never hide the real problem. */
function safeLocateKeys(source: string): ReadonlyMap<string, SourcePosition> {
  try {
    return locateKeys(source);
  } catch {
    return new Map();
  }
}

/**
 * smol-toml's error carries a code excerpt (message, stack, `codeblock`) that may show a secret; keep the error as
 * the cause, but with the excerpt removed.
 */
function sanitizeCause(error: unknown, message: string): unknown {
  if (!(error instanceof Error)) return new Error(message);
  const frames = (error.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  try {
    Object.defineProperty(error, 'message', {
      value: message,
      writable: true,
      configurable: true,
      enumerable: false,
    });
    Object.defineProperty(error, 'stack', {
      value: [`${error.name}: ${message}`, ...frames].join('\n'),
      writable: true,
      configurable: true,
      enumerable: false,
    });
    if ('codeblock' in error)
      Object.defineProperty(error, 'codeblock', { value: '', writable: true, configurable: true });
    return error;
  } catch {
    return new Error(message);
  }
}

function syntaxIssue(file: string, error: unknown): ConfigIssue {
  const isToml = error instanceof TomlError;
  const line = isToml ? error.line : undefined;
  const column = isToml ? error.column : undefined;
  // smol-toml's message ends with a code excerpt of the offending lines, which may hold a secret: keep the reason.
  const raw = error instanceof Error ? error.message : String(error);
  const reason =
    raw
      .split('\n')[0]!
      .replace(/^Invalid TOML document:\s*/, '')
      .trim() || 'invalid TOML';
  const where = line === undefined ? file : `${file}:${line}:${column}`;
  return {
    kind: 'syntax',
    source: 'file',
    file,
    envVar: undefined,
    key: '',
    line,
    column,
    found: undefined,
    expected: 'valid TOML (https://toml.io)',
    message: `${where}: invalid TOML: ${reason}`,
  };
}

/**
 * The default configuration, without reading any file or environment override. `env` only supplies `HOME` and
 * `GRAPHITI_HOME`, which place the default database (`sqlite:$GRAPHITI_HOME/graphiti.db`).
 */
export function defaultConfig(env: ConfigEnv = process.env): LlmConfig {
  const parsed = configSchema.parse(rawDefaults(env));
  return finalize(parsed, env);
}
