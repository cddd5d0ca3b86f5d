import { z } from 'zod';
import { isKeyDefinition, type SpecTable } from './key-spec.js';
import { CONFIG_SPEC, type ParsedConfig } from './spec.js';

export type { ParsedConfig } from './spec.js';
export { isStorageUrl } from './validators.js';

function tableSchema(table: SpecTable): z.ZodType {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, node] of Object.entries(table)) {
    shape[name] = isKeyDefinition(node) ? node.schema : tableSchema(node);
  }
  return z.strictObject(shape);
}

/**
 * The raw (pre-normalisation) configuration schema, derived from the spec table; every object is strict, so
 * unknown keys are reported.
 */
export const configSchema: z.ZodType<ParsedConfig> = tableSchema(CONFIG_SPEC) as z.ZodType<ParsedConfig>;
