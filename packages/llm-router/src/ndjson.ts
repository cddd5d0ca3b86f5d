/**
 * Splits an NDJSON body into its raw lines (no trailing newline, blank lines skipped), exactly as the
 * upstream sent them. Lines found in one network read are handed out without further awaits.
 */
export interface LineReader {
  /** The next non-blank line, or undefined at the end of the body. Rejects when the body fails. */
  next(): Promise<string | undefined>;
  /** Stops reading (the body is destroyed). */
  cancel(): void;
}

/** A body: undici's readable, a web ReadableStream or any async iterable of bytes. */
export type ByteSource = AsyncIterable<Uint8Array> & { destroy?: () => void; cancel?: () => Promise<void> };

/** Creates a {@link LineReader} over a body. */
export function createLineReader(body: ByteSource): LineReader {
  const iterator = body[Symbol.asyncIterator]();
  const decoder = new TextDecoder();
  let buffer = '';
  let pending: string[] = [];
  let position = 0;
  let ended = false;

  const push = (line: string): void => {
    if (line.trim() !== '') pending.push(line);
  };

  return {
    async next() {
      while (position >= pending.length) {
        if (ended) return undefined;
        pending = [];
        position = 0;
        const { done, value } = await iterator.next();
        if (done) {
          ended = true;
          buffer += decoder.decode();
          push(buffer);
          buffer = '';
          continue;
        }
        buffer += decoder.decode(value, { stream: true });
        let start = 0;
        for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n', start)) {
          push(buffer.slice(start, end));
          start = end + 1;
        }
        buffer = start === 0 ? buffer : buffer.slice(start);
      }
      return pending[position++];
    },
    cancel() {
      if (ended) return;
      ended = true;
      if (typeof body.destroy === 'function') body.destroy();
      else iterator.return?.().catch(() => {});
    },
  };
}

/** A line parsed as a JSON object, or undefined when it is not one (malformed). */
export function parseLine(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
