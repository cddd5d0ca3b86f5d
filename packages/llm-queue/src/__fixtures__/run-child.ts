// Test-only helper (not exported): runs queue-child.mjs and reads its JSON lines.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';

const child = new URL('./queue-child.mjs', import.meta.url).pathname;

/** A running child process. */
export interface Running {
  readonly process: ChildProcess;
  /** The next JSON line the child writes. */
  next(): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or signal). */
  readonly exited: Promise<number | string>;
}

/** Starts `queue-child.mjs <mode> <url> <options>` (it uses the built package, as another program would). */
export function runChild(mode: string, url: string, options: Record<string, unknown> = {}): Running {
  const process = spawn(globalThis.process.execPath, [child, mode, url, JSON.stringify(options)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  process.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: process.stdout! })[Symbol.asyncIterator]();
  const exited = once(process, 'exit').then(([code, signal]) => (code ?? signal) as number | string);
  return {
    process,
    exited,
    async next() {
      const line = await lines.next();
      if (line.done) throw new Error(`child ${mode} ended without output (exit ${await exited}): ${stderr}`);
      return JSON.parse(line.value) as Record<string, unknown>;
    },
  };
}
