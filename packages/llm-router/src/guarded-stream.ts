import { type Classification, classifyError, StreamFault } from './classify.js';
import { RouterError, StreamInterruptedError } from './errors.js';
import { type LineReader, parseLine } from './ndjson.js';
import type { Scrub } from './secrets.js';
import type { ProviderName, RouterStream, Served } from './types.js';

/** One chunk of an answer: the raw line and its parsed value. */
export interface Entry {
  readonly line: string;
  readonly value: Answer;
}

/** An Ollama answer object (every field kept as sent). */
export type Answer = Record<string, unknown> & { model?: string; done?: boolean };

/** The inspected lines of one streamed answer. */
export interface GuardedSource {
  /** The next chunk, or undefined after the `done: true` chunk. Throws `StreamFault` or the body's error. */
  next(): Promise<Entry | undefined>;
  cancel(): void;
}

/**
 * Inspects an NDJSON answer line by line: an `{"error"}` line (STREAM_ERROR), an end without the final
 * `done: true` chunk (STREAM_TRUNCATED) and, in `error` mode, a malformed line (MALFORMED_LINE) are
 * thrown as `StreamFault`; in `skip` mode a malformed line is reported and skipped, never handed on.
 */
export function createGuardedSource(
  reader: LineReader,
  options: { onMalformed: (line: string) => void; malformed: 'skip' | 'error'; scrub: Scrub },
): GuardedSource {
  let done = false;
  return {
    async next() {
      if (done) return undefined;
      for (;;) {
        const line = await reader.next();
        if (line === undefined) {
          throw new StreamFault('STREAM_TRUNCATED', 'Did not receive done or success response in stream.');
        }
        const value = parseLine(line);
        if (value === undefined) {
          options.onMalformed(line);
          if (options.malformed === 'error') {
            throw new StreamFault(
              'MALFORMED_LINE',
              `Malformed line in the streamed answer: ${options.scrub(line.slice(0, 80))}`,
            );
          }
          continue;
        }
        if ('error' in value) {
          const text = typeof value.error === 'string' ? value.error : JSON.stringify(value.error);
          throw new StreamFault('STREAM_ERROR', options.scrub(text));
        }
        if (value.done === true) {
          done = true;
          // read the (empty) rest so the connection goes back to the pool
          reader.next().catch(() => {});
        }
        return { line, value: value as Answer };
      }
    },
    cancel() {
      reader.cancel();
    },
  };
}

/** A stream whose first chunk has arrived. */
export interface StreamStart {
  readonly first: Entry;
  readonly source: GuardedSource;
  /** Cancels the upstream request. */
  readonly abort: () => void;
  /** Unlinks the caller's signal once the stream is over. */
  readonly release: () => void;
}

/** What a stream reports while it is read. */
export interface StreamHooks {
  readonly provider: ProviderName;
  readonly model: string;
  readonly signal: AbortSignal | undefined;
  readonly scrub: Scrub;
  /** The final chunk arrived. */
  onDone(last: Answer): void;
  /** The stream failed after its first chunk reached the caller. */
  onInterrupted(classification: Classification, receivedChars: number): void;
}

function textOf(chunk: Answer): string {
  const message = chunk.message as { content?: unknown } | undefined;
  if (message !== undefined && typeof message.content === 'string') return message.content;
  return typeof chunk.response === 'string' ? chunk.response : '';
}

function abortError(signal: AbortSignal | undefined): unknown {
  return signal?.aborted
    ? (signal.reason ?? new DOMException('This operation was aborted', 'AbortError'))
    : new DOMException('The stream was aborted', 'AbortError');
}

/**
 * The caller's view of a started stream: parsed chunks (each with `provider`, and `model` when the
 * upstream left it out) or the raw lines, never both; after the first chunk an upstream failure raises
 * `StreamInterruptedError` with the text received so far.
 */
export function makeRouterStream(start: StreamStart, hooks: StreamHooks): RouterStream<Answer> {
  const { first, source, abort, release } = start;
  const { provider } = hooks;
  const model =
    typeof first.value.model === 'string' && first.value.model !== '' ? first.value.model : hooks.model;
  let state: 'first' | 'open' | 'done' = 'first';
  let aborted = false;
  let partial = '';
  let handedOut = false;
  const finish = (): void => {
    state = 'done';
    release();
  };
  const cancel = (): void => {
    aborted = true;
    abort();
    // frees what the stream holds (the caller's signal, a cloud concurrency slot) even if nobody reads on
    release();
  };

  async function nextEntry(): Promise<Entry | undefined> {
    if (state === 'done') return undefined;
    let entry: Entry | undefined;
    if (state === 'first') {
      state = 'open';
      entry = first;
    } else {
      try {
        entry = await source.next();
      } catch (error) {
        finish();
        abort();
        if (aborted || hooks.signal?.aborted) throw abortError(hooks.signal);
        const classification = classifyError(error, true);
        hooks.onInterrupted(classification, partial.length);
        throw new StreamInterruptedError(
          `The ${provider} stream from ${model} failed after ${partial.length} characters (${classification.code}: ${hooks.scrub(classification.message)}); the answer is incomplete.`,
          { partial, provider, model, cause: error },
        );
      }
      if (entry === undefined) {
        finish();
        return undefined;
      }
    }
    partial += textOf(entry.value);
    if (entry.value.done === true) {
      finish();
      hooks.onDone(entry.value);
    }
    return entry;
  }

  function iterate<T>(map: (entry: Entry) => T): AsyncIterableIterator<T> {
    if (handedOut) throw new RouterError('STREAM_INTERRUPTED', 'A router stream can be iterated only once.');
    handedOut = true;
    const iterator: AsyncIterableIterator<T> = {
      async next(): Promise<IteratorResult<T>> {
        const entry = await nextEntry();
        return entry === undefined ? { done: true, value: undefined } : { done: false, value: map(entry) };
      },
      async return(): Promise<IteratorResult<T>> {
        if (state !== 'done') {
          finish();
          cancel();
        }
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return iterator;
      },
    };
    return iterator;
  }

  const served = (entry: Entry): Answer & Served => {
    const value = entry.value as Answer & { provider: ProviderName; model: string };
    value.provider = provider;
    if (typeof value.model !== 'string' || value.model === '') value.model = model;
    return value;
  };

  return {
    provider,
    model,
    abort: cancel,
    lines: () => ({ [Symbol.asyncIterator]: () => iterate((entry) => entry.line) }),
    [Symbol.asyncIterator]: () => iterate(served),
  };
}
