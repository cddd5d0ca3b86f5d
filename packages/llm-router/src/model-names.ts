import { cloudModelName } from '@graphiti/llm-config';

/** A model name as Ollama reads its suffixes: `name:local` forces local, `name:cloud` / `name-cloud` cloud. */
export interface ModelRef {
  /** The name without the suffix (the cloud form for `force: 'cloud'`). */
  readonly name: string;
  /** Where the suffix forces the request, if it names a side. */
  readonly force?: 'local' | 'cloud';
}

/** Reads `name:local`, `name:tag:local`, `name:cloud`, `name:tag:cloud`, `name:tag-cloud` (notes §9.3). */
export function parseModelRef(requested: string): ModelRef {
  const trimmed = requested.trim();
  if (trimmed.endsWith(':local') && trimmed.length > ':local'.length) {
    return { name: trimmed.slice(0, -':local'.length), force: 'local' };
  }
  const cloud = cloudModelName(trimmed);
  return cloud === trimmed ? { name: trimmed } : { name: cloud, force: 'cloud' };
}

/** True when the caller left the model to the router (none, empty or 'default'). */
export function isDefaultModel(name: string | undefined): boolean {
  return name === undefined || name.trim() === '' || name.trim() === 'default';
}

/** The model a request goes to on the cloud (`cloudModelName` of `@graphiti/llm-config` strips the suffix). */
export function resolveCloudModel(requested: string | undefined, defaultModel: string): string {
  return cloudModelName(isDefaultModel(requested) ? defaultModel : (requested as string));
}

/**
 * Puts the caller's model first when it is pulled locally; the rest of the chain keeps its order.
 * `matches(requested, pulledName)` decides whether a pulled name is the requested one.
 */
export function preferRequested(
  chain: readonly string[],
  pulledNames: readonly string[],
  requested: string | undefined,
  matches: (requested: string, pulledName: string) => boolean,
): string[] {
  if (isDefaultModel(requested)) return [...chain];
  const wanted = (requested as string).trim();
  const pulled = pulledNames.find((name) => matches(wanted, name));
  if (pulled === undefined) return [...chain];
  return [pulled, ...chain.filter((name) => name !== pulled)];
}
