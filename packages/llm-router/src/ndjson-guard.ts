const NEWLINE = 0x0a;

/** One read: bytes, or the end of the stream. */
export type ReadResult = { done: false; value: Uint8Array } | { done: true; value: undefined };

/**
 * The part of a ReadableStreamDefaultReader that the `ollama` client's NDJSON parser uses. A plain object
 * rather than another web stream: one promise per read instead of a second stream's queue.
 */
export interface GuardedReader {
  read(): Promise<ReadResult>;
  releaseLock(): void;
  cancel(reason?: unknown): Promise<void>;
}
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Reads an NDJSON byte stream so that only JSON lines reach the `ollama` client: blank lines are dropped
 * and malformed lines are reported through `onMalformed` instead of the client's console.warn.
 * Works on bytes: a line that starts with `{` and ends with `}` passes without being parsed (the client
 * parses it anyway); anything else is parsed once to decide. Whole valid chunks pass through as the same
 * bytes, and a line split across chunks is held back until its end arrives.
 */
export function guardNdjson(
  body: ReadableStream<Uint8Array>,
  onMalformed: (line: string) => void,
): GuardedReader {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let carry: Uint8Array | undefined;

  /** Whether the line bytes [start, end) may go to the client; reports malformed ones. */
  const keep = (bytes: Uint8Array, start: number, end: number): boolean => {
    if (end > start && bytes[start] === OPEN_BRACE && bytes[end - 1] === CLOSE_BRACE) return true;
    const line = decoder.decode(bytes.subarray(start, end));
    if (line.trim() === '') return false;
    try {
      JSON.parse(line);
      return true;
    } catch {
      onMalformed(line);
      return false;
    }
  };

  /** The bytes of the complete lines in `bytes[0, length)`, minus blank and malformed lines. */
  const filter = (bytes: Uint8Array, length: number): Uint8Array | undefined => {
    let start = 0;
    let kept: Uint8Array[] | undefined;
    while (start < length) {
      let end = bytes.indexOf(NEWLINE, start);
      if (end === -1 || end >= length) end = length;
      const good = keep(bytes, start, end);
      if (!good && kept === undefined) kept = start > 0 ? [bytes.subarray(0, start)] : [];
      else if (good && kept !== undefined) kept.push(bytes.subarray(start, Math.min(end + 1, length)));
      start = end + 1;
    }
    if (kept === undefined) return length === 0 ? undefined : bytes.subarray(0, length);
    if (kept.length === 0) return undefined;
    return kept.length === 1 ? kept[0] : Buffer.concat(kept);
  };

  let finished = false;
  const read = async (): Promise<ReadResult> => {
    while (!finished) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        const rest = carry !== undefined && carry.length > 0 ? filter(carry, carry.length) : undefined;
        carry = undefined;
        if (rest !== undefined) return { done: false, value: rest };
        break;
      }
      let bytes: Uint8Array = value;
      if (carry !== undefined) {
        bytes = Buffer.concat([carry, value]);
        carry = undefined;
      }
      const last = bytes.lastIndexOf(NEWLINE);
      if (last === -1) {
        carry = bytes;
        continue;
      }
      if (last + 1 < bytes.length) carry = bytes.slice(last + 1);
      const out = filter(bytes, last + 1);
      if (out !== undefined) return { done: false, value: out };
    }
    return { done: true, value: undefined };
  };
  return {
    read,
    releaseLock: () => reader.releaseLock(),
    cancel: (reason?: unknown) => reader.cancel(reason),
  };
}
