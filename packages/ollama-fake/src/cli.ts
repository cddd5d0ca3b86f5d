#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { OllamaFakeError } from './ollama-fake-error.js';
import { startOllamaFake } from './start-ollama-fake.js';

const usage = `Usage: ollama-fake [--port N] [--host H] [--models a:9b,b:3b] [--key K] [--chunks N] [--chunk-delay-ms N] [--version V] [--cloud [--balance credits|windows]]

Runs a fake Ollama server (deterministic answers, fault injection through POST /__fake/faults).
  --port N             port to listen on (default 11434; 0 = any free port)
  --host H             interface (default 127.0.0.1)
  --models LIST        comma-separated pulled models (default llama3.2:3b)
  --key K              require "Authorization: Bearer K" on /api/* and /v1/*
  --chunks N           content chunks per streamed answer (default 4)
  --chunk-delay-ms N   pause between streamed chunks (default 0)
  --version V          version reported by /api/version (default 0.12.6)
  --cloud              play ollama.com (needs --key): cloud /api/tags, /api/balance, /api/usage, /api/me
  --balance SHAPE      /api/balance shape with --cloud: credits (default) or windows
  -h, --help           show this help`;

function usageError(message: string): never {
  process.stderr.write(`ollama-fake: ${message}\n\n${usage}\n`);
  process.exit(2);
}

function integer(
  name: string,
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (value.trim() === '' || !Number.isInteger(number) || number < min || number > max) {
    usageError(`--${name} must be an integer from ${min} to ${max}; got "${value}"`);
  }
  return number;
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: process.argv.slice(2),
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        models: { type: 'string' },
        key: { type: 'string' },
        chunks: { type: 'string' },
        'chunk-delay-ms': { type: 'string' },
        version: { type: 'string' },
        cloud: { type: 'boolean' },
        balance: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    usageError((error as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  const models =
    typeof values.models === 'string' ? values.models.split(',').map((name) => name.trim()) : undefined;
  if (models?.some((name) => name === ''))
    usageError('--models must be a comma-separated list of model names');
  const key = values.key as string | undefined;
  if (key === '') usageError('--key must not be empty');
  if (values.cloud === true && !key) usageError('--cloud plays ollama.com, which needs a key: add --key K');
  const balance = values.balance as string | undefined;
  if (balance !== undefined && balance !== 'credits' && balance !== 'windows') {
    usageError(`--balance must be credits or windows; got "${balance}"`);
  }
  const fake = await startOllamaFake({
    port: integer('port', values.port as string | undefined, 11434, 0, 65535),
    host: (values.host as string | undefined) ?? '127.0.0.1',
    ...(models ? { models } : {}),
    ...(key ? { apiKey: key } : {}),
    chunks: integer('chunks', values.chunks as string | undefined, 4, 1, 10_000),
    chunkDelayMs: integer('chunk-delay-ms', values['chunk-delay-ms'] as string | undefined, 0, 0, 3_600_000),
    ...(typeof values.version === 'string' ? { version: values.version } : {}),
    ...(values.cloud === true ? { cloud: true } : {}),
    ...(balance === undefined ? {} : { balance }),
  });
  // The key is a secret: say that one is required, never print it.
  process.stdout.write(`ollama-fake listening on ${fake.url}${key ? ' (API key required)' : ''}\n`);
  const shutdown = (): void => {
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  const message = OllamaFakeError.isInstance(error) ? error.message : String(error);
  process.stderr.write(`ollama-fake: ${message}\n`);
  process.exit(1);
});
