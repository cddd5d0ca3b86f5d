import { ALL_PATHS } from './spec.js';

/** Damerau-Levenshtein distance (optimal string alignment): insertions, deletions, substitutions, swaps. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const distance: number[][] = Array.from({ length: rows }, (_, row) =>
    Array.from({ length: cols }, (_, col) => (row === 0 ? col : col === 0 ? row : 0)),
  );
  for (let row = 1; row < rows; row++) {
    for (let col = 1; col < cols; col++) {
      const cost = a[row - 1] === b[col - 1] ? 0 : 1;
      let best = Math.min(
        distance[row - 1]![col]! + 1,
        distance[row]![col - 1]! + 1,
        distance[row - 1]![col - 1]! + cost,
      );
      if (row > 1 && col > 1 && a[row - 1] === b[col - 2] && a[row - 2] === b[col - 1]) {
        best = Math.min(best, distance[row - 2]![col - 2]! + 1);
      }
      distance[row]![col] = best;
    }
  }
  return distance[a.length]![b.length]!;
}

function normalise(key: string): string {
  return key.toLowerCase().replace(/-/g, '_');
}

/**
 * A "did you mean" for an unknown key: the closest sibling key (edit distance at most a third of its length,
 * at least 1), else a key of the same name elsewhere (e.g. a top-level `api_key` -> `cloud.api_key`).
 * Returns the full dotted path, or undefined.
 */
export function suggestKey(parentPath: string, key: string): string | undefined {
  if (key.length > 64) return undefined;
  const prefix = parentPath === '' ? '' : `${parentPath}.`;
  const siblings = ALL_PATHS.filter(
    (path) =>
      path.startsWith(prefix) && path.length > prefix.length && !path.slice(prefix.length).includes('.'),
  );
  const wanted = normalise(key);
  let best: { path: string; distance: number } | undefined;
  for (const path of siblings) {
    const name = path.slice(prefix.length);
    const distance = editDistance(wanted, name);
    const limit = Math.max(1, Math.floor(name.length / 3));
    if (distance <= limit && (!best || distance < best.distance)) best = { path, distance };
  }
  if (best) return best.path;
  const elsewhere = ALL_PATHS.filter(
    (path) => path.split('.').at(-1) === wanted && path !== `${prefix}${key}`,
  );
  return elsewhere.length === 1 ? elsewhere[0] : undefined;
}
