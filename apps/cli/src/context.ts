import { existsSync, readFileSync } from 'node:fs';
import { type LlmConfig, loadConfig, resolveConfigPath } from '@graphiti/llm-config';
import type { Logger } from '@graphiti/llm-router';
import type { Runtime } from '@graphiti/server';
import { pino } from 'pino';
import { parse as parseToml } from 'smol-toml';
import type { CliIo } from './io.js';
import { humanLogLine, LOG_LEVELS, type LogRecord, parseLogLine } from './log-sink.js';

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
 * Whether the user asked for log lines: `LOG_LEVEL` is set, or the configuration file names `logging.level`.
 * Without either, data verbs print only their own human lines (the default level would add nothing useful
 * around an answer), while `serve` always logs.
 */
export function logLevelRequested(io: CliIo): boolean {
  if (io.env.LOG_LEVEL !== undefined && io.env.LOG_LEVEL !== '') return true;
  try {
    const file = resolveConfigPath(io.env);
    if (!existsSync(file)) return false;
    const parsed = parseToml(readFileSync(file, 'utf8')) as { logging?: { level?: unknown } };
    return parsed.logging?.level !== undefined;
  } catch {
    return false; // loadConfig has already reported a broken file
  }
}

/** Options of {@link createCliLogger}. */
export interface CliLoggerOptions {
  /** A data verb: silent unless the user asked for logs ({@link logLevelRequested}). @default false */
  readonly quiet?: boolean;
  /** Sees every record at warn or above (whatever the level), e.g. to turn failovers into one human line. */
  readonly onRecord?: (record: LogRecord) => void;
  /** Records this returns true for are not printed (the caller reports them its own way). */
  readonly claimed?: (record: LogRecord) => boolean;
}

/**
 * A pino logger on stderr at `logging.level` (`LOG_LEVEL` overrides it): human lines on a terminal, JSON lines
 * elsewhere (the same as `graphiti serve` and the gateway's `main.js`).
 */
export function createCliLogger(io: CliIo, config: LlmConfig, options: CliLoggerOptions = {}): pino.Logger {
  const quiet = options.quiet === true && !logLevelRequested(io);
  const threshold: number = quiet ? LOG_LEVELS.silent : LOG_LEVELS[config.logging.level];
  // records at warn or above are always produced for onRecord; the sink prints only those at the threshold
  const level =
    options.onRecord === undefined
      ? quiet
        ? 'silent'
        : config.logging.level
      : threshold <= LOG_LEVELS.warn
        ? config.logging.level
        : 'warn';
  const write = (line: string): void => {
    const record = parseLogLine(line);
    if (record === undefined) {
      io.stderr(line.endsWith('\n') ? line : `${line}\n`);
      return;
    }
    if (record.level >= LOG_LEVELS.warn) options.onRecord?.(record);
    if (record.level < threshold || options.claimed?.(record) === true) return;
    io.stderr(io.stderrIsTTY ? humanLogLine(record) : line.endsWith('\n') ? line : `${line}\n`);
  };
  return pino({ level, base: { name: 'graphiti' }, timestamp: pino.stdTimeFunctions.isoTime }, { write });
}

/** Opens the runtime (storage, quota, router) for one verb, runs `work`, and always closes it. */
export async function withRuntime<T>(
  config: LlmConfig,
  logger: Logger,
  work: (runtime: Runtime) => Promise<T>,
  options: { readonly pollCloudUsage?: boolean } = {},
): Promise<T> {
  // loaded on use: the server package is the largest import, and --help or a usage error need none of it
  const { openRuntime } = await import('@graphiti/server');
  const runtime = await openRuntime({ config, logger, ...options });
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
