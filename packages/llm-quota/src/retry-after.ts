const DELTA_SECONDS = /^\d+(\.\d+)?$/;

/** An HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`) as epoch milliseconds; digits alone are not a date. */
export function parseHttpDate(text: string): number | undefined {
  if (!/[a-z]/i.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isFinite(time) && time > 0 ? time : undefined;
}

/**
 * The delay a `Retry-After` header names, in **seconds**: delta-seconds (`120`, fractions allowed) or an
 * HTTP-date (seconds from `nowMs` until it, 0 when it has passed). Undefined for an absent, empty, negative or
 * unparseable value. The one implementation in the repository: the router and the quota tracker both use it.
 *
 * ```ts
 * parseRetryAfter('30', Date.now()); // 30
 * parseRetryAfter('Wed, 25 Nov 2026 12:01:00 GMT', Date.UTC(2026, 10, 25, 12)); // 60
 * ```
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (DELTA_SECONDS.test(text)) {
    const seconds = Number(text);
    return Number.isFinite(seconds) ? seconds : undefined;
  }
  const date = parseHttpDate(text);
  return date === undefined ? undefined : Math.max(0, (date - nowMs) / 1000);
}

/** The time a `Retry-After` header names, as epoch milliseconds (`nowMs` plus {@link parseRetryAfter}). */
export function retryAfterAt(value: string | null | undefined, nowMs: number): number | undefined {
  const seconds = parseRetryAfter(value, nowMs);
  return seconds === undefined ? undefined : nowMs + Math.round(seconds * 1000);
}
