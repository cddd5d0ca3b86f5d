// Benchmarks the `graphiti` CLI as a user runs it: one process per command. What does a verb cost end to end,
// how much of it is Node's own start, what does lazy loading save on --help, and what does a chat through the
// CLI cost against the same chat through an already open runtime in one process (the library path)?
// All against @graphiti/ollama-fake on 127.0.0.1 and a temporary SQLite database, measured side by side:
// the process scenarios run interleaved, round-robin, so machine load hits all of them alike.
//
// node bench/cli.bench.mjs [runs=15] [inProcessRequests=200]

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@graphiti/llm-config';
import { startOllamaFake } from '@graphiti/ollama-fake';
import { openRuntime } from '@graphiti/server';

const runs = Number(process.argv[2] ?? 15);
const inProcessRequests = Number(process.argv[3] ?? 200);
const here = dirname(fileURLToPath(import.meta.url));
const cliDir = resolve(here, '../apps/cli');
const bin = join(cliDir, 'dist/main.js');
const apiKey = 'bench-key-0123456789';

const dir = mkdtempSync(join(tmpdir(), 'cli-bench-'));
const cloud = await startOllamaFake({ models: ['gpt-oss:120b'], apiKey });
const local = await startOllamaFake({ models: ['gemma2:9b', 'llama3.2:3b', 'nomic-embed-text'] });
const configFile = join(dir, 'llm.toml');
writeFileSync(
  configFile,
  [
    `[cloud]\nendpoint = "${cloud.url}"`,
    `[local]\nendpoint = "${local.url}"`,
    '[retry]\ndelay_seconds = 0.01',
    `[storage]\nurl = "sqlite:${join(dir, 'graphiti.db')}"`,
    '',
  ].join('\n'),
);
const env = {
  PATH: process.env.PATH ?? '',
  HOME: dir,
  GRAPHITI_HOME: dir,
  GRAPHITI_LLM_CONFIG: configFile,
  OLLAMA_API_KEY: apiKey,
};

// The CLI before lazy loading imported every package at start; this child does the same, then runs --help.
const eagerHelp = `
await Promise.all([import('@graphiti/server'), import('@graphiti/llm-router'), import('@graphiti/llm-health'),
  import('@graphiti/llm-queue'), import('@graphiti/ollama-fake'), import('pino')]);
const { runCli } = await import(${JSON.stringify(join(cliDir, 'dist/run-cli.js'))});
process.exitCode = await runCli(['--help'], { env: process.env, stdout: () => {}, stderr: () => {} });`;

const scenarios = [
  ['node -e "" (process floor)', ['-e', '']],
  ['graphiti --help (lazy imports)', [bin, '--help']],
  ['--help with every package imported first (eager)', ['--input-type=module', '-e', eagerHelp]],
  ['graphiti config show', [bin, 'config', 'show']],
  ['graphiti quota --json (opens SQLite)', [bin, 'quota', '--json']],
  ['graphiti queue list --json', [bin, 'queue', 'list', '--json']],
  ['graphiti chat --no-stream (cloud fake)', [bin, 'chat', '--no-stream', 'hello']],
  ['graphiti health (both fakes)', [bin, 'health']],
];

function run(args) {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: cliDir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', fail);
    child.on('close', (code) => {
      if (code !== 0) fail(new Error(`${args.join(' ').slice(0, 80)} exited ${code}: ${stderr}`));
      else done(performance.now() - started);
    });
  });
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { median: at(0.5), p90: at(0.9) };
}

try {
  // warm the file cache and the database
  for (const [, args] of scenarios) await run(args);
  const samples = scenarios.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (const [index, [, args]] of scenarios.entries()) samples[index].push(await run(args));
  }

  // The library path: one open runtime, the same chat request, one after another.
  const config = loadConfig({ path: configFile, env });
  const runtime = await openRuntime({ config });
  const request = { messages: [{ role: 'user', content: 'hello' }], stream: false };
  for (let i = 0; i < 20; i++) await runtime.router.chat(request);
  const inProcess = [];
  for (let i = 0; i < inProcessRequests; i++) {
    const started = performance.now();
    await runtime.router.chat(request);
    inProcess.push(performance.now() - started);
  }
  await runtime.close();

  const demo = [];
  for (let i = 0; i < 3; i++) demo.push(await run([bin, 'demo']));

  const floor = stats(samples[0]).median;
  const cpu = readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)?.[1] ?? cpus()[0]?.model;
  console.log(
    `node ${process.version}, ${cpus().length} cores (${cpu}), ${runs} runs per command interleaved, median and p90\n`,
  );
  console.log('| scenario | median ms | p90 ms | vs process floor |');
  console.log('|---|---:|---:|---:|');
  for (const [index, [name]] of scenarios.entries()) {
    const { median, p90 } = stats(samples[index]);
    console.log(`| ${name} | ${median.toFixed(0)} | ${p90.toFixed(0)} | ${(median / floor).toFixed(2)} |`);
  }
  const library = stats(inProcess);
  console.log(
    `| router.chat in one process, runtime already open (${inProcessRequests} requests) | ${library.median.toFixed(2)} | ${library.p90.toFixed(2)} | ${(library.median / floor).toFixed(3)} |`,
  );
  const demoStats = stats(demo);
  console.log(
    `| graphiti demo (3 runs) | ${demoStats.median.toFixed(0)} | ${demoStats.p90.toFixed(0)} | ${(demoStats.median / floor).toFixed(2)} |`,
  );
  const chat = stats(samples[6]).median;
  console.log(
    `\nchat through the CLI / in-process router.chat: ${(chat / library.median).toFixed(0)}x; lazy --help / eager --help: ${(stats(samples[1]).median / stats(samples[2]).median).toFixed(2)}`,
  );
} finally {
  await Promise.all([cloud.close(), local.close()]);
  rmSync(dir, { recursive: true, force: true });
}
