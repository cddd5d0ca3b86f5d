import type { IncomingMessage, ServerResponse } from 'node:http';
import { type BodyBudget, processBodyBudget } from './body-budget.js';
import { GatewayError } from './gateway-error.js';

/** Largest request body accepted (images travel base64 in the JSON). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Options of {@link readBody}. */
export interface ReadBodyOptions {
  /** Per-request limit in bytes. @default MAX_BODY_BYTES */
  readonly limit?: number;
  /** The process-wide budget the bytes are reserved from. @default processBodyBudget */
  readonly budget?: BodyBudget;
}

const held = new WeakMap<IncomingMessage, { budget: BodyBudget; bytes: number }>();

/** Gives back the budget a body read by readBody still holds (when the request's answer has ended). */
export function releaseBody(request: IncomingMessage): void {
  const hold = held.get(request);
  if (hold === undefined) return;
  held.delete(request);
  hold.budget.release(hold.bytes);
}

function tooLarge(limit: number): GatewayError {
  return new GatewayError('BODY_TOO_LARGE', `The request body is larger than ${limit} bytes.`, {
    status: 413,
  });
}

/**
 * Reads the whole body as text. Rejects with a 413 beyond the per-request limit (at once when
 * `Content-Length` says so) and with a 503 + Retry-After when the process-wide body budget is spent; the
 * bytes stay reserved until {@link releaseBody} (the gateway calls it when the request's answer has ended).
 */
export function readBody(request: IncomingMessage, options: ReadBodyOptions | number = {}): Promise<string> {
  const { limit = MAX_BODY_BYTES, budget = processBodyBudget } =
    typeof options === 'number' ? { limit: options } : options;
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      request.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const fail = (error: unknown): void => {
      if (failed) return;
      failed = true;
      budget.release(size);
      chunks.length = 0;
      request.resume();
      reject(error);
    };
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      if (size + chunk.length > limit) return fail(tooLarge(limit));
      try {
        budget.reserve(chunk.length);
      } catch (error) {
        return fail(error);
      }
      size += chunk.length;
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (failed) return;
      failed = true;
      const text = Buffer.concat(chunks, size).toString('utf8');
      chunks.length = 0;
      held.set(request, { budget, bytes: size });
      resolve(text);
    });
    request.on('error', (error) => fail(error));
    request.on('close', () => {
      if (!request.complete) {
        fail(
          new GatewayError('BAD_REQUEST', 'the client closed the connection before the body was complete', {
            status: 400,
          }),
        );
      }
    });
  });
}

/** A JSON object body, parsed once, with the text it came as. */
export interface JsonBody {
  readonly text: string;
  readonly value: Record<string, unknown>;
}

/**
 * Reads a JSON object body. An empty body is 400 `missing request body` (Ollama's text); bad JSON is a 400
 * naming the parse problem; a body that is not an object is a 400 too.
 */
export async function readJson(request: IncomingMessage, options: ReadBodyOptions = {}): Promise<JsonBody> {
  const text = await readBody(request, options);
  if (text.trim() === '') throw new GatewayError('BAD_REQUEST', 'missing request body', { status: 400 });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new GatewayError(
      'BAD_REQUEST',
      `invalid JSON in request body: ${error instanceof Error ? error.message : String(error)}`,
      { status: 400, cause: error },
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GatewayError(
      'BAD_REQUEST',
      `the request body must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
      { status: 400 },
    );
  }
  return { text, value: value as Record<string, unknown> };
}

/** Reads a JSON object body ({@link readJson} without the text). */
export async function readJsonObject(
  request: IncomingMessage,
  options: ReadBodyOptions = {},
): Promise<Record<string, unknown>> {
  return (await readJson(request, options)).value;
}

/** Sends a JSON text as it is (no re-serialisation). */
export function sendJsonText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Sends one JSON answer (Ollama's content type). */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  sendJsonText(response, status, JSON.stringify(body), headers);
}

/** Sends plain text. */
export function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  response.writeHead(status, {
    ...headers,
    'content-type': headers['content-type'] ?? 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function uncork(response: ServerResponse): void {
  response.uncork();
}

/**
 * Writes a chunk, waiting for 'drain' when the socket's buffer is full. Resolves false when the client went
 * away (the caller stops and aborts the upstream). Chunks written in the same turn of the event loop (the
 * lines of one upstream read) leave in one socket write: the response is corked until the next tick.
 */
export function writeChunk(response: ServerResponse, text: string): Promise<boolean> {
  if (response.destroyed || response.writableEnded) return Promise.resolve(false);
  if (response.writableCorked === 0) {
    response.cork();
    process.nextTick(uncork, response);
  }
  if (response.write(text)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean): void => {
      response.off('drain', onDrain);
      response.off('close', onClose);
      resolve(ok);
    };
    const onDrain = (): void => done(true);
    const onClose = (): void => done(false);
    response.on('drain', onDrain);
    response.on('close', onClose);
  });
}

/**
 * A header value safe for any text: printable ASCII stays as it is, everything else (a model name outside
 * Latin-1, control characters) is percent-encoded, so `writeHead` never throws on it.
 */
export function headerValue(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : encodeURIComponent(text);
}
