/** An http(s) URL with a host and no query or fragment. */
export function isHttpUrl(value: string): boolean {
  if (/\s/.test(value)) return false;
  try {
    const url = new URL(value);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.hostname !== '' &&
      url.search === '' &&
      url.hash === ''
    );
  } catch {
    return false;
  }
}

/** `sqlite:<path>` (no `~user`), `sqlite::memory:`, or a parseable `postgres(ql)://` URL. */
export function isStorageUrl(value: string): boolean {
  if (value.startsWith('sqlite:')) {
    const path = value.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return path.trim() !== '' && !/^~[^/\\]/.test(path) && !path.includes('\0');
  }
  if (/^postgres(ql)?:\/\//.test(value)) {
    try {
      new URL(value);
      return true;
    } catch {
      return false;
    }
  }
  return false;
}

/** A secret: printable, no spaces or control characters. */
export const SECRET_PATTERN: RegExp = /^[\x21-\x7e\x80-\uffff]+$/;
/** A model name: no whitespace. */
export const MODEL_PATTERN: RegExp = /^[^\s]+$/;
/** A browser origin or origin pattern (`https://app.example.com`, `app://*`). */
export const ORIGIN_PATTERN: RegExp = /^[a-z][a-z0-9+.-]*:(\/\/)?[^\s]*$/i;
