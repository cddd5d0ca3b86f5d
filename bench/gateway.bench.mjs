// The gateway's cost, side by side with a floor and a peer, every server in its own process:
//   upstream    an Ollama fake acting as ollama.com, and one acting as the local server (Portkey's ollama
//               provider sends no key, so the cloud fake accepts any: every target gets the same upstream)
//   floor       a bare Node proxy (procs/bare-proxy.mjs): forwards bytes, nothing else
//   peer        Portkey's gateway 1.15.2 (`--headless`, provider `ollama`, custom host = the fake)
//   graphiti    @graphiti/server on its default configuration (sqlite_synchronous "full"), and on "normal"
// The load generator (this process) uses undici. Portkey serves the OpenAI shape, so it is measured on
// /v1/chat/completions against the fake's own /v1/chat/completions (and graphiti on the same route); all others
// on /api/chat. Rounds interleave the targets, alternating order, so machine noise hits all alike.
//   sequential: `sequential` requests one at a time -> median, p99 (ms); streaming: time to the first body chunk
//   throughput: `total` requests at concurrency `concurrency` -> req/s; CPU ms per answered request of the
//   target's process (from /proc/PID/stat, so Linux only)
// Usage: node gateway.bench.mjs [total=4000] [concurrency=64] [rounds=3] [sequential=300]
//        GRAPHITI_CPU_PROF=dir  runs the graphiti gateways under node --cpu-prof (profiles in dir)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const here = dirname(fileURLToPath(import.meta.url));
const total = Number(process.argv[2] ?? 4000);
const concurrency = Number(process.argv[3] ?? 64);
const rounds = Number(process.argv[4] ?? 3);
const sequential = Number(process.argv[5] ?? 300);
const key = 'bench-key';
const model = 'gpt-oss:120b';
const messages = [{ role: 'user', content: 'Summarise the knowledge graph node about failover.' }];
const dir = mkdtempSync(join(tmpdir(), 'graphiti-gateway-bench-'));
const children = [];

function start(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
    children.push(child);
    let output = '';
    child.stdout.on('data', (data) => {
      output += data;
      // Portkey colours its banner: the URL is followed by an escape sequence, which \d+ stops at
      const match = /(https?:\/\/(?:localhost|127\.0\.0\.1):\d+)/.exec(output);
      if (match) resolve({ url: match[1].replace('localhost', '127.0.0.1'), pid: child.pid });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${output}`)));
  });
}

const node = (script, ...args) => start(process.execPath, [join(here, script), ...args]);
const profileDir = process.env.GRAPHITI_CPU_PROF;
const nodeProfiled = (script, ...args) =>
  start(process.execPath, [
    ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    join(here, script),
    ...args,
  ]);

const cloud = await node('procs/fake.mjs', model);
const local = await node('procs/fake.mjs', 'llama3.2:3b');
const bare = await node('procs/bare-proxy.mjs', cloud.url, key);
const full = await nodeProfiled(
  'procs/graphiti-gateway.mjs',
  cloud.url,
  key,
  local.url,
  join(dir, 'full.db'),
  'full',
);
const normal = await nodeProfiled(
  'procs/graphiti-gateway.mjs',
  cloud.url,
  key,
  local.url,
  join(dir, 'normal.db'),
  'normal',
);
const portkeyPort = 18000 + Math.floor(Math.random() * 2000);
const portkey = await start(
  process.execPath,
  [
    join(here, 'node_modules/@portkey-ai/gateway/build/start-server.js'),
    '--headless',
    `--port=${portkeyPort}`,
  ],
  { cwd: dir },
);

const auth = { authorization: `Bearer ${key}` };
const portkeyHeaders = { ...auth, 'x-portkey-provider': 'ollama', 'x-portkey-custom-host': cloud.url };
const native = (stream) => JSON.stringify({ model, messages, stream });
const targets = [
  { name: 'direct to the fake', api: 'native', server: cloud, headers: auth, path: '/api/chat' },
  { name: 'bare Node proxy (floor)', api: 'native', server: bare, headers: {}, path: '/api/chat' },
  { name: 'graphiti (sqlite full, default)', api: 'native', server: full, headers: {}, path: '/api/chat' },
  { name: 'graphiti (sqlite normal)', api: 'native', server: normal, headers: {}, path: '/api/chat' },
  {
    name: 'direct to the fake /v1',
    api: 'openai',
    server: cloud,
    headers: auth,
    path: '/v1/chat/completions',
  },
  // Portkey 1.15.2 on Node 20 answers every streamed request with a 500 ("TypeError: immutable" while it copies
  // the upstream's headers), so it is measured non-streaming only.
  {
    name: 'Portkey 1.15.2 (peer)',
    api: 'openai',
    server: portkey,
    headers: portkeyHeaders,
    path: '/v1/chat/completions',
    streams: false,
  },
  {
    name: 'graphiti /v1 (sqlite full)',
    api: 'openai',
    server: full,
    headers: {},
    path: '/v1/chat/completions',
  },
];
for (const target of targets)
  target.pool = new Pool(target.server.url, { connections: concurrency, pipelining: 1 });

async function once(target, stream) {
  const started = performance.now();
  const { statusCode, body } = await target.pool.request({
    method: 'POST',
    path: target.path,
    headers: { 'content-type': 'application/json', ...target.headers },
    body: native(stream),
  });
  let first;
  let text = '';
  for await (const chunk of body) {
    first ??= performance.now();
    text += chunk;
  }
  if (statusCode !== 200) throw new Error(`${target.name}: HTTP ${statusCode} ${text.slice(0, 200)}`);
  return { total: performance.now() - started, first: (first ?? performance.now()) - started, text };
}

function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, clock ticks of 10 ms
}

async function throughput(target, stream) {
  let next = 0;
  const cpuBefore = cpuMs(target.server.pid);
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      await once(target, stream);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return { rps: total / seconds, cpuPerRequest: (cpuMs(target.server.pid) - cpuBefore) / total };
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];

// sanity: every target answers the same complete text
const modes = (target) => (target.streams === false ? [false] : [false, true]);
for (const target of targets) {
  for (const stream of modes(target)) {
    const { text } = await once(target, stream);
    if (!/done|finish_reason|\[DONE\]/.test(text))
      throw new Error(`${target.name}: no complete answer: ${text.slice(0, 300)}`);
  }
}
// warm-up
for (const target of targets) for (const stream of modes(target)) await throughput(target, stream);

const results = new Map();
const entry = (target, stream) => {
  const id = `${target.name}|${stream}`;
  if (!results.has(id)) results.set(id, { rps: [], cpu: [], totals: [], firsts: [] });
  return results.get(id);
};
for (let round = 0; round < rounds; round++) {
  for (const stream of [false, true]) {
    const eligible = targets.filter((target) => modes(target).includes(stream));
    const order = round % 2 === 0 ? eligible : [...eligible].reverse();
    for (const target of order) {
      const { rps, cpuPerRequest } = await throughput(target, stream);
      entry(target, stream).rps.push(rps);
      entry(target, stream).cpu.push(cpuPerRequest);
    }
    for (let index = 0; index < sequential; index++) {
      for (const target of order) {
        const { total: ms, first } = await once(target, stream);
        entry(target, stream).totals.push(ms);
        entry(target, stream).firsts.push(first);
      }
    }
  }
}

for (const target of targets) await target.pool.close();
for (const child of children) child.kill('SIGTERM');
await new Promise((resolve) => setTimeout(resolve, 1500));
rmSync(dir, { recursive: true, force: true });

console.log(
  `node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'}), load average ` +
    `${loadavg()
      .map((value) => value.toFixed(1))
      .join(' ')} at the end; ${total} requests at concurrency ` +
    `${concurrency} and ${sequential} sequential requests per target, mode and round; medians of ${rounds} rounds`,
);
for (const stream of [false, true]) {
  console.log('');
  console.log(`### ${stream ? 'streaming' : 'non-streaming'}`);
  console.log('');
  console.log(
    `| target | req/s (c=${concurrency}) | × floor | median ms (c=1) | added median ms | p99 ms | ${stream ? 'first chunk ms | added first chunk ms | ' : ''}CPU ms/request |`,
  );
  console.log(`|---|---:|---:|---:|---:|---:|${stream ? '---:|---:|' : ''}---:|`);
  for (const target of targets) {
    const result = results.get(`${target.name}|${stream}`);
    if (result === undefined) continue;
    const base = results.get(
      `${target.api === 'native' ? 'direct to the fake' : 'direct to the fake /v1'}|${stream}`,
    );
    const floor = results.get(`bare Node proxy (floor)|${stream}`);
    const p50 = median(result.totals);
    const first = median(result.firsts);
    const ratio = median(result.rps.map((value, index) => value / floor.rps[index]));
    const cells = [
      target.name,
      median(result.rps).toFixed(0),
      ratio.toFixed(2),
      p50.toFixed(3),
      (p50 - median(base.totals)).toFixed(3),
      percentile(result.totals, 0.99).toFixed(2),
      ...(stream ? [first.toFixed(3), (first - median(base.firsts)).toFixed(3)] : []),
      median(result.cpu).toFixed(3),
    ];
    console.log(`| ${cells.join(' | ')} |`);
  }
}
process.exit(0);
