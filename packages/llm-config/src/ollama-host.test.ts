import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { normalizeOllamaHost } from './ollama-host.js';

describe('normalizeOllamaHost', () => {
  it.each([
    ['', 'http://127.0.0.1:11434'],
    ['   ', 'http://127.0.0.1:11434'],
    ['example.com', 'http://example.com:11434'],
    ['example.com:5000', 'http://example.com:5000'],
    [':5000', 'http://127.0.0.1:5000'],
    ['0.0.0.0', 'http://127.0.0.1:11434'],
    ['0.0.0.0:8080', 'http://127.0.0.1:8080'],
    ['127.0.0.1', 'http://127.0.0.1:11434'],
    ['localhost', 'http://localhost:11434'],
    ['10.1.2.3:11434', 'http://10.1.2.3:11434'],
    ['::1', 'http://[::1]:11434'],
    ['[::1]:9000', 'http://[::1]:9000'],
    ['::', 'http://[::1]:11434'],
    ['http://example.com', 'http://example.com:80'],
    ['https://example.com', 'https://example.com:443'],
    ['https://ollama.com', 'https://ollama.com:443'],
    ['HTTP://example.com:1234', 'http://example.com:1234'],
    ['http://example.com:1234/', 'http://example.com:1234'],
    ['https://example.com/ollama/', 'https://example.com:443/ollama'],
    ['example.com/path', 'http://example.com:11434/path'],
    ['"example.com:7"', 'http://example.com:7'],
    ["'example.com'", 'http://example.com:11434'],
    ['  example.com  ', 'http://example.com:11434'],
    ['http://', 'http://127.0.0.1:80'],
  ])('%j -> %s', (input, expected) => {
    expect(normalizeOllamaHost(input)).toBe(expected);
  });

  it.each([
    'ftp://example.com',
    'example.com:abc',
    'example.com:70000',
    'example.com:0',
    'user:pw@example.com',
    'bad host',
    'exa_mple.com',
  ])('rejects %j with a ConfigError naming local.endpoint', (input) => {
    let caught: unknown;
    try {
      normalizeOllamaHost(input);
    } catch (error) {
      caught = error;
    }
    expect(ConfigError.isInstance(caught)).toBe(true);
    expect((caught as ConfigError).issues[0]?.key).toBe('local.endpoint');
  });
});
