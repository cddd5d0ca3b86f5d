/** Replaces every occurrence of a secret value in a text. */
export type Scrub = (text: string) => string;

/**
 * A scrubber for secret **values** (the cloud API key): whatever an upstream echoes back, the value never
 * reaches an error, a log line, an event or a queued row. Values shorter than 4 characters are ignored
 * (they would mangle ordinary text and protect nothing).
 */
export function createScrub(secrets: readonly (string | undefined)[]): Scrub {
  const values = secrets.filter((value): value is string => typeof value === 'string' && value.length >= 4);
  if (values.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const value of values) if (out.includes(value)) out = out.split(value).join('[redacted]');
    return out;
  };
}
