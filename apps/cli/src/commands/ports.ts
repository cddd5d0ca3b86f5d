import { InvalidArgumentError } from 'commander';

/** Parses a TCP port option value (0-65535); commander turns the thrown error into a usage error (exit 2). */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value.trim()) || port > 65_535) {
    throw new InvalidArgumentError('expected a port number between 0 and 65535.');
  }
  return port;
}
