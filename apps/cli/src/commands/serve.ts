import type { Command } from 'commander';
import { createCliLogger, loadCliConfig } from '../context.js';
import { EXIT_OK } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { parsePort } from './ports.js';

interface ServeOptions {
  readonly host?: string;
  readonly port?: number;
}

async function serve(io: CliIo, options: ServeOptions): Promise<number> {
  const config = loadCliConfig(io);
  const logger = createCliLogger(io, config, { quiet: false });
  const { startGateway } = await import('@graphiti/server');
  const gateway = await startGateway({
    config,
    logger,
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
  });
  io.stderr(`graphiti gateway listening on ${gateway.url} (Ollama API at /api, OpenAI API at /v1)\n`);
  const signal = await new Promise<string>((resolve) => {
    if (io.onSignal === undefined) return; // in-process callers without signals never stop on their own
    io.onSignal(resolve);
  });
  io.stderr(`${signal}: closing the gateway (finishing requests in flight)…\n`);
  await gateway.close();
  io.stderr('gateway closed\n');
  return EXIT_OK;
}

/** Registers `serve`. */
export function registerServe(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('serve')
    .description(
      'run the Ollama-compatible HTTP gateway (cloud first, local fallback, queue, admin endpoints)',
    )
    .option('--host <host>', 'interface to listen on (default: server.host, GRAPHITI_SERVER_HOST)')
    .option(
      '--port <port>',
      'port to listen on; 0 picks a free one (default: server.port, GRAPHITI_SERVER_PORT)',
      parsePort,
    )
    .addHelpText(
      'after',
      '\nLogs JSON lines at logging.level (LOG_LEVEL) on stderr. SIGTERM or SIGINT stop accepting connections,\nfinish the requests in flight, close the storage and exit 0.',
    )
    .action(async (options: ServeOptions) => setExit(await serve(io, options)));
}
