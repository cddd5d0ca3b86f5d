import { describe, expect, expectTypeOf, it } from 'vitest';
import { defaultConfig } from './load-config.js';
import { CONFIG_SPEC, KEY_SPECS, type ParsedConfig } from './spec.js';
import type { LlmConfig } from './types.js';

/** The spec's validated type as the final config presents it: deeply readonly, every key present. */
type Final<T> = T extends readonly (infer Item)[]
  ? readonly Final<Item>[]
  : T extends object
    ? { readonly [K in keyof T]-?: Final<T[K]> | (undefined extends T[K] ? undefined : never) }
    : T;

describe('the spec table and LlmConfig', () => {
  it('describe exactly the same type (checked by tsc in `typecheck`)', () => {
    expectTypeOf<Final<ParsedConfig>>().toEqualTypeOf<LlmConfig>();
    expectTypeOf<Final<ParsedConfig>['timeouts']['cloud']>().toEqualTypeOf<LlmConfig['timeouts']['cloud']>();
  });

  it('have the same keys at run time, in the same order', () => {
    const paths: string[] = [];
    const walk = (value: object, prefix: string): void => {
      for (const [name, item] of Object.entries(value)) {
        const path = prefix === '' ? name : `${prefix}.${name}`;
        if (typeof item === 'object' && item !== null && !Array.isArray(item)) walk(item, path);
        else paths.push(path);
      }
    };
    walk(defaultConfig({ HOME: '/home/u' }), '');
    expect(paths).toEqual(KEY_SPECS.map((spec) => spec.path));
    expect(Object.keys(CONFIG_SPEC)).toEqual(Object.keys(defaultConfig({ HOME: '/home/u' })));
  });

  it('gives every key a schema, an expected text and a comment, and a default or an example', () => {
    for (const spec of KEY_SPECS) {
      expect(spec.expected.length, spec.path).toBeGreaterThan(5);
      expect(spec.comment.length, spec.path).toBeGreaterThan(5);
      const fallback = spec.definition.default;
      if (fallback === undefined || typeof fallback === 'function')
        expect(spec.example, spec.path).toBeDefined();
      if (spec.secret) expect(fallback, spec.path).toBeUndefined();
    }
  });
});
