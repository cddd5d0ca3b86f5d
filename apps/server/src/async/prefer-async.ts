import type { IncomingMessage } from 'node:http';

/** True when the client asked `Prefer: respond-async` (RFC 7240; any of several comma-separated preferences). */
export function prefersAsync(request: IncomingMessage): boolean {
  const header = request.headers.prefer;
  const values = Array.isArray(header) ? header : header === undefined ? [] : [header];
  return values.some((value) =>
    value.split(',').some((preference) => preference.split(';')[0]?.trim().toLowerCase() === 'respond-async'),
  );
}
