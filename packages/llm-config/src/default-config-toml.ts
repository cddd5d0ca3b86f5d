import { KEY_SPECS } from './spec.js';

/** A default value as TOML: strings as basic strings, numbers, booleans, arrays of them. */
function tomlValue(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(tomlValue).join(', ')}]`;
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TypeError(`no TOML form for the default ${String(value)}`);
}

/**
 * The annotated default `llm.toml` that `graphiti config init` writes: every key with its default and a one-line
 * comment (plus the overriding environment variables), all from the spec table. Secrets, and `storage.url` (whose
 * default follows `GRAPHITI_HOME`), are commented-out examples. Loading it yields exactly {@link defaultConfig}.
 */
export function defaultConfigToml(): string {
  const lines = [
    '# graphiti-llm configuration (https://toml.io).',
    '# Precedence: explicit option > environment variable > this file > built-in default.',
    '# Unknown keys are errors. `~` expands to the home directory in storage.url.',
  ];
  let table = '';
  for (const spec of KEY_SPECS) {
    const parts = spec.path.split('.');
    const key = parts.pop()!;
    const section = parts.join('.');
    if (section !== table) {
      lines.push('', `[${section}]`);
      table = section;
    }
    const env = spec.envVars.length === 0 ? '' : ` Env: ${spec.envVars.join(', else ')}.`;
    const fallback = spec.definition.default;
    // A default that depends on the environment (or none at all) is written as a commented-out example.
    const written =
      fallback === undefined || typeof fallback === 'function' ? undefined : tomlValue(fallback);
    lines.push(`# ${spec.comment}${env}`);
    lines.push(written === undefined ? `# ${key} = ${spec.example ?? '""'}` : `${key} = ${written}`);
  }
  return `${lines.join('\n')}\n`;
}
