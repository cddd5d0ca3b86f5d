import type { Exchange, Json } from './exchange.js';
import { jsonType, ndjsonType, sendJson, sendText } from './http-helpers.js';

/** The 500 text the fake uses for a failed model runner. */
export const runnerFailureMessage = 'llama runner process has terminated: exit status 2';

const malformedLine = 'this is not json {"done":\n';
const malformedEvent = 'data: this is not json {"choices":\n\n';

function openAIErrorType(status: number): string {
  if (status === 400) return 'invalid_request_error';
  if (status === 404) return 'not_found_error';
  return 'api_error';
}

function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return 'api_error';
  }
}

/** The error body of a route family: Ollama `{"error"}`, OpenAI `{"error":{message,type,…}}`, Anthropic `{"type":"error",…}`. */
export function errorBody(dialect: Exchange['dialect'], status: number, message: string, extra?: Json): Json {
  if (dialect === 'openai')
    return { error: { message, type: openAIErrorType(status), param: null, code: null } };
  if (dialect === 'anthropic') {
    return { type: 'error', error: { type: anthropicErrorType(status), message } };
  }
  return { error: message, ...extra };
}

/**
 * Writes answers and applies the streaming faults (`stall`, `truncate`, `stream-error`, `malformed`,
 * `first-chunk-delay`) the same way for every route family.
 */
export class Responder {
  readonly #chunkDelayMs: number;
  readonly #timers: Set<NodeJS.Timeout>;

  constructor(chunkDelayMs: number, timers: Set<NodeJS.Timeout>) {
    this.#chunkDelayMs = chunkDelayMs;
    this.#timers = timers;
  }

  /** Runs `action` after `ms`; the fake's `stop()` cancels it. */
  later(ms: number, action: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      action();
    }, ms);
    this.#timers.add(timer);
  }

  /** Answers an error in the exchange's dialect (or as text when `contentType` is not JSON). */
  sendError(exchange: Exchange, status: number, message: string, contentType?: string, extra?: Json): void {
    const { response } = exchange;
    if (response.headersSent || response.destroyed) return;
    if (contentType !== undefined && !contentType.includes('json')) {
      sendText(response, status, message, contentType, exchange.headers);
      return;
    }
    const text = JSON.stringify(errorBody(exchange.dialect, status, message, extra));
    response.writeHead(status, {
      ...exchange.headers,
      'content-type': contentType ?? jsonType,
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  }

  /** Sends a complete JSON answer, honouring the non-streaming forms of the stream faults. */
  json(exchange: Exchange, value: unknown): void {
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
        this.sendError(exchange, 500, fault.spec.message ?? runnerFailureMessage);
        return;
      case 'first-chunk-delay':
        response.writeHead(200, { ...exchange.headers, 'content-type': jsonType });
        response.flushHeaders();
        this.later(fault.spec.delayMs ?? 1000, () => {
          if (!response.destroyed) response.end(text);
        });
        return;
      default:
        sendJson(response, 200, value, exchange.headers);
    }
  }

  /** An NDJSON answer: content lines, then `done` (`stream-error` ends with an `{"error"}` line instead). */
  ndjson(exchange: Exchange, content: readonly Json[], done: Json): void {
    const errorText = exchange.fault?.spec.message ?? runnerFailureMessage;
    this.stream(
      exchange,
      ndjsonType,
      content.map((line) => `${JSON.stringify(line)}\n`),
      [`${JSON.stringify(done)}\n`],
      `${JSON.stringify({ error: errorText })}\n`,
    );
  }

  /**
   * Sends an NDJSON (or SSE) stream: `content` lines, then `tail` lines (the done line, and for SSE the
   * closing events), applying a streaming fault at `afterChunks`. Headers go out with the first line
   * (notes §2), except with `first-chunk-delay`, which sends them at once and the first line late.
   */
  stream(
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
    response.writeHead(200, { ...exchange.headers, 'content-type': contentType });
    if (fault?.kind === 'first-chunk-delay') {
      response.flushHeaders();
      this.later(fault.spec.delayMs ?? 1000, () => this.#write(exchange, lines, end));
      return;
    }
    this.#write(exchange, lines, end);
  }

  #write(exchange: Exchange, lines: string[], end: boolean): void {
    const { response } = exchange;
    if (response.destroyed) return;
    if (this.#chunkDelayMs === 0 || lines.length <= 1) {
      if (end) response.end(lines.join(''));
      else if (lines.length > 0) response.write(lines.join(''));
      else response.flushHeaders();
      return;
    }
    let index = 0;
    const next = (): void => {
      if (response.destroyed) return;
      response.write(lines[index++]!);
      if (index < lines.length) this.later(this.#chunkDelayMs, next);
      else if (end) response.end();
    };
    next();
  }
}
