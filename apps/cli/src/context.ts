import { type LlmConfig, loadConfig } from '@graphiti/llm-config';
import type { Logger } from '@graphiti/llm-router';
import type { Runtime } from '@graphiti/server';
import { pino } from 'pino';
import type { CliIo } from './io.js';

/** Options every verb shares. */
export interface CommonOptions {
  /** Print JSON on stdout instead of text. */
  readonly json?: boolean;
}

/**
 * Loads the configuration; notices (no file, misspelt variables) go to stderr as one line each, except with
 * `--json`, where stdout stays clean anyway and stderr stays quiet too.
 */
export function loadCliConfig(io: CliIo, options: CommonOptions = {}): LlmConfig {
  return loadConfig({
    env: io.env,
    onNotice: (message) => {
      if (!options.json) io.stderr(`${message}\n`);
    },
  });
}

/**
 * A pino logger writing JSON lines to stderr. Data verbs (`quiet: true`) are silent unless `LOG_LEVEL` is set,
 * so that their output is only what they print; `serve` logs at `logging.level`.
 */
export function createCliLogger(io: CliIo, config: LlmConfig, options: { quiet: boolean }): pino.Logger {
  const explicit = io.env.LOG_LEVEL !== undefined && io.env.LOG_LEVEL !== '';
  const level = options.quiet && !explicit ? 'silent' : config.logging.level;
  return pino(
    { level, base: { name: 'graphiti' }, timestamp: pino.stdTimeFunctions.isoTime },
    { write: (line: string) => io.stderr(line) },
  );
}

/** Opens the runtime (storage, quota, router) for one verb, runs `work`, and always closes it. */
export async function withRuntime<T>(
  config: LlmConfig,
  logger: Logger,
  work: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  // loaded on use: the server package is the largest import, and --help or a usage error need none of it
  const { openRuntime } = await import('@graphiti/server');
  const runtime = await openRuntime({ config, logger });
  try {
    return await work(runtime);
  } finally {
    await runtime.close();
  }
}

/** Prints a value as indented JSON on stdout. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
