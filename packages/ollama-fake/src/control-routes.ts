import type { IncomingMessage, ServerResponse } from 'node:http';
import { isObject } from './exchange.js';
import { sendJson } from './http-helpers.js';
import type { FakeAccount, FakeModelSpec, FakeRequest, FaultSpec } from './types.js';

/** What the control routes drive. */
export interface ControlTarget {
  fault(spec: FaultSpec | readonly FaultSpec[]): unknown;
  resetFaults(): void;
  clearRequests(): void;
  reset(): void;
  setModels(models: readonly FakeModelSpec[]): void;
  setAccount(account: FakeAccount): void;
  readonly faultCount: number;
  readonly modelNames: string[];
  readonly requestLog: readonly FakeRequest[];
}

/** Answers a `/__fake/*` control request (no key needed, never recorded). */
export function handleControl(
  target: ControlTarget,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  rawBody: string,
): void {
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
  const attempt = (action: () => void, answer: () => unknown): void => {
    try {
      action();
    } catch (error) {
      sendJson(response, 400, { error: (error as Error).message });
      return;
    }
    sendJson(response, 200, answer());
  };
  const routes: Record<string, Record<string, () => void>> = {
    '/__fake/faults': {
      POST: () => {
        const parsed = parse();
        if (parsed.ok)
          attempt(
            () => target.fault(parsed.value as FaultSpec),
            () => ({ faults: target.faultCount }),
          );
      },
      DELETE: () => {
        target.resetFaults();
        sendJson(response, 200, { faults: 0 });
      },
    },
    '/__fake/requests': {
      GET: () => sendJson(response, 200, { requests: target.requestLog }),
      DELETE: () => {
        target.clearRequests();
        sendJson(response, 200, { requests: [] });
      },
    },
    '/__fake/models': {
      GET: () => sendJson(response, 200, { models: target.modelNames }),
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
        attempt(
          () => target.setModels(list as FakeModelSpec[]),
          () => ({ models: target.modelNames }),
        );
      },
    },
    '/__fake/account': {
      PUT: () => {
        const parsed = parse();
        if (!parsed.ok) return;
        if (!isObject(parsed.value)) {
          sendJson(response, 400, { error: 'PUT /__fake/account expects a JSON object of account fields' });
          return;
        }
        attempt(
          () => target.setAccount(parsed.value as FakeAccount),
          () => ({ account: parsed.value }),
        );
      },
    },
    '/__fake/reset': {
      POST: () => {
        target.reset();
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
