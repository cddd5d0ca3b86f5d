import { randomUUID } from 'node:crypto';
import { cloudAnswer, usageLimitMessage } from './cloud-answers.js';
import type { Exchange } from './exchange.js';
import { reasonPhrase } from './http-helpers.js';
import { type Responder, runnerFailureMessage } from './responder.js';

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

/**
 * Answers the faults that replace the whole answer before the route runs (`status`, `reset`, `hang`,
 * `cloud`, `echo-auth` with an error status). Returns false when the route should still run (stream faults,
 * `delay`, which the caller schedules, and `headers`).
 */
export function answerFault(exchange: Exchange, respond: Responder, user: string): boolean {
  const { fault, request } = exchange;
  if (!fault) return false;
  switch (fault.kind) {
    case 'status': {
      const status = fault.spec.status ?? 500;
      const message = fault.spec.message ?? defaultFaultMessage(status, exchange.model, exchange.path);
      respond.sendError(exchange, status, message, fault.spec.contentType);
      return true;
    }
    case 'cloud': {
      const answer = cloudAnswer(fault.spec.answer ?? 'hourly', user);
      respond.sendError(
        exchange,
        answer.status,
        fault.spec.message ?? answer.message,
        fault.spec.contentType,
      );
      return true;
    }
    case 'echo-auth': {
      const status = fault.spec.status ?? 400;
      if (status < 400) return false;
      const auth = request.headers.authorization ?? '';
      const message =
        fault.spec.message ?? `invalid credentials: the Authorization header "${auth}" was rejected`;
      respond.sendError(
        exchange,
        status,
        message.replaceAll('{authorization}', auth),
        fault.spec.contentType,
      );
      return true;
    }
    case 'reset':
      request.socket.resetAndDestroy();
      return true;
    case 'hang':
      return true;
    default:
      return false;
  }
}
