import { isKeyDefinition, type SpecTable } from './key-spec.js';
import type { ConfigEnv } from './paths.js';
import { CONFIG_SPEC, type ParsedConfig } from './spec.js';
import type { LlmConfig } from './types.js';

type Raw = Record<string, unknown>;

function defaultsOf(table: SpecTable, env: ConfigEnv): Raw {
  const result: Raw = {};
  for (const [name, node] of Object.entries(table)) {
    if (!isKeyDefinition(node)) {
      result[name] = defaultsOf(node, env);
      continue;
    }
    if (node.default === undefined) continue;
    const value = typeof node.default === 'function' ? node.default(env) : node.default;
    // a fresh copy each time: the merged layers must never share an array with the spec
    result[name] = Array.isArray(value) ? [...value] : value;
  }
  return result;
}

/** The built-in defaults as a raw (file-shaped) value, derived from the spec. */
export function rawDefaults(env: ConfigEnv): Raw {
  return defaultsOf(CONFIG_SPEC, env);
}

function finalizeTable(table: SpecTable, parsed: Raw, env: ConfigEnv): Raw {
  const result: Raw = {};
  for (const [name, node] of Object.entries(table)) {
    const value = parsed[name];
    if (!isKeyDefinition(node)) {
      result[name] = finalizeTable(node, value as Raw, env);
      continue;
    }
    const copied = Array.isArray(value) ? [...value] : value;
    result[name] =
      node.finalize === undefined || copied === undefined
        ? copied
        : (node.finalize as (input: unknown, env: ConfigEnv) => unknown)(copied, env);
  }
  return result;
}

/**
 * The final config from a validated one: each key's `finalize` applied (endpoints without a trailing slash, the
 * ollama.com model name, `~` expanded in storage.url), arrays copied, every key present (absent secrets as
 * undefined), in spec order. `config-type.test.ts` checks that the spec's type is exactly `LlmConfig`.
 */
export function finalizeParsed(parsed: ParsedConfig, env: ConfigEnv): LlmConfig {
  return finalizeTable(CONFIG_SPEC, parsed as unknown as Raw, env) as unknown as LlmConfig;
}
