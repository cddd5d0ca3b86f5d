const rawBodies = new WeakMap<object, string>();

/** Remembers the exact JSON text an answer object was parsed from. */
export function keepRawBody(answer: object, raw: string): void {
  rawBodies.set(answer, raw);
}

/**
 * The exact JSON text the upstream sent for a non-streaming routed answer (so a gateway can send it on
 * without `JSON.stringify`); undefined for anything else. The text has no `provider` field: who served
 * the answer is on the answer object (`answer.provider`, `answer.model`).
 */
export function rawBody(answer: unknown): string | undefined {
  return typeof answer === 'object' && answer !== null ? rawBodies.get(answer) : undefined;
}
