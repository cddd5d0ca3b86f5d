import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Options of {@link writeFakeOllamaCommand}. */
export interface FakeOllamaCommandOptions {
  /** The models the fake that `ollama serve` starts has pulled. @default the fake's own default */
  readonly models?: readonly string[];
  /** What its `/api/version` reports. @default the fake's own default */
  readonly version?: string;
  /**
   * The started server exits by itself after this many milliseconds, so that a test which fails before
   * calling `close()` leaves no process behind. @default 20000
   */
  readonly lifetimeMs?: number;
}

/** An `ollama` executable written by {@link writeFakeOllamaCommand}. */
export interface FakeOllamaCommand {
  /** The folder that holds the executable (and nothing else of yours): put it first on `PATH`. */
  readonly directory: string;
  /** The executable itself, for options that take a command path. */
  readonly path: string;
  /** The process id of the server that `ollama serve` started, once one has started. */
  pid(): number | undefined;
  /** Stops that server when there is one and removes the folder. Safe to call more than once. */
  close(): void;
}

// The fake's entry point, as built: the executable runs in a plain Node process.
const entry = new URL('./index.js', import.meta.url).href;

/**
 * Writes an executable named `ollama` into a new temporary folder. Run as `ollama serve`, the way
 * `@graphiti/llm-health` auto-starts Ollama, it starts this package's fake on the port in `OLLAMA_HOST` and
 * records its pid; any other subcommand exits 2. For tests of auto-start: put `directory` first on `PATH`, or
 * pass `path` as the command.
 *
 * @example
 * ```ts
 * const ollama = writeFakeOllamaCommand({ models: ['llama3.2:3b'] });
 * process.env.PATH = `${ollama.directory}${delimiter}${process.env.PATH}`;
 * await checkLocal({ endpoint: `http://127.0.0.1:${await freePort()}`, autoStart: true }); // status 'up'
 * ollama.close();
 * ```
 */
export function writeFakeOllamaCommand(options: FakeOllamaCommandOptions = {}): FakeOllamaCommand {
  const directory = mkdtempSync(join(tmpdir(), 'graphiti-fake-ollama-'));
  const path = join(directory, 'ollama');
  const pidFile = join(directory, 'pid');
  const fakeOptions = JSON.stringify({
    ...(options.models === undefined ? {} : { models: options.models }),
    ...(options.version === undefined ? {} : { version: options.version }),
  });
  const script = `#!/usr/bin/env node
if (process.argv[2] !== 'serve') process.exit(2);
const port = Number(String(process.env.OLLAMA_HOST).split(':').pop());
require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid));
setTimeout(() => process.exit(0), ${Math.max(0, Math.floor(options.lifetimeMs ?? 20_000))});
import(${JSON.stringify(entry)}).then(({ startOllamaFake }) => startOllamaFake({ ...${fakeOptions}, port }));
`;
  writeFileSync(path, script, { mode: 0o755 });

  const pid = (): number | undefined => {
    try {
      return Number(readFileSync(pidFile, 'utf8'));
    } catch {
      return undefined;
    }
  };
  return {
    directory,
    path,
    pid,
    close() {
      const running = pid();
      if (running !== undefined) {
        try {
          process.kill(running);
        } catch {
          // already gone
        }
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}
