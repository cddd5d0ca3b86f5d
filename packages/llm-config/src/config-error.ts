const MARKER = Symbol.for('graphiti.llm.error.ConfigError');

/** Where the offending value came from. */
export type ConfigIssueSource = 'file' | 'env' | 'option' | 'default';

/** What kind of problem an issue is. */
export type ConfigIssueKind =
  | 'unreadable'
  | 'syntax'
  | 'invalid_type'
  | 'out_of_range'
  | 'invalid_value'
  | 'unknown_key'
  | 'contradiction';

/** One problem found in the configuration. Never contains a secret value. */
export interface ConfigIssue {
  /** What kind of problem this is. */
  readonly kind: ConfigIssueKind;
  /** Where the value came from: the file, an environment variable, an explicit option, or the defaults. */
  readonly source: ConfigIssueSource;
  /** The configuration file (absolute path), when the file is involved. */
  readonly file: string | undefined;
  /** The environment variable, when the value came from one. */
  readonly envVar: string | undefined;
  /** Dotted key path, e.g. `retry.max_attempts` (`local.models[1]` for array items); '' for the whole file. */
  readonly key: string;
  /** 1-based line in the file, when known. */
  readonly line: number | undefined;
  /** 1-based column in the file, when known. */
  readonly column: number | undefined;
  /** A description of the value found (secrets are hidden), when there is one. */
  readonly found: string | undefined;
  /** What was expected instead. */
  readonly expected: string;
  /** The whole problem as one line, e.g. `/home/a/.graphiti/llm.toml:7:1: retry.max_attempts: expected ...`. */
  readonly message: string;
}

/** Error codes carried by {@link ConfigError}. */
export type ConfigErrorCode = 'CONFIG_INVALID' | 'CONFIG_SYNTAX' | 'CONFIG_UNREADABLE';

/**
 * The configuration could not be loaded. `issues` lists EVERY problem found (file syntax, values, unknown keys,
 * environment variables, contradictions); the message lists them too, one per line. Secrets never appear.
 */
export class ConfigError extends Error {
  /** `CONFIG_UNREADABLE` (the file exists but cannot be read), `CONFIG_SYNTAX` (not valid TOML) or `CONFIG_INVALID`. */
  readonly code: ConfigErrorCode;
  /** Every problem found, in file order then environment order. */
  readonly issues: readonly ConfigIssue[];
  constructor(issues: readonly ConfigIssue[], options: { cause?: unknown } = {}) {
    super(formatMessage(issues), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ConfigError';
    Object.defineProperty(this, MARKER, { value: true, enumerable: false });
    this.issues = Object.freeze([...issues]);
    this.code = issues.some((issue) => issue.kind === 'unreadable')
      ? 'CONFIG_UNREADABLE'
      : issues.some((issue) => issue.kind === 'syntax')
        ? 'CONFIG_SYNTAX'
        : 'CONFIG_INVALID';
  }

  /** True for a ConfigError from any copy of this package (checks a `Symbol.for` marker, not `instanceof`). */
  static isInstance(error: unknown): error is ConfigError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }
}

function formatMessage(issues: readonly ConfigIssue[]): string {
  const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
  const lines = issues.map((issue) => `  - ${issue.message}`);
  return (
    `Invalid graphiti-llm configuration (${count}):\n${lines.join('\n')}\n` +
    'Fix the file or environment variable named above (`graphiti config init` writes an annotated default file).'
  );
}
