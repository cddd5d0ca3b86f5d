import { HttpError, isObject, type Json } from './exchange.js';

/** A tool call as Ollama's `/api/chat` returns it (notes §1.1). */
export interface FakeToolCall {
  readonly id: string;
  readonly function: { readonly index: number; readonly name: string; readonly arguments: Json };
}

/** The deterministic value of one required parameter: "x" for strings, 1 for numbers, true for booleans. */
function argumentValue(schema: unknown): unknown {
  const type = isObject(schema) ? (Array.isArray(schema.type) ? schema.type[0] : schema.type) : undefined;
  switch (type) {
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return 'x';
  }
}

/** Checks `tools` as Go decodes `[]api.Tool`; returns the list (empty when absent). */
export function parseTools(value: unknown, goStruct: string): Json[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw new HttpError(
      400,
      `json: cannot unmarshal ${typeof value} into Go struct field ${goStruct}.tools of type api.Tools`,
    );
  }
  for (const tool of value) {
    if (!isObject(tool)) {
      throw new HttpError(
        400,
        `json: cannot unmarshal ${Array.isArray(tool) ? 'array' : typeof tool} into Go value of type api.Tool`,
      );
    }
  }
  return value as Json[];
}

/** The name of a tool definition (`{type:'function', function:{name}}`), or '' when it has none. */
export function toolName(tool: Json): string {
  const fn = isObject(tool.function) ? tool.function : tool;
  return typeof fn.name === 'string' ? fn.name : '';
}

/** The call the fake's model makes: the first tool, each required parameter set deterministically. */
export function toolCallFor(tools: readonly Json[], id: number): FakeToolCall {
  const first = tools[0] ?? {};
  const fn = isObject(first.function) ? first.function : first;
  const parameters = isObject(fn.parameters)
    ? fn.parameters
    : isObject(fn.input_schema)
      ? fn.input_schema
      : {};
  const properties = isObject(parameters.properties) ? parameters.properties : {};
  const required = Array.isArray(parameters.required) ? parameters.required : [];
  const args: Json = {};
  for (const name of required) {
    if (typeof name === 'string') args[name] = argumentValue(properties[name]);
  }
  return { id: `call_${id}`, function: { index: 0, name: toolName(first), arguments: args } };
}
