import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseStorageUrl as configParse, loadConfig } from '@graphiti/llm-config';
import { afterAll, describe, expect, it } from 'vitest';
import { QueueError } from './errors.js';
import { parseStorageUrl, type StorageTarget } from './storage-url.js';

const directory = mkdtempSync(join(tmpdir(), 'graphiti-queue-url-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** What llm-config makes of `storage.url = <url>` in a config file: the location it hands over, or an error. */
function configReads(url: string): { url: string; kind: string; path?: string } | 'invalid' {
  const file = join(directory, 'llm.toml');
  writeFileSync(file, `[storage]\nurl = ${JSON.stringify(url)}\n`);
  let loaded: string;
  try {
    loaded = loadConfig({ path: file, env: { HOME: homedir() } }).storage.url;
  } catch {
    return 'invalid';
  }
  const location = configParse(loaded);
  return { url: loaded, ...location };
}

function queueReads(url: string): StorageTarget | 'invalid' {
  try {
    return parseStorageUrl(url);
  } catch (error) {
    expect(QueueError.isInstance(error) && error.code).toBe('INVALID_STORAGE_URL');
    return 'invalid';
  }
}

const paths = [
  '~/.graphiti/graphiti.db',
  '~',
  '~\\win.db',
  '~user/x.db',
  '/var/lib/g.db',
  '///var/lib/g.db',
  '//host/g.db',
  '////x.db',
  'relative/g.db',
  './g.db',
  'g.db ',
  ' g.db',
  ':memory:',
  '///:memory:',
  '',
  '   ',
  'a\u0000b.db',
  'dir with spaces/é ✓.db',
  'C:\\data\\g.db',
  '?mode=ro',
];
const urls = [
  ...paths.map((path) => `sqlite:${path}`),
  'SQLITE:/x.db',
  'Sqlite:x.db',
  ' sqlite:/x.db',
  'sqlite',
  'postgres://user@host:5432/db',
  'postgresql://user:p%40ss@host/db?sslmode=require',
  'postgres://u:pw@[::1]:5432/db',
  'postgres:///db',
  'postgres://',
  'postgres://host:99999/db',
  'postgres://ho st/db',
  'POSTGRES://h/db',
  'postgres:/h/db',
  'postgres:h',
  'mysql://root:pw@h/db',
  'graphiti.db',
  '',
  ' ',
];

describe('parseStorageUrl agrees with @graphiti/llm-config', () => {
  it.each(urls.map((url) => [JSON.stringify(url), url]))('on %s', (_, url) => {
    const config = configReads(url);
    const queue = queueReads(url);
    if (config === 'invalid') {
      expect(queue).toBe('invalid');
      return;
    }
    expect(queue).not.toBe('invalid');
    const target = queue as StorageTarget;
    expect(target.kind).toBe(config.kind);
    if (target.kind === 'sqlite') {
      const memory = config.path === ':memory:';
      expect(target.memory).toBe(memory);
      // The file the config names (relative paths resolve against the working directory on open).
      expect(target.path).toBe(memory ? ':memory:' : resolve(config.path!));
    } else {
      expect(target.url).toBe(config.url);
    }
    // The URL the config hands over (with ~ expanded) names the same storage.
    expect(queueReads(config.url)).toEqual(target);
  });

  it('covers both verdicts', () => {
    const verdicts = urls.map((url) => configReads(url) === 'invalid');
    expect(verdicts.filter(Boolean).length).toBeGreaterThan(5);
    expect(verdicts.filter((invalid) => !invalid).length).toBeGreaterThan(10);
  });
});
