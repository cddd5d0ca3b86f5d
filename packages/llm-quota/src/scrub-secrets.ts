/** What a secret value is replaced with. */
export const REDACTED = '[redacted]';

/**
 * `text` with every occurrence of each secret (and of its URL-encoded form) replaced by `[redacted]`.
 * Secrets shorter than 4 characters are ignored: replacing them would shred ordinary text.
 */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    result = result.split(secret).join(REDACTED);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) result = result.split(encoded).join(REDACTED);
  }
  return result;
}
