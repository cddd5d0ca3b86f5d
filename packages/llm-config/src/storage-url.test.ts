import { describe, expect, it } from 'vitest';
import { isLoopbackHost, maskUrlPassword } from './hosts.js';
import { parseStorageUrl } from './storage-url.js';

describe('parseStorageUrl', () => {
  it('splits sqlite and postgres URLs', () => {
    expect(parseStorageUrl('sqlite:/home/a/.graphiti/graphiti.db')).toEqual({
      kind: 'sqlite',
      path: '/home/a/.graphiti/graphiti.db',
    });
    expect(parseStorageUrl('sqlite::memory:')).toEqual({ kind: 'sqlite', path: ':memory:' });
    expect(parseStorageUrl('sqlite:///var/g.db')).toEqual({ kind: 'sqlite', path: '/var/g.db' });
    expect(parseStorageUrl('postgresql://u@h/db')).toEqual({ kind: 'postgres', url: 'postgresql://u@h/db' });
  });

  it('rejects other schemes without echoing the URL', () => {
    expect(() => parseStorageUrl('mysql://u:pw-XYZ@h/db')).toThrow(TypeError);
    expect(() => parseStorageUrl('mysql://u:pw-XYZ@h/db')).not.toThrow(/pw-XYZ/);
  });
});

describe('host helpers', () => {
  it.each([
    ['localhost', true],
    // not loopback: whether a subdomain of localhost resolves depends on the resolver (Node cannot listen on
    // one with glibc's), so it cannot be trusted to stay on this machine; the config rejects it as server.host
    ['api.localhost', false],
    ['LocalHost', true],
    ['0:0:0:0:0:0:0:1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['[::ffff:127.0.0.1]', true],
    ['::ffff:10.0.0.1', false],
    ['::2', false],
    ['1::1', false],
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.2', false],
    ['example.com', false],
  ])('isLoopbackHost(%j) = %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });

  it('masks only the password of a URL', () => {
    expect(maskUrlPassword('postgres://u:secret@h:5432/db')).toBe('postgres://u:[redacted]@h:5432/db');
    expect(maskUrlPassword('postgres://u@h/db')).toBe('postgres://u@h/db');
    expect(maskUrlPassword('sqlite:/a:b@c')).toBe('sqlite:/a:b@c');
  });
});
