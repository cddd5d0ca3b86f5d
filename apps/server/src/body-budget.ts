import { getHeapStatistics } from 'node:v8';
import { GatewayError } from './gateway-error.js';

/**
 * Bytes of request bodies the whole process holds at once, by default: an eighth of the V8 heap limit, at
 * most 256 MiB. A body costs several times its size in heap while it is handled (the text, the parsed value,
 * the JSON sent to each upstream, the queued copy), so a fixed 256 MiB let a burst of 64 MiB bodies exhaust
 * a heap capped at 512 MB (`node --max-old-space-size=512`; see memory-cap.test.ts).
 */
export const DEFAULT_BODY_BUDGET_BYTES: number = Math.min(
  256 * 1024 * 1024,
  Math.floor(getHeapStatistics().heap_size_limit / 8),
);

/**
 * A process-wide bound on request-body memory in flight: every body reserves its bytes as they arrive and
 * releases them when its request's answer has ended (the parsed value and its upstream copies live that long). A body that would pass the budget is refused with a 503
 * and `Retry-After`, so a burst of large bodies slows clients down instead of exhausting the heap.
 */
export interface BodyBudget {
  /** Bytes reserved right now. */
  readonly used: number;
  /** The bound, in bytes. */
  readonly limit: number;
  /** Reserves `bytes`; throws a 503 GatewayError (`BODY_BUDGET_EXHAUSTED`) when that would pass the bound. */
  reserve(bytes: number): void;
  /** Gives back bytes reserved earlier. */
  release(bytes: number): void;
  /** Changes the bound (the gateway's `bodyBudgetBytes` option). */
  setLimit(bytes: number): void;
}

/** Creates a budget of `limit` bytes. */
export function createBodyBudget(limit = DEFAULT_BODY_BUDGET_BYTES): BodyBudget {
  let used = 0;
  let bound = limit;
  return {
    get used() {
      return used;
    },
    get limit() {
      return bound;
    },
    reserve(bytes) {
      if (used + bytes > bound) {
        throw new GatewayError(
          'BODY_BUDGET_EXHAUSTED',
          `the gateway is holding ${used} bytes of request bodies (its limit is ${bound}): retry shortly`,
          { status: 503, retryAfter: 1 },
        );
      }
      used += bytes;
    },
    release(bytes) {
      used = Math.max(0, used - bytes);
    },
    setLimit(bytes) {
      bound = bytes;
    },
  };
}

/** The one budget of this process, shared by every gateway in it. */
export const processBodyBudget: BodyBudget = createBodyBudget();
