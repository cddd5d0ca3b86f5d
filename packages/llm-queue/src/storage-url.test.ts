import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStorageUrl, redactUrl } from './storage-url.js';

describe('parseStorageUrl', () => {
  it('accepts the sqlite forms, expanding ~ and resolving relative paths', () => {
    expect(parseStorageUrl('sqlite:~/.graphiti/graphiti.db')).toEqual({
      kind: 'sqlite',
      path: `${homedir()}/.graphiti/graphiti.db`,
      memory: false,
    });
    expect(parseStorageUrl('sqlite:///var/lib/q.db')).toMatchObject({ path: '/var/lib/q.db' });
    expect(parseStorageUrl('sqlite:data/q.db')).toMatchObject({ path: resolve('data/q.db') });
    expect(parseStorageUrl('sqlite::memory:')).toMatchObject({ memory: true });
  });

  it('accepts postgres:// and postgresql:// URLs', () => {
    expect(parseStorageUrl('postgres://user@host:5432/db')).toEqual({
      kind: 'postgres',
      url: 'postgres://user@host:5432/db',
    });
    expect(parseStorageUrl('postgresql://h/db').kind).toBe('postgres');
  });
});

describe('redactUrl', () => {
  it('hides the password and keeps the rest', () => {
    expect(redactUrl('postgres://app:pa:ss@db.example:5432/x?ssl=true')).toBe(
      'postgres://app:***@db.example:5432/x?ssl=true',
    );
    expect(redactUrl('postgres://app@db/x')).toBe('postgres://app@db/x');
  });
});
