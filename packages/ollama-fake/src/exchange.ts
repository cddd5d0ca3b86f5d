import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ActiveFault } from './faults.js';

/** A JSON object. */
export type Json = Record<string, unknown>;

/** Per-request state handed to the route handlers. */
export interface Exchange {
  readonly request: IncomingMessage;
  readonly response: ServerResponse;
  /** Path without the query string. */
  readonly path: string;
  /** The query string's parameters. */
  readonly query: URLSearchParams;
  /** The route's path parameter (`:model`, `:digest`), when the route has one. */
  readonly param?: string;
  readonly body: unknown;
  readonly rawBody: string;
  /** The body as received (blob uploads are binary). */
  readonly rawBytes: Buffer;
  readonly parseError: string | undefined;
  readonly model: string | undefined;
  readonly fault: ActiveFault | undefined;
  /** Extra headers every answer to this request carries (from the fault). */
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly started: bigint;
  /** Which error shape the route family uses. */
  readonly dialect: 'ollama' | 'openai' | 'anthropic';
}

/** A route handler. */
export type Handler = (exchange: Exchange) => void;

/** Handlers of one path, by upper-case method. */
export type RouteTable = Record<string, Partial<Record<string, Handler>>>;

/** Thrown inside handlers to answer with an error status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra?: Json,
  ) {
    super(message);
  }
}

/** True for a plain JSON object. */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deletes the keys whose value is 0 (Ollama's `omitempty` metrics). */
export function dropZero(object: Json): Json {
  for (const [key, value] of Object.entries(object)) if (value === 0) delete object[key];
  return object;
}

/** The `modified_at` the fake reports for every model. */
export const modifiedAt = '2026-01-15T10:20:30.123456789Z';
