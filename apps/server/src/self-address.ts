import { lookup } from 'node:dns/promises';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';

function bare(address: string): string {
  return address
    .replace(/^\[|\]$/g, '')
    .replace(/^::ffff:/i, '')
    .toLowerCase();
}

function isLoopbackAddress(address: string): boolean {
  const plain = bare(address);
  return plain === '::1' || /^127\./.test(plain);
}

function localAddresses(): Set<string> {
  const out = new Set<string>();
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) out.add(bare(entry.address));
  }
  return out;
}

/**
 * True when `endpoint` (the configured local Ollama server) reaches the gateway itself at `bound`: same port,
 * and a host that resolves to the bound address (any of this machine's addresses when bound to 0.0.0.0/::).
 */
export async function isOwnAddress(endpoint: string, bound: AddressInfo): Promise<boolean> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (port !== bound.port) return false;
  let resolved: string[];
  try {
    resolved = (await lookup(bare(url.hostname), { all: true })).map((entry) => bare(entry.address));
  } catch {
    return false;
  }
  const boundAddress = bare(bound.address);
  if (boundAddress === '0.0.0.0' || boundAddress === '::') {
    const mine = localAddresses();
    return resolved.some((address) => mine.has(address) || isLoopbackAddress(address));
  }
  return resolved.includes(boundAddress);
}
