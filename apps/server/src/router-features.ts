import type { CallOptions, Router, RouterStream } from '@graphiti/llm-router';
import * as routerModule from '@graphiti/llm-router';

/**
 * Router features of contract B that the router package delivers in parallel with the gateway: each one is
 * feature-detected here, in one place, so the gateway runs on a router with or without them.
 */

/** `router.show()`'s answer. */
export interface ShownModel {
  readonly provider: 'cloud' | 'local';
  readonly model: string;
  readonly body: Record<string, unknown>;
}

/** Call options with the `callId` that the router echoes on its events. */
export type GatewayCallOptions = CallOptions & { readonly callId?: string };

/** The optional methods of a newer router. */
export interface RouterExtras {
  cloudModels?(options?: { signal?: AbortSignal }): Promise<readonly Record<string, unknown>[] | undefined>;
  show?(body: Record<string, unknown>, options?: GatewayCallOptions): Promise<ShownModel>;
}

/** The router with its optional methods visible (each may be undefined). */
export function routerExtras(router: Router): Router & RouterExtras {
  return router;
}

/** A stream's raw NDJSON lines (`RouterStream.lines()`), when the router offers them. */
export function rawLines(stream: RouterStream<unknown>): AsyncIterable<string> | undefined {
  const lines = (stream as { lines?: unknown }).lines;
  return typeof lines === 'function' ? (lines.call(stream) as AsyncIterable<string>) : undefined;
}

const rawBodyExport: unknown = Reflect.get(routerModule, 'rawBody');

/** The exact JSON text the upstream sent for a non-streaming answer (`rawBody()`), when known. */
export function rawBody(answer: unknown): string | undefined {
  if (typeof rawBodyExport !== 'function') return undefined;
  const text: unknown = rawBodyExport(answer);
  return typeof text === 'string' ? text : undefined;
}
