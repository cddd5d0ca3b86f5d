/**
 * The ollama.com name of a cloud model. ollama.com names have no `-cloud` suffix; a local Ollama server uses
 * `gpt-oss:120b-cloud` or `glm-5:cloud` for the same models. Both seed-style forms are accepted:
 * `gpt-oss:120b-cloud` -> `gpt-oss:120b`, `glm-5:cloud` -> `glm-5`; any other name is returned unchanged.
 */
export function cloudModelName(name: string): string {
  const trimmed = name.trim();
  const colon = trimmed.lastIndexOf(':');
  // A colon before the last '/' belongs to a registry host (host:port/name), not to the tag.
  if (colon < 0 || colon < trimmed.lastIndexOf('/')) return trimmed;
  const model = trimmed.slice(0, colon);
  const tag = trimmed.slice(colon + 1);
  if (tag === 'cloud') return model;
  if (tag.endsWith('-cloud') && tag.length > '-cloud'.length)
    return `${model}:${tag.slice(0, -'-cloud'.length)}`;
  return trimmed;
}
