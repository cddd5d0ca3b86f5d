import { randomUUID } from 'node:crypto';
import type { CloudAnswer } from './types.js';

/** The 429 text Ollama Cloud sends when the hourly usage limit is reached. */
export const usageLimitMessage = "you've reached your hourly usage limit, please wait or upgrade to continue";

/** Every `answer` of a `{ kind: 'cloud' }` fault. */
export const cloudAnswers: readonly CloudAnswer[] = [
  'concurrency',
  'session',
  'weekly',
  'hourly',
  'extra_usage',
  'subscription',
  'overloaded',
];

/**
 * What ollama.com answers when it will not serve (notes §9.4): the status and the body text, word for word,
 * with `user` in the window texts and a fresh `ref` where ollama.com adds one.
 */
export function cloudAnswer(answer: CloudAnswer, user: string): { status: number; message: string } {
  switch (answer) {
    case 'concurrency':
      return { status: 429, message: 'timed out waiting for a concurrent request slot' };
    case 'session':
      return {
        status: 429,
        message: `you (${user}) have reached your session usage limit, upgrade for higher limits: https://ollama.com/upgrade`,
      };
    case 'weekly':
      return {
        status: 429,
        message: `you (${user}) have reached your weekly usage limit, upgrade for higher limits or add extra usage: https://ollama.com/settings (ref: ${randomUUID()})`,
      };
    case 'hourly':
      return { status: 429, message: usageLimitMessage };
    case 'extra_usage':
      return {
        status: 402,
        message:
          'this model uses extra usage only (not included plan usage) and your extra usage balance is empty, add extra usage: https://ollama.com/settings',
      };
    case 'subscription':
      return { status: 403, message: 'this model requires a subscription, upgrade for access' };
    case 'overloaded':
      return { status: 503, message: `Server overloaded, please retry shortly (ref: ${randomUUID()})` };
  }
}
