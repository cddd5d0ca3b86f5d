import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';

/** Content type Ollama (gin) uses for JSON. */
export const jsonType = 'application/json; charset=utf-8';
/** Content type of Ollama's NDJSON streams. */
export const ndjsonType = 'application/x-ndjson';

const maxBodyBytes = 32 * 1024 * 1024;

/** Reads the request body as bytes; rejects with 'too large' past 32 MiB. */
export function readBodyBytes(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) {
        reject(new Error('too large'));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** Reads the request body as text; rejects with 'too large' past 32 MiB. */
export async function readBody(request: IncomingMessage): Promise<string> {
  return (await readBodyBytes(request)).toString('utf8');
}

/** Sends a complete JSON response. */
export function sendJson(
  response: ServerResponse,
  status: number,
  value: unknown,
  headers?: Readonly<Record<string, string>>,
): void {
  const body = JSON.stringify(value);
  response.writeHead(status, {
    ...headers,
    'content-type': jsonType,
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

/** Sends a complete text response. */
export function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  contentType = 'text/plain; charset=utf-8',
  headers?: Readonly<Record<string, string>>,
): void {
  response.writeHead(status, {
    ...headers,
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

/** Flattens Node's header object into single strings. */
export function flattenHeaders(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/** `Error 404: Not Found`-style reason phrase for a status. */
export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

/** The Go-style type name of a JSON value, as `encoding/json` names it in unmarshal errors. */
export function goTypeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  return typeof value;
}

/** Approximates Go's `encoding/json` syntax error text for a body JSON.parse rejected. */
export function goJsonSyntaxError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/end of (JSON )?input|Unterminated/i.test(message)) return 'unexpected EOF';
  const position = /position (\d+)/.exec(message);
  const index = position ? Number(position[1]) : text.search(/\S/);
  const char = text.charAt(Math.max(index, 0));
  if (char === '') return 'unexpected EOF';
  return index <= text.search(/\S/)
    ? `invalid character '${char}' looking for beginning of value`
    : `invalid character '${char}' after top-level value or in object`;
}
