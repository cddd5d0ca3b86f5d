/** Where `storage.url` points, split for the storage layer. */
export type StorageLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

/**
 * Splits a validated `storage.url` (as found in a loaded config) into its kind and location:
 * `sqlite:/home/a/.graphiti/graphiti.db` -> `{ kind: 'sqlite', path: '/home/a/.graphiti/graphiti.db' }`,
 * `sqlite::memory:` -> `{ kind: 'sqlite', path: ':memory:' }`, `postgres://...` -> `{ kind: 'postgres', url }`.
 *
 * @throws TypeError for any other scheme.
 */
export function parseStorageUrl(url: string): StorageLocation {
  if (url.startsWith('sqlite:')) {
    return { kind: 'sqlite', path: url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '') };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { kind: 'postgres', url };
  throw new TypeError('storage.url must start with "sqlite:" or "postgres://"');
}
