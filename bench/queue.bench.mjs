// Queue benchmark: @graphiti/llm-queue against the same SQL through the bare driver (the floor)
// and, on PostgreSQL, against pg-boss 10 (the reference), side by side in one run.
//
//   node queue.bench.mjs            (PostgreSQL from GRAPHITI_TEST_PG_URL, default postgres://postgres@127.0.0.1:5432/postgres)
//   QUEUE_BENCH_ROUNDS=3 QUEUE_BENCH_SCALE=2 node queue.bench.mjs
//
// Workloads: puts one at a time (each committed, i.e. durable, when it returns); lease+ack with one
// item per lease and with ten per lease (each item acked on its own), by 1 and by 4 worker processes.
// Each cell is the best of QUEUE_BENCH_ROUNDS rounds (default 2); implementations alternate within a
// round, so a busy moment on the machine hits all of them alike.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openStorage } from '@graphiti/llm-queue';
import { createTestDatabase } from '@graphiti/llm-queue/test';
import { createImpl } from './queue-impls.mjs';

const here = import.meta.dirname;
const rounds = Number(process.env.QUEUE_BENCH_ROUNDS ?? 2);
const scale = Number(process.env.QUEUE_BENCH_SCALE ?? 1);
const pgServer = process.env.GRAPHITI_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const sizes = {
  sqlite: { put: Math.round(3000 * scale), lease: Math.round(3000 * scale) },
  postgres: { put: Math.round(1500 * scale), lease: Math.round(1500 * scale) },
};
const MAX_SIZE = 1_000_000;

const directory = mkdtempSync(join(tmpdir(), 'graphiti-queue-bench-'));
const database = await createTestDatabase({ url: pgServer, prefix: 'graphiti_queue_bench' });
let fileCounter = 0;

/** A fresh, migrated, empty queue for one measurement. */
async function freshTarget(backend, impl) {
  if (backend === 'sqlite') {
    const url = `sqlite:${join(directory, `run-${fileCounter++}.db`)}`;
    const storage = await openStorage(url);
    await storage.close();
    return { url };
  }
  if (impl === 'pg-boss') return { url: database.url, queueName: `bench_${fileCounter++}` };
  const storage = await openStorage(database.url);
  await storage.db.deleteFrom('graphiti_queue').execute();
  await storage.close();
  return { url: database.url };
}

async function prefill(impl, target, count) {
  if (impl === 'pg-boss') {
    const boss = await createImpl({ impl, ...target, maxSize: MAX_SIZE });
    await boss.boss.createQueue(target.queueName);
    for (let start = 0; start < count; start += 500) {
      await boss.boss.insert(
        Array.from({ length: Math.min(500, count - start) }, (_, k) => ({
          name: target.queueName,
          data: { n: start + k },
        })),
      );
    }
    await boss.close();
    return;
  }
  const storage = await openStorage(target.url, { maxSize: MAX_SIZE });
  const at = Date.now();
  for (let start = 0; start < count; start += 500) {
    const rows = Array.from({ length: Math.min(500, count - start) }, (_, k) => ({
      id: `00000000-0000-7000-8000-${String(start + k).padStart(12, '0')}`,
      operation: 'chat',
      params: JSON.stringify({ n: start + k }),
      idempotency_key: null,
      status: 'ready',
      attempts: 0,
      last_error: null,
      result: null,
      created_at: at,
      updated_at: at,
      lease_until: null,
    }));
    await storage.db.insertInto('graphiti_queue').values(rows).execute();
  }
  await storage.close();
}

async function measurePuts(backend, impl, synchronous) {
  const target = await freshTarget(backend, impl);
  const queue = await createImpl({ impl, ...target, maxSize: MAX_SIZE, synchronous });
  if (impl === 'pg-boss') await queue.boss.createQueue(target.queueName);
  const count = sizes[backend].put;
  for (let n = 0; n < 20; n++) await queue.put({ warmup: n });
  const started = process.hrtime.bigint();
  for (let n = 0; n < count; n++)
    await queue.put({ model: 'gemma2:9b', messages: [{ role: 'user', content: `q${n}` }] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await queue.close();
  return count / seconds;
}

async function measureLeaseAck(backend, impl, batch, workers) {
  const target = await freshTarget(backend, impl);
  const count = sizes[backend].lease;
  await prefill(impl, target, count);
  const children = Array.from({ length: workers }, () =>
    spawn(
      process.execPath,
      [join(here, 'queue-worker.mjs'), JSON.stringify({ impl, ...target, batch, maxSize: MAX_SIZE })],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    ),
  );
  let results;
  let seconds;
  try {
    const outputs = children.map((child) => createInterface({ input: child.stdout })[Symbol.asyncIterator]());
    for (const output of outputs) {
      const line = await output.next();
      if (line.value !== 'ready') throw new Error(`worker did not start: ${line.value}`);
    }
    const started = process.hrtime.bigint();
    for (const child of children) child.stdin.write('go\n');
    results = await Promise.all(outputs.map(async (output) => JSON.parse((await output.next()).value)));
    seconds = Number(process.hrtime.bigint() - started) / 1e9;
    await Promise.all(children.map((child) => (child.exitCode === null ? once(child, 'exit') : undefined)));
  } finally {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  }
  const acked = results.reduce((sum, result) => sum + result.acked, 0);
  if (acked !== count) throw new Error(`${impl} on ${backend}: acked ${acked} of ${count}`);
  return count / seconds;
}

const workloads = [
  { name: 'put, one at a time', run: (backend, impl) => measurePuts(backend, impl, 'full') },
  ...[1, 10].flatMap((batch) =>
    [1, 4].map((workers) => ({
      name: `lease+ack, ${batch} per lease, ${workers} worker${workers > 1 ? 's' : ''}`,
      run: (backend, impl) => measureLeaseAck(backend, impl, batch, workers),
    })),
  ),
];
const sqliteExtra = {
  name: 'put, one at a time, synchronous=NORMAL',
  run: (backend, impl) => measurePuts(backend, impl, 'normal'),
};

const only = process.env.QUEUE_BENCH_ONLY; // 'sqlite' or 'postgres' to run one side
const plan = [
  { backend: 'sqlite', impls: ['graphiti', 'raw'], workloads: [...workloads, sqliteExtra] },
  { backend: 'postgres', impls: ['graphiti', 'raw', 'pg-boss'], workloads },
].filter((entry) => !only || entry.backend === only);

const best = new Map();
const failures = [];
try {
  for (let round = 1; round <= rounds; round++) {
    for (const { backend, impls, workloads: list } of plan) {
      for (const workload of list) {
        for (const impl of round % 2 ? impls : [...impls].reverse()) {
          const key = `${backend}|${workload.name}|${impl}`;
          try {
            const rate = await workload.run(backend, impl);
            best.set(key, Math.max(best.get(key) ?? 0, rate));
            process.stderr.write(
              `round ${round} ${backend} ${workload.name} ${impl}: ${Math.round(rate)}/s\n`,
            );
          } catch (error) {
            failures.push(`round ${round} ${key}: ${error.message}`);
            process.stderr.write(`round ${round} ${key} FAILED: ${error.message}\n`);
          }
        }
      }
    }
  }
} finally {
  await database.drop();
  rmSync(directory, { recursive: true, force: true });
}

const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? cpus()[0]?.model;
const fmt = (value) => (value === undefined ? '–' : Math.round(value).toLocaleString('en-US'));
const ratio = (a, b) => (a && b ? (a / b).toFixed(2) : '–');
const lines = [
  `Machine: ${cpu}, nproc ${cpus().length}, Node ${process.version}; PostgreSQL at ${new URL(pgServer).host}; ` +
    `best of ${rounds} rounds; ${sizes.sqlite.put} SQLite / ${sizes.postgres.put} PostgreSQL items per cell.`,
  '',
];
for (const { backend, impls, workloads: list } of plan) {
  const boss = impls.includes('pg-boss');
  lines.push(
    `**${backend === 'sqlite' ? 'SQLite (synchronous=FULL unless noted, WAL)' : 'PostgreSQL'}**, operations per second:`,
    '',
  );
  lines.push(
    `| workload | graphiti | raw driver | graphiti / raw |${boss ? ' pg-boss 10 | graphiti / pg-boss |' : ''}`,
    `|---|---:|---:|---:|${boss ? '---:|---:|' : ''}`,
  );
  for (const workload of list) {
    const get = (impl) => best.get(`${backend}|${workload.name}|${impl}`);
    const cells = [workload.name, fmt(get('graphiti')), fmt(get('raw')), ratio(get('graphiti'), get('raw'))];
    if (boss) cells.push(fmt(get('pg-boss')), ratio(get('graphiti'), get('pg-boss')));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('');
}
if (failures.length)
  lines.push(
    'Failed measurements (left out of the table):',
    ...failures.map((failure) => `- ${failure}`),
    '',
  );
console.log(lines.join('\n'));
