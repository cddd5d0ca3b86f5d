import { isIP } from 'node:net';

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail becomes the last two). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const parse = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((group) => parseInt(group, 16));
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * True when the gateway listening on `host` (or a client connecting to it) stays on this machine:
 * `localhost`, 127.0.0.0/8, `::1` in any spelling, and IPv4-mapped loopback (`::ffff:127.0.0.1`); brackets
 * (`[::1]`, as in a URL) are allowed. Subdomains of localhost (`app.localhost`) are **not** loopback here: whether
 * they resolve at all depends on the system's resolver (Node cannot listen on them with glibc's), so the config
 * rejects them as `server.host`. The one definition: the config's validation and the gateway both use it.
 */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase();
  if (lower === 'localhost') return true;
  const version = isIP(lower);
  if (version === 4) return lower.startsWith('127.');
  if (version !== 6) return false;
  const groups = ipv6Groups(lower);
  const zeros = (count: number): boolean => groups.slice(0, count).every((group) => group === 0);
  if (zeros(7) && groups[7] === 1) return true;
  return zeros(5) && groups[5] === 0xffff && groups[6]! >> 8 === 127;
}

/** True for a subdomain of localhost (`app.localhost`), which not every resolver answers. */
export function isLocalhostSubdomain(host: string): boolean {
  return /^[^.]+(\.[^.]+)*\.localhost\.?$/i.test(host);
}

/** True for the "every interface" addresses 0.0.0.0 and ::. */
export function isUnspecifiedHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare === '0.0.0.0' || bare === '::' || /^(0{1,4}:){7}0{1,4}$/.test(bare);
}

/** True for a host name (RFC 1123 labels) or an IP address, without scheme, port or brackets. */
export function isValidHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  return (
    host.length <= 253 &&
    /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/.test(
      host,
    )
  );
}

/** Replaces the password of a URL with userinfo (`postgres://u:secret@h/db`) by `[redacted]`. */
export function maskUrlPassword(value: string): string {
  return value.replace(
    /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^:/@\s]*:)([^@/\s]*)@/,
    (_match, head: string, password: string) => (password === '' ? `${head}@` : `${head}[redacted]@`),
  );
}
