import type { QueueRecord, QueueStatus } from '@graphiti/llm-queue';
import type { ProcessPendingResult, ReplayProgress, Router } from '@graphiti/llm-router';
import { type Command, InvalidArgumentError } from 'commander';
import { CliError } from '../cli-error.js';
import { createCliLogger, loadCliConfig, printJson, withRuntime } from '../context.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import { formatAge, oneLine, parseDuration, table } from '../format.js';
import type { CliIo } from '../io.js';
import { positiveInteger } from './ask.js';

/** A queue item as `graphiti queue show --json` prints it (no secrets are ever stored in one). */
export interface QueueItemView {
  readonly id: string;
  readonly status: QueueStatus;
  readonly operation: string;
  readonly model: string | null;
  readonly attempts: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly leaseUntil: string | null;
  readonly lastError: string | null;
  readonly idempotencyKey: string | null;
  readonly params: unknown;
  readonly result: unknown;
}

/** The queue's statuses (`queueStatuses` of @graphiti/llm-queue, which checks them again), known here without loading it. */
const queueStatuses: readonly QueueStatus[] = ['ready', 'leased', 'done', 'failed', 'expired'];

function statusList(value: string): QueueStatus[] {
  const statuses = value
    .split(',')
    .map((status) => status.trim())
    .filter((status) => status !== '');
  for (const status of statuses) {
    if (!queueStatuses.includes(status as QueueStatus)) {
      throw new InvalidArgumentError(
        `expected one or more of ${queueStatuses.join(', ')} (comma-separated).`,
      );
    }
  }
  if (statuses.length === 0) throw new InvalidArgumentError(`expected one of ${queueStatuses.join(', ')}.`);
  return statuses as QueueStatus[];
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined) throw new InvalidArgumentError('expected a duration such as 30m, 24h or 7d.');
  return ms;
}

function modelOf(params: unknown): string | null {
  const model = (params as { model?: unknown } | null)?.model;
  return typeof model === 'string' ? model : null;
}

/** The printable view of a stored item. */
export function viewItem(record: QueueRecord): QueueItemView {
  return {
    id: record.id,
    status: record.status,
    operation: record.operation,
    model: modelOf(record.params),
    attempts: record.attempts,
    createdAt: record.createdAt.toISOString(),
    updatedAt: record.updatedAt.toISOString(),
    leaseUntil: record.leaseUntil === null ? null : record.leaseUntil.toISOString(),
    lastError: record.lastError,
    idempotencyKey: record.idempotencyKey,
    params: record.params,
    result: record.result === undefined ? null : record.result,
  };
}

/** The answer text of a stored result (chat content, generate response or a vector count). */
export function resultText(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return undefined;
  const record = result as Record<string, unknown>;
  const message = record.message as { content?: unknown } | undefined;
  if (typeof message?.content === 'string') return message.content;
  if (typeof record.response === 'string') return record.response;
  if (Array.isArray(record.embeddings)) return `${record.embeddings.length} embedding vector(s)`;
  return undefined;
}

/** Prints a queue list as a table (id, status, operation, model, attempts, age, last error). */
export function printQueueList(io: CliIo, items: readonly QueueRecord[], now: number = Date.now()): void {
  if (items.length === 0) {
    io.stdout('The queue holds no such items.\n');
    return;
  }
  const rows = [['ID', 'STATUS', 'OP', 'MODEL', 'TRIES', 'AGE', 'LAST ERROR']];
  for (const item of items) {
    rows.push([
      item.id,
      item.status,
      item.operation,
      modelOf(item.params) ?? '(default)',
      String(item.attempts),
      formatAge(now - item.createdAt.getTime()),
      oneLine(lastErrorText(item, { note: false }) ?? '', 60),
    ]);
  }
  io.stdout(table(rows));
}

/**
 * A stored error as a person should read it: the router's replay errors end with "Not queued again
 * (replay).", which is true of the replay call but reads as if the item had left the queue; it has not.
 */
export function lastErrorText(
  record: Pick<QueueRecord, 'lastError' | 'status'>,
  options: { note?: boolean } = {},
): string | null {
  if (record.lastError === null) return null;
  const text = record.lastError.replace(/\s*Not queued again \(replay\)\.?/g, '').trim();
  if (options.note !== false && (record.status === 'ready' || record.status === 'leased'))
    return `${text} (the item stays queued for the next replay)`;
  return text;
}

/** How the replays went, in words: `not replayed yet`, `1 failed`, `answered on the first replay`. */
export function replaysText(record: Pick<QueueRecord, 'attempts' | 'status'>): string {
  const failed = record.attempts;
  if (record.status === 'done') {
    return failed === 0
      ? 'answered on the first replay'
      : `answered on replay ${failed + 1} (${failed} failed before)`;
  }
  if (failed === 0) return record.status === 'ready' ? 'not replayed yet' : 'none failed';
  return `${failed} failed`;
}

/** Prints one item: its fields, its parameters and, once answered, its result. */
export function printQueueItem(io: CliIo, record: QueueRecord): void {
  const view = viewItem(record);
  const rows = [
    ['id', view.id],
    ['status', view.status],
    ['operation', view.operation],
    ['model', view.model ?? '(default)'],
    ['replays', replaysText(record)],
    ['created', view.createdAt],
    ['updated', view.updatedAt],
  ];
  if (view.leaseUntil !== null) rows.push(['leased until', view.leaseUntil]);
  const lastError = lastErrorText(record);
  if (lastError !== null) rows.push(['last error', lastError]);
  io.stdout(table(rows));
  io.stdout(`params\n${JSON.stringify(view.params, null, 2).replace(/^/gm, '  ')}\n`);
  if (view.result !== null) {
    const text = resultText(view.result);
    const served = view.result as { provider?: unknown; model?: unknown };
    const by =
      typeof served.provider === 'string' ? ` (served by ${served.provider}, ${String(served.model)})` : '';
    io.stdout(`result${by}\n${(text ?? JSON.stringify(view.result, null, 2)).replace(/^/gm, '  ')}\n`);
  }
}

/** Prints a replay summary line. */
export function summaryLine(result: ProcessPendingResult): string {
  return `replayed ${result.processed} item${result.processed === 1 ? '' : 's'}: ${result.succeeded} done, ${result.requeued} put back for later, ${result.failed} failed`;
}

/** Progress of a replay on a terminal: one line as each item starts and as it ends; nothing elsewhere. */
function progressPrinter(io: CliIo): {
  start(id: string, operation: string, index: number, limit: number): void;
  update(progress: ReplayProgress): void;
  end(): void;
} {
  let shown = false;
  const show = (text: string): void => {
    if (!io.stderrIsTTY) return;
    io.stderr(`\r\u001b[2K${text}`);
    shown = true;
  };
  return {
    start(id, operation, index, limit) {
      show(`[${index}/${limit}] ${id} replaying ${operation}…`);
    },
    update(progress) {
      const who =
        progress.outcome === 'done'
          ? `${progress.provider ?? '?'} ${progress.model ?? ''}`.trim()
          : oneLine(progress.error ?? '', 50);
      show(`[${progress.processed}/${progress.limit}] ${progress.id} ${progress.outcome} ${who}`);
    },
    end() {
      if (shown) io.stderr('\r\u001b[2K');
    },
  };
}

/** The router, its `replay` announcing each item as it starts (processPending reports only ends). */
function announcing(
  router: Router,
  limit: number,
  start: (id: string, operation: string, index: number, limit: number) => void,
): Pick<Router, 'replay' | 'config' | 'cooldown'> {
  let index = 0;
  return {
    config: router.config,
    cooldown: () => router.cooldown(),
    replay: (item, options) => {
      index++;
      start((item as { id?: string }).id ?? '?', item.operation, index, limit);
      return router.replay(item, options);
    },
  };
}

async function retryQueue(io: CliIo, options: { limit?: number; json?: boolean }): Promise<number> {
  const config = loadCliConfig(io, options);
  const logger = createCliLogger(io, config, { quiet: true });
  return withRuntime(config, logger, async ({ router, storage }) => {
    // the operator asked for a replay now: items waiting out a backoff or a cooldown are due at once
    await storage.queue.wake();
    const { pending } = await storage.queue.stats();
    const limit = options.limit ?? pending;
    const { processPending } = await import('@graphiti/llm-router');
    const progress = progressPrinter(io);
    const outcomes: ReplayProgress[] = [];
    const result =
      limit === 0
        ? { processed: 0, succeeded: 0, requeued: 0, failed: 0 }
        : await processPending(storage.queue, announcing(router, limit, progress.start), {
            limit,
            onProgress: (entry) => {
              outcomes.push(entry);
              progress.update(entry);
            },
          });
    progress.end();
    const after = await storage.queue.stats();
    if (options.json) {
      printJson(io, { ...result, items: outcomes, queue: after });
      return EXIT_OK;
    }
    if (limit === 0) {
      io.stdout('Nothing to replay: the queue holds no ready items.\n');
      return EXIT_OK;
    }
    for (const entry of outcomes) {
      const detail =
        entry.outcome === 'done'
          ? `served by ${entry.provider ?? '?'} (${entry.model ?? '?'})`
          : oneLine(entry.error ?? '', 100);
      io.stdout(`${entry.id}  ${entry.operation}  ${entry.outcome}  ${detail}\n`);
    }
    io.stdout(`${summaryLine(result)}; ${after.pending} still pending\n`);
    const nextDue = await (storage.queue as { nextDueAt?: () => Promise<Date | undefined> }).nextDueAt?.();
    if (after.pending > 0 && nextDue !== undefined && nextDue.getTime() > Date.now()) {
      io.stdout(
        `The next item is not due before ${nextDue.toISOString()} (the cooldown or backoff that stopped it); run graphiti retry-queue again then.\n`,
      );
    }
    return EXIT_OK;
  });
}

/** Registers `queue list|show|purge` and `retry-queue`. */
export function registerQueue(program: Command, io: CliIo, setExit: (code: number) => void): void {
  const queue = program
    .command('queue')
    .description('inspect and clean the queue of requests neither cloud nor local could answer');
  queue
    .command('list')
    .description('list queued requests, oldest first')
    .option(
      '--status <status>',
      `only these statuses (${queueStatuses.join(', ')}; comma-separated)`,
      statusList,
    )
    .option('--limit <n>', 'at most n items', positiveInteger, 100)
    .option('--json', 'print { items, stats } as JSON')
    .action(async (options: { status?: QueueStatus[]; limit: number; json?: boolean }) => {
      const config = loadCliConfig(io, options);
      const logger = createCliLogger(io, config, { quiet: true });
      await withRuntime(config, logger, async ({ storage }) => {
        const items = await storage.queue.list({
          limit: options.limit,
          ...(options.status === undefined ? {} : { status: options.status }),
        });
        const stats = await storage.queue.stats();
        if (options.json) {
          printJson(io, { items: items.map(viewItem), stats });
          return;
        }
        printQueueList(io, items);
        const { counts } = stats;
        io.stderr(
          `${counts.ready} ready, ${counts.leased} leased, ${counts.done} done, ${counts.failed} failed, ${counts.expired} expired\n`,
        );
      });
      setExit(EXIT_OK);
    });
  queue
    .command('show')
    .description('show one request: parameters, status, attempts, last error and, once answered, the result')
    .argument('<id>', 'the request id (printed when the request was queued)')
    .option('--json', 'print the item as JSON')
    .action(async (id: string, options: { json?: boolean }) => {
      const config = loadCliConfig(io, options);
      const logger = createCliLogger(io, config, { quiet: true });
      const record = await withRuntime(config, logger, ({ storage }) => storage.queue.get(id));
      if (record === undefined) {
        throw new CliError(
          'NOT_FOUND',
          `No queued request with id ${id}. List them with: graphiti queue list`,
        );
      }
      if (options.json) printJson(io, viewItem(record));
      else printQueueItem(io, record);
      setExit(EXIT_OK);
    });
  queue
    .command('purge')
    .description('delete finished requests (done, failed, expired unless --status says otherwise)')
    .option(
      '--status <status>',
      `only these statuses (${queueStatuses.join(', ')}; comma-separated)`,
      statusList,
    )
    .option(
      '--older-than <duration>',
      'only requests created longer ago than this (e.g. 30m, 24h, 7d)',
      duration,
    )
    .option('--json', 'print { removed } as JSON')
    .action(async (options: { status?: QueueStatus[]; olderThan?: number; json?: boolean }) => {
      const config = loadCliConfig(io, options);
      const logger = createCliLogger(io, config, { quiet: true });
      const removed = await withRuntime(config, logger, ({ storage }) =>
        storage.queue.purge({
          ...(options.status === undefined ? {} : { status: options.status }),
          ...(options.olderThan === undefined ? {} : { olderThan: Date.now() - options.olderThan }),
        }),
      );
      if (options.json) printJson(io, { removed });
      else io.stdout(`removed ${removed} item${removed === 1 ? '' : 's'}\n`);
      setExit(EXIT_OK);
    });

  program
    .command('retry-queue')
    .description('replay the queued requests once (all ready items, or --limit n); progress on a terminal')
    .option('--limit <n>', 'replay at most n items', positiveInteger)
    .option('--json', 'print the run (counts, each item, the queue after) as JSON')
    .addHelpText(
      'after',
      '\nExit 0 when the run happened, even if some items had to stay in the queue; 1 when the storage fails.',
    )
    .action(async (options: { limit?: number; json?: boolean }) => {
      setExit(
        await retryQueue(io, options).catch((error: unknown) => {
          io.stderr(
            `graphiti: the replay failed: ${error instanceof Error ? error.message : String(error)}\n`,
          );
          return EXIT_FAILURE;
        }),
      );
    });
}
