import { isIP } from 'node:net';

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and ::1 (brackets allowed). */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const lower = bare.toLowerCase().replace(/\.$/, '');
  if (lower === 'localhost' || lower.endsWith('.localhost')) return true;
  const version = isIP(lower);
  if (version === 4) return lower.startsWith('127.');
  if (version === 6)
    return /^(0{0,4}:){2,7}0{0,3}1$/.test(lower) || lower === '::1' || lower === '::ffff:127.0.0.1';
  return false;
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
