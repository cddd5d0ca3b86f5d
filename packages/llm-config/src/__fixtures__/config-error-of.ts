// Test-only helper (not exported, not built): the ConfigError a call throws.
import { ConfigError } from '../config-error.js';

/**
 * Runs `run` and returns the ConfigError it throws. Anything else it throws is rethrown, and a call that
 * throws nothing fails with "expected a ConfigError".
 */
export function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (ConfigError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}
