import type { QueueStats } from '@graphiti/llm-queue';
import type { CloudUsage, QuotaSnapshot } from '@graphiti/llm-quota';
import type { Command } from 'commander';
import { createCliLogger, loadCliConfig, printJson, withRuntime } from '../context.js';
import { EXIT_OK } from '../exit-codes.js';
import { formatAge, indent, oneLine, table } from '../format.js';
import type { CliIo } from '../io.js';

/** What `graphiti quota --json` prints: the quota snapshot and the queue's counts. */
export interface QuotaReport {
  readonly quota: QuotaSnapshot;
  readonly queue: QueueStats;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

/** Prints the quota snapshot and the queue stats as text. */
export function printQuota(io: CliIo, report: QuotaReport): void {
  const { quota, queue } = report;
  const rows: string[][] = [];
  rows.push([
    'source',
    quota.source === 'headers'
      ? `the cloud's rate-limit headers${quota.observedAt ? ` (seen ${quota.observedAt})` : ''}`
      : 'counted locally (the cloud sent no rate-limit headers)',
  ]);
  rows.push([
    'limit',
    quota.limit === undefined
      ? 'unknown (set quota.daily_request_limit to count against one)'
      : String(quota.limit),
  ]);
  rows.push(['remaining', quota.remaining === undefined ? '-' : String(quota.remaining)]);
  rows.push([
    'used',
    `${quota.usedFraction === undefined ? '-' : percent(quota.usedFraction)} (warning at ${percent(quota.warningThreshold)})`,
  ]);
  rows.push(['resets', quota.resetAt ?? '-']);
  const { counters } = quota;
  rows.push([
    'today',
    `${counters.requests} cloud request${counters.requests === 1 ? '' : 's'}, ${counters.promptTokens} prompt + ${counters.completionTokens} completion tokens (${counters.day}, UTC)`,
  ]);
  if (quota.cooldown) {
    const { cooldown } = quota;
    rows.push([
      'cooldown',
      `cloud skipped until ${cooldown.until}${cooldown.window ? ` (${cooldown.window} limit)` : ''}: ${oneLine(cooldown.reason, 120)}`,
    ]);
  } else {
    rows.push(['cooldown', 'none']);
  }
  io.stdout('quota\n');
  io.stdout(indent(table(rows)));
  if (quota.cloud !== undefined) printCloudUsage(io, quota.cloud);
  const { counts } = queue;
  io.stdout('queue\n');
  io.stdout(
    `  ${counts.ready} ready, ${counts.leased} leased, ${counts.done} done, ${counts.failed} failed, ${counts.expired} expired (${queue.pending} pending of at most ${queue.maxSize})\n`,
  );
  if (queue.oldestReadyAgeSeconds !== null) {
    io.stdout(
      `  oldest ready: ${formatAge(queue.oldestReadyAgeSeconds * 1000)} old; replay with: graphiti retry-queue\n`,
    );
  }
}

/** The cloud's own figures: balance and allowance, or each window's use and reset. */
function printCloudUsage(io: CliIo, cloud: CloudUsage): void {
  const rows: string[][] = [];
  const usd = (value: number): string => `$${value.toFixed(2)}`;
  if (cloud.balanceUsd !== undefined) {
    rows.push([
      'plan credits',
      `${usd(cloud.balanceUsd)} left${cloud.allowanceUsd === undefined ? '' : ` of ${usd(cloud.allowanceUsd)}`}${cloud.periodEnd ? ` until ${cloud.periodEnd}` : ''}`,
    ]);
  }
  if (cloud.purchasedBalanceUsd !== undefined)
    rows.push(['extra usage', `${usd(cloud.purchasedBalanceUsd)} left`]);
  for (const window of cloud.windows) {
    if (window.name === 'included' && cloud.balanceUsd !== undefined) continue;
    rows.push([
      `${window.name} window`,
      `${window.usedFraction === undefined ? '-' : percent(window.usedFraction)} used${window.resetsAt ? `, resets ${window.resetsAt}` : ''}`,
    ]);
  }
  if (cloud.totals?.requests !== undefined) {
    rows.push(['cloud requests', `${cloud.totals.requests} in the last ${cloud.totals.range ?? '24h'}`]);
  }
  io.stdout(`cloud (its own figures from /api/${cloud.source}, ${cloud.fetchedAt})\n`);
  io.stdout(indent(table(rows.length > 0 ? rows : [['figures', 'none reported']])));
}

async function quota(io: CliIo, options: { json?: boolean }): Promise<number> {
  const config = loadCliConfig(io, options);
  const logger = createCliLogger(io, config, { quiet: true });
  // with a key, the cloud's own figures (/api/balance, else /api/usage) are asked once for the snapshot
  const report = await withRuntime(
    config,
    logger,
    async (runtime) => ({
      quota: await runtime.quota.snapshot(),
      queue: await runtime.storage.queue.stats(),
    }),
    { pollCloudUsage: config.cloud.api_key !== undefined && config.quota.poll_seconds > 0 },
  );
  if (options.json) printJson(io, report);
  else printQuota(io, report);
  return EXIT_OK;
}

/** Registers `quota`. */
export function registerQuota(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command('quota')
    .description('show cloud usage (limit, remaining, used, reset, counters, cooldown) and the queue')
    .option('--json', 'print { quota, queue } as JSON')
    .action(async (options: { json?: boolean }) => setExit(await quota(io, options)));
}
