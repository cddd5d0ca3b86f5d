import { existsSync } from 'node:fs';
import { ConfigError } from '@graphiti/llm-config';
import { Command, CommanderError } from 'commander';
import { CliError } from './cli-error.js';
import { registerAsk } from './commands/ask.js';
import { registerConfig } from './commands/config.js';
import { registerDemo } from './commands/demo.js';
import { registerHealth } from './commands/health.js';
import { registerQueue } from './commands/queue.js';
import { registerQuota } from './commands/quota.js';
import { registerServe } from './commands/serve.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import type { CliIo } from './io.js';
import { cliVersion } from './version.js';

/**
 * Runs the `graphiti` command line with the given arguments and returns the exit code:
 * 0 ok, 1 failure, 2 usage error. Everything it prints goes through `io`.
 *
 * ```ts
 * const code = await runCli(['quota', '--json'], { env: process.env, stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) });
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  // `--config <file>` is the same as GRAPHITI_LLM_CONFIG=<file>; the commands read the environment through this view.
  let env = io.env;
  const view: CliIo = {
    ...io,
    get env() {
      return env;
    },
  };
  const program = new Command('graphiti')
    .description('Reliable LLM access through Ollama: cloud first, local fallback, nothing lost.')
    .option(
      '-c, --config <file>',
      'configuration file (default: $GRAPHITI_LLM_CONFIG, else ~/.graphiti/llm.toml)',
    )
    .version(`graphiti ${cliVersion()}`, '-V, --version', 'print the version and exit')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      '\nExit codes: 0 ok, 1 failure, 2 usage error. Data verbs take --json. Logs (JSON lines) go to stderr when\nLOG_LEVEL is set. Start with: graphiti demo (runs everything on this machine, no Ollama needed).',
    )
    .hook('preAction', (command) => {
      const file = command.opts<{ config?: string }>().config;
      if (file === undefined) return;
      // a file the user named must exist: silently running on the defaults would hide the typo
      if (!existsSync(file)) {
        throw new CliError(
          'USAGE',
          `--config ${file}: no such file. Create it with: graphiti config init --path ${file}`,
        );
      }
      env = { ...io.env, GRAPHITI_LLM_CONFIG: file };
    });
  program
    .command('version')
    .description('print the version and exit (same as --version)')
    .action(() => io.stdout(`graphiti ${cliVersion()}\n`));
  registerAsk(program, view, setExit);
  registerHealth(program, view, setExit);
  registerQuota(program, view, setExit);
  registerQueue(program, view, setExit);
  registerConfig(program, view, setExit);
  registerServe(program, view, setExit);
  registerDemo(program, view, setExit);

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
      if (error.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    const json = argv.includes('--json');
    if (CliError.isInstance(error)) {
      io.stderr(`graphiti: ${error.message}\n`);
      if (json) io.stdout(`${JSON.stringify({ error: { code: error.code, message: error.message } })}\n`);
      return error.exitCode;
    }
    if (ConfigError.isInstance(error)) {
      io.stderr(`${error.message}\n`);
      if (json) {
        const { code, message, issues } = error;
        io.stdout(`${JSON.stringify({ error: { code, message, issues } }, null, 2)}\n`);
      }
      return EXIT_FAILURE;
    }
    io.stderr(`graphiti: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}
