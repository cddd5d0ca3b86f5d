import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
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

/** Parses a storage URL, or throws QueueError `INVALID_STORAGE_URL` naming the problem. */
export function parseStorageUrl(url: string): StorageTarget {
  if (typeof url !== 'string' || url.trim() === '') {
    throw new QueueError('INVALID_STORAGE_URL', `Storage URL is empty: ${expected}.`);
  }
  const trimmed = url.trim();
  if (/^sqlite:/i.test(trimmed)) {
    let path = trimmed.slice('sqlite:'.length);
    if (path.startsWith('//')) path = path.slice(2);
    if (path === '') {
      throw new QueueError('INVALID_STORAGE_URL', `Storage URL "${trimmed}" names no file: ${expected}.`);
    }
    if (path === ':memory:') return { kind: 'sqlite', path, memory: true };
    if (path === '~' || path.startsWith('~/')) path = homedir() + path.slice(1);
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(path), memory: false };
  }
  if (/^postgres(ql)?:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch (error) {
      throw new QueueError(
        'INVALID_STORAGE_URL',
        `Storage URL "${redactUrl(trimmed)}" is not a valid URL: ${expected}.`,
        { cause: error },
      );
    }
    if (!parsed.hostname && !parsed.searchParams.get('host')) {
      throw new QueueError(
        'INVALID_STORAGE_URL',
        `Storage URL "${redactUrl(trimmed)}" names no host: ${expected}.`,
      );
    }
    return { kind: 'postgres', url: trimmed };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimmed)?.[1];
  throw new QueueError(
    'INVALID_STORAGE_URL',
    `Storage URL "${redactUrl(trimmed)}" ${scheme ? `uses the unsupported scheme "${scheme}:"` : 'has no scheme'}: ${expected}.`,
  );
}
