import { isIP } from 'node:net';
import { ConfigError } from './config-error.js';

/** The result of reading an `OLLAMA_HOST`-style value. */
export type OllamaHostResult =
  | { readonly ok: true; readonly url: string }
  | { readonly ok: false; readonly expected: string };

const EXPECTED_HOST =
  'an Ollama host as the ollama CLI accepts it: host, host:port, :port, http(s)://host[:port][/path]';

/**
 * Reads an `OLLAMA_HOST`-style value the way the ollama CLI does (`envconfig.Host`), without throwing.
 * Unlike the CLI, an unusable port or scheme is an error instead of a silent fallback to the default.
 */
export function parseOllamaHost(value: string): OllamaHostResult {
  let text = value.trim();
  // The CLI strips one pair of surrounding quotes (shell-quoted values in service files).
  if (text.length >= 2 && (text[0] === '"' || text[0] === "'") && text.at(-1) === text[0]) {
    text = text.slice(1, -1).trim();
  }
  let scheme = 'http';
  let defaultPort = '11434';
  let rest = text;
  const schemeEnd = text.indexOf('://');
  if (schemeEnd >= 0) {
    scheme = text.slice(0, schemeEnd).toLowerCase();
    rest = text.slice(schemeEnd + 3);
    if (scheme === 'http') defaultPort = '80';
    else if (scheme === 'https') defaultPort = '443';
    else return { ok: false, expected: `${EXPECTED_HOST} (scheme must be http or https)` };
  }
  const slash = rest.indexOf('/');
  const hostPort = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = (slash >= 0 ? rest.slice(slash) : '').replace(/\/+$/, '');
  if (/[\s@?#\\]/.test(hostPort) || /[\s?#\\]/.test(path)) return { ok: false, expected: EXPECTED_HOST };

  let host: string;
  let port: string;
  const split = splitHostPort(hostPort);
  if (split) {
    host = split.host;
    port = split.port;
  } else {
    host = hostPort.startsWith('[') && hostPort.endsWith(']') ? hostPort.slice(1, -1) : hostPort;
    port = defaultPort;
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535 || Number(port) === 0) {
    return { ok: false, expected: `${EXPECTED_HOST} (port must be 1-65535)` };
  }
  if (host === '') host = '127.0.0.1';
  // 0.0.0.0 / :: mean "listen on every interface" to `ollama serve`; as an address to connect to, use loopback.
  if (host === '0.0.0.0') host = '127.0.0.1';
  if (host === '::' || host === '::0') host = '::1';
  const ipVersion = isIP(host);
  if (
    ipVersion === 0 &&
    !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/.test(host)
  ) {
    return { ok: false, expected: `${EXPECTED_HOST} (not a valid host name or IP address)` };
  }
  const hostForUrl = ipVersion === 6 ? `[${host}]` : host;
  const url = `${scheme}://${hostForUrl}:${Number(port)}${path}`;
  try {
    new URL(url);
  } catch {
    return { ok: false, expected: EXPECTED_HOST };
  }
  return { ok: true, url };
}

function splitHostPort(hostPort: string): { host: string; port: string } | undefined {
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0 || hostPort[close + 1] !== ':') return undefined;
    return { host: hostPort.slice(1, close), port: hostPort.slice(close + 2) };
  }
  const colon = hostPort.lastIndexOf(':');
  // No colon, or several (a bare IPv6 address): no port given.
  if (colon < 0 || hostPort.indexOf(':') !== colon) return undefined;
  return { host: hostPort.slice(0, colon), port: hostPort.slice(colon + 1) };
}

/**
 * Turns an `OLLAMA_HOST` value, in any form the ollama CLI accepts, into a full URL with an explicit port:
 * `''` -> `http://127.0.0.1:11434`, `example.com` -> `http://example.com:11434`, `:5000` -> `http://127.0.0.1:5000`,
 * `0.0.0.0` -> `http://127.0.0.1:11434`, `https://ollama.example` -> `https://ollama.example:443`,
 * `http://h` -> `http://h:80` (with a scheme the default port is the scheme's, as in the CLI).
 *
 * @throws ConfigError (key `local.endpoint`) when the value cannot be read as a host.
 */
export function normalizeOllamaHost(value: string): string {
  const result = parseOllamaHost(value);
  if (result.ok) return result.url;
  throw new ConfigError([
    {
      kind: 'invalid_value',
      source: 'option',
      file: undefined,
      envVar: undefined,
      key: 'local.endpoint',
      line: undefined,
      column: undefined,
      found: JSON.stringify(value.slice(0, 80)),
      expected: result.expected,
      message: `local.endpoint: expected ${result.expected}, found ${JSON.stringify(value.slice(0, 80))}`,
    },
  ]);
}
