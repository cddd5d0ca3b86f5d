import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { QueueError } from './errors.js';

/** A parsed `storage.url`. */
export type StorageTarget =
  | { readonly kind: 'sqlite'; readonly path: string; readonly memory: boolean }
  | { readonly kind: 'postgres'; readonly url: string };

const expected =
  'expected "sqlite:<path>" (e.g. sqlite:~/.graphiti/graphiti.db, sqlite::memory:) or ' +
  '"postgres://user@host:port/database" (set storage.url or GRAPHITI_STORAGE_URL)';

/** The URL with any password replaced by `***`, safe for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@?#]*):[^@/?#]*@/i, '$1:***@');
}

/** `~` and `~/…` (or `~\…`, as llm-config reads it) expanded to the home directory. */
function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(homedir(), path.slice(2));
  return path;
}

/**
 * Parses a storage URL, or throws QueueError `INVALID_STORAGE_URL` naming the problem. It accepts
 * exactly what `storage.url` validation in `@graphiti/llm-config` accepts, and reads it the same way
 * (a test feeds the same URLs to both):
 * - `sqlite:<path>`: `~` and `~/` expand to the home directory, a relative path resolves against the
 *   working directory; `sqlite:///abs/path` is `/abs/path`; `sqlite::memory:` is a private in-memory
 *   database. Refused: an empty or blank path, `~user/…`, a NUL byte.
 * - `postgres://…` or `postgresql://…`: any URL `new URL` parses (schemes in lower case).
 * Nothing is trimmed: spaces are part of the path, and a leading space is no scheme.
 */
export function parseStorageUrl(url: string): StorageTarget {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new QueueError('INVALID_STORAGE_URL', `Storage URL is empty: ${expected}.`);
  }
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (path.trim() === '') {
      throw new QueueError('INVALID_STORAGE_URL', `Storage URL "${url}" names no file: ${expected}.`);
    }
    if (path.includes('\u0000')) {
      throw new QueueError('INVALID_STORAGE_URL', 'Storage URL contains a NUL byte: it cannot name a file.');
    }
    if (/^~[^/\\]/.test(path)) {
      throw new QueueError(
        'INVALID_STORAGE_URL',
        `Storage URL "${url}" uses "~user", which is not supported: write the full path or "~/…".`,
      );
    }
    if (path === ':memory:') return { kind: 'sqlite', path, memory: true };
    return { kind: 'sqlite', path: resolve(expandHome(path)), memory: false };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    try {
      new URL(url);
    } catch (error) {
      throw new QueueError(
        'INVALID_STORAGE_URL',
        `Storage URL "${redactUrl(url)}" is not a valid URL: ${expected}.`,
        { cause: error },
      );
    }
    return { kind: 'postgres', url };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
  const lower =
    scheme && /^(sqlite|postgres|postgresql)$/i.test(scheme) ? ' (write the scheme in lower case)' : '';
  throw new QueueError(
    'INVALID_STORAGE_URL',
    `Storage URL "${redactUrl(url)}" ${scheme ? `uses the unsupported scheme "${scheme}:"${lower}` : 'has no scheme'}: ${expected}.`,
  );
}
