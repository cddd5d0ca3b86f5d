/** What a command may touch: the environment and the two output streams. Injected so tests can capture them. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}
