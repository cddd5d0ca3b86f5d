import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { loadConfig } from './load-config.js';
import { KEY_SPECS } from './spec.js';
import type { LlmConfig } from './types.js';

let dir: string;
let path: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'llm-config-fuzz-'));
  path = join(dir, 'llm.toml');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

type Outcome = { kind: 'config'; config: LlmConfig } | { kind: 'error'; error: ConfigError };

/** Loads text as the config file; anything but a config or a ConfigError fails the property. */
function outcomeOf(text: string, env: Record<string, string> = {}): Outcome {
  writeFileSync(path, text);
  try {
    return { kind: 'config', config: loadConfig({ path, env: { HOME: dir, ...env } }) };
  } catch (error) {
    if (ConfigError.isInstance(error)) return { kind: 'error', error };
    throw error;
  }
}

function checkOutcome(outcome: Outcome): void {
  if (outcome.kind === 'config') {
    expect(Object.isFrozen(outcome.config.server)).toBe(true);
    expect(outcome.config.retry.max_attempts).toBeGreaterThanOrEqual(1);
  } else {
    expect(outcome.error.issues.length).toBeGreaterThan(0);
    for (const issue of outcome.error.issues) expect(outcome.error.message).toContain(issue.message);
  }
}

const keyNames = [...new Set(KEY_SPECS.flatMap((spec) => spec.path.split('.')))];
const key = fc.oneof(fc.constantFrom(...keyNames), fc.string({ minLength: 1, maxLength: 8 }));
const scalar = fc.oneof(
  fc.integer({ min: -100_000, max: 100_000 }),
  fc.double({ noNaN: false }),
  fc.boolean(),
  fc.string({ maxLength: 20 }),
  fc.constantFrom(
    'ollama',
    'https://ollama.com',
    'http://localhost:11434',
    'sqlite:~/x.db',
    'postgres://u@h:5432/d',
    'full',
    'normal',
    'debug',
    '0.0.0.0',
    '127.0.0.1',
    'gpt-oss:120b-cloud',
  ),
  fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
);
const value = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 3 }), tie('table')),
  table: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
}));
const document = fc.dictionary(key, value.table, { maxKeys: 6 });

const seen = { loaded: 0, rejected: 0, unrepresentable: 0 };

// 300 file loads per property: give them room on a loaded machine (setup only; the properties are unchanged)
describe('generated input', { timeout: 60_000 }, () => {
  it('arbitrary text yields a ConfigError or a valid config, never another exception', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 200 }), fc.string({ unit: 'binary', maxLength: 200 })),
        (text) => {
          checkOutcome(outcomeOf(text));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('arbitrary TOML-ish lines yield a ConfigError or a valid config', () => {
    const line = fc.oneof(
      fc
        .tuple(fc.constantFrom(...keyNames), fc.constantFrom('[', '[[', ''))
        .map(([name, open]) => (open === '' ? `${name} = ` : `${open}${name}${open === '[' ? ']' : ']]'}`)),
      fc.tuple(key, scalar).map(([name, item]) => `${name} = ${JSON.stringify(item)}`),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 12 }), (lines) => {
        checkOutcome(outcomeOf(lines.join('\n')));
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary TOML structures yield a ConfigError or a valid config, with located file issues', () => {
    fc.assert(
      fc.property(
        document,
        fc.dictionary(
          fc.constantFrom('GRAPHITI_SERVER_PORT', 'OLLAMA_HOST', 'LOG_LEVEL'),
          fc.string({ maxLength: 12 }),
        ),
        (tables, env) => {
          let text: string;
          try {
            text = stringify(tables);
          } catch {
            seen.unrepresentable++;
            return; // not representable as TOML: nothing to load
          }
          const outcome = outcomeOf(text, env);
          seen[outcome.kind === 'config' ? 'loaded' : 'rejected']++;
          checkOutcome(outcome);
          if (outcome.kind === 'error') {
            for (const issue of outcome.error.issues) {
              if (issue.source === 'file' && issue.kind !== 'syntax')
                expect(issue.line, issue.message).toBeGreaterThan(0);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
    // The generator must exercise both outcomes, not just one of them.
    expect(seen.loaded).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  });

  it('valid values anywhere in the schema load', () => {
    const validDocument = fc.record(
      {
        retry: fc.record(
          {
            max_attempts: fc.integer({ min: 1, max: 100 }),
            delay_seconds: fc.double({ min: 0, max: 3600, noNaN: true }),
          },
          { requiredKeys: [] },
        ),
        server: fc.record({ port: fc.integer({ min: 0, max: 65535 }) }, { requiredKeys: [] }),
        quota: fc.record(
          { warning_threshold: fc.double({ min: 0.001, max: 1, noNaN: true }) },
          { requiredKeys: [] },
        ),
        local: fc.record(
          { models: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9.:-]{0,12}$/), { maxLength: 4 }) },
          {
            requiredKeys: [],
          },
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(validDocument, (tables) => {
        const outcome = outcomeOf(stringify(tables));
        if (outcome.kind === 'error') throw new Error(outcome.error.message);
        if (tables.server?.port !== undefined) expect(outcome.config.server.port).toBe(tables.server.port);
      }),
      { numRuns: 200 },
    );
  });
});
