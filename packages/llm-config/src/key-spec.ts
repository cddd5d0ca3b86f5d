import type { z } from 'zod';
import type { ConfigEnv } from './paths.js';

/** How an environment variable's text becomes a value for the key (or why it cannot). */
export type EnvReading =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly expected: string };

const KEY = Symbol.for('graphiti.llm.config.key');

/** One configuration key of the spec table: its schema, default, environment variables and documentation. */
export interface KeyDefinition<S extends z.ZodType = z.ZodType> {
  readonly [KEY]: true;
  /** Validates the raw (file, env or option) value. */
  readonly schema: S;
  /** The built-in default (a function when it depends on the environment); absent: the key has none. */
  readonly default?: z.output<S> | ((env: ConfigEnv) => z.output<S>);
  /** What a valid value is, phrased to follow "expected". */
  readonly expected: string;
  /** One-line description, used as the comment in the default file. */
  readonly comment: string;
  /** Environment variables that override the key, the first one set wins. */
  readonly env?: readonly string[];
  /** Turns an environment variable's text into the raw value. @default the trimmed text */
  readonly fromEnv?: (raw: string) => EnvReading;
  /** Never shown; the default file carries it as a commented-out example. */
  readonly secret?: true;
  /** The commented-out line of the default file, for keys whose default is not written out. */
  readonly example?: string;
  /** Normalises the validated value for the final config (e.g. drop a trailing slash). */
  readonly finalize?: (value: z.output<S>, env: ConfigEnv) => z.output<S>;
}

/** Declares one key of the spec table (the type of `default` and `finalize` follows the schema). */
export function key<S extends z.ZodType>(definition: Omit<KeyDefinition<S>, typeof KEY>): KeyDefinition<S> {
  return { [KEY]: true, ...definition } as KeyDefinition<S>;
}

/** A table of the spec: keys and nested tables, in file order. */
export interface SpecTable {
  readonly [name: string]: KeyDefinition | SpecTable;
}

/** True for a key (a leaf of the spec tree), false for a table. */
export function isKeyDefinition(node: KeyDefinition | SpecTable): node is KeyDefinition {
  return (node as Partial<Record<typeof KEY, unknown>>)[KEY] === true;
}

/** The validated value type a spec tree describes: each key's schema output, nested as the tables are. */
export type ParsedOf<T> = T extends KeyDefinition<infer S> ? z.output<S> : { [K in keyof T]: ParsedOf<T[K]> };

/** A key of the spec with its dotted path, in file order. */
export interface KeySpec {
  /** Dotted key path, e.g. `retry.max_attempts`. */
  readonly path: string;
  /** What a valid value is, phrased to follow "expected". */
  readonly expected: string;
  /** One-line description, used as the comment in the default file. */
  readonly comment: string;
  /** The environment variable that overrides the key, if any (the first of `envVars`). */
  readonly env?: string;
  /** Every environment variable that overrides the key, the first one set wins. */
  readonly envVars: readonly string[];
  /** Secret keys are never shown; the default file carries them as a commented-out example. */
  readonly secret?: boolean;
  /** Keys whose default is not written out (secrets, values derived from the environment) use this line. */
  readonly example?: string;
  /** The full definition. */
  readonly definition: KeyDefinition;
}

/** Every key of a spec tree with its path, depth first, in declaration order. */
export function flattenSpec(table: SpecTable, prefix = ''): KeySpec[] {
  const result: KeySpec[] = [];
  for (const [name, node] of Object.entries(table)) {
    const path = prefix === '' ? name : `${prefix}.${name}`;
    if (!isKeyDefinition(node)) {
      result.push(...flattenSpec(node, path));
      continue;
    }
    const envVars = node.env ?? [];
    result.push({
      path,
      expected: node.expected,
      comment: node.comment,
      ...(envVars[0] === undefined ? {} : { env: envVars[0] }),
      envVars,
      ...(node.secret ? { secret: true } : {}),
      ...(node.example === undefined ? {} : { example: node.example }),
      definition: node,
    });
  }
  return result;
}
