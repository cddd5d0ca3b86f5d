// Overhead of the HTTP gateway (@graphiti/server): the `ollama` client calling the gateway, which routes to
// an Ollama fake acting as the cloud, against the same client calling that fake directly. Side by side in
// one run (not a test; numbers go to RESULTS.md, section "gateway").
// Client, gateway (router, quota tracker, SQLite storage) and fake share one Node process on 127.0.0.1, so
// a ratio is the whole CPU cost of a request through the gateway relative to a direct one.
// Scenarios run interleaved for `rounds` rounds (order alternating), so machine noise hits all alike.
//   throughput: `total` requests at concurrency `concurrency` -> req/s
//   latency:    `sequential` requests one at a time -> median ms per request
// Usage: node gateway.bench.mjs [total=1000] [concurrency=16] [rounds=3] [sequential=200]
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@graphiti/llm-config';
import { startOllamaFake } from '@graphiti/ollama-fake';
import { startGateway } from '@graphiti/server';
import { Ollama } from 'ollama';

const total = Number(process.argv[2] ?? 1000);
const concurrency = Number(process.argv[3] ?? 16);
const rounds = Number(process.argv[4] ?? 3);
const sequential = Number(process.argv[5] ?? 200);
const apiKey = 'bench-key';
const model = 'gpt-oss:120b';
const messages = [{ role: 'user', content: 'Summarise the knowledge graph node about failover.' }];

const dir = mkdtempSync(join(tmpdir(), 'graphiti-gateway-bench-'));
const fake = await startOllamaFake({ apiKey, models: [model], chunks: 4, maxLoggedRequests: 100 });
const local = await startOllamaFake({ models: ['llama3.2:3b'], maxLoggedRequests: 100 });

async function gatewayWith(synchronous) {
  const config = loadConfig({
    path: join(dir, 'absent.toml'),
    env: {},
    overrides: {
      cloud: { endpoint: fake.url, api_key: apiKey, default_model: model },
      local: { endpoint: local.url, models: ['llama3.2:3b'] },
      storage: { url: `sqlite:${join(dir, `${synchronous}.db`)}`, sqlite_synchronous: synchronous },
      logging: { level: 'silent' },
      server: { host: '127.0.0.1', port: 0 },
    },
  });
  return startGateway({ config, replayIntervalMs: 0 });
}
const gatewayFull = await gatewayWith('full');
const gatewayNormal = await gatewayWith('normal');

const direct = new Ollama({ host: fake.url, headers: { Authorization: `Bearer ${apiKey}` } });
const viaFull = new Ollama({ host: gatewayFull.url });
const viaNormal = new Ollama({ host: gatewayNormal.url });

async function drain(iterable) {
  let text = '';
  for await (const chunk of iterable) text += chunk.message.content;
  return text;
}

const expected = fake.expectedText({ model, messages });
const clients = [
  ['direct to the fake', direct],
  ['gateway (sqlite full)', viaFull],
  ['gateway (sqlite normal)', viaNormal],
];
// The router the normal-sync gateway uses, called in-process: splits the gateway's cost into the router's
// (cloud call, quota bookkeeping) and the extra HTTP hop (server, JSON, client).
const router = gatewayNormal.runtime.router;
const inProcess = 'router in-process (sqlite normal)';
const paths = [...clients.map(([name]) => name), inProcess];
const scenarios = [
  ...clients.map(([name, client]) => ['non-streaming', name, () => client.chat({ model, messages })]),
  ['non-streaming', inProcess, () => router.chat({ model, messages })],
  ...clients.map(([name, client]) => [
    'streaming',
    name,
    async () => drain(await client.chat({ model, messages, stream: true })),
  ]),
  ['streaming', inProcess, async () => drain(await router.chat({ model, messages, stream: true }))],
];

// sanity: every path returns the same complete answer
for (const [mode, name, once] of scenarios) {
  const result = await once();
  const text = typeof result === 'string' ? result : result.message.content;
  if (text !== expected) throw new Error(`${mode} ${name}: unexpected answer ${text}`);
}
const probe = await fetch(`${gatewayFull.url}/api/chat`, {
  method: 'POST',
  body: JSON.stringify({ model, messages, stream: false }),
});
if (probe.headers.get('x-graphiti-provider') !== 'cloud')
  throw new Error('the gateway did not serve from the cloud');
await probe.arrayBuffer();

async function throughput(once) {
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      await once();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return total / ((performance.now() - started) / 1000);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// warm-up
for (const [, , once] of scenarios) await throughput(once);

const results = new Map(scenarios.map(([mode, name]) => [`${mode}|${name}`, { rps: [], samples: [] }]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? scenarios : [...scenarios].reverse();
  for (const [mode, name, once] of order) results.get(`${mode}|${name}`).rps.push(await throughput(once));
  for (let index = 0; index < sequential; index++) {
    for (const [mode, name, once] of order) {
      const started = performance.now();
      await once();
      results.get(`${mode}|${name}`).samples.push(performance.now() - started);
    }
  }
  fake.clearRequests();
}

await gatewayFull.close();
await gatewayNormal.close();
await fake.close();
await local.close();
rmSync(dir, { recursive: true, force: true });

const cpu = cpus()[0]?.model ?? 'unknown';
console.log(
  `node ${process.version}, ${availableParallelism()} cores (${cpu}), load average ${loadavg()
    .map((value) => value.toFixed(1))
    .join(' ')}; ${total} requests at concurrency ${concurrency} and ${sequential} sequential requests per ` +
    `scenario and round, median of ${rounds} rounds`,
);
console.log('');
console.log(
  '| mode | path | req/s (c=16, median round) | vs direct (paired median) | median ms (c=1) | added median ms |',
);
console.log('|---|---|---:|---:|---:|---:|');
for (const mode of ['non-streaming', 'streaming']) {
  const baseline = results.get(`${mode}|direct to the fake`);
  const baseP50 = median(baseline.samples);
  for (const name of paths) {
    const entry = results.get(`${mode}|${name}`);
    const ratio = median(entry.rps.map((value, index) => value / baseline.rps[index]));
    const p50 = median(entry.samples);
    console.log(
      `| ${mode} | ${name} | ${median(entry.rps).toFixed(0)} | ${ratio.toFixed(3)} | ${p50.toFixed(3)} | ${(p50 - baseP50).toFixed(3)} |`,
    );
  }
}
