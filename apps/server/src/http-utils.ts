import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from './gateway-error.js';

/** Largest request body accepted (images travel base64 in the JSON). */
export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Reads the whole body as text; rejects with a 413 GatewayError beyond `limit` bytes. */
export function readBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    request.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(
          new GatewayError('BODY_TOO_LARGE', `The request body is larger than ${limit} bytes.`, {
            status: 413,
          }),
        );
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', (error) => {
      if (!failed) reject(error);
    });
    request.on('close', () => {
      if (!failed && !request.complete) {
        failed = true;
        reject(
          new GatewayError('BAD_REQUEST', 'the client closed the connection before the body was complete', {
            status: 400,
          }),
        );
      }
    });
  });
}

/**
 * Reads a JSON object body. An empty body is 400 `missing request body` (Ollama's text); bad JSON is a 400
 * naming the parse problem; a body that is not an object is a 400 too.
 */
export async function readJsonObject(request: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(request);
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
  return value as Record<string, unknown>;
}

/** Sends one JSON answer (Ollama's content type). */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
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

/**
 * Writes a chunk, waiting for 'drain' when the socket's buffer is full. Resolves false when the client went
 * away (the caller stops and aborts the upstream).
 */
export function writeChunk(response: ServerResponse, text: string): Promise<boolean> {
  if (response.destroyed || response.writableEnded) return Promise.resolve(false);
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
