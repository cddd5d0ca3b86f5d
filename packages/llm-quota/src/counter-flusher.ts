import type { StateStore } from './state-store.js';

/** Today's local counters (UTC day). */
export interface QuotaCounters {
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  /** Cloud responses with a status below 400 (or none given) counted today. */
  readonly requests: number;
  /** Sum of Ollama's `prompt_eval_count` today. */
  readonly promptTokens: number;
  /** Sum of Ollama's `eval_count` today. */
  readonly completionTokens: number;
}

/** Amounts to add to a day's counters. */
export interface CounterDelta {
  readonly requests?: number;
  readonly promptTokens?: number;
  readonly completionTokens?: number;
}

type Field = 'requests' | 'promptTokens' | 'completionTokens';
type Suffix = 'requests' | 'prompt_tokens' | 'completion_tokens';
type Counts = Record<Field, number>;

/** The counter fields and the suffix of their `increment` key. */
const FIELDS: readonly (readonly [Field, Suffix])[] = [
  ['requests', 'requests'],
  ['promptTokens', 'prompt_tokens'],
  ['completionTokens', 'completion_tokens'],
];

/** Counters and the legacy day record are kept this long (8 days). */
export const DAY_TTL_SECONDS: number = 8 * 24 * 3600;
const CAS_ATTEMPTS = 100;

/** The state key of a UTC day's counters record (compare-and-set stores): `quota:YYYY-MM-DD`. */
export function quotaDayKey(day: string): string {
  return `quota:${day}`;
}

/**
 * The state key of one counter of a UTC day on a store with `increment`:
 * `quota:YYYY-MM-DD:requests`, `…:prompt_tokens`, `…:completion_tokens`.
 */
export function quotaCounterKey(day: string, field: Suffix): string {
  return `quota:${day}:${field}`;
}

function zero(): Counts {
  return { requests: 0, promptTokens: 0, completionTokens: 0 };
}

function addInto(target: Counts, delta: CounterDelta): void {
  target.requests += delta.requests ?? 0;
  target.promptTokens += delta.promptTokens ?? 0;
  target.completionTokens += delta.completionTokens ?? 0;
}

function count(value: unknown): number {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? Math.floor(number) : 0;
}

/** Counters from a stored day record (`{ requests, promptTokens, completionTokens }`); junk reads as 0. */
export function readDayRecord(day: string, value: unknown): QuotaCounters {
  const record = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return {
    day,
    requests: count(record.requests),
    promptTokens: count(record.promptTokens),
    completionTokens: count(record.completionTokens),
  };
}

/** Options of {@link createCounterFlusher}. */
export interface CounterFlusherOptions {
  readonly store: StateStore;
  /** Automatic flushes happen at most this often. @default 1000 */
  readonly intervalMs?: number;
  /** A failed write (the amounts stay pending and are written by the next flush). */
  readonly onError: (operation: string, error: unknown) => void;
  /** Runs after each flush that wrote something (e.g. to re-check thresholds against the new totals). */
  readonly afterFlush?: () => Promise<void>;
}

/** In-memory counters and pending state writes, flushed to the StateStore in the background. */
export interface CounterFlusher {
  /** Adds to a day's counters in memory (no I/O) and makes sure a flush is scheduled. */
  add(day: string, delta: CounterDelta): void;
  /** Stores `value` under `key` at the next flush (the last value set before a flush wins). No I/O now. */
  setLater(key: string, value: unknown, ttlSeconds: number): void;
  /** The day's totals as far as this process knows: the store's total at the last flush plus what is unwritten. */
  estimate(day: string): QuotaCounters;
  /** Writes everything pending now; resolves when written (failures are reported to `onError`, never thrown). */
  flush(): Promise<void>;
  /** The day's counters as stored (both the `increment` keys and the compare-and-set record, summed). */
  read(day: string): Promise<QuotaCounters>;
  /** Stops automatic flushing and flushes what is pending. */
  close(): Promise<void>;
}

/**
 * Counts in memory and writes at most once per `intervalMs` (and on `flush()` / `close()`): with the store's
 * atomic `increment` when it has one (one statement per counter, no read), else a compare-and-set loop on the
 * day record. Amounts whose write failed stay pending for the next flush. A crash loses at most one interval.
 */
export function createCounterFlusher(options: CounterFlusherOptions): CounterFlusher {
  const { store, onError } = options;
  const intervalMs = options.intervalMs ?? 1000;
  const pending = new Map<string, Counts>();
  const inFlight = new Map<string, Counts>();
  const known = new Map<string, Counts>();
  /** Per day, the compare-and-set record's counts, read once, added to `increment` totals. */
  const legacyBase = new Map<string, Counts>();
  let sets = new Map<string, { value: unknown; ttlSeconds: number }>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let chain: Promise<void> = Promise.resolve();
  let closed = false;

  function schedule(): void {
    if (timer !== undefined || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush();
    }, intervalMs);
    timer.unref?.();
  }

  function addPending(day: string, delta: CounterDelta): void {
    let counts = pending.get(day);
    if (counts === undefined) {
      counts = zero();
      pending.set(day, counts);
    }
    addInto(counts, delta);
  }

  async function incrementDay(day: string, delta: Counts): Promise<Counts> {
    const increment = store.increment!.bind(store);
    const unwritten = { ...delta };
    try {
      const base = await legacyBaseOf(day);
      const totals = { ...(known.get(day) ?? base) };
      for (const [field, suffix] of FIELDS) {
        if (unwritten[field] === 0) continue;
        const key = quotaCounterKey(day, suffix);
        const total = await increment(key, unwritten[field], { ttlSeconds: DAY_TTL_SECONDS });
        unwritten[field] = 0;
        totals[field] = base[field] + count(total);
      }
      return totals;
    } catch (error) {
      addPending(day, unwritten);
      throw error;
    }
  }

  async function compareAndSetDay(day: string, delta: Counts): Promise<Counts> {
    const key = quotaDayKey(day);
    try {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const stored = await store.get<unknown>(key);
        const current = readDayRecord(day, stored);
        const next: QuotaCounters = {
          day,
          requests: current.requests + delta.requests,
          promptTokens: current.promptTokens + delta.promptTokens,
          completionTokens: current.completionTokens + delta.completionTokens,
        };
        if (await store.compareAndSet(key, stored, next, { ttlSeconds: DAY_TTL_SECONDS }))
          return countsOf(next);
        // Contention with another tracker: back off a little, randomly, so the writers stop colliding.
        if (attempt >= 2)
          await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(attempt, 20)));
      }
      throw new Error(`gave up after ${CAS_ATTEMPTS} compare-and-set conflicts on ${key}`);
    } catch (error) {
      addPending(day, delta);
      throw error;
    }
  }

  async function writeCounters(): Promise<void> {
    const days = [...pending];
    pending.clear();
    for (const [day, delta] of days) inFlight.set(day, delta);
    for (const [day, delta] of days) {
      try {
        const totals =
          typeof store.increment === 'function'
            ? await incrementDay(day, delta)
            : await compareAndSetDay(day, delta);
        known.set(day, totals);
      } catch (error) {
        onError('counters', error);
      } finally {
        inFlight.delete(day);
      }
    }
    forgetOldDays();
  }

  /** Only today and yesterday matter to estimates. */
  function forgetOldDays(): void {
    for (const day of [...known.keys()].sort().slice(0, -2)) {
      known.delete(day);
      legacyBase.delete(day);
    }
  }

  async function writeSets(): Promise<void> {
    const writing = sets;
    sets = new Map();
    for (const [key, entry] of writing) {
      try {
        await store.set(key, entry.value, { ttlSeconds: entry.ttlSeconds });
      } catch (error) {
        if (!sets.has(key)) sets.set(key, entry);
        onError('state', error);
      }
    }
  }

  /** The day's compare-and-set record of older versions, read once per day. */
  async function legacyBaseOf(day: string): Promise<Counts> {
    const base = legacyBase.get(day) ?? countsOf(readDayRecord(day, await store.get(quotaDayKey(day))));
    legacyBase.set(day, base);
    return base;
  }

  /** Everything pending as one `batch` transaction; on failure all of it stays pending (nothing was written). */
  async function writeBatch(batch: NonNullable<StateStore['batch']>): Promise<void> {
    const days = [...pending];
    const writing = sets;
    pending.clear();
    sets = new Map();
    for (const [day, delta] of days) inFlight.set(day, delta);
    try {
      const increments: { key: string; delta: number; ttlSeconds: number }[] = [];
      const targets: { day: string; field: Field }[] = [];
      const totals = new Map<string, Counts>();
      for (const [day, delta] of days) {
        const base = await legacyBaseOf(day);
        totals.set(day, { ...(known.get(day) ?? base) });
        for (const [field, suffix] of FIELDS) {
          if (delta[field] === 0) continue;
          increments.push({
            key: quotaCounterKey(day, suffix),
            delta: delta[field],
            ttlSeconds: DAY_TTL_SECONDS,
          });
          targets.push({ day, field });
        }
      }
      const setWrites = [...writing].map(([key, entry]) => ({
        key,
        value: entry.value,
        ttlSeconds: entry.ttlSeconds,
      }));
      const written = await batch({ increments, sets: setWrites });
      targets.forEach(({ day, field }, index) => {
        const dayTotals = totals.get(day) as Counts;
        dayTotals[field] = (legacyBase.get(day) as Counts)[field] + count(written[index]);
      });
      for (const [day, dayTotals] of totals) known.set(day, dayTotals);
    } catch (error) {
      for (const [day, delta] of days) addPending(day, delta);
      for (const [key, entry] of writing) if (!sets.has(key)) sets.set(key, entry);
      onError('counters', error);
    } finally {
      for (const [day] of days) inFlight.delete(day);
    }
    forgetOldDays();
  }

  async function writePending(): Promise<void> {
    if (pending.size === 0 && sets.size === 0) return;
    if (typeof store.batch === 'function' && typeof store.increment === 'function') {
      await writeBatch(store.batch.bind(store));
    } else {
      await writeCounters();
      await writeSets();
    }
    try {
      await options.afterFlush?.();
    } catch (error) {
      onError('after_flush', error);
    }
    if (pending.size > 0 || sets.size > 0) schedule();
  }

  function flush(): Promise<void> {
    if (timer !== undefined) {
      clearTimeout(timer);
      timer = undefined;
    }
    chain = chain.then(writePending, writePending);
    return chain;
  }

  async function readNumber(key: string): Promise<number> {
    if (typeof store.getNumber === 'function') return count(await store.getNumber(key));
    return count(await store.get<unknown>(key));
  }

  return {
    add(day, delta) {
      addPending(day, delta);
      schedule();
    },
    setLater(key, value, ttlSeconds) {
      sets.set(key, { value, ttlSeconds });
      schedule();
    },
    estimate(day) {
      const totals = { ...(known.get(day) ?? zero()) };
      const unwritten = [inFlight.get(day), pending.get(day)];
      for (const delta of unwritten) if (delta !== undefined) addInto(totals, delta);
      return { day, ...totals };
    },
    flush,
    async read(day) {
      const record = readDayRecord(day, await store.get<unknown>(quotaDayKey(day)));
      if (typeof store.increment !== 'function') return record;
      const [requests, promptTokens, completionTokens] = await Promise.all(
        FIELDS.map(([, suffix]) => readNumber(quotaCounterKey(day, suffix))),
      );
      return {
        day,
        requests: record.requests + requests!,
        promptTokens: record.promptTokens + promptTokens!,
        completionTokens: record.completionTokens + completionTokens!,
      };
    },
    async close() {
      closed = true;
      await flush();
    },
  };
}

function countsOf(counters: QuotaCounters): Counts {
  return {
    requests: counters.requests,
    promptTokens: counters.promptTokens,
    completionTokens: counters.completionTokens,
  };
}
