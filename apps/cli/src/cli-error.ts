import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js';

const marker = Symbol.for('graphiti.llm.error.CliError');

/** Codes of the CLI's own errors. */
export type CliErrorCode = 'USAGE' | 'NOT_FOUND' | 'FAILED';

/**
 * An error a command reports to the user: `USAGE` exits 2, everything else exits 1.
 * The message says what was wrong and what to do.
 */
export class CliError extends Error {
  /** Machine-readable error code. */
  readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.code = code;
    Object.defineProperty(this, marker, { value: true });
  }

  /** The process exit code for this error. */
  get exitCode(): number {
    return this.code === 'USAGE' ? EXIT_USAGE : EXIT_FAILURE;
  }

  /** True for a CliError, even from a duplicate install of this package. */
  static isInstance(error: unknown): error is CliError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[marker] === true;
  }
}
