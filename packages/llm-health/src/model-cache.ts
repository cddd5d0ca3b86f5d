import { HealthError } from './health-error.js';
import { isValidEndpoint } from './http.js';
import { DEFAULT_LOCAL_TIMEOUTS, listPulledModels } from './list-models.js';
import type { PulledModel, Timeouts } from './types.js';

/** Options of {@link createModelCache}. */
export interface ModelCacheOptions {
  /** The local Ollama server (`local.endpoint`). */
  readonly endpoint: string;
  /** How long a successful listing is reused, in milliseconds. @default 30_000 */
  readonly ttlMs?: number;
  /** Connect and read timeouts in seconds. @default { connect: 2, read: 10 } */
  readonly timeouts?: Timeouts;
  /** Clock in epoch milliseconds (tests pass a fake one). @default Date.now */
  readonly now?: () => number;
}

/** A briefly cached view of the local server's pulled models. */
export interface ModelCache {
  /**
   * The pulled models: from the cache when younger than `ttlMs`, else asked of the server. Concurrent calls
   * share one request.
   * @throws {HealthError} code `LOCAL_DOWN` when the server is unreachable, `LOCAL_BAD_RESPONSE` when its
   *   answer is not a model list. A failure leaves the cache empty.
   */
  list(): Promise<PulledModel[]>;
  /** Forgets the cached listing, so the next list() asks the server (call it after a failed local request). */
  invalidate(): void;
}

/**
 * Creates a cache of the local model list, so the router does not ask `/api/tags` on every request.
 *
 * @throws {HealthError} `INVALID_OPTION` when the endpoint is not an http(s) URL.
 *
 * @example
 * ```ts
 * const cache = createModelCache({ endpoint: 'http://localhost:11434', ttlMs: 30_000 });
 * const { chain } = fallbackChain(['gemma2:9b', 'llama3.2:3b'], await cache.list());
 * ```
 */
export function createModelCache(options: ModelCacheOptions): ModelCache {
  if (!isValidEndpoint(options.endpoint)) {
    throw new HealthError(
      'INVALID_OPTION',
      `The local Ollama endpoint "${options.endpoint}" is not an http(s) URL (local.endpoint / OLLAMA_HOST), e.g. http://localhost:11434.`,
    );
  }
  const ttlMs = options.ttlMs ?? 30_000;
  const timeouts = options.timeouts ?? DEFAULT_LOCAL_TIMEOUTS;
  const now = options.now ?? Date.now;
  let cached: { models: PulledModel[]; at: number } | undefined;
  let inFlight: Promise<PulledModel[]> | undefined;
  let generation = 0;

  return {
    list(): Promise<PulledModel[]> {
      if (cached !== undefined && now() - cached.at < ttlMs) return Promise.resolve([...cached.models]);
      if (inFlight !== undefined) return inFlight.then((models) => [...models]);
      const started = generation;
      const request = listPulledModels(options.endpoint, timeouts).then(
        (models) => {
          // An invalidate() during the request means its answer may already be stale: do not cache it.
          if (started === generation) cached = { models, at: now() };
          return models;
        },
        (error: unknown) => {
          cached = undefined;
          throw error;
        },
      );
      const settled = request.finally(() => {
        if (inFlight === settled) inFlight = undefined;
      });
      inFlight = settled;
      return settled.then((models) => [...models]);
    },
    invalidate(): void {
      generation++;
      cached = undefined;
      inFlight = undefined;
    },
  };
}
