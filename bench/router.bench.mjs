// In-process overhead of @graphiti/llm-router against calling the same Ollama fake directly with the
// `ollama` client, side by side in one run (not a test; numbers go to RESULTS.md).
// Client, router and fake share one Node process on 127.0.0.1. Each round runs a batch of `requests` at
// concurrency `concurrency` for every scenario (order alternating), then `sequential` one-at-a-time
// requests per scenario interleaved one by one, so load from other processes hits all scenarios alike.
// Reported: req/s over all rounds, per-round (paired) ratios, CPU per request, median sequential latency.
// Usage: node router.bench.mjs [requests=200] [concurrency=16] [rounds=60] [sequential=50]
import { availableParallelism, cpus, loadavg } from 'node:os';
import { defaultConfig } from '@graphiti/llm-config';
import { createRouter } from '@graphiti/llm-router';
import { startOllamaFake } from '@graphiti/ollama-fake';
import { Ollama } from 'ollama';
import { Agent, fetch as undiciFetch } from 'undici';

const total = Number(process.argv[2] ?? 200);
const concurrency = Number(process.argv[3] ?? 16);
const rounds = Number(process.argv[4] ?? 60);
const sequential = Number(process.argv[5] ?? 50);
const apiKey = 'bench-key';
const messages = [{ role: 'user', content: 'Summarise the knowledge graph node about failover.' }];

const fake = await startOllamaFake({ apiKey, models: ['gpt-oss:120b'], chunks: 4, maxLoggedRequests: 100 });
const base = defaultConfig({});
const config = {
  ...base,
  cloud: { ...base.cloud, endpoint: fake.url, api_key: apiKey, default_model: 'gpt-oss:120b' },
};
const router = createRouter({ config });
const headers = { Authorization: `Bearer ${apiKey}` };
// what an application would write without the router: the ollama client over Node's global fetch
const direct = new Ollama({ host: fake.url, headers });
// the same client over undici 7's fetch with its own Agent (the transport the router uses), to separate
// transport cost from routing cost
const agent = new Agent({ connect: { timeout: 5000 }, headersTimeout: 90_000, bodyTimeout: 90_000 });
const directUndici = new Ollama({
  host: fake.url,
  headers,
  fetch: (input, init) => undiciFetch(input, { ...init, dispatcher: agent }),
});

async function drain(iterable) {
  let text = '';
  for await (const chunk of iterable) text += chunk.message.content;
  return text;
}

const expected = fake.expectedText({ model: 'gpt-oss:120b', messages });
const scenarios = [
  [
    'non-streaming',
    'direct (ollama client, global fetch)',
    () => direct.chat({ model: 'gpt-oss:120b', messages }),
  ],
  [
    'non-streaming',
    'direct (ollama client, undici 7 Agent)',
    () => directUndici.chat({ model: 'gpt-oss:120b', messages }),
  ],
  ['non-streaming', 'router.chat', () => router.chat({ messages })],
  [
    'streaming',
    'direct (ollama client, global fetch)',
    async () => drain(await direct.chat({ model: 'gpt-oss:120b', messages, stream: true })),
  ],
  [
    'streaming',
    'direct (ollama client, undici 7 Agent)',
    async () => drain(await directUndici.chat({ model: 'gpt-oss:120b', messages, stream: true })),
  ],
  ['streaming', 'router.chat stream', async () => drain(await router.chat({ messages, stream: true }))],
];

// sanity: every path returns the same complete answer, and the router served from the cloud
for (const [mode, name, once] of scenarios) {
  const result = await once();
  const text = typeof result === 'string' ? result : result.message.content;
  if (text !== expected) throw new Error(`${mode} ${name}: unexpected answer ${text}`);
}
const check = await router.chat({ messages });
if (check.provider !== 'cloud') throw new Error('router did not serve from the cloud');

async function throughput(once) {
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      await once();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { rps: total / seconds, cpuMicros: (cpu.user + cpu.system) / total };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

// warm-up
for (const [, , once] of scenarios) {
  await throughput(once);
  fake.clearRequests();
}

// Fine-grained interleaving: each round runs one small batch of every scenario (order alternating), so load
// from other processes on the machine hits all scenarios alike. Per round, ratios are paired; totals are
// summed over all rounds.
const results = new Map(
  scenarios.map(([mode, name]) => [
    `${mode}|${name}`,
    { rps: [], cpu: [], samples: [], seconds: 0, cpuTotal: 0 },
  ]),
);
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? scenarios : [...scenarios].reverse();
  for (const [mode, name, once] of order) {
    const entry = results.get(`${mode}|${name}`);
    const { rps, cpuMicros } = await throughput(once);
    entry.rps.push(rps);
    entry.cpu.push(cpuMicros);
    entry.seconds += total / rps;
    entry.cpuTotal += cpuMicros * total;
  }
  for (let index = 0; index < sequential; index++) {
    for (const [mode, name, once] of order) {
      const started = performance.now();
      await once();
      results.get(`${mode}|${name}`).samples.push(performance.now() - started);
    }
  }
  fake.clearRequests();
}

await router.close();
await agent.close();
await fake.close();

const cpu = cpus()[0]?.model ?? 'unknown';
console.log(
  `node ${process.version}, ${availableParallelism()} cores (${cpu}), load average ${loadavg()
    .map((value) => value.toFixed(1))
    .join(
      ' ',
    )}; ${total} requests at concurrency ${concurrency} and ${sequential} sequential requests per scenario and round, ${rounds} rounds`,
);
console.log('');
console.log(
  '| mode | client | req/s (c=16, all rounds) | throughput vs direct | paired median ratio | CPU µs/request | CPU-bound throughput vs direct | median ms (c=1) | added median ms |',
);
console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|');
const paired = (a, b, f) => median(a.map((value, index) => f(value, b[index])));
for (const mode of ['non-streaming', 'streaming']) {
  const baseline = results.get(`${mode}|direct (ollama client, global fetch)`);
  const baseRps = (rounds * total) / baseline.seconds;
  const baseCpu = baseline.cpuTotal / (rounds * total);
  const baseP50 = median(baseline.samples);
  for (const [scenarioMode, name] of scenarios) {
    if (scenarioMode !== mode) continue;
    const entry = results.get(`${mode}|${name}`);
    const rps = (rounds * total) / entry.seconds;
    const cpu = entry.cpuTotal / (rounds * total);
    const p50 = median(entry.samples);
    console.log(
      `| ${mode} | ${name} | ${rps.toFixed(0)} | ${(rps / baseRps).toFixed(3)} | ${paired(entry.rps, baseline.rps, (x, y) => x / y).toFixed(3)} | ${cpu.toFixed(0)} | ${(baseCpu / cpu).toFixed(3)} | ${p50.toFixed(3)} | ${(p50 - baseP50).toFixed(3)} |`,
    );
  }
}
