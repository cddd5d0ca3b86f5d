/**
 * The name ollama.com knows a model by: `gpt-oss:120b-cloud` -> `gpt-oss:120b`, `glm-5:cloud` -> `glm-5`.
 * Local-server style cloud names are accepted so that seed-style configs keep working.
 */
export function cloudModelName(name: string): string {
  const trimmed = name.trim();
  if (trimmed.endsWith(':cloud')) return trimmed.slice(0, -':cloud'.length);
  const colon = trimmed.lastIndexOf(':');
  if (colon > 0 && trimmed.endsWith('-cloud')) return trimmed.slice(0, -'-cloud'.length);
  return trimmed;
}

/** True when the caller left the model to the router (none, empty or 'default'). */
export function isDefaultModel(name: string | undefined): boolean {
  return name === undefined || name.trim() === '' || name.trim() === 'default';
}

/** The model a request goes to on the cloud. */
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
