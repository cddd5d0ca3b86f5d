/** A "pulled" model: a name, or a name with the metadata `/api/tags` and `/api/show` report. */
export type FakeModelSpec = string | FakeModelInfo;

/** Metadata of a pulled model. Fields left out are derived from the name. */
export interface FakeModelInfo {
  /** Model name as Ollama lists it, e.g. `llama3.2:3b`; a name without a tag means `:latest`. */
  readonly name: string;
  /** `details.parameter_size`, e.g. `3.2B`. @default derived from the tag (`9b` -> `9B`) */
  readonly parameterSize?: string;
  /** `details.quantization_level`. @default 'Q4_K_M' */
  readonly quantization?: string;
  /** `details.family`. @default the leading letters of the name (`llama3.2` -> `llama`) */
  readonly family?: string;
  /** `size` in bytes. @default derived from the parameter size */
  readonly sizeBytes?: number;
  /** Length of the embedding vectors this model returns. @default 768 for embedding models, else 256 */
  readonly embeddingDimensions?: number;
  /** `capabilities` in `/api/show`; `embedding`-only models refuse chat and generate. @default ['completion', 'tools'], or ['embedding'] for names containing `embed` or `minilm` */
  readonly capabilities?: readonly string[];
  /** `details.context_length` / `model_info` context length. @default 8192 */
  readonly contextLength?: number;
}

/** Options of {@link startOllamaFake}. */
export interface OllamaFakeOptions {
  /** Port to listen on; 0 picks a free port, which `start()` reuses after `stop()`. @default 0 */
  readonly port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  readonly host?: string;
  /** The pulled models. @default ['llama3.2:3b'] */
  readonly models?: readonly FakeModelSpec[];
  /** When set, `/api/*` and `/v1/*` need `Authorization: Bearer <apiKey>`, else 401 `{"error":"unauthorized"}`. */
  readonly apiKey?: string;
  /** Content chunks per streamed answer (the `done: true` line comes after them). @default 4 */
  readonly chunks?: number;
  /** Pause between streamed chunks, in milliseconds. @default 0 */
  readonly chunkDelayMs?: number;
  /** Reported by `/api/version`. @default '0.12.6' */
  readonly version?: string;
  /** Faults installed at start, as if passed to `fault()`. */
  readonly faults?: FaultSpec | readonly FaultSpec[];
  /** Most requests kept in the request log; older entries are dropped first. @default 10000 */
  readonly maxLoggedRequests?: number;
}

/** One request seen by the fake (control paths under `/__fake/` are not recorded). */
export interface FakeRequest {
  /** HTTP method, upper case. */
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** `model` (or legacy `name`) from the JSON body, when there was one. */
  readonly model?: string;
  /** Request headers, names lower-cased, repeated headers joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /** Parsed JSON body; the raw text when it was not JSON; undefined when empty. */
  readonly body: unknown;
  /** Arrival time, epoch milliseconds. */
  readonly time: number;
}

/** What a fault does to a matching request. */
export type FaultKind =
  | 'status'
  | 'reset'
  | 'hang'
  | 'delay'
  | 'stall'
  | 'stream-error'
  | 'truncate'
  | 'malformed'
  | 'headers';

/**
 * A scripted fault. Faults are kept in the order added; a request takes the first fault that matches
 * its path and model and still has uses left; a request matching none is answered normally.
 */
export interface FaultSpec {
  /** What to do:
   * - `status`: answer `status` with `{"error": message}` (or `message` as text with `contentType: 'text/plain'`);
   * - `reset`: destroy the socket without answering (ECONNRESET);
   * - `hang`: never answer (until the client gives up or the fake stops);
   * - `delay`: wait `delayMs` before the headers, then answer normally;
   * - `stall`: stream `afterChunks` chunks, then go silent with the socket open;
   * - `stream-error`: status 200, `afterChunks` chunks, then `{"error": message}` and close (no done line);
   * - `truncate`: `afterChunks` chunks, then close without the `done: true` line;
   * - `malformed`: a non-JSON line after `afterChunks` chunks, then the rest as normal;
   * - `headers`: a normal answer carrying `headers` (e.g. rate-limit headers on success).
   */
  readonly kind: FaultKind;
  /** Only requests to this path, e.g. `/api/chat`. @default any path */
  readonly path?: string;
  /** Only requests for this model (`x` and `x:latest` are the same model). @default any model */
  readonly model?: string;
  /** How many matching requests this fault applies to. @default Infinity (until reset) */
  readonly times?: number;
  /** HTTP status for `status`. @default 500 */
  readonly status?: number;
  /** Error text; defaults to Ollama's own text for the status (or a runner failure for `stream-error`). */
  readonly message?: string;
  /** Extra response headers (`Retry-After`, `x-ratelimit-*`, ...), sent with whatever the fault answers. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Content chunks streamed before `stall`, `stream-error`, `truncate` or `malformed` strikes. @default 1 */
  readonly afterChunks?: number;
  /** Milliseconds `delay` waits before answering. @default 1000 */
  readonly delayMs?: number;
  /** Content type of a `status` answer; `text/plain` sends the message as plain text. @default 'application/json; charset=utf-8' */
  readonly contentType?: string;
}

/** Input of {@link OllamaFake.expectedText}. */
export interface ExpectedTextRequest {
  /** Model named in the request. */
  readonly model: string;
  /** Chat messages (for `/api/chat` and `/v1/chat/completions`). */
  readonly messages?: readonly { readonly role: string; readonly content?: string }[];
  /** Prompt (for `/api/generate`). */
  readonly prompt?: string;
  /** System prompt (generate only). */
  readonly system?: string;
  /** `format` of the request: `'json'` or a schema makes the answer a JSON text. */
  readonly format?: unknown;
}

/** A running fake Ollama server. */
export interface OllamaFake {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  /** The port, fixed for the life of the fake (restarts reuse it). */
  readonly port: number;
  /** A copy of the request log, oldest first. */
  readonly requests: readonly FakeRequest[];
  /** Empties the request log. */
  clearRequests(): void;
  /** Adds faults (validated; throws OllamaFakeError `INVALID_FAULT`). Returns the fake for chaining. */
  fault(spec: FaultSpec | readonly FaultSpec[]): OllamaFake;
  /** Removes every fault. */
  resetFaults(): void;
  /** Removes every fault and empties the request log. */
  reset(): void;
  /** Replaces the pulled models. */
  setModels(models: readonly FakeModelSpec[]): void;
  /** Closes the listener and destroys every socket (hung ones included): clients get ECONNREFUSED. */
  stop(): Promise<void>;
  /** Listens again on the same port. */
  start(): Promise<void>;
  /** Final stop; `start()` afterwards throws. */
  close(): Promise<void>;
  /** The full answer text the fake gives to a chat or generate request. */
  expectedText(request: ExpectedTextRequest): string;
  /** The embedding vector the fake returns for one input (`dimensions` as in the request). */
  expectedEmbedding(model: string, input: string, dimensions?: number): number[];
}
