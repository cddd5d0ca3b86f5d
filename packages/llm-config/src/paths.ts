import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

/** Environment variables as `process.env` holds them; injectable so tests never touch the real environment. */
export type ConfigEnv = Readonly<Record<string, string | undefined>>;

/** An environment value, or undefined when unset or blank (blank counts as unset, as in most CLIs). */
export function envValue(env: ConfigEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

/** The user's home directory: `env.HOME`, else `env.USERPROFILE`, else the operating system's answer. */
export function homeDirectory(env: ConfigEnv = process.env): string {
  return envValue(env, 'HOME') ?? envValue(env, 'USERPROFILE') ?? homedir();
}

/**
 * Expands a leading `~` (alone or followed by `/`) to the home directory. `~user` forms are not supported and
 * are returned unchanged (callers treat them as errors).
 */
export function expandHome(path: string, env: ConfigEnv = process.env): string {
  if (path === '~') return homeDirectory(env);
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(homeDirectory(env), path.slice(2));
  return path;
}

function absolutePath(path: string, env: ConfigEnv): string {
  const expanded = expandHome(path.trim(), env);
  return isAbsolute(expanded) ? expanded : resolve(expanded);
}

/**
 * The graphiti home directory, where the default database lives: `GRAPHITI_HOME` (with `~` expanded, made
 * absolute), else `~/.graphiti`.
 */
export function graphitiHome(env: ConfigEnv = process.env): string {
  const fromEnv = envValue(env, 'GRAPHITI_HOME');
  return fromEnv === undefined ? join(homeDirectory(env), '.graphiti') : absolutePath(fromEnv, env);
}

/**
 * The configuration file to read: `GRAPHITI_LLM_CONFIG` (with `~` expanded, made absolute), else
 * `~/.graphiti/llm.toml`. `GRAPHITI_HOME` moves the database, not the configuration file.
 */
export function resolveConfigPath(env: ConfigEnv = process.env): string {
  const fromEnv = envValue(env, 'GRAPHITI_LLM_CONFIG');
  return fromEnv === undefined
    ? join(homeDirectory(env), '.graphiti', 'llm.toml')
    : absolutePath(fromEnv, env);
}

/** Makes an explicit `path` option absolute (with `~` expanded). */
export function resolveExplicitPath(path: string, env: ConfigEnv): string {
  return absolutePath(path, env);
}
