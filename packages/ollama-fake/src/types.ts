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
  /** `capabilities` in `/api/show`; `embedding`-only models refuse chat and generate. @default ['completion', 'tools'], plus 'thinking' for gpt-oss, qwen3 and magistral (deepseek-r1: completion, thinking), or ['embedding'] for names containing `embed` or `minilm` */
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
  /**
   * Play ollama.com: `apiKey` is required (401 without `Authorization: Bearer <apiKey>`), `/api/tags` is
   * cloud-shaped (`families: null`, empty detail strings), `/api/balance` and `/api/usage` answer, `/api/me`
   * is signed in. @default false
   */
  readonly cloud?: boolean;
  /** Shape of `/api/balance` in cloud mode: current plans' `credits` or legacy `windows`. @default 'credits' */
  readonly balance?: 'credits' | 'windows';
  /** Figures `/api/balance` and `/api/me` report (defaults: a Pro plan with part of its credits used). */
  readonly account?: FakeAccount;
  /** Calls a minute `/api/balance` and `/api/usage` allow before a 429 with `Retry-After`. @default 10 */
  readonly usageCallsPerMinute?: number;
}

/** The cloud account the fake reports; every field has a default. */
export interface FakeAccount {
  /** Shape of `/api/balance`. @default 'credits' */
  readonly balance?: 'credits' | 'windows';
  /** User named in the session and weekly limit texts and in `/api/me`. @default 'fake-user' */
  readonly user?: string;
  /** `plan` of `/api/me`. @default 'pro' */
  readonly plan?: string;
  /** `included.balance_usd`. @default 12.5 */
  readonly balanceUsd?: number;
  /** `included.allowance_usd`. @default 20 */
  readonly allowanceUsd?: number;
  /** `purchased.balance_usd`. @default 0 */
  readonly purchasedUsd?: number;
  /** `included.period.from`. @default the first of this month, UTC */
  readonly periodFrom?: string;
  /** `included.period.until`. @default the first of next month, UTC */
  readonly periodUntil?: string;
  /** Legacy `included.session.remaining_percent`. @default 62 */
  readonly sessionRemainingPercent?: number;
  /** Legacy `included.session.resets_at`. @default five hours after start */
  readonly sessionResetsAt?: string;
  /** Legacy `included.weekly.remaining_percent`. @default 81 */
  readonly weeklyRemainingPercent?: number;
  /** Legacy `included.weekly.resets_at`. @default next Monday 00:00 UTC */
  readonly weeklyResetsAt?: string;
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
  | 'headers'
  | 'cloud'
  | 'first-chunk-delay'
  | 'echo-auth';

/** The answers of ollama.com a `{ kind: 'cloud' }` fault plays (status and text from notes §9.4). */
export type CloudAnswer =
  | 'concurrency'
  | 'session'
  | 'weekly'
  | 'hourly'
  | 'extra_usage'
  | 'subscription'
  | 'overloaded';

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
   * - `headers`: a normal answer carrying `headers` (e.g. rate-limit headers on success);
   * - `cloud`: what ollama.com answers when it will not serve, chosen by `answer` (429 concurrency, session,
   *   weekly, hourly; 402 extra usage; 403 subscription; 503 overloaded), word for word;
   * - `first-chunk-delay`: status 200 and the headers at once, the first line (or the JSON body) after `delayMs`;
   * - `echo-auth`: an upstream that leaks the key: the request's `Authorization` value in the error body and in
   *   an `x-echo` response header (`status` default 400; a `status` below 400 answers normally with the header).
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
  /** Milliseconds `delay` and `first-chunk-delay` wait. @default 1000 */
  readonly delayMs?: number;
  /** Content type of a `status` answer; `text/plain` sends the message as plain text. @default 'application/json; charset=utf-8' */
  readonly contentType?: string;
  /** For `kind: 'cloud'`: which ollama.com answer to play. */
  readonly answer?: CloudAnswer;
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
  /** The thinking text the fake streams before the answer when a request asks for `think`. */
  expectedThinking(request: ExpectedTextRequest): string;
  /** Replaces part of the cloud account (`/api/balance`, `/api/me`, the user in the limit texts). */
  setAccount(account: FakeAccount): void;
  /** The embedding vector the fake returns for one input (`dimensions` as in the request). */
  expectedEmbedding(model: string, input: string, dimensions?: number): number[];
}
