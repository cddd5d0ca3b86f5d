import type { IncomingHttpHeaders } from 'node:http';
import { performance } from 'node:perf_hooks';
import { type Classification, classifyError, StreamFault } from './classify.js';
import { type Answer, createGuardedSource, type StreamStart } from './guarded-stream.js';
import { createLineReader } from './ndjson.js';
import type { Scrub } from './secrets.js';
import type { Transport } from './transport.js';
import { UpstreamError } from './upstream-error.js';

/** One HTTP request to one provider. */
export interface AttemptRequest {
  /** `/api/chat`, `/api/generate`, `/api/embed`, `/api/show`. */
  readonly path: string;
  /** The request body, serialised once per attempt. */
  readonly json: string;
  readonly stream: boolean;
  readonly signal: AbortSignal | undefined;
  /** An overall cap on the wait for the answer (or a stream's first chunk), ms. */
  readonly capMs?: number | undefined;
}

/** What an attempt produced. */
export type AttemptResult =
  | {
      readonly kind: 'answer';
      readonly value: Answer;
      /** The exact JSON text the upstream sent. */
      readonly raw: string;
      readonly headers: IncomingHttpHeaders;
      readonly totalMs: number;
    }
  | {
      readonly kind: 'stream';
      readonly start: StreamStart;
      readonly headers: IncomingHttpHeaders;
      readonly firstChunkMs: number;
      /** performance.now() when the attempt began. */
      readonly startedAt: number;
    };

/** An attempt failed; `classification` says how the router treats it. */
export class AttemptFailed extends Error {
  readonly classification: Classification;
  /** The upstream's status, headers and own error text, when it answered with one. */
  readonly upstream: UpstreamError | undefined;
  readonly totalMs: number;
  constructor(
    classification: Classification,
    upstream: UpstreamError | undefined,
    totalMs: number,
    cause: unknown,
  ) {
    super(classification.message, { cause });
    this.name = 'AttemptFailed';
    this.classification = classification;
    this.upstream = upstream;
    this.totalMs = totalMs;
  }
}

/** How attempts read answers. */
export interface AttemptContext {
  readonly scrub: Scrub;
  readonly malformed: 'skip' | 'error';
  readonly onMalformed: (line: string) => void;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

function parseAnswer(raw: string): Answer {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new StreamFault('MALFORMED_RESPONSE', `The answer is not JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new StreamFault('MALFORMED_RESPONSE', 'The answer is not a JSON object.');
  }
  if ('error' in value) {
    const text = (value as { error: unknown }).error;
    throw new StreamFault('STREAM_ERROR', typeof text === 'string' ? text : JSON.stringify(text));
  }
  return value as Answer;
}

/**
 * Runs one HTTP attempt: a complete answer (with its raw text), or a stream whose first chunk has
 * arrived. A stream's first line must come within the transport's `first_token` time, else the attempt
 * fails with FIRST_TOKEN_TIMEOUT (reason `timeout`: fail over, no retry). A caller's abort rejects with
 * the abort reason, never an `AttemptFailed`.
 */
export async function runAttempt(
  transport: Transport,
  request: AttemptRequest,
  context: AttemptContext,
): Promise<AttemptResult> {
  const startedAt = performance.now();
  const callerSignal = request.signal;
  // An own controller only when the attempt can be cut short by more than the caller: a timer, or a stream
  // the caller may abort while reading; a plain answer is cancelled by the caller's signal itself.
  const needsController = request.capMs !== undefined || request.stream;
  const controller = needsController ? new AbortController() : undefined;
  const signal = controller?.signal ?? callerSignal;
  let release = (): void => {};
  if (callerSignal !== undefined && controller !== undefined) {
    const onAbort = (): void => controller.abort(callerSignal.reason);
    callerSignal.addEventListener('abort', onAbort, { once: true });
    release = () => callerSignal.removeEventListener('abort', onAbort);
  }
  let timedOut: Classification | undefined;
  const timers: NodeJS.Timeout[] = [];
  const arm = (ms: number, code: string, message: string): void => {
    const timer = setTimeout(() => {
      timedOut = { reason: 'timeout', code, retryable: false, message };
      controller?.abort();
    }, ms);
    timer.unref?.();
    timers.push(timer);
  };
  if (request.capMs !== undefined) {
    arm(request.capMs, 'ATTEMPT_TIMEOUT', `No answer within retry.timeout_seconds (${request.capMs} ms)`);
  }
  if (request.stream && transport.firstTokenMs < transport.readTimeoutMs) {
    arm(
      transport.firstTokenMs,
      'FIRST_TOKEN_TIMEOUT',
      `No first chunk within timeouts.${transport.name}.first_token (${transport.firstTokenMs} ms)`,
    );
  }
  let responded = false;
  let streaming = false;
  let source: ReturnType<typeof createGuardedSource> | undefined;
  const abort = (): void => {
    source?.cancel();
    controller?.abort();
  };
  try {
    const response = await transport.post(
      request.path,
      request.json,
      signal === undefined ? undefined : { signal },
    );
    responded = true;
    if (!request.stream) {
      const raw = await response.body.text();
      const value = parseAnswer(raw);
      return {
        kind: 'answer',
        value,
        raw,
        headers: response.headers,
        totalMs: performance.now() - startedAt,
      };
    }
    source = createGuardedSource(createLineReader(response.body), {
      onMalformed: context.onMalformed,
      malformed: context.malformed,
      scrub: context.scrub,
    });
    const first = await source.next();
    if (first === undefined)
      throw new StreamFault('STREAM_TRUNCATED', 'The stream ended before its first chunk.');
    streaming = true;
    return {
      kind: 'stream',
      start: { first, source, abort, release },
      headers: response.headers,
      firstChunkMs: performance.now() - startedAt,
      startedAt,
    };
  } catch (error) {
    abort();
    if (callerSignal?.aborted) throw abortReason(callerSignal);
    const classification = timedOut ?? classifyError(error, responded);
    throw new AttemptFailed(
      { ...classification, message: context.scrub(classification.message) },
      error instanceof UpstreamError ? error : undefined,
      performance.now() - startedAt,
      error,
    );
  } finally {
    for (const timer of timers) clearTimeout(timer);
    // a started stream keeps the caller's signal linked until it ends
    if (!streaming) release();
  }
}
