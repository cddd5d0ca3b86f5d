import { spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { httpGet, normalizeEndpoint } from './http.js';
import type { Timeouts } from './types.js';

/** Options of {@link startLocalOllama}. */
export interface StartLocalOllamaOptions {
  /** The local endpoint the server should listen on, e.g. `http://localhost:11434`. */
  readonly endpoint: string;
  /**
   * The executable to run with the argument `serve`; a bare name is looked up on the PATH.
   * @default 'ollama'
   */
  readonly command?: string;
  /**
   * How long to wait for `/api/version` to answer after spawning, in seconds.
   * @default 15
   */
  readonly waitSeconds?: number;
  /** Interval between readiness probes in milliseconds. @default 100 */
  readonly pollIntervalMs?: number;
}

/** The outcome of an auto-start attempt. */
export interface StartLocalOllamaResult {
  /** Whether the server answered `/api/version` within the wait. */
  readonly ready: boolean;
  /** The reported version when ready. */
  readonly version?: string;
  /** Process id of the spawned `ollama serve`, when it was spawned. */
  readonly pid?: number;
  /** What happened, in words a person can act on. */
  readonly message: string;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);

/** Whether the endpoint names this machine (only then can auto-start help). */
export function isLoopbackEndpoint(endpoint: string): boolean {
  try {
    const host = new URL(normalizeEndpoint(endpoint)).hostname.toLowerCase();
    return LOOPBACK.has(host) || host.startsWith('127.') || host.endsWith('.localhost');
  } catch {
    return false;
  }
}

function listenAddress(endpoint: string): string {
  const url = new URL(normalizeEndpoint(endpoint));
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '11434';
  return `${url.hostname}:${port}`;
}

function spawnDetached(
  command: string,
  env: NodeJS.ProcessEnv,
): Promise<{ ok: true; pid: number; exited: () => number | null | undefined } | { ok: false; code: string }> {
  return new Promise((resolve) => {
    let exitCode: number | null | undefined;
    const child = spawn(command, ['serve'], { detached: true, stdio: 'ignore', env });
    child.once('error', (error: NodeJS.ErrnoException) =>
      resolve({ ok: false, code: error.code ?? 'UNKNOWN' }),
    );
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal === null ? null : -1);
    });
    child.once('spawn', () => {
      child.unref();
      resolve({ ok: true, pid: child.pid ?? -1, exited: () => exitCode });
    });
  });
}

/**
 * Spawns `ollama serve` detached (it outlives this process) with `OLLAMA_HOST` set to the endpoint's host and
 * port, then waits, bounded by `waitSeconds`, for `GET /api/version` to answer. Never throws: a missing
 * binary, an early exit or a timeout are reported in the result's message.
 */
export async function startLocalOllama(options: StartLocalOllamaOptions): Promise<StartLocalOllamaResult> {
  const base = normalizeEndpoint(options.endpoint);
  const command = options.command ?? 'ollama';
  const waitMs = Math.max(0, (options.waitSeconds ?? 15) * 1000);
  const pollMs = Math.max(10, options.pollIntervalMs ?? 100);
  if (!isLoopbackEndpoint(base)) {
    return {
      ready: false,
      message: `Cannot auto-start Ollama for ${base}: it is not on this machine. Start ollama serve there.`,
    };
  }
  // The child inherits this process's environment (PATH included); only OLLAMA_HOST is set, so it listens
  // where the endpoint points.
  const spawned = await spawnDetached(command, { ...process.env, OLLAMA_HOST: listenAddress(base) });
  if (!spawned.ok) {
    const reason =
      spawned.code === 'ENOENT'
        ? `the \`${command}\` binary was not found on PATH. Install Ollama from https://ollama.com/download, or start it yourself with: ollama serve`
        : spawned.code === 'EACCES'
          ? `\`${command}\` is not executable (EACCES)`
          : `spawning \`${command} serve\` failed (${spawned.code})`;
    return { ready: false, message: `Ollama is not running at ${base} and auto-start failed: ${reason}` };
  }
  const probeTimeouts: Timeouts = { connect: 1, read: 2 };
  const deadline = Date.now() + waitMs;
  for (;;) {
    const outcome = await httpGet(`${base}/api/version`, probeTimeouts);
    if (outcome.ok && outcome.status === 200) {
      const version = (outcome.json as { version?: unknown } | undefined)?.version;
      return {
        ready: true,
        pid: spawned.pid,
        ...(typeof version === 'string' ? { version } : {}),
        message: `Started Ollama at ${base} (ollama serve, pid ${spawned.pid}).`,
      };
    }
    const exitCode = spawned.exited();
    if (exitCode !== undefined) {
      return {
        ready: false,
        pid: spawned.pid,
        message: `Ollama is not running at ${base}: auto-started \`${command} serve\` exited (code ${exitCode}) before answering. Run ollama serve yourself to see why.`,
      };
    }
    if (Date.now() >= deadline) {
      return {
        ready: false,
        pid: spawned.pid,
        message: `Ollama is not running at ${base}: auto-started \`${command} serve\` (pid ${spawned.pid}) did not answer within ${waitMs / 1000}s.`,
      };
    }
    await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
  }
}
