import { maskUrlPassword } from './hosts.js';
import { SECRET_PATHS } from './spec.js';
import type { LlmConfig } from './types.js';

/** What secrets are replaced with. */
export const REDACTED = '[redacted]';

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

function copy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(copy) as T;
  if (typeof value === 'object' && value !== null) {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = copy(item);
    return result as T;
  }
  return value;
}

/**
 * A plain, mutable, deep copy of the configuration that is safe to print, log or return from an API:
 * every secret key of the spec (`cloud.api_key`, `server.auth_token`, `server.webhook_secret`) becomes `"[redacted]"` (an absent secret stays absent/undefined) and a
 * password inside `storage.url` or an endpoint URL (`postgres://user:pw@host/db`) becomes `[redacted]`.
 */
export function redact(config: LlmConfig): LlmConfig {
  const result = copy(config) as unknown as {
    cloud: Record<string, unknown>;
    local: Record<string, unknown>;
    storage: Record<string, unknown>;
    server: Record<string, unknown>;
  };
  for (const path of SECRET_PATHS) {
    const [table, name] = path.split('.') as [string, string];
    const section = (result as Record<string, Record<string, unknown> | undefined>)[table];
    if (section && typeof section === 'object' && section[name] !== undefined) section[name] = REDACTED;
  }
  if (result.cloud && typeof result.cloud === 'object') {
    if (typeof result.cloud.endpoint === 'string')
      result.cloud.endpoint = maskUrlPassword(result.cloud.endpoint);
  }
  if (result.local && typeof result.local.endpoint === 'string') {
    result.local.endpoint = maskUrlPassword(result.local.endpoint);
  }
  if (result.storage && typeof result.storage.url === 'string')
    result.storage.url = maskUrlPassword(result.storage.url);
  return result as unknown as LlmConfig;
}

function hide(target: object, view: () => unknown): void {
  const options = { enumerable: false, configurable: false, writable: false } as const;
  Object.defineProperty(target, 'toJSON', { ...options, value: view });
  Object.defineProperty(target, 'toString', { ...options, value: () => JSON.stringify(view()) });
  Object.defineProperty(target, INSPECT, { ...options, value: view });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const item of Object.values(value)) deepFreeze(item);
    Object.freeze(value);
  }
  return value;
}

/**
 * Deep-freezes a configuration object and gives it and each of its tables non-enumerable `toJSON`, `toString`
 * and `util.inspect` hooks that return the redacted view, so `JSON.stringify(config)`, `String(config.cloud)` and
 * `console.log(config)` never show a secret while `config.cloud.api_key` still returns it.
 */
export function sealConfig(config: LlmConfig): LlmConfig {
  const view = (): LlmConfig => redact(config);
  hide(config, view);
  for (const section of Object.keys(config) as (keyof LlmConfig)[]) {
    const table = config[section] as unknown as Record<string, unknown>;
    hide(table, () => (view() as unknown as Record<string, unknown>)[section]);
    if (section === 'timeouts') {
      for (const provider of ['cloud', 'local'] as const) {
        hide(table[provider] as object, () => view().timeouts[provider]);
      }
    }
  }
  return deepFreeze(config);
}
