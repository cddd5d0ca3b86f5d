import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import {
  answerText,
  chatKey,
  contextTokens,
  embeddingVector,
  generateKey,
  splitChunks,
  tokenCount,
} from './answers.js';
import { type ActiveFault, FaultBook, validateFaults } from './faults.js';
import {
  flattenHeaders,
  goJsonSyntaxError,
  goTypeName,
  jsonType,
  ndjsonType,
  readBody,
  reasonPhrase,
  sendJson,
  sendText,
} from './http-helpers.js';
import { normalizeModelName, type ResolvedModel, resolveModels } from './models.js';
import { OllamaFakeError } from './ollama-fake-error.js';
import type {
  ExpectedTextRequest,
  FakeModelSpec,
  FakeRequest,
  FaultSpec,
  OllamaFake,
  OllamaFakeOptions,
} from './types.js';

/** The 429 text Ollama Cloud sends when the hourly usage limit is reached. */
export const usageLimitMessage = "you've reached your hourly usage limit, please wait or upgrade to continue";
/** The 500 text the fake uses for a failed model runner. */
export const runnerFailureMessage = 'llama runner process has terminated: exit status 2';

/** Ollama's default error text for a status, as the fake sends it when a fault names no message. */
export function defaultFaultMessage(status: number, model: string | undefined, path: string): string {
  switch (status) {
    case 400:
      return 'invalid request';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return `model '${model ?? ''}' not found`;
    case 429:
      return usageLimitMessage;
    case 500:
      return runnerFailureMessage;
    case 502:
      return `Post "https://ollama.com:443${path}": dial tcp 34.36.133.15:443: connect: connection refused`;
    case 503:
      return `Server overloaded, please retry shortly (ref: ${randomUUID()})`;
    default:
      return reasonPhrase(status).toLowerCase();
  }
}

type Json = Record<string, unknown>;

/** Per-request state handed to the route handlers. */
interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  readonly path: string;
  readonly body: unknown;
  readonly rawBody: string;
  readonly parseError: string | undefined;
  readonly model: string | undefined;
  readonly fault: ActiveFault | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly started: bigint;
  readonly openAI: boolean;
}

/** Thrown inside handlers to answer with an error status. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Handler = (exchange: Exchange) => void;

const modifiedAt = '2026-01-15T10:20:30.123456789Z';
const malformedLine = 'this is not json {"done":\n';
const malformedEvent = 'data: this is not json {"choices":\n\n';

function dropZero(object: Json): Json {
  for (const [key, value] of Object.entries(object)) if (value === 0) delete object[key];
  return object;
}

/** Tokens of the message contents (roles do not count, so an empty prompt has no prompt metrics). */
function promptTokenCount(messages: readonly unknown[]): number {
  let count = 0;
  for (const message of messages) {
    if (isObject(message) && typeof message.content === 'string') count += tokenCount(message.content);
  }
  return count;
}

function openAIErrorType(status: number): string {
  if (status === 400) return 'invalid_request_error';
  if (status === 404) return 'not_found_error';
  return 'api_error';
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class FakeServer implements OllamaFake {
  readonly #server: Server;
  readonly #host: string;
  #port: number;
  #models: Map<string, ResolvedModel>;
  readonly #apiKey: string | undefined;
  readonly #chunks: number;
  readonly #chunkDelayMs: number;
  readonly #version: string;
  readonly #maxLogged: number;
  readonly #faults = new FaultBook();
  readonly #sockets = new Set<Socket>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #loaded = new Map<string, number>();
  #log: FakeRequest[] = [];
  #listening = false;
  #closed = false;
  #completionId = 0;
  readonly #routes: Map<string, Partial<Record<string, Handler>>>;

  constructor(options: OllamaFakeOptions) {
    this.#host = options.host ?? '127.0.0.1';
    this.#port = options.port ?? 0;
    this.#models = resolveModels(options.models ?? ['llama3.2:3b']);
    this.#apiKey = options.apiKey;
    this.#chunks = options.chunks ?? 4;
    this.#chunkDelayMs = options.chunkDelayMs ?? 0;
    this.#version = options.version ?? '0.12.6';
    this.#maxLogged = options.maxLoggedRequests ?? 10_000;
    if (!Number.isInteger(this.#port) || this.#port < 0 || this.#port > 65535) {
      throw new OllamaFakeError('INVALID_OPTIONS', `port must be an integer 0-65535; got ${options.port}.`);
    }
    if (!Number.isInteger(this.#chunks) || this.#chunks < 1) {
      throw new OllamaFakeError(
        'INVALID_OPTIONS',
        `chunks must be a positive integer; got ${options.chunks}.`,
      );
    }
    if (!Number.isFinite(this.#chunkDelayMs) || this.#chunkDelayMs < 0) {
      throw new OllamaFakeError(
        'INVALID_OPTIONS',
        `chunkDelayMs must be a number >= 0; got ${options.chunkDelayMs}.`,
      );
    }
    if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey === '')) {
      throw new OllamaFakeError('INVALID_OPTIONS', 'apiKey must be a non-empty string when set.');
    }
    if (options.faults !== undefined) this.fault(options.faults);
    const root: Handler = (x) =>
      sendText(x.response, 200, 'Ollama is running', 'text/plain; charset=utf-8', x.headers);
    const version: Handler = (x) => this.#json(x, { version: this.#version });
    const tags: Handler = (x) =>
      this.#json(x, { models: [...this.#models.values()].map((m) => this.#tagEntry(m)) });
    this.#routes = new Map<string, Partial<Record<string, Handler>>>([
      ['/', { GET: root, HEAD: root }],
      ['/api/version', { GET: version, HEAD: version }],
      ['/api/tags', { GET: tags, HEAD: tags }],
      ['/api/ps', { GET: (x) => this.#ps(x) }],
      ['/api/show', { POST: (x) => this.#show(x) }],
      ['/api/chat', { POST: (x) => this.#chat(x) }],
      ['/api/generate', { POST: (x) => this.#generate(x) }],
      ['/api/embed', { POST: (x) => this.#embed(x) }],
      ['/api/embeddings', { POST: (x) => this.#embeddings(x) }],
      ['/api/pull', { POST: (x) => this.#pull(x) }],
      ['/api/delete', { DELETE: (x) => this.#delete(x) }],
      ['/v1/chat/completions', { POST: (x) => this.#openAIChat(x) }],
      ['/v1/embeddings', { POST: (x) => this.#openAIEmbeddings(x) }],
      ['/v1/models', { GET: (x) => this.#openAIModels(x) }],
    ]);
    this.#server = createServer({ keepAliveTimeout: 5_000 }, (request, response) => {
      this.#handle(request, response).catch((error: unknown) => {
        if (!response.headersSent && !response.destroyed) {
          sendJson(response, 500, { error: `ollama-fake internal error: ${String(error)}` });
        } else {
          response.destroy();
        }
      });
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
    this.#models = resolveModels(models);
    for (const name of this.#loaded.keys()) if (!this.#models.has(name)) this.#loaded.delete(name);
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

  expectedEmbedding(model: string, input: string, dimensions?: number): number[] {
    const resolved = this.#models.get(normalizeModelName(model));
    return embeddingVector(model, input, resolved?.embeddingDimensions ?? 256, dimensions);
  }

  // ---- request handling -------------------------------------------------------------------------

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    let rawBody: string;
    try {
      rawBody = await readBody(request);
    } catch {
      if (!response.destroyed) sendJson(response, 413, { error: 'request body too large' });
      return;
    }
    if (path.startsWith('/__fake/')) {
      this.#control(request, response, path, rawBody);
      return;
    }
    let body: unknown;
    let parseError: string | undefined;
    if (rawBody.trim() !== '') {
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
    this.#record({
      method: request.method ?? 'GET',
      path,
      ...(model === undefined ? {} : { model }),
      headers: flattenHeaders(request),
      body,
      time: Date.now(),
    });
    const openAI = path.startsWith('/v1/');
    const guarded = openAI || path.startsWith('/api/');
    if (guarded && this.#apiKey !== undefined && request.headers.authorization !== `Bearer ${this.#apiKey}`) {
      sendJson(response, 401, { error: 'unauthorized' });
      return;
    }
    const fault = this.#faults.take(path, model);
    const exchange: Exchange = {
      request,
      response,
      path,
      body,
      rawBody,
      parseError,
      model,
      fault,
      headers: fault?.spec.headers,
      started,
      openAI,
    };
    if (fault) {
      switch (fault.kind) {
        case 'status': {
          const status = fault.spec.status ?? 500;
          const message = fault.spec.message ?? defaultFaultMessage(status, model, path);
          this.#sendError(exchange, status, message, fault.spec.contentType);
          return;
        }
        case 'reset':
          request.socket.resetAndDestroy();
          return;
        case 'hang':
          return;
        case 'delay':
          this.#later(fault.spec.delayMs ?? 1000, () => {
            // outside the request's promise chain now: an unexpected error must not crash the process
            try {
              this.#route(exchange);
            } catch (error) {
              if (!response.headersSent)
                sendJson(response, 500, { error: `ollama-fake internal error: ${String(error)}` });
              else response.destroy();
            }
          });
          return;
        default:
          break;
      }
    }
    this.#route(exchange);
  }

  #route(exchange: Exchange): void {
    const { request, response, path } = exchange;
    if (response.destroyed) return;
    const methods = this.#routes.get(path);
    if (!methods) {
      // gin's default404Body / default405Body, sent as text/plain
      sendText(response, 404, '404 page not found', 'text/plain', exchange.headers);
      return;
    }
    const handler = methods[request.method ?? 'GET'];
    if (!handler) {
      sendText(response, 405, '405 method not allowed', 'text/plain', exchange.headers);
      return;
    }
    try {
      handler(exchange);
    } catch (error) {
      if (error instanceof HttpError) this.#sendError(exchange, error.status, error.message);
      else throw error;
    }
  }

  #record(entry: FakeRequest): void {
    if (this.#maxLogged <= 0) return;
    if (this.#log.length >= this.#maxLogged)
      this.#log.splice(0, Math.max(1, Math.floor(this.#maxLogged / 10)));
    this.#log.push(entry);
  }

  #later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
  }

  #sendError(exchange: Exchange, status: number, message: string, contentType?: string): void {
    const { response } = exchange;
    if (response.headersSent || response.destroyed) return;
    if (contentType !== undefined && !contentType.includes('json')) {
      sendText(response, status, message, contentType, exchange.headers);
      return;
    }
    const body = exchange.openAI
      ? { error: { message, type: openAIErrorType(status), param: null, code: null } }
      : { error: message };
    const text = JSON.stringify(body);
    response.writeHead(status, {
      ...exchange.headers,
      'content-type': contentType ?? jsonType,
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  }

  /** Sends a complete JSON answer, honouring the non-streaming forms of the stream faults. */
  #json(exchange: Exchange, value: unknown): void {
    const { response, fault } = exchange;
    if (response.destroyed) return;
    const text = JSON.stringify(value);
    switch (fault?.kind) {
      case 'stall':
        response.writeHead(200, { ...exchange.headers, 'content-type': jsonType });
        response.flushHeaders();
        return;
      case 'truncate':
        response.writeHead(200, { ...exchange.headers, 'content-type': jsonType });
        response.end(text.slice(0, Math.floor(text.length / 2)));
        return;
      case 'stream-error':
        // notes §2: with stream:false, errors during generation come back with a real status
        this.#sendError(exchange, 500, fault.spec.message ?? runnerFailureMessage);
        return;
      default:
        sendJson(response, 200, value, exchange.headers);
    }
  }

  /**
   * Sends an NDJSON (or SSE) stream: `contentLines` content lines, then `tail` lines (the done line, and
   * for SSE the `[DONE]` marker), applying a streaming fault at `afterChunks`.
   */
  #stream(
    exchange: Exchange,
    contentType: string,
    content: string[],
    tail: string[],
    errorLine: string,
  ): void {
    const { response, fault } = exchange;
    if (response.destroyed) return;
    let lines: string[];
    let end = true;
    const after = Math.min(fault?.spec.afterChunks ?? 1, content.length);
    switch (fault?.kind) {
      case 'stall':
        lines = content.slice(0, after);
        end = false;
        break;
      case 'truncate':
        lines = content.slice(0, after);
        break;
      case 'stream-error':
        lines = [...content.slice(0, after), errorLine];
        break;
      case 'malformed':
        lines = [
          ...content.slice(0, after),
          contentType === ndjsonType ? malformedLine : malformedEvent,
          ...content.slice(after),
          ...tail,
        ];
        break;
      default:
        lines = [...content, ...tail];
    }
    // notes §2: headers go out with the first line; errors after that keep status 200
    response.writeHead(200, { ...exchange.headers, 'content-type': contentType });
    if (this.#chunkDelayMs === 0 || lines.length <= 1) {
      if (end) response.end(lines.join(''));
      else {
        if (lines.length > 0) response.write(lines.join(''));
        else response.flushHeaders();
      }
      return;
    }
    let index = 0;
    const next = (): void => {
      if (response.destroyed) return;
      response.write(lines[index++]!);
      if (index < lines.length) this.#later(this.#chunkDelayMs, next);
      else if (end) response.end();
    };
    next();
  }

  #touch(model: ResolvedModel): void {
    this.#loaded.set(model.name, Date.now() + 5 * 60_000);
  }

  /** Streams the answer's NDJSON lines, then `done` (a `stream-error` fault ends with an `{"error"}` line instead). */
  #streamAnswer(exchange: Exchange, content: string[], done: Json): void {
    const errorText = exchange.fault?.spec.message ?? runnerFailureMessage;
    this.#stream(
      exchange,
      ndjsonType,
      content,
      [`${JSON.stringify(done)}\n`],
      `${JSON.stringify({ error: errorText })}\n`,
    );
  }

  #metrics(exchange: Exchange, promptTokens: number, evalTokens: number, streamed: boolean): Json {
    const elapsed = Number(process.hrtime.bigint() - exchange.started);
    const paced = streamed ? this.#chunks * this.#chunkDelayMs * 1e6 : 0;
    const total = Math.max(1000, elapsed) + paced;
    const load = Math.round(total * 0.1);
    const promptDuration = promptTokens > 0 ? Math.round(total * 0.2) : 0;
    return dropZero({
      total_duration: total,
      load_duration: load,
      prompt_eval_count: promptTokens,
      prompt_eval_duration: promptDuration,
      eval_count: evalTokens,
      eval_duration: evalTokens > 0 ? total - load - promptDuration : 0,
    });
  }

  // ---- validation shared by the native handlers ---------------------------------------------------

  /** Decodes the JSON body like Ollama's handlers do (missing body, bad JSON, wrong top-level type). */
  #requireObject(exchange: Exchange, goType: string): Json {
    if (exchange.rawBody.trim() === '') throw new HttpError(400, 'missing request body');
    if (exchange.parseError !== undefined) throw new HttpError(400, exchange.parseError);
    if (!isObject(exchange.body)) {
      throw new HttpError(
        400,
        `json: cannot unmarshal ${goTypeName(exchange.body)} into Go value of type ${goType}`,
      );
    }
    return exchange.body;
  }

  #checkField(
    body: Json,
    field: string,
    goStruct: string,
    expected: 'string' | 'bool' | 'array',
    goType: string,
  ): void {
    const value = body[field];
    if (value === undefined || value === null) return;
    if (goTypeName(value) !== expected) {
      throw new HttpError(
        400,
        `json: cannot unmarshal ${goTypeName(value)} into Go struct field ${goStruct}.${field} of type ${goType}`,
      );
    }
  }

  #lookup(name: string): ResolvedModel {
    const model = this.#models.get(normalizeModelName(name));
    if (!model) throw new HttpError(404, `model '${name}' not found`);
    return model;
  }

  // ---- native API ---------------------------------------------------------------------------------

  #chat(exchange: Exchange): void {
    const body = this.#requireObject(exchange, 'api.ChatRequest');
    this.#checkField(body, 'model', 'ChatRequest', 'string', 'string');
    this.#checkField(body, 'messages', 'ChatRequest', 'array', '[]api.Message');
    this.#checkField(body, 'stream', 'ChatRequest', 'bool', 'bool');
    const name = (body.model as string | undefined) ?? '';
    if (name === '') throw new HttpError(400, 'model is required');
    const model = this.#lookup(name);
    if (!model.capabilities.includes('completion'))
      throw new HttpError(400, `"${name}" does not support chat`);
    if (Array.isArray(body.tools) && body.tools.length > 0 && !model.capabilities.includes('tools')) {
      throw new HttpError(400, `registry.ollama.ai/library/${model.name} does not support tools`);
    }
    const messages = (body.messages as unknown[] | undefined) ?? [];
    for (const message of messages) {
      if (!isObject(message)) {
        throw new HttpError(
          400,
          `json: cannot unmarshal ${goTypeName(message)} into Go value of type api.Message`,
        );
      }
    }
    this.#touch(model);
    const stream = body.stream !== false;
    const created = new Date().toISOString();
    if (messages.length === 0) {
      const load = {
        model: name,
        created_at: created,
        message: { role: 'assistant', content: '' },
        done_reason: 'load',
        done: true,
      };
      if (stream) this.#stream(exchange, ndjsonType, [], [`${JSON.stringify(load)}\n`], '');
      else this.#json(exchange, load);
      return;
    }
    const input = chatKey(messages as Json[]);
    const text = answerText(name, 'chat', input, body.format);
    const promptTokens = promptTokenCount(messages);
    const evalTokens = tokenCount(text);
    if (!stream) {
      this.#json(exchange, {
        model: name,
        created_at: created,
        message: { role: 'assistant', content: text },
        done_reason: 'stop',
        done: true,
        ...this.#metrics(exchange, promptTokens, evalTokens, false),
      });
      return;
    }
    const content = splitChunks(text, this.#chunks).map(
      (piece) =>
        `${JSON.stringify({ model: name, created_at: created, message: { role: 'assistant', content: piece }, done: false })}\n`,
    );
    const done = {
      model: name,
      created_at: created,
      message: { role: 'assistant', content: '' },
      done_reason: 'stop',
      done: true,
      ...this.#metrics(exchange, promptTokens, evalTokens, true),
    };
    this.#streamAnswer(exchange, content, done);
  }

  #generate(exchange: Exchange): void {
    const body = this.#requireObject(exchange, 'api.GenerateRequest');
    for (const field of ['model', 'prompt', 'system', 'suffix']) {
      this.#checkField(body, field, 'GenerateRequest', 'string', 'string');
    }
    this.#checkField(body, 'stream', 'GenerateRequest', 'bool', 'bool');
    const name = (body.model as string | undefined) ?? '';
    const model = this.#lookup(name);
    if (!model.capabilities.includes('completion'))
      throw new HttpError(400, `"${name}" does not support generate`);
    this.#touch(model);
    const stream = body.stream !== false;
    const created = new Date().toISOString();
    const prompt = (body.prompt as string | undefined) ?? '';
    if (prompt === '') {
      const load = { model: name, created_at: created, response: '', done_reason: 'load', done: true };
      if (stream) this.#stream(exchange, ndjsonType, [], [`${JSON.stringify(load)}\n`], '');
      else this.#json(exchange, load);
      return;
    }
    const system = body.system as string | undefined;
    const input = generateKey(prompt, system);
    const text = answerText(name, 'generate', input, body.format);
    const promptTokens = tokenCount(`${system ?? ''} ${prompt}`);
    const evalTokens = tokenCount(text);
    const context = body.raw === true ? {} : { context: contextTokens(input, text) };
    if (!stream) {
      this.#json(exchange, {
        model: name,
        created_at: created,
        response: text,
        done: true,
        done_reason: 'stop',
        ...context,
        ...this.#metrics(exchange, promptTokens, evalTokens, false),
      });
      return;
    }
    const content = splitChunks(text, this.#chunks).map(
      (piece) => `${JSON.stringify({ model: name, created_at: created, response: piece, done: false })}\n`,
    );
    const done = {
      model: name,
      created_at: created,
      response: '',
      done: true,
      done_reason: 'stop',
      ...context,
      ...this.#metrics(exchange, promptTokens, evalTokens, true),
    };
    this.#streamAnswer(exchange, content, done);
  }

  #embedInputs(input: unknown): string[] {
    if (input === undefined || input === null || input === '') return [];
    if (typeof input === 'string') return [input];
    if (Array.isArray(input) && input.every((item) => typeof item === 'string')) return input as string[];
    throw new HttpError(400, 'invalid input type');
  }

  #embed(exchange: Exchange): void {
    const body = this.#requireObject(exchange, 'api.EmbedRequest');
    this.#checkField(body, 'model', 'EmbedRequest', 'string', 'string');
    const name = (body.model as string | undefined) ?? '';
    const model = this.#lookup(name);
    const inputs = this.#embedInputs(body.input);
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : undefined;
    this.#touch(model);
    const embeddings = inputs.map((input) =>
      embeddingVector(name, input, model.embeddingDimensions, dimensions),
    );
    const promptTokens = inputs.reduce((sum, input) => sum + tokenCount(input), 0);
    const metrics = this.#metrics(exchange, promptTokens, 0, false);
    this.#json(exchange, {
      model: name,
      embeddings,
      total_duration: metrics.total_duration,
      load_duration: metrics.load_duration,
      ...(promptTokens > 0 ? { prompt_eval_count: promptTokens } : {}),
    });
  }

  #embeddings(exchange: Exchange): void {
    const body = this.#requireObject(exchange, 'api.EmbeddingRequest');
    this.#checkField(body, 'model', 'EmbeddingRequest', 'string', 'string');
    this.#checkField(body, 'prompt', 'EmbeddingRequest', 'string', 'string');
    const name = (body.model as string | undefined) ?? '';
    const model = this.#models.get(normalizeModelName(name));
    // notes §2: the legacy endpoint goes through the scheduler, which words its 404 differently
    if (!model) throw new HttpError(404, `model "${name}" not found, try pulling it first`);
    this.#touch(model);
    const prompt = (body.prompt as string | undefined) ?? '';
    this.#json(exchange, {
      embedding: prompt === '' ? [] : embeddingVector(name, prompt, model.embeddingDimensions),
    });
  }

  #details(model: ResolvedModel): Json {
    return {
      parent_model: '',
      format: 'gguf',
      family: model.family,
      families: [model.family],
      parameter_size: model.parameterSize,
      quantization_level: model.quantization,
    };
  }

  #tagEntry(model: ResolvedModel): Json {
    return {
      name: model.name,
      model: model.name,
      modified_at: modifiedAt,
      size: model.sizeBytes,
      digest: model.digest,
      details: this.#details(model),
    };
  }

  #ps(exchange: Exchange): void {
    const now = Date.now();
    const models: Json[] = [];
    for (const [name, expires] of this.#loaded) {
      const model = this.#models.get(name);
      if (!model || expires <= now) {
        this.#loaded.delete(name);
        continue;
      }
      models.push({
        name: model.name,
        model: model.name,
        size: model.sizeBytes,
        digest: model.digest,
        details: this.#details(model),
        expires_at: new Date(expires).toISOString(),
        size_vram: model.sizeBytes,
        context_length: model.contextLength,
      });
    }
    this.#json(exchange, { models });
  }

  #show(exchange: Exchange): void {
    const body = this.#requireObject(exchange, 'api.ShowRequest');
    this.#checkField(body, 'model', 'ShowRequest', 'string', 'string');
    const name = (body.model as string | undefined) || (typeof body.name === 'string' ? body.name : '');
    if (name === '') throw new HttpError(400, 'model is required');
    const model = this.#lookup(name);
    const family = model.family;
    this.#json(exchange, {
      license: '',
      modelfile: `# Modelfile generated by "ollama show"\nFROM ${model.name}\nTEMPLATE {{ .Prompt }}\n`,
      parameters: 'stop "<|eot_id|>"',
      template: '{{ .Prompt }}',
      details: this.#details(model),
      model_info: {
        'general.architecture': family,
        'general.basename': model.name.split(':')[0],
        'general.file_type': 15,
        'general.parameter_count': Math.round(model.sizeBytes / 0.6),
        [`${family}.context_length`]: model.contextLength,
        [`${family}.embedding_length`]: model.embeddingDimensions,
      },
      capabilities: model.capabilities,
      modified_at: modifiedAt,
    });
  }

  #modelField(body: Json, goStruct: string): string {
    this.#checkField(body, 'model', goStruct, 'string', 'string');
    this.#checkField(body, 'name', goStruct, 'string', 'string');
    const name = (body.model as string | undefined) || (body.name as string | undefined) || '';
    if (name === '') throw new HttpError(400, 'model is required');
    return name;
  }

  /** Pulls instantly: progress lines (notes §1.6), then the model is listed. */
  #pull(exchange: Exchange): void {
    const body = this.#requireObject(exchange, 'api.PullRequest');
    this.#checkField(body, 'stream', 'PullRequest', 'bool', 'bool');
    const name = this.#modelField(body, 'PullRequest');
    const pulled = resolveModels([name]).values().next().value as ResolvedModel;
    const existing = this.#models.get(pulled.name);
    const model = existing ?? pulled;
    const apply = (): void => {
      if (!this.#models.has(model.name)) this.#models.set(model.name, model);
    };
    if (body.stream === false) {
      if (exchange.fault?.kind !== 'stream-error' && exchange.fault?.kind !== 'stall') apply();
      this.#json(exchange, { status: 'success' });
      return;
    }
    const digest = `sha256:${model.digest}`;
    const progress = [
      { status: 'pulling manifest' },
      { status: `pulling ${model.digest.slice(0, 12)}`, digest, total: model.sizeBytes, completed: 0 },
      {
        status: `pulling ${model.digest.slice(0, 12)}`,
        digest,
        total: model.sizeBytes,
        completed: model.sizeBytes,
      },
      { status: 'verifying sha256 digest' },
      { status: 'writing manifest' },
    ].map((line) => `${JSON.stringify(line)}\n`);
    const fault = exchange.fault?.kind;
    if (fault !== 'stream-error' && fault !== 'truncate' && fault !== 'stall') apply();
    const errorText = exchange.fault?.spec.message ?? 'max retries exceeded: unexpected EOF';
    this.#stream(
      exchange,
      ndjsonType,
      progress,
      ['{"status":"success"}\n'],
      `${JSON.stringify({ error: errorText })}\n`,
    );
  }

  /** Removes a model: 200 with an empty body (notes §1.6), 404 when unknown. */
  #delete(exchange: Exchange): void {
    const body = this.#requireObject(exchange, 'api.DeleteRequest');
    const name = this.#modelField(body, 'DeleteRequest');
    const model = this.#lookup(name);
    this.#models.delete(model.name);
    this.#loaded.delete(model.name);
    exchange.response.writeHead(200, { ...exchange.headers, 'content-length': 0 });
    exchange.response.end();
  }

  // ---- OpenAI-compatible API ----------------------------------------------------------------------

  #openAIChat(exchange: Exchange): void {
    const body = this.#requireObject(exchange, 'openai.ChatCompletionRequest');
    this.#checkField(body, 'model', 'ChatCompletionRequest', 'string', 'string');
    this.#checkField(body, 'messages', 'ChatCompletionRequest', 'array', '[]openai.Message');
    const name = (body.model as string | undefined) ?? '';
    if (name === '') throw new HttpError(400, 'model is required');
    const model = this.#lookup(name);
    if (!model.capabilities.includes('completion'))
      throw new HttpError(400, `"${name}" does not support chat`);
    this.#touch(model);
    const messages = ((body.messages as unknown[] | undefined) ?? []).filter(isObject);
    const format =
      isObject(body.response_format) && body.response_format.type !== 'text' ? 'json' : undefined;
    const text = answerText(name, 'chat', chatKey(messages), format);
    const promptTokens = promptTokenCount(messages);
    const completionTokens = tokenCount(text);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    const id = `chatcmpl-${++this.#completionId}`;
    const created = Math.floor(Date.now() / 1000);
    const base = { id, created, model: name, system_fingerprint: 'fp_ollama' };
    if (body.stream !== true) {
      this.#json(exchange, {
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
        usage,
      });
      return;
    }
    const chunk = (delta: Json, finish: string | null): string =>
      `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    const content = splitChunks(text, this.#chunks).map((piece) =>
      chunk({ role: 'assistant', content: piece }, null),
    );
    const tail = [chunk({ role: 'assistant', content: '' }, 'stop')];
    if (isObject(body.stream_options) && body.stream_options.include_usage === true) {
      tail.push(
        `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [], usage })}\n\n`,
      );
    }
    tail.push('data: [DONE]\n\n');
    // notes §4 (code reading): a native error line inside a /v1 stream becomes an empty delta, then no [DONE]
    this.#stream(
      exchange,
      'text/event-stream',
      content,
      tail,
      chunk({ role: 'assistant', content: '' }, null),
    );
  }

  #openAIEmbeddings(exchange: Exchange): void {
    const body = this.#requireObject(exchange, 'openai.EmbedRequest');
    this.#checkField(body, 'model', 'EmbedRequest', 'string', 'string');
    const name = (body.model as string | undefined) ?? '';
    if (name === '') throw new HttpError(400, 'model is required');
    const model = this.#lookup(name);
    if (
      body.input === undefined ||
      body.input === '' ||
      (Array.isArray(body.input) && body.input.length === 0)
    ) {
      throw new HttpError(400, 'invalid input');
    }
    const inputs = this.#embedInputs(body.input);
    const dimensions = typeof body.dimensions === 'number' ? body.dimensions : undefined;
    this.#touch(model);
    const tokens = inputs.reduce((sum, input) => sum + tokenCount(input), 0);
    this.#json(exchange, {
      object: 'list',
      data: inputs.map((input, index) => ({
        object: 'embedding',
        embedding: embeddingVector(name, input, model.embeddingDimensions, dimensions),
        index,
      })),
      model: name,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  #openAIModels(exchange: Exchange): void {
    const created = Math.floor(Date.parse(modifiedAt) / 1000);
    this.#json(exchange, {
      object: 'list',
      data: [...this.#models.values()].map((model) => ({
        id: model.name,
        object: 'model',
        created,
        owned_by: 'library',
      })),
    });
  }

  // ---- control endpoint ---------------------------------------------------------------------------

  #control(request: IncomingMessage, response: ServerResponse, path: string, rawBody: string): void {
    const method = request.method ?? 'GET';
    const parse = (): { ok: true; value: unknown } | { ok: false } => {
      if (rawBody.trim() === '') {
        sendJson(response, 400, { error: `missing request body: ${method} ${path} expects JSON` });
        return { ok: false };
      }
      try {
        return { ok: true, value: JSON.parse(rawBody) };
      } catch (error) {
        sendJson(response, 400, { error: `invalid JSON in ${method} ${path}: ${(error as Error).message}` });
        return { ok: false };
      }
    };
    const routes: Record<string, Record<string, () => void>> = {
      '/__fake/faults': {
        POST: () => {
          const parsed = parse();
          if (!parsed.ok) return;
          try {
            this.fault(parsed.value as FaultSpec);
          } catch (error) {
            sendJson(response, 400, { error: (error as Error).message });
            return;
          }
          sendJson(response, 200, { faults: this.#faults.size });
        },
        DELETE: () => {
          this.resetFaults();
          sendJson(response, 200, { faults: 0 });
        },
      },
      '/__fake/requests': {
        GET: () => sendJson(response, 200, { requests: this.#log }),
        DELETE: () => {
          this.clearRequests();
          sendJson(response, 200, { requests: [] });
        },
      },
      '/__fake/models': {
        GET: () => sendJson(response, 200, { models: [...this.#models.keys()] }),
        PUT: () => {
          const parsed = parse();
          if (!parsed.ok) return;
          const value = parsed.value;
          const list = isObject(value) ? value.models : value;
          if (!Array.isArray(list)) {
            sendJson(response, 400, {
              error:
                'PUT /__fake/models expects a JSON array of models (names or objects with "name"), or {"models": [...]}',
            });
            return;
          }
          try {
            this.setModels(list as FakeModelSpec[]);
          } catch (error) {
            sendJson(response, 400, { error: (error as Error).message });
            return;
          }
          sendJson(response, 200, { models: [...this.#models.keys()] });
        },
      },
      '/__fake/reset': {
        POST: () => {
          this.reset();
          sendJson(response, 200, { faults: 0, requests: [] });
        },
      },
    };
    const methods = routes[path];
    if (!methods) {
      sendJson(response, 404, {
        error: `unknown control path ${path}; known: ${Object.keys(routes).join(', ')}`,
      });
      return;
    }
    const action = methods[method];
    if (!action) {
      sendJson(response, 405, { error: `${path} accepts ${Object.keys(methods).join(', ')}, not ${method}` });
      return;
    }
    action();
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
