import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { answerText, chatKey, embeddingVector, generateKey, thinkingText } from './answers.js';
import { handleControl } from './control-routes.js';
import { type Exchange, type Handler, HttpError, isObject, type RouteTable } from './exchange.js';
import { FakeState } from './fake-state.js';
import { answerFault } from './fault-answers.js';
import { FaultBook, validateFaults } from './faults.js';
import { flattenHeaders, goJsonSyntaxError, readBodyBytes, sendJson, sendText } from './http-helpers.js';
import { normalizeModelName, resolveModels } from './models.js';
import { OllamaFakeError } from './ollama-fake-error.js';
import { Responder } from './responder.js';
import { anthropicMessagesRoutes } from './routes/anthropic-messages.js';
import { accountStatusRoutes, cloudAccountRoutes } from './routes/cloud-account.js';
import { modelManagementRoutes } from './routes/model-management.js';
import { nativeInferenceRoutes } from './routes/native-inference.js';
import { openAICompatRoutes } from './routes/openai-compat.js';
import { openAIResponsesRoutes } from './routes/openai-responses.js';
import type {
  ExpectedTextRequest,
  FakeAccount,
  FakeModelSpec,
  FakeRequest,
  FaultSpec,
  OllamaFake,
  OllamaFakeOptions,
} from './types.js';

export { usageLimitMessage } from './cloud-answers.js';
export { defaultFaultMessage } from './fault-answers.js';
export { runnerFailureMessage } from './responder.js';

function checkOptions(options: OllamaFakeOptions): void {
  const fail = (message: string): never => {
    throw new OllamaFakeError('INVALID_OPTIONS', message);
  };
  const { port = 0, chunks = 4, chunkDelayMs = 0, apiKey, cloud, usageCallsPerMinute = 10 } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`port must be an integer 0-65535; got ${options.port}.`);
  if (!Number.isInteger(chunks) || chunks < 1)
    fail(`chunks must be a positive integer; got ${options.chunks}.`);
  if (!Number.isFinite(chunkDelayMs) || chunkDelayMs < 0)
    fail(`chunkDelayMs must be a number >= 0; got ${options.chunkDelayMs}.`);
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey === ''))
    fail('apiKey must be a non-empty string when set.');
  if (cloud === true && apiKey === undefined)
    fail('cloud: true plays ollama.com, which needs a key: pass apiKey too.');
  if (options.balance !== undefined && options.balance !== 'credits' && options.balance !== 'windows') {
    fail(`balance must be 'credits' or 'windows'; got ${JSON.stringify(options.balance)}.`);
  }
  if (!Number.isInteger(usageCallsPerMinute) || usageCallsPerMinute < 1) {
    fail(`usageCallsPerMinute must be a positive integer; got ${options.usageCallsPerMinute}.`);
  }
}

/** Splits `/api/blobs/sha256:…` into the route key `/api/blobs/:digest` and its parameter. */
function matchRoute(
  routes: RouteTable,
  path: string,
): { methods: Partial<Record<string, Handler>>; param?: string } | undefined {
  const exact = routes[path];
  if (exact) return { methods: exact };
  for (const [key, methods] of Object.entries(routes)) {
    const colon = key.indexOf('/:');
    if (colon === -1) continue;
    const prefix = key.slice(0, colon + 1);
    if (path.startsWith(prefix) && path.length > prefix.length)
      return { methods, param: path.slice(prefix.length) };
  }
  return undefined;
}

class FakeServer implements OllamaFake {
  readonly #server: Server;
  readonly #host: string;
  #port: number;
  readonly #apiKey: string | undefined;
  readonly #maxLogged: number;
  readonly #faults = new FaultBook();
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #state: FakeState;
  readonly #respond: Responder;
  readonly #routes: RouteTable;
  #log: FakeRequest[] = [];
  #listening = false;
  #closed = false;

  constructor(options: OllamaFakeOptions) {
    checkOptions(options);
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    this.#apiKey = options.apiKey;
    this.#maxLogged = options.maxLoggedRequests ?? 10_000;
    this.#state = new FakeState({
      models: options.models ?? ['llama3.2:3b'],
      chunks: options.chunks ?? 4,
      chunkDelayMs: options.chunkDelayMs ?? 0,
      version: options.version ?? '0.12.6',
      cloud: options.cloud === true,
      account: { balance: options.balance ?? 'credits', ...options.account },
    });
    this.#respond = new Responder(this.#state.chunkDelayMs, this.#timers);
    if (options.faults !== undefined) this.fault(options.faults);
    const context = { state: this.#state, respond: this.#respond };
    const root: Handler = (x) =>
      sendText(x.response, 200, 'Ollama is running', 'text/plain; charset=utf-8', x.headers);
    const version: Handler = (x) => this.#respond.json(x, { version: this.#state.version });
    this.#routes = {
      '/': { GET: root, HEAD: root },
      '/api/version': { GET: version, HEAD: version },
      ...modelManagementRoutes(context),
      ...nativeInferenceRoutes(context),
      ...accountStatusRoutes(context),
      ...(this.#state.cloud ? cloudAccountRoutes(context, options.usageCallsPerMinute ?? 10) : {}),
      ...openAICompatRoutes(context),
      ...openAIResponsesRoutes(context),
      ...anthropicMessagesRoutes(context),
    };
    this.#server = createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
      this.#handle(request, response).catch((error: unknown) => this.#internalError(response, error));
    });
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
    this.#server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  get url(): string {
    const host = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `http://${host}:${this.#port}`;
  }

  get port(): number {
    return this.#port;
  }

  get requests(): readonly FakeRequest[] {
    return this.#log.slice();
  }

  clearRequests(): void {
    this.#log = [];
  }

  fault(spec: FaultSpec | readonly FaultSpec[]): OllamaFake {
    this.#faults.add(validateFaults(spec));
    return this;
  }

  resetFaults(): void {
    this.#faults.clear();
  }

  reset(): void {
    this.resetFaults();
    this.clearRequests();
  }

  setModels(models: readonly FakeModelSpec[]): void {
    this.#state.models = resolveModels(models);
    for (const name of this.#state.loaded.keys())
      if (!this.#state.models.has(name)) this.#state.loaded.delete(name);
  }

  setAccount(account: FakeAccount): void {
    if (account.balance !== undefined && account.balance !== 'credits' && account.balance !== 'windows') {
      throw new OllamaFakeError(
        'INVALID_OPTIONS',
        `account.balance must be 'credits' or 'windows'; got ${JSON.stringify(account.balance)}.`,
      );
    }
    const defined = Object.entries(account).filter(([, value]) => value !== undefined);
    this.#state.account = { ...this.#state.account, ...Object.fromEntries(defined) };
  }

  async start(): Promise<void> {
    if (this.#closed)
      throw new OllamaFakeError(
        'FAKE_CLOSED',
        'This fake was closed; start a new one with startOllamaFake().',
      );
    if (this.#listening) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => {
        reject(
          new OllamaFakeError(
            'LISTEN_FAILED',
            `Could not listen on ${this.#host}:${this.#port}: ${error.message}`,
            {
              cause: error,
            },
          ),
        );
      };
      this.#server.once('error', onError);
      this.#server.listen(this.#port, this.#host, () => {
        this.#server.off('error', onError);
        const address = this.#server.address();
        if (address && typeof address === 'object') this.#port = address.port;
        resolve();
      });
    });
    this.#listening = true;
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    if (!this.#listening) return;
    this.#listening = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    this.#sockets.clear();
    await closed;
    // Let in-process clients (undici pools) see the FIN of their idle sockets before the caller goes on,
    // so that the next request opens a new connection and gets ECONNREFUSED rather than a dead socket.
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  async close(): Promise<void> {
    await this.stop();
    this.#closed = true;
  }

  expectedText(request: ExpectedTextRequest): string {
    if (request.messages !== undefined)
      return answerText(request.model, 'chat', chatKey(request.messages), request.format);
    return answerText(
      request.model,
      'generate',
      generateKey(request.prompt ?? '', request.system),
      request.format,
    );
  }

  expectedThinking(request: ExpectedTextRequest): string {
    if (request.messages !== undefined) return thinkingText(request.model, 'chat', chatKey(request.messages));
    return thinkingText(request.model, 'generate', generateKey(request.prompt ?? '', request.system));
  }

  expectedEmbedding(model: string, input: string, dimensions?: number): number[] {
    const resolved = this.#state.models.get(normalizeModelName(model));
    return embeddingVector(model, input, resolved?.embeddingDimensions ?? 256, dimensions);
  }

  // ---- request handling -------------------------------------------------------------------------

  #internalError(response: ServerResponse, error: unknown): void {
    if (!response.headersSent && !response.destroyed) {
      sendJson(response, 500, { error: `ollama-fake internal error: ${String(error)}` });
    } else {
      response.destroy();
    }
  }

  #authorized(request: IncomingMessage, path: string): boolean {
    if (this.#apiKey === undefined || !(path.startsWith('/v1/') || path.startsWith('/api/'))) return true;
    if (request.headers.authorization === `Bearer ${this.#apiKey}`) return true;
    // Anthropic clients send the key as x-api-key
    return path === '/v1/messages' && request.headers['x-api-key'] === this.#apiKey;
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(request.url ?? '/', 'http://fake.invalid');
    const path = url.pathname;
    let rawBytes: Buffer;
    try {
      rawBytes = await readBodyBytes(request);
    } catch {
      if (!response.destroyed) sendJson(response, 413, { error: 'request body too large' });
      return;
    }
    const rawBody = rawBytes.toString('utf8');
    if (path.startsWith('/__fake/')) {
      handleControl(this.#controlTarget(), request, response, path, rawBody);
      return;
    }
    const isBlob = path.startsWith('/api/blobs/');
    let body: unknown;
    let parseError: string | undefined;
    if (!isBlob && rawBody.trim() !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch (error) {
        body = rawBody;
        parseError = goJsonSyntaxError(rawBody, error);
      }
    }
    let model: string | undefined;
    if (isObject(body)) {
      if (typeof body.model === 'string') model = body.model;
      else if (typeof body.name === 'string') model = body.name;
    }
    const headers = flattenHeaders(request);
    this.#record({
      method: request.method ?? 'GET',
      path,
      ...(model === undefined ? {} : { model }),
      headers,
      body: isBlob ? undefined : body,
      time: Date.now(),
    });
    if (!this.#authorized(request, path)) {
      sendJson(response, 401, { error: 'unauthorized' });
      return;
    }
    const fault = this.#faults.take(path, model);
    const extraHeaders =
      fault?.kind === 'echo-auth'
        ? { ...fault.spec.headers, 'x-echo': headers.authorization ?? '' }
        : fault?.spec.headers;
    const exchange: Exchange = {
      request,
      response,
      path,
      query: url.searchParams,
      body,
      rawBody,
      rawBytes,
      parseError,
      model,
      fault,
      headers: extraHeaders,
      started,
      dialect: path.startsWith('/v1/messages') ? 'anthropic' : path.startsWith('/v1/') ? 'openai' : 'ollama',
    };
    if (answerFault(exchange, this.#respond, this.#state.account.user ?? 'fake-user')) return;
    if (fault?.kind === 'delay') {
      this.#respond.later(fault.spec.delayMs ?? 1000, () => {
        // outside the request's promise chain now: an unexpected error must not crash the process
        try {
          this.#route(exchange);
        } catch (error) {
          this.#internalError(response, error);
        }
      });
      return;
    }
    this.#route(exchange);
  }

  #route(base: Exchange): void {
    const { request, response, path } = base;
    if (response.destroyed) return;
    const match = matchRoute(this.#routes, path);
    if (!match) {
      // gin's default404Body / default405Body, sent as text/plain
      sendText(response, 404, '404 page not found', 'text/plain', base.headers);
      return;
    }
    const handler = match.methods[request.method ?? 'GET'];
    if (!handler) {
      sendText(response, 405, '405 method not allowed', 'text/plain', base.headers);
      return;
    }
    const exchange = match.param === undefined ? base : { ...base, param: match.param };
    try {
      handler(exchange);
    } catch (error) {
      if (error instanceof HttpError)
        this.#respond.sendError(exchange, error.status, error.message, undefined, error.extra);
      else throw error;
    }
  }

  #record(entry: FakeRequest): void {
    if (this.#maxLogged <= 0) return;
    if (this.#log.length >= this.#maxLogged)
      this.#log.splice(0, Math.max(1, Math.floor(this.#maxLogged / 10)));
    this.#log.push(entry);
  }

  #controlTarget() {
    const self = this;
    return {
      fault: (spec: FaultSpec | readonly FaultSpec[]) => self.fault(spec),
      resetFaults: () => self.resetFaults(),
      clearRequests: () => self.clearRequests(),
      reset: () => self.reset(),
      setModels: (models: readonly FakeModelSpec[]) => self.setModels(models),
      setAccount: (account: FakeAccount) => self.setAccount(account),
      get faultCount() {
        return self.#faults.size;
      },
      get modelNames() {
        return [...self.#state.models.keys()];
      },
      get requestLog() {
        return self.#log;
      },
    };
  }
}

/**
 * Starts an Ollama-compatible HTTP server with deterministic answers and scriptable faults.
 *
 * @example
 * ```ts
 * const fake = await startOllamaFake({ models: ['gemma2:9b'] });
 * fake.fault({ path: '/api/chat', kind: 'status', status: 503, times: 2 });
 * // first two chats get 503 "Server overloaded…", the third succeeds
 * await fake.close();
 * ```
 */
export async function startOllamaFake(options: OllamaFakeOptions = {}): Promise<OllamaFake> {
  const fake = new FakeServer(options);
  await fake.start();
  return fake;
}
