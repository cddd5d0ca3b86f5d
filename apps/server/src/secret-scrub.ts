import type { LlmConfig } from '@graphiti/llm-config';

/** What a scrubbed secret is replaced with. */
export const REDACTED = '[redacted]';

/** Secrets shorter than this are not scrubbed by value (they would match ordinary text). */
const MIN_SECRET_LENGTH = 6;

/**
 * The secret values of a configuration: the cloud API key, the gateway token, the webhook secret and the
 * storage URL's password (plain and percent-decoded).
 */
export function configSecrets(config: LlmConfig): string[] {
  const values: (string | undefined)[] = [
    config.cloud.api_key,
    config.server.auth_token,
    config.server.webhook_secret,
  ];
  try {
    const password = new URL(config.storage.url).password;
    if (password !== '') values.push(password, decodeURIComponent(password));
  } catch {
    // a sqlite: path, or no password
  }
  return [
    ...new Set(
      values.filter((value): value is string => value !== undefined && value.length >= MIN_SECRET_LENGTH),
    ),
  ];
}

/** A function that replaces every occurrence of each secret (by value, not by header name) in a text. */
export type Scrubber = (text: string) => string;

/** Builds a {@link Scrubber} for these secret values. */
export function createScrubber(secrets: readonly string[]): Scrubber {
  const usable = secrets.filter((secret) => secret.length >= MIN_SECRET_LENGTH);
  if (usable.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const secret of usable) {
      if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    }
    return out;
  };
}
