import { isIP } from 'node:net';

/** Why a callback URL was refused, or the parsed URL. */
export type CallbackCheck =
  | { readonly ok: true; readonly url: URL }
  | { readonly ok: false; readonly reason: string };

function isLoopbackHostname(hostname: string): boolean {
  const bare = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  return isIP(bare) === 4 && bare.startsWith('127.');
}

/**
 * An `x-graphiti-callback` URL is accepted when it is https (any host) or http to a loopback address
 * (`localhost`, `127.0.0.0/8`, `[::1]`). No other address is ever contacted for a callback.
 */
export function checkCallbackUrl(value: string): CallbackCheck {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { ok: false, reason: `x-graphiti-callback ${JSON.stringify(value.slice(0, 200))} is not a URL` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'x-graphiti-callback must not carry a user name or password' };
  }
  if (url.protocol === 'https:') return { ok: true, url };
  if (url.protocol === 'http:' && isLoopbackHostname(url.hostname)) return { ok: true, url };
  return {
    ok: false,
    reason: `x-graphiti-callback must be an https URL or http on a loopback address (localhost, 127.0.0.1, [::1]); got ${url.protocol}//${url.host}`,
  };
}
