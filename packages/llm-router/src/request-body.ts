import type { Job } from './router-context.js';

function toBase64(image: unknown): unknown {
  return image instanceof Uint8Array ? Buffer.from(image).toString('base64') : image;
}

function hasBinaryImages(request: Readonly<Record<string, unknown>>): boolean {
  const binary = (images: unknown): boolean =>
    Array.isArray(images) && images.some((image) => image instanceof Uint8Array);
  if (binary(request.images)) return true;
  return (
    Array.isArray(request.messages) &&
    (request.messages as { images?: unknown }[]).some((message) => binary(message?.images))
  );
}

/** The request with binary images as base64 strings (strings are sent as they are, never read from disk). */
function withBase64Images(request: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...request };
  if (!hasBinaryImages(request)) return out;
  if (Array.isArray(out.images)) out.images = out.images.map(toBase64);
  if (Array.isArray(out.messages)) {
    out.messages = (out.messages as Record<string, unknown>[]).map((message) =>
      Array.isArray(message.images) ? { ...message, images: message.images.map(toBase64) } : message,
    );
  }
  return out;
}

/** The JSON text sent upstream for one attempt: the caller's fields unchanged, `model` (and `stream`) set. */
export function requestJson(job: Job, model: string): string {
  const body = withBase64Images(job.request);
  body.model = model;
  if (job.operation === 'embed') delete body.stream;
  else body.stream = job.stream;
  return JSON.stringify(body);
}

/** The request as stored in the queue: JSON-safe, without `stream` (a replay is never streamed). */
export function queueParams(request: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { stream: _stream, ...rest } = withBase64Images(request);
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

/** The upstream path of an operation. */
export function operationPath(operation: Job['operation']): string {
  return operation === 'chat' ? '/api/chat' : operation === 'generate' ? '/api/generate' : '/api/embed';
}

/** An unload request (`keep_alive: 0` with no prompt / empty messages): only the local server may get it. */
export function isUnload(job: Job): boolean {
  const keepAlive = job.request.keep_alive;
  if (!(keepAlive === 0 || keepAlive === '0' || keepAlive === '0s' || keepAlive === '0m')) return false;
  if (job.operation === 'chat') {
    const messages = job.request.messages;
    return messages === undefined || (Array.isArray(messages) && messages.length === 0);
  }
  if (job.operation === 'generate') {
    const prompt = job.request.prompt;
    return prompt === undefined || prompt === '';
  }
  return false;
}
