/** Options of {@link createReplayScheduler}. */
export interface ReplaySchedulerOptions {
  /** One replay run (the gateway's `replayOnce`). */
  readonly run: () => Promise<unknown>;
  /** The earliest `not_before` among ready items (`queue.nextDueAt`), when the queue knows it. */
  readonly nextDueAt?: () => Promise<Date | undefined>;
  /** The longest wait between runs (`queue.retry_interval_seconds`), in ms. */
  readonly intervalMs: number;
  /** The shortest wait, so a due item that keeps failing cannot spin. @default 250 */
  readonly minDelayMs?: number;
  /** Clock, epoch milliseconds. @default Date.now */
  readonly now?: () => number;
  /** Told about a run or a due-time lookup that failed. */
  readonly onError?: (error: unknown) => void;
}

/** Runs the background replay when the earliest queued item is due, and at least every interval. */
export interface ReplayScheduler {
  /** Schedules a run as soon as possible (after a submission, or when a cooldown ended). */
  poke(): void;
  /** Stops scheduling; a run in progress finishes on its own. */
  stop(): void;
}

/**
 * Wakes the replay when the earliest `not_before` passes instead of only on its timer: after every run it asks
 * the queue when the next item is due and sleeps until then (never longer than the interval).
 */
export function createReplayScheduler(options: ReplaySchedulerOptions): ReplayScheduler {
  const now = options.now ?? Date.now;
  const minDelayMs = options.minDelayMs ?? 250;
  let timer: NodeJS.Timeout | undefined;
  let deadline = Number.POSITIVE_INFINITY;
  let running = false;
  let again = false;
  let stopped = false;

  /** Sets the timer, unless one already fires sooner. */
  function arm(delayMs: number): void {
    if (stopped) return;
    const at = now() + Math.max(0, delayMs);
    if (timer !== undefined && deadline <= at) return;
    if (timer !== undefined) clearTimeout(timer);
    deadline = at;
    timer = setTimeout(tick, Math.max(0, delayMs));
    timer.unref();
  }

  async function nextDelay(): Promise<number> {
    let delay = options.intervalMs;
    try {
      const due = await options.nextDueAt?.();
      if (due !== undefined) delay = Math.min(delay, due.getTime() - now());
    } catch (error) {
      options.onError?.(error);
    }
    return Math.max(minDelayMs, delay);
  }

  async function tick(): Promise<void> {
    timer = undefined;
    deadline = Number.POSITIVE_INFINITY;
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      await options.run();
    } catch (error) {
      options.onError?.(error);
    } finally {
      running = false;
    }
    if (again) {
      again = false;
      arm(0);
      return;
    }
    arm(await nextDelay());
  }

  void nextDelay().then(arm);
  return {
    poke() {
      if (running) again = true;
      else arm(0);
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
