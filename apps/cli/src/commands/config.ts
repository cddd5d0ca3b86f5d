import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { defaultConfigToml, loadConfig, redact, resolveConfigPath } from '@graphiti/llm-config';
import type { Command } from 'commander';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/** Flattens a nested object into `[a.b, value]` pairs. */
export function flatten(value: unknown, prefix = ''): [string, unknown][] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return [[prefix, value]];
  return Object.entries(value).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key));
}

/** Prints the effective configuration, secrets redacted. Shared by `config show` and (for now) `demo`. */
export function showConfig(io: CliIo, options: { json?: boolean }): number {
  const path = resolveConfigPath(io.env);
  const notices: string[] = [];
  const config = loadConfig({ env: io.env, onNotice: (message) => notices.push(message) });
  const safe = redact(config);
  if (options.json) {
    io.stdout(`${JSON.stringify({ path, exists: existsSync(path), config: safe }, null, 2)}\n`);
    return EXIT_OK;
  }
  for (const notice of notices) io.stderr(`${notice}\n`);
  io.stdout(`# effective configuration (file: ${path}${existsSync(path) ? '' : ', not found: defaults'})\n`);
  for (const [key, value] of flatten(safe)) {
    io.stdout(`${key} = ${value === undefined ? '(unset)' : JSON.stringify(value)}\n`);
  }
  return EXIT_OK;
}

/** Registers `config show` and `config init`. */
export function registerConfig(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const config = program.command('config').description('show or create the configuration file');
  config
    .command('show')
    .description('print the effective configuration (file, environment, defaults), secrets redacted')
    .option('--json', 'print JSON')
    .action((options: { json?: boolean }) => setExit(showConfig(io, options)));
  config
    .command('init')
    .description('write the annotated default configuration file (every key, its default, a comment)')
    .option('--force', 'overwrite an existing file')
    .option('--path <file>', 'where to write it (default: $GRAPHITI_LLM_CONFIG or ~/.graphiti/llm.toml)')
    .action((options: { force?: boolean; path?: string }) => {
      const path = options.path ?? resolveConfigPath(io.env);
      if (existsSync(path) && !options.force) {
        io.stderr(`${path} already exists; use --force to overwrite it\n`);
        setExit(EXIT_FAILURE);
        return;
      }
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, defaultConfigToml(), { mode: 0o600 });
      io.stdout(`wrote ${path}\n`);
      setExit(EXIT_OK);
    });
}
