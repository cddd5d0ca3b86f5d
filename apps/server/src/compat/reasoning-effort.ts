/** Reasoning effort levels the OpenAI-style APIs accept. */
export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max'] as const;

/** One of {@link REASONING_EFFORTS}. */
export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/** The native `think` value. */
export type ThinkValue = boolean | 'low' | 'medium' | 'high';

/**
 * Maps an OpenAI or Anthropic effort level onto Ollama's native `think`: `none` turns thinking off,
 * `minimal` is the lowest native level (`low`), `xhigh` and `max` the highest (`high`), and `low`,
 * `medium`, `high` pass through (the levels a native thinking model such as gpt-oss understands).
 */
export function thinkFromEffort(effort: ReasoningEffort): ThinkValue {
  switch (effort) {
    case 'none':
      return false;
    case 'minimal':
      return 'low';
    case 'xhigh':
    case 'max':
      return 'high';
    default:
      return effort;
  }
}
