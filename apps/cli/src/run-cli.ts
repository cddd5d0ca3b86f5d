import { ConfigError } from '@graphiti/llm-config';
import { Command, CommanderError } from 'commander';
import { registerConfig, showConfig } from './commands/config.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './exit-codes.js';
import type { CliIo } from './io.js';

/** Runs the `graphiti` command line with the given arguments and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_OK;
  const setExit = (code: number): void => {
    exitCode = code;
  };
  const program = new Command('graphiti')
    .description('Reliable LLM access through Ollama: cloud first, local fallback, nothing lost.')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');
  registerConfig(program, io, setExit);
  program
    .command('demo')
    .description('show graphiti-llm at work (for now: the effective configuration)')
    .action(() => setExit(showConfig(io, {})));

  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT_OK;
      if (error.code === 'commander.help') return EXIT_OK;
      return EXIT_USAGE;
    }
    if (ConfigError.isInstance(error)) {
      io.stderr(`${(error as Error).message}\n`);
      return EXIT_FAILURE;
    }
    io.stderr(`graphiti: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILURE;
  }
}
