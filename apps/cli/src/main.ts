#!/usr/bin/env node
import { exitQuietlyOnClosedPipe, safeWriter } from './io-guard.js';
import { runCli } from './run-cli.js';

exitQuietlyOnClosedPipe();

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

process.exitCode = await runCli(process.argv.slice(2), {
  env: process.env,
  stdout: safeWriter(process.stdout),
  stderr: safeWriter(process.stderr),
  readStdin,
  stdinIsTTY: process.stdin.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  onSignal: (handler) => {
    const listener = (signal: NodeJS.Signals): void => handler(signal);
    process.once('SIGTERM', listener);
    process.once('SIGINT', listener);
    return () => {
      process.off('SIGTERM', listener);
      process.off('SIGINT', listener);
    };
  },
});

// Everything is closed by now; should a stray handle (a keep-alive socket) linger, do not hang on it.
setTimeout(() => process.exit(), 2000).unref();
