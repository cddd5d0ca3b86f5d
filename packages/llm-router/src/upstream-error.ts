import type { IncomingHttpHeaders } from 'node:http';

/**
 * An upstream answered with a non-2xx status. Carries what the provider sent: status, headers and body
 * text (secrets already scrubbed by the transport), so the classifier and the caller read one shape.
 */
export class UpstreamError extends Error {
  /** The HTTP status the upstream answered. */
  readonly status: number;
  /** The response headers, as undici hands them over (lower-case names). */
  readonly headers: IncomingHttpHeaders;
  /** The response body as text (scrubbed of secret values). */
  readonly body: string;

  constructor(status: number, headers: IncomingHttpHeaders, body: string) {
    super(upstreamMessage(body) ?? `HTTP ${status}`);
    this.name = 'UpstreamError';
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /** The `error` text of an Ollama error body, else the body itself (trimmed), else undefined. */
  get upstreamMessage(): string | undefined {
    return upstreamMessage(this.body);
  }

  /** One header value (the first when repeated). */
  header(name: string): string | undefined {
    const value = this.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }
}

/** The provider's own error text: `{"error": "..."}` as Ollama sends it, else the trimmed body. */
export function upstreamMessage(body: string): string | undefined {
  const trimmed = body.trim();
  if (trimmed === '') return undefined;
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { error?: unknown };
      if (typeof parsed.error === 'string') return parsed.error;
      if (parsed.error !== undefined) return JSON.stringify(parsed.error);
    } catch {
      // not JSON: the text itself is the message
    }
  }
  return trimmed.slice(0, 2000);
}
