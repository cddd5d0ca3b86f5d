import { dropZero, type Exchange, HttpError, type Json } from './exchange.js';
import { normalizeModelName, type ResolvedModel, resolveModels } from './models.js';
import type { FakeAccount, FakeModelSpec } from './types.js';

/** One answered inference request, for `/api/usage`. */
export interface UsageEntry {
  readonly time: number;
  readonly model: string;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

const maxUsageEntries = 10_000;

/** The fake's mutable world: pulled models, loaded models, counters, the account and its usage. */
export class FakeState {
  models: Map<string, ResolvedModel>;
  readonly loaded = new Map<string, number>();
  readonly blobs = new Set<string>();
  readonly usage: UsageEntry[] = [];
  readonly usageCalls: number[] = [];
  readonly chunks: number;
  readonly chunkDelayMs: number;
  readonly version: string;
  readonly cloud: boolean;
  account: FakeAccount;
  #ids = 0;

  constructor(options: {
    models: readonly FakeModelSpec[];
    chunks: number;
    chunkDelayMs: number;
    version: string;
    cloud: boolean;
    account: FakeAccount;
  }) {
    this.models = resolveModels(options.models);
    this.chunks = options.chunks;
    this.chunkDelayMs = options.chunkDelayMs;
    this.version = options.version;
    this.cloud = options.cloud;
    this.account = options.account;
  }

  /** The next value of the fake-wide counter (tool call ids, completion ids). */
  nextId(): number {
    this.#ids += 1;
    return this.#ids;
  }

  /** The model, or 404 `model 'NAME' not found`. */
  lookup(name: string): ResolvedModel {
    const model = this.models.get(normalizeModelName(name));
    if (!model) throw new HttpError(404, `model '${name}' not found`);
    return model;
  }

  /** Marks the model loaded for `keepAlive` seconds (default 5 minutes; negative: for ever; 0: unloads). */
  touch(model: ResolvedModel, keepAlive?: number): void {
    const seconds = keepAlive ?? 300;
    if (seconds === 0) this.loaded.delete(model.name);
    else this.loaded.set(model.name, seconds < 0 ? Number.MAX_SAFE_INTEGER : Date.now() + seconds * 1000);
  }

  /** Records an answered inference request for `/api/usage`. */
  recordUsage(model: string, promptTokens: number, completionTokens: number): void {
    if (this.usage.length >= maxUsageEntries) this.usage.splice(0, maxUsageEntries / 10);
    this.usage.push({ time: Date.now(), model, promptTokens, completionTokens });
  }

  /** Final-chunk metrics in nanoseconds, zero values omitted (notes §1.2). */
  metrics(exchange: Exchange, promptTokens: number, evalTokens: number, streamed: boolean): Json {
    const elapsed = Number(process.hrtime.bigint() - exchange.started);
    const paced = streamed ? this.chunks * this.chunkDelayMs * 1e6 : 0;
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
}
