/**
 * prom-client's labelled children, cached by their label values: `metric.labels(...)` hashes the label object
 * (sorting its keys) on every call, which the request path pays several times per answer. A tree of Maps, one
 * level per label, turns that into a few lookups with no string built. Label values come from requests (model
 * names), so the cache is bounded: past `limit` children it starts over (prom-client keeps the series; only
 * the shortcut is dropped).
 */
export function cachedChildren<Child>(
  labels: (...values: string[]) => Child,
  limit = 4096,
): (...values: string[]) => Child {
  let root = new Map<string, unknown>();
  let size = 0;
  return (...values) => {
    let level = root;
    for (let index = 0; index < values.length - 1; index++) {
      const value = values[index] as string;
      let next = level.get(value) as Map<string, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(value, next);
      }
      level = next;
    }
    const last = values[values.length - 1] as string;
    let child = level.get(last) as Child | undefined;
    if (child === undefined) {
      child = labels(...values);
      if (size >= limit) {
        root = new Map();
        size = 0;
        return child;
      }
      level.set(last, child);
      size++;
    }
    return child;
  };
}
