import { Agent, request } from 'undici';
import type { Timeouts } from './types.js';

/** Whether the (normalised) endpoint is an http(s) URL. */
export function isValidEndpoint(endpoint: string): boolean {
  try {
    const url = new URL(normalizeEndpoint(endpoint));
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Why a request got no HTTP answer. */
export type FailureKind = 'refused' | 'connect_timeout' | 'read_timeout' | 'dns' | 'reset' | 'other';

/** The outcome of one GET: either an HTTP answer or a transport failure; never a throw. */
export type HttpOutcome =
  | { readonly ok: true; readonly status: number; readonly text: string; readonly json: unknown }
  | { readonly ok: false; readonly kind: FailureKind; readonly code: string; readonly error: unknown };

/** Removes trailing slashes; adds `http://` to a bare `host:port`. */
export function normalizeEndpoint(endpoint: string): string {
  let value = endpoint.trim();
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) value = `http://${value}`;
  return value.replace(/\/+$/, '');
}

function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return 'UNKNOWN';
}

function classify(code: string): FailureKind {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'ETIMEDOUT':
      return 'connect_timeout';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'read_timeout';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'dns';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return 'reset';
    default:
      return 'other';
  }
}

/**
 * GET `url` with its own undici Agent (connect timeout and headers/body read timeouts), reading the whole body.
 * The agent is destroyed afterwards, so no socket keeps the process alive.
 */
export async function httpGet(
  url: string,
  timeouts: Timeouts,
  headers: Record<string, string> = {},
): Promise<HttpOutcome> {
  const connectMs = Math.max(1, Math.round(timeouts.connect * 1000));
  const readMs = Math.max(1, Math.round(timeouts.read * 1000));
  const agent = new Agent({
    connect: { timeout: connectMs },
    headersTimeout: readMs,
    bodyTimeout: readMs,
    keepAliveTimeout: 1,
  });
  try {
    const response = await request(url, {
      method: 'GET',
      dispatcher: agent,
      headers: { accept: 'application/json', ...headers },
    });
    const text = await response.body.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { ok: true, status: response.statusCode, text, json };
  } catch (error) {
    const code = errorCode(error);
    return { ok: false, kind: classify(code), code, error };
  } finally {
    agent.destroy().catch(() => {});
  }
}

/** A short human description of a transport failure. */
export function describeFailure(outcome: Extract<HttpOutcome, { ok: false }>, timeouts: Timeouts): string {
  switch (outcome.kind) {
    case 'refused':
      return 'connection refused';
    case 'connect_timeout':
      return `no connection within ${timeouts.connect}s`;
    case 'read_timeout':
      return `no answer within ${timeouts.read}s`;
    case 'dns':
      return `host name not found (${outcome.code})`;
    case 'reset':
      return `connection reset (${outcome.code})`;
    default:
      return `request failed (${outcome.code})`;
  }
}
