import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { type LlmConfig, parseStorageUrl } from '@graphiti/llm-config';
import type { CloudHealth, LocalHealth } from '@graphiti/llm-health';
import type { CloudUsage } from '@graphiti/llm-quota';
import type { Logger } from '@graphiti/llm-router';
import type { Command } from 'commander';
import { createCliLogger, loadCliConfig, printJson } from '../context.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import type { CliIo } from '../io.js';

/** The cloud plan's own figures, asked once (`GET /api/balance`, else `/api/usage`), or why there are none. */
export interface HealthUsage {
  /** `ok`: figures came; `skipped`: not asked (no API key, or `quota.poll_seconds = 0`); `failed`: asked, none came. */
  readonly status: 'ok' | 'skipped' | 'failed';
  /** Where the figures came from, or what failed, or why nothing was asked. */
  readonly message: string;
  /** The figures, as `@graphiti/llm-quota` parses them (the same as `graphiti quota`). */
  readonly figures?: CloudUsage;
  /** The HTTP status of the request that failed, when an answer came. */
  readonly httpStatus?: number;
}

/** What `graphiti health` reports (and prints with `--json`). */
export interface HealthReport {
  /** True when something can serve a chat request now (cloud up and not cooling down, or a local chat model) and the storage opens. */
  readonly ok: boolean;
  /** The local server: `checkLocal` over `local.models` + `embeddings.model`, plus the usable fallback chain. */
  readonly local: LocalHealth & { readonly chain: readonly string[] };
  /** The cloud: `checkCloud` (`unconfigured` without an API key), with the plan's own usage figures. */
  readonly cloud: CloudHealth & { readonly usage: HealthUsage };
  /** The cloud's rate-limit cooldown in force, if any. */
  readonly cooldown?: { readonly until: string; readonly reason: string };
  /** The storage (queue and state): whether it opens, and how many requests wait in the queue. */
  readonly storage: {
    readonly status: 'ok' | 'down';
    readonly url: string;
    readonly message: string;
    readonly pending?: number;
  };
  /** The exact commands to run to fix what is wrong (`ollama serve`, `ollama pull X`). */
  readonly actions: readonly string[];
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Why a SQLite file that does not exist yet could not be created, or undefined when it could: the nearest
 * existing ancestor must be a directory this process may write into.
 */
export function sqliteCreateProblem(path: string): string | undefined {
  let dir = dirname(path);
  while (!existsSync(dir)) {
    const parent = dirname(dir);
    if (parent === dir) return `no ancestor of ${path} exists`;
    dir = parent;
  }
  if (!statSync(dir).isDirectory()) return `${dir} is a file, not a directory`;
  try {
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch {
    return `${dir} is not writable by this user`;
  }
  return undefined;
}

/**
 * The command that starts Ollama where `local.endpoint` points: `ollama serve` listens on 127.0.0.1:11434
 * unless OLLAMA_HOST says otherwise, so any other address is named.
 */
export function ollamaServeCommand(endpoint: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'ollama serve';
  }
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname;
  return `OLLAMA_HOST=${host}:${port} ollama serve`;
}

/**
 * Opens the storage to count the queue and read the cooldown. A SQLite file that does not exist yet is not
 * created: a health check leaves nothing behind (the database appears with the first request that needs it).
 */
async function checkStorage(
  config: LlmConfig,
  openRuntime: typeof import('@graphiti/server').openRuntime,
  redactUrl: (url: string) => string,
  logger: Logger | undefined,
): Promise<{ storage: HealthReport['storage']; cooldown?: HealthReport['cooldown'] }> {
  const location = parseStorageUrl(config.storage.url);
  if (location.kind === 'sqlite' && location.path !== ':memory:' && !existsSync(location.path)) {
    const problem = sqliteCreateProblem(location.path);
    if (problem !== undefined) {
      return {
        storage: {
          status: 'down',
          url: config.storage.url,
          message: `${config.storage.url} cannot be created: ${problem}. Check storage.url or GRAPHITI_STORAGE_URL.`,
        },
      };
    }
    return {
      storage: {
        status: 'ok',
        url: config.storage.url,
        pending: 0,
        message: `${config.storage.url} does not exist yet; it is created on first use`,
      },
    };
  }
  try {
    const runtime = await openRuntime({ config, ...(logger ? { logger } : {}) });
    try {
      const stats = await runtime.storage.queue.stats();
      const current = await runtime.router.cooldown();
      const waiting = `${stats.pending} request${stats.pending === 1 ? '' : 's'} waiting in the queue`;
      return {
        storage: {
          status: 'ok',
          url: runtime.storage.url,
          pending: stats.pending,
          message: `${runtime.storage.url} opens (${waiting}${stats.pending > 0 ? ': graphiti retry-queue' : ''})`,
        },
        ...(current === undefined
          ? {}
          : { cooldown: { until: new Date(current.until).toISOString(), reason: current.reason } }),
      };
    } finally {
      await runtime.close();
    }
  } catch (error) {
    return {
      storage: {
        status: 'down',
        url: redactUrl(config.storage.url),
        message: `The storage does not open: ${errorText(error)}. Check storage.url or GRAPHITI_STORAGE_URL.`,
      },
    };
  }
}

/** The longest wait for the usage figures: health asks once and does not hold the report up for them. */
const USAGE_TIMEOUT_SECONDS = 5;

/**
 * Asks the cloud's usage endpoints once, through the quota package's poller (its routes, its parser), with a
 * short timeout. Never throws: no key means no request, and a failure becomes a message. The figures never
 * decide whether health is ok.
 */
export async function checkUsage(config: LlmConfig): Promise<HealthUsage> {
  const apiKey = config.cloud.api_key?.trim();
  if (apiKey === undefined || apiKey === '') {
    return { status: 'skipped', message: 'not asked: no API key (set OLLAMA_API_KEY or cloud.api_key)' };
  }
  if (config.quota.poll_seconds <= 0) {
    return {
      status: 'skipped',
      message: 'not asked: quota.poll_seconds = 0 (never ask the usage endpoints)',
    };
  }
  const { createUsagePoller } = await import('@graphiti/llm-quota');
  const poller = createUsagePoller({
    endpoint: config.cloud.endpoint,
    apiKey,
    intervalSeconds: 0, // only the one poll below
    timeoutMs: Math.min(config.timeouts.cloud.read, USAGE_TIMEOUT_SECONDS) * 1000,
  });
  try {
    const figures = await poller.poll();
    if (figures !== undefined) {
      return { status: 'ok', message: `from /api/${figures.source} at ${figures.fetchedAt}`, figures };
    }
    const problem = poller.lastProblem();
    return {
      status: 'failed',
      message: `no figures: ${problem === undefined ? 'no answer' : `GET ${problem.endpoint}: ${problem.problem}`} (health does not depend on them)`,
      ...(problem?.status === undefined ? {} : { httpStatus: problem.status }),
    };
  } finally {
    poller.close();
  }
}

/** The figures as lines: the plan's credits (used of allowance, left, reset), extra usage, each window, totals. */
export function usageLines(figures: CloudUsage): string[] {
  const usd = (value: number): string => `$${value.toFixed(2)}`;
  const percent = (fraction: number): string => `${Math.round(fraction * 1000) / 10}%`;
  const lines: string[] = [];
  const { balanceUsd, allowanceUsd } = figures;
  if (balanceUsd !== undefined) {
    const used =
      allowanceUsd === undefined
        ? `${usd(balanceUsd)} left`
        : `${usd(allowanceUsd - balanceUsd)} used of ${usd(allowanceUsd)}, ${usd(balanceUsd)} left`;
    lines.push(
      `plan credits: ${used}${figures.periodEnd === undefined ? '' : `, resets ${figures.periodEnd}`}`,
    );
  }
  if (figures.purchasedBalanceUsd !== undefined)
    lines.push(`extra usage: ${usd(figures.purchasedBalanceUsd)} left`);
  for (const window of figures.windows) {
    if (window.name === 'included' && balanceUsd !== undefined) continue; // the credits line says it
    const used = window.usedFraction === undefined ? 'use unknown' : `${percent(window.usedFraction)} used`;
    lines.push(
      `${window.name} window: ${used}${window.resetsAt === undefined ? '' : `, resets ${window.resetsAt}`}`,
    );
  }
  const { totals } = figures;
  if (totals?.requests !== undefined)
    lines.push(`cloud requests: ${totals.requests} in the last ${totals.range ?? '24h'}`);
  return lines.length > 0 ? lines : ['no figures in the answer'];
}

/** Runs every check: local, cloud, storage, cooldown. Never throws for a down upstream. */
export async function collectHealth(config: LlmConfig, logger?: Logger): Promise<HealthReport> {
  const [{ checkCloud, checkLocal, fallbackChain }, { redactUrl }, { openRuntime }] = await Promise.all([
    import('@graphiti/llm-health'),
    import('@graphiti/llm-queue'),
    import('@graphiti/server'),
  ]);
  const requiredModels = [...new Set([...config.local.models, config.embeddings.model])];
  const [local, cloud, usage] = await Promise.all([
    checkLocal({
      endpoint: config.local.endpoint,
      requiredModels,
      timeouts: { connect: config.timeouts.local.connect, read: Math.min(config.timeouts.local.read, 10) },
      autoStart: config.local.auto_start,
    }),
    checkCloud({
      endpoint: config.cloud.endpoint,
      ...(config.cloud.api_key === undefined ? {} : { apiKey: config.cloud.api_key }),
      timeouts: { connect: config.timeouts.cloud.connect, read: Math.min(config.timeouts.cloud.read, 15) },
      defaultModel: config.cloud.default_model,
    }),
    checkUsage(config),
  ]);
  const chain = local.status === 'down' ? [] : fallbackChain(config.local.models, local.models).chain;

  const { storage, cooldown } = await checkStorage(config, openRuntime, redactUrl, logger);

  const actions: string[] = [];
  const serveCommand = ollamaServeCommand(config.local.endpoint);
  if (local.startCommand !== undefined) actions.push(serveCommand);
  if (local.pullCommand !== undefined) actions.push(...local.pullCommand.split(' && '));
  if (local.status !== 'down' && chain.length === 0 && local.pullCommand === undefined) {
    actions.push('ollama pull llama3.2:3b');
  }
  const cloudUsable = cloud.status === 'up' && cooldown === undefined;
  const localUsable = local.status !== 'down' && chain.length > 0;
  return {
    ok: storage.status === 'ok' && (cloudUsable || localUsable),
    local: {
      ...local,
      message: local.message.replace('Start it with: ollama serve', `Start it with: ${serveCommand}`),
      ...(local.startCommand === undefined ? {} : { startCommand: serveCommand }),
      chain,
    },
    cloud: { ...cloud, usage },
    ...(cooldown === undefined ? {} : { cooldown }),
    storage,
    actions,
  };
}

/** Prints a health report as text: one line per check, then what can serve and the commands to run. */
export function printHealth(io: CliIo, report: HealthReport): void {
  const line = (name: string, status: string, message: string): void =>
    io.stdout(`${name.padEnd(9)}${status.padEnd(13)}${message}\n`);
  line('local', report.local.status, report.local.message);
  line('cloud', report.cloud.status, report.cloud.message);
  const { usage } = report.cloud;
  line('usage', usage.status, usage.message);
  if (usage.figures !== undefined) for (const text of usageLines(usage.figures)) line('', '', text);
  if (report.cooldown !== undefined) {
    line('cooldown', 'active', `cloud skipped until ${report.cooldown.until}: ${report.cooldown.reason}`);
  }
  line('storage', report.storage.status, report.storage.message);
  const serving: string[] = [];
  if (report.cloud.status === 'up' && report.cooldown === undefined) serving.push('cloud');
  if (report.local.chain.length > 0) serving.push(`local (${report.local.chain.join(', ')})`);
  io.stdout(
    report.ok
      ? `\nready: ${serving.join(', then ')}\n`
      : `\nNOT READY: ${serving.length === 0 ? 'neither cloud nor local can answer' : 'the storage does not open'}\n`,
  );
  if (report.actions.length > 0) {
    io.stdout('\nTo fix, run:\n');
    for (const action of report.actions) io.stdout(`  ${action}\n`);
  }
}

async function health(io: CliIo, options: { json?: boolean }): Promise<number> {
  const config = loadCliConfig(io, options);
  const logger = createCliLogger(io, config, { quiet: true });
  if (config.local.auto_start && io.stderrIsTTY)
    io.stderr('checking (starting ollama serve if it is down)…\n');
  const report = await collectHealth(config, logger);
  if (options.json) printJson(io, report);
  else printHealth(io, report);
  return report.ok ? EXIT_OK : EXIT_FAILURE;
}

/** Registers `health` (alias `doctor`). */
export function registerHealth(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('health')
    .alias('doctor')
    .description('check the local Ollama server, its models, the cloud, and the storage; say what to run')
    .option('--json', 'print the report as JSON')
    .addHelpText('after', '\nExit 0 when cloud or local can answer, 1 when nothing can.')
    .action(async (options: { json?: boolean }) => setExit(await health(io, options)));
}
