import type { TimeoutConfig } from '@graphiti/llm-config';
import { Ollama } from 'ollama/browser';
import { Agent, type Dispatcher, fetch as undiciFetch } from 'undici';
import type { ProviderName } from './types.js';

/** What one HTTP attempt saw, filled in by the provider's fetch. */
export interface AttemptTrace {
  /** Response headers arrived. */
  responded: boolean;
  status?: number;
  headers?: Headers;
  /** The raw body of a successful streamed answer (the router parses it; the client's parser is unused). */
  body?: ReadableStream<Uint8Array>;
}

/** Per-attempt settings handed to the provider's fetch. */
export interface AttemptSettings {
  /**
   * Cancels the attempt (caller abort, per-attempt cap); its signal goes to undici. Absent when nothing
   * but the client itself can cancel: an AbortController per request is measurable overhead.
   */
  readonly controller: AbortController | undefined;
  /** The request streams: its raw body is handed over in the trace. */
  readonly stream: boolean;
  readonly trace: AttemptTrace;
}

/** One upstream: an Ollama server reached through its own undici Agent. */
export interface Provider {
  readonly name: ProviderName;
  readonly endpoint: string;
  /** The read timeout in ms (headers and every body gap). */
  readonly readTimeoutMs: number;
  /** An `ollama` client whose fetch runs one attempt with these settings. */
  client(settings: AttemptSettings): Ollama;
  /** Closes the connection pool: in-flight requests may finish for 2 s, then the sockets are destroyed. */
  close(): Promise<void>;
}

/** Options of {@link createProvider}. */
export interface ProviderOptions {
  readonly name: ProviderName;
  readonly endpoint: string;
  /** Sent as `Authorization: Bearer <apiKey>`; only the cloud has one. */
  readonly apiKey?: string;
  /** Seconds. `connect` bounds the TCP/TLS connect; `read` bounds the wait for headers and every body gap. */
  readonly timeouts: TimeoutConfig;
  /** Replaces the Agent (tests, custom TLS). */
  readonly dispatcher?: Dispatcher;
}

type OllamaFetch = NonNullable<ConstructorParameters<typeof Ollama>[0]>['fetch'];

/**
 * Creates a provider. Its Agent keeps the connect timeout separate from the read timeout, so a blackholed
 * host fails after `timeouts.connect` seconds, not after the read timeout.
 */
export function createProvider(options: ProviderOptions): Provider {
  const connectMs = Math.max(1, Math.round(options.timeouts.connect * 1000));
  const readMs = Math.max(1, Math.round(options.timeouts.read * 1000));
  const ownAgent =
    options.dispatcher === undefined
      ? new Agent({ connect: { timeout: connectMs }, headersTimeout: readMs, bodyTimeout: readMs })
      : undefined;
  const dispatcher: Dispatcher = options.dispatcher ?? (ownAgent as Agent);
  const headers = options.apiKey === undefined ? undefined : { Authorization: `Bearer ${options.apiKey}` };

  function fetchFor(settings: AttemptSettings): OllamaFetch {
    return (async (input: string | URL | Request, init?: RequestInit) => {
      const { controller } = settings;
      const own = init?.signal ?? undefined;
      let signal = own;
      if (controller !== undefined) {
        // The ollama client's own signal (its stream abort()) also cancels the attempt. A listener is
        // cheaper than AbortSignal.any, and both live only as long as the attempt.
        if (own) {
          if (own.aborted) controller.abort(own.reason);
          else own.addEventListener('abort', () => controller.abort(own.reason), { once: true });
        }
        signal = controller.signal;
      }
      const response = await undiciFetch(input as string, {
        ...(init as Record<string, unknown>),
        signal,
        dispatcher,
      });
      const { trace } = settings;
      trace.responded = true;
      trace.status = response.status;
      trace.headers = response.headers as unknown as Headers;
      if (settings.stream && response.ok && response.body !== null) {
        // The router reads the NDJSON itself (one layer instead of the client's two generators, and
        // malformed lines reported through the logger); the client's own iterator is never started.
        trace.body = response.body as unknown as ReadableStream<Uint8Array>;
      }
      return response;
    }) as unknown as OllamaFetch;
  }

  return {
    name: options.name,
    endpoint: options.endpoint,
    readTimeoutMs: readMs,
    client(settings) {
      return new Ollama({
        host: options.endpoint,
        fetch: fetchFor(settings),
        ...(headers === undefined ? {} : { headers }),
      });
    },
    async close() {
      if (ownAgent === undefined) return;
      // Graceful first; a stream nobody finished reading would otherwise hold close() until its read timeout.
      let timer: NodeJS.Timeout | undefined;
      const closed = ownAgent.close().then(() => true);
      const late = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), 2000);
      });
      const graceful = await Promise.race([closed, late]);
      clearTimeout(timer);
      if (!graceful) await ownAgent.destroy();
    },
  };
}
