import { modelMatches } from '@graphiti/llm-health';
import type { Scrub } from './secrets.js';
import type { Transport } from './transport.js';
import type { Logger } from './types.js';

/** The cloud's own model list (its `/api/tags`), cached. */
export interface CloudModels {
  /**
   * Whether the cloud lists a model: true/false from the cached list, undefined when the list is not known
   * (no answer yet, or the cloud did not answer it). A stale list is refreshed in the background.
   */
  serves(model: string): boolean | undefined;
  /** Waits for the first fetch (at most once per router; later calls resolve at once). */
  ready(): Promise<void>;
  /** True once a fetch has settled: the hot path then skips the await. */
  readonly loaded: boolean;
  /** The cloud's `models` entries as it sent them, fetched when stale; undefined when unreachable. */
  entries(options?: { signal?: AbortSignal }): Promise<readonly Record<string, unknown>[] | undefined>;
}

/** Options of {@link createCloudModels}. */
export interface CloudModelsOptions {
  readonly transport: Transport;
  readonly now: () => number;
  /** How long a fetched list is used, ms. @default 600_000 */
  readonly ttlMs?: number;
  /** How long a failed fetch is not repeated, ms. @default 30_000 */
  readonly retryMs?: number;
  readonly logger?: Logger | undefined;
  readonly scrub: Scrub;
}

/**
 * The cloud's model list, so that a model only the local server has (an embedding model, a pulled local
 * model) goes straight to local with no cloud round trip. Fetched once, then refreshed in the background
 * when older than ~10 minutes; the routing decision itself reads memory only.
 */
export function createCloudModels(options: CloudModelsOptions): CloudModels {
  const ttlMs = options.ttlMs ?? 600_000;
  const retryMs = options.retryMs ?? 30_000;
  let list: readonly Record<string, unknown>[] | undefined;
  let names: readonly string[] = [];
  /** `serves` answers for the current list (a request names one of a few models: match each once). */
  const answers = new Map<string, boolean>();
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let failedAt = Number.NEGATIVE_INFINITY;
  let loaded = false;
  let fetching: Promise<void> | undefined;
  let first: Promise<void> | undefined;

  function fetchList(signal?: AbortSignal): Promise<void> {
    if (fetching !== undefined) return fetching;
    fetching = (async () => {
      try {
        const response = await options.transport.get('/api/tags', signal === undefined ? {} : { signal });
        const parsed = JSON.parse(await response.body.text()) as { models?: unknown };
        const models = Array.isArray(parsed.models)
          ? (parsed.models.filter((entry) => typeof entry === 'object' && entry !== null) as Record<
              string,
              unknown
            >[])
          : [];
        list = models;
        names = models.flatMap((entry) =>
          [entry.name, entry.model].filter((name): name is string => typeof name === 'string'),
        );
        answers.clear();
        fetchedAt = options.now();
      } catch (error) {
        failedAt = options.now();
        options.logger?.debug(
          { event: 'cloud_models_unavailable', error: options.scrub(String(error)) },
          "Could not read the cloud's model list; every model may go to the cloud meanwhile.",
        );
      } finally {
        loaded = true;
      }
    })().finally(() => {
      fetching = undefined;
    });
    return fetching;
  }

  const stale = (): boolean => {
    const time = options.now();
    return time - fetchedAt >= ttlMs && time - failedAt >= retryMs;
  };

  return {
    get loaded() {
      return loaded;
    },
    ready() {
      first ??= fetchList();
      return first;
    },
    serves(model) {
      if (loaded && stale()) fetchList().catch(() => {});
      if (list === undefined) return undefined;
      let served = answers.get(model);
      if (served === undefined) {
        served = names.some((name) => modelMatches(model, name));
        // a caller sending ever new names must not grow the map without bound
        if (answers.size >= 1024) answers.clear();
        answers.set(model, served);
      }
      return served;
    },
    async entries(entryOptions) {
      if (stale()) await fetchList(entryOptions?.signal);
      return list;
    },
  };
}
