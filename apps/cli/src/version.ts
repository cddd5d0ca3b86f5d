import { readFileSync } from 'node:fs';

/** The version of `@graphiti/cli`, read from its package.json (next to `dist/` and `src/`). */
export function cliVersion(): string {
  const file = new URL('../package.json', import.meta.url);
  const json = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
  return typeof json.version === 'string' ? json.version : '0.0.0';
}
