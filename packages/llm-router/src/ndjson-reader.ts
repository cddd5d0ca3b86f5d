/**
 * Reads Ollama's NDJSON stream: one JSON object per line. Blank lines are skipped; a line that is not JSON
 * is reported through `onMalformed` and skipped (never handed on as content). Objects parsed from one
 * network read are returned without further awaits, so a stream costs one promise per read, not per line.
 */
export interface NdjsonReader {
  /** The next object, or undefined at the end of the stream. Rejects when the body fails. */
  next(): Promise<Record<string, unknown> | undefined>;
  /** Stops reading (the body is cancelled). */
  cancel(): void;
}

export function createNdjsonReader(
  body: ReadableStream<Uint8Array>,
  onMalformed: (line: string) => void,
): NdjsonReader {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let pending: Record<string, unknown>[] = [];
  let position = 0;
  let ended = false;

  const parse = (line: string): void => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      onMalformed(line);
      return;
    }
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      pending.push(value as Record<string, unknown>);
    } else {
      onMalformed(line);
    }
  };

  return {
    async next() {
      while (position >= pending.length) {
        if (ended) return undefined;
        pending = [];
        position = 0;
        const { done, value } = await reader.read();
        if (done) {
          ended = true;
          buffer += decoder.decode();
          if (buffer !== '') parse(buffer);
          buffer = '';
          continue;
        }
        buffer += decoder.decode(value, { stream: true });
        let start = 0;
        for (let end = buffer.indexOf('\n'); end !== -1; end = buffer.indexOf('\n', start)) {
          parse(buffer.slice(start, end));
          start = end + 1;
        }
        buffer = start === 0 ? buffer : buffer.slice(start);
      }
      const value = pending[position] as Record<string, unknown>;
      pending[position++] = undefined as unknown as Record<string, unknown>;
      return value;
    },
    cancel() {
      ended = true;
      reader.cancel().catch(() => {});
    },
  };
}
