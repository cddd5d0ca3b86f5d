/** The answer of a passthrough call to an Ollama server. */
export interface UpstreamAnswer {
  readonly status: number;
  /** The parsed JSON body, or undefined when it was not JSON. */
  readonly json: unknown;
  readonly text: string;
}

/** Options of {@link callUpstream}. */
export interface UpstreamCall {
  readonly method?: 'GET' | 'POST';
  readonly body?: unknown;
  /** Sent as `Authorization: Bearer` (cloud only). */
  readonly apiKey?: string;
  /** Overall cap on the call, in milliseconds. */
  readonly timeoutMs: number;
  /** The client's signal: aborting it cancels the call. */
  readonly signal?: AbortSignal;
}

/**
 * One small request to an Ollama server (`/api/tags`, `/api/show`, `/api/ps`, `/api/version`). Resolves
 * undefined when the server cannot be reached or does not answer in time; never throws for that.
 */
export async function callUpstream(
  base: string,
  path: string,
  call: UpstreamCall,
): Promise<UpstreamAnswer | undefined> {
  const signals = [AbortSignal.timeout(call.timeoutMs)];
  if (call.signal !== undefined) signals.push(call.signal);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (call.apiKey !== undefined && call.apiKey !== '') headers.authorization = `Bearer ${call.apiKey}`;
  try {
    const response = await fetch(`${base.replace(/\/+$/, '')}${path}`, {
      method: call.method ?? 'GET',
      headers,
      ...(call.body === undefined ? {} : { body: JSON.stringify(call.body) }),
      signal: AbortSignal.any(signals),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, json, text };
  } catch {
    return undefined;
  }
}
