import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The path of `dist/main.js`, compiled first when it is missing or older than any source file below `src/`
 * (sub-folders included), so that a spawned gateway runs the code under test.
 */
export function builtMain(): string {
  const mainJs = join(packageDir, 'dist', 'main.js');
  const sourceDir = join(packageDir, 'src');
  const newestSource = readdirSync(sourceDir, { recursive: true, encoding: 'utf8' })
    .filter(
      (name) => name.endsWith('.ts') && !name.includes('__fixtures__') && !/\.test(-d)?\.ts$/.test(name),
    )
    .reduce((newest, name) => Math.max(newest, statSync(join(sourceDir, name)).mtimeMs), 0);
  const built = statSync(mainJs, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (built < newestSource) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: packageDir, stdio: 'inherit' });
  }
  return mainJs;
}

/** A `node dist/main.js` child process, listening. */
export interface SpawnedGateway {
  readonly child: ChildProcess;
  /** Its base URL, from the `gateway_listening` log line. */
  readonly url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** Whether it is still running. */
  alive(): boolean;
  /** Its exit code once it has exited (null when a signal ended it). */
  readonly exit: Promise<number | null>;
  /** Its peak resident set in MB (`VmHWM` in /proc), or undefined once it is gone. */
  peakRssMb(): number | undefined;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Spawns `node [nodeArgs] dist/main.js` with exactly `env` and waits until it listens. */
export async function spawnGateway(
  env: Readonly<Record<string, string>>,
  nodeArgs: readonly string[] = [],
): Promise<SpawnedGateway> {
  const child = spawn(process.execPath, [...nodeArgs, builtMain()], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gateway did not start:\n${output}`));
    }, 15_000);
    const onData = (data: Buffer): void => {
      output += data.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match !== null && output.includes('gateway_listening')) {
        clearTimeout(timer);
        resolve(match[1] as string);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => reject(new Error(`gateway exited (${code ?? signal}):\n${output}`)));
  });
  return {
    child,
    url,
    output: () => output,
    alive,
    exit: exited,
    peakRssMb() {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return match === null ? undefined : Number(match[1]) / 1024;
      } catch {
        return undefined;
      }
    },
    async stop(graceMs = 15_000) {
      if (!alive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
