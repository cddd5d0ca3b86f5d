import { createHash } from 'node:crypto';

/** One entry of `logprobs` (OpenAPI `Logprob`). */
export interface FakeLogprob {
  readonly token: string;
  readonly logprob: number;
  readonly bytes: number[];
  readonly top_logprobs?: { token: string; logprob: number; bytes: number[] }[];
}

const alternatives = ['the', ' a', ' and', ' of', ',', '.', ' to', ' is', ' in', ' it', ' that', ' on'];

function logprobOf(token: string, salt: number): number {
  const byte = createHash('sha256').update(`${salt}:${token}`).digest()[0]!;
  return -Math.round((0.001 + byte / 64) * 1e6) / 1e6;
}

/** Splits text into the fake's tokens: words with their leading space, and punctuation. */
export function fakeTokens(text: string): string[] {
  return text.match(/\s*[\p{L}\p{N}]+|\s*[^\s\p{L}\p{N}]|\s+$/gu) ?? [];
}

/**
 * Deterministic `logprobs` for the text of one chunk: one entry per token, with `top` alternatives
 * (the token itself first, as the most likely) when `top_logprobs` > 0.
 */
export function logprobsFor(text: string, top: number): FakeLogprob[] {
  return fakeTokens(text).map((token) => {
    const logprob = logprobOf(token, 0);
    const bytes = [...Buffer.from(token, 'utf8')];
    if (top <= 0) return { token, logprob, bytes };
    const others = alternatives
      .filter((other) => other !== token)
      .slice(0, top - 1)
      .map((other, index) => ({
        token: other,
        logprob: Math.round((logprob - 1 - index - Math.abs(logprobOf(other, index + 1))) * 1e6) / 1e6,
        bytes: [...Buffer.from(other, 'utf8')],
      }));
    return { token, logprob, bytes, top_logprobs: [{ token, logprob, bytes }, ...others] };
  });
}
