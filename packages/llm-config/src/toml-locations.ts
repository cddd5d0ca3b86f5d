/** A 1-based position in a text file. */
export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

/**
 * Where each key of a (syntactically valid) TOML document is defined: dotted key path -> position of the key's
 * first character. Covers `[table]` / `[[array]]` headers, dotted keys and keys inside inline tables. smol-toml
 * gives positions only for syntax errors, so value errors are located with this small scanner.
 */
export function locateKeys(source: string): ReadonlyMap<string, SourcePosition> {
  const lineStarts = [0];
  for (let index = 0; index < source.length; index++) if (source[index] === '\n') lineStarts.push(index + 1);
  const offsets = new Map<string, number>();
  const record = (path: readonly string[], offset: number): void => {
    for (let length = 1; length <= path.length; length++) {
      const key = path.slice(0, length).join('.');
      if (!offsets.has(key)) offsets.set(key, offset);
    }
  };
  const length = source.length;
  let pos = 0;
  let table: string[] = [];

  const skipSpaces = (): void => {
    while (pos < length && (source[pos] === ' ' || source[pos] === '\t')) pos++;
  };
  const skipToLineEnd = (): void => {
    while (pos < length && source[pos] !== '\n') pos++;
  };
  const skipBlank = (): void => {
    for (;;) {
      while (pos < length && /\s/.test(source[pos]!)) pos++;
      if (source[pos] === '#') skipToLineEnd();
      else return;
    }
  };
  const readString = (): string => {
    const quote = source[pos]!;
    const multi = source.startsWith(quote.repeat(3), pos);
    const start = pos;
    pos += multi ? 3 : 1;
    while (pos < length) {
      if (quote === '"' && source[pos] === '\\') {
        pos += 2;
        continue;
      }
      if (multi ? source.startsWith(quote.repeat(3), pos) : source[pos] === quote) {
        pos += multi ? 3 : 1;
        // A multi-line string may end with up to two extra quotes (`""""` and `"""""`).
        while (multi && source[pos] === quote) pos++;
        break;
      }
      if (!multi && source[pos] === '\n') break;
      pos++;
    }
    const raw = source.slice(start, pos);
    if (quote === "'" || multi) return raw.slice(multi ? 3 : 1, multi ? -3 : -1);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1);
    }
  };
  const readKey = (): { keys: string[]; offset: number } => {
    const keys: string[] = [];
    const offset = pos;
    for (;;) {
      skipSpaces();
      const char = source[pos];
      if (char === '"' || char === "'") keys.push(readString());
      else {
        const start = pos;
        while (pos < length && /[A-Za-z0-9_-]/.test(source[pos]!)) pos++;
        if (pos === start) break;
        keys.push(source.slice(start, pos));
      }
      skipSpaces();
      if (source[pos] !== '.') break;
      pos++;
    }
    return { keys, offset };
  };
  const readValue = (path: readonly string[]): void => {
    skipSpaces();
    const char = source[pos];
    if (char === '"' || char === "'") {
      readString();
    } else if (char === '[') {
      pos++;
      for (;;) {
        skipBlank();
        if (pos >= length || source[pos] === ']') break;
        const before = pos;
        readValue([]);
        skipBlank();
        if (source[pos] === ',') pos++;
        if (pos === before) pos++;
      }
      pos++;
    } else if (char === '{') {
      pos++;
      for (;;) {
        skipBlank();
        if (pos >= length || source[pos] === '}') break;
        const before = pos;
        const { keys, offset } = readKey();
        if (keys.length > 0 && path.length > 0) record([...path, ...keys], offset);
        skipSpaces();
        if (source[pos] === '=') pos++;
        readValue(keys.length > 0 && path.length > 0 ? [...path, ...keys] : []);
        skipBlank();
        if (source[pos] === ',') pos++;
        if (pos === before) pos++;
      }
      pos++;
    } else {
      while (pos < length && !/[,\]}\n#]/.test(source[pos]!)) pos++;
    }
  };

  while (pos < length) {
    skipBlank();
    if (pos >= length) break;
    const before = pos;
    if (source[pos] === '[') {
      const arrayTable = source[pos + 1] === '[';
      pos += arrayTable ? 2 : 1;
      const { keys, offset } = readKey();
      table = keys;
      if (keys.length > 0) record(keys, offset);
      skipToLineEnd();
    } else {
      const { keys, offset } = readKey();
      if (keys.length > 0) record([...table, ...keys], offset);
      skipSpaces();
      if (source[pos] === '=') {
        pos++;
        readValue([...table, ...keys]);
      }
      skipToLineEnd();
    }
    if (pos === before) pos++;
  }

  const positions = new Map<string, SourcePosition>();
  for (const [key, offset] of offsets) {
    let low = 0;
    let high = lineStarts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (lineStarts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    positions.set(key, { line: low + 1, column: offset - lineStarts[low]! + 1 });
  }
  return positions;
}

/** The position of the longest prefix of `path` that the file defines, or undefined. */
export function findKeyPosition(
  positions: ReadonlyMap<string, SourcePosition>,
  path: readonly string[],
): SourcePosition | undefined {
  for (let length = path.length; length > 0; length--) {
    const position = positions.get(path.slice(0, length).join('.'));
    if (position) return position;
  }
  return undefined;
}
