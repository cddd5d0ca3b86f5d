#!/usr/bin/env node
import { ConfigError, loadConfig } from '@graphiti/llm-config';
import { createGatewayLogger } from './gateway-logger.js';
import { startGateway } from './start-gateway.js';

/** `node dist/main.js`: loads the config from the environment, serves until SIGTERM/SIGINT, exits 0. */
async function main(): Promise<void> {
  const notices: string[] = [];
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig({ env: process.env, onNotice: (message) => notices.push(message) });
  } catch (error) {
    if (ConfigError.isInstance(error)) {
      process.stderr.write(`graphiti-server: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createGatewayLogger({ level: config.logging.level });
  for (const message of notices) logger.info({ event: 'config_notice' }, message);

  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway({ config, logger });
  } catch (error) {
    logger.fatal(
      { event: 'gateway_start_failed', error: error instanceof Error ? error.message : String(error) },
      'gateway_start_failed',
    );
    process.exit(1);
  }
  logger.info(
    { event: 'gateway_listening', url: gateway.url, auth: config.server.auth_token !== undefined },
    `graphiti gateway listening on ${gateway.url}`,
  );

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ event: 'gateway_forced_exit', signal }, 'gateway_forced_exit');
      process.exit(1);
    }
    stopping = true;
    logger.info({ event: 'gateway_stopping', signal }, 'gateway_stopping');
    gateway.close().then(
      () => {
        logger.info({ event: 'gateway_stopped' }, 'gateway_stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ event: 'gateway_stop_failed', error: String(error) }, 'gateway_stop_failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
