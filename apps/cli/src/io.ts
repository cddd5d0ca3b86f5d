/** What a command may touch: the environment, the output streams and standard input. Injected so tests can capture them. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Reads all of standard input (a prompt given on stdin). Absent: there is no standard input. */
  readonly readStdin?: () => Promise<string>;
  /** Whether standard input is a terminal (then a missing prompt is typed, ended with Ctrl-D). @default false */
  readonly stdinIsTTY?: boolean;
  /** Whether standard error is a terminal: progress is shown only there. @default false */
  readonly stderrIsTTY?: boolean;
  /**
   * Calls `handler` once on SIGTERM or SIGINT (used by `graphiti serve`); returns a function that removes it.
   * Absent: signals are not watched.
   */
  readonly onSignal?: (handler: (signal: string) => void) => () => void;
}
