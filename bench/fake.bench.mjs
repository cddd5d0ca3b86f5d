// Throughput of @graphiti/ollama-fake on this machine, with a bare node:http server as the baseline.
// Client and servers share one process (as in the package tests), all on 127.0.0.1.
// Scenarios run interleaved for `rounds` rounds (JIT warm-up and noise hit all alike); the median round counts.
// Usage: node fake.bench.mjs [requestsPerScenario=3000] [concurrency=16] [rounds=3]
import { createServer } from 'node:http';
import { availableParallelism, cpus } from 'node:os';
import { startOllamaFake } from '@graphiti/ollama-fake';
import { Ollama } from 'ollama';
import { Agent, request } from 'undici';

const total = Number(process.argv[2] ?? 3000);
const concurrency = Number(process.argv[3] ?? 16);
const rounds = Number(process.argv[4] ?? 3);
const warmup = Math.min(500, Math.floor(total / 4));
const messages = [{ role: 'user', content: 'Summarise the knowledge graph node about failover.' }];

const bare = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const body = JSON.stringify({ model: 'm', message: { role: 'assistant', content: 'ok' }, done: true });
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
    });
    res.end(body);
  });
});
await new Promise((resolve) => bare.listen(0, '127.0.0.1', resolve));
const bareUrl = `http://127.0.0.1:${bare.address().port}`;

const fake = await startOllamaFake({
  models: ['gemma2:9b', 'nomic-embed-text'],
  chunks: 4,
  maxLoggedRequests: 1000,
});
const dispatcher = new Agent({ connections: concurrency, pipelining: 1 });
const client = new Ollama({ host: fake.url });

async function post(url, body) {
  const response = await request(url, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
    dispatcher,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${text}`);
  return text;
}

async function run(name, once) {
  const go = async (count) => {
    let next = 0;
    const latencies = [];
    const worker = async () => {
      while (next < count) {
        next++;
        const started = performance.now();
        await once();
        latencies.push(performance.now() - started);
      }
    };
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    return { seconds: (performance.now() - started) / 1000, latencies };
  };
  await go(warmup);
  const { seconds, latencies } = await go(total);
  latencies.sort((a, b) => a - b);
  const pick = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { name, rps: total / seconds, p50: pick(0.5), p99: pick(0.99) };
}

const scenarios = [
  ['bare node:http JSON (baseline), undici', () => post(`${bareUrl}/api/chat`, { model: 'm', messages })],
  [
    'fake /api/chat stream:false, undici',
    () => post(`${fake.url}/api/chat`, { model: 'gemma2:9b', messages, stream: false }),
  ],
  [
    'fake /api/chat streaming (4 chunks), undici',
    () => post(`${fake.url}/api/chat`, { model: 'gemma2:9b', messages }),
  ],
  [
    'fake /api/embed 768-dim, undici',
    () => post(`${fake.url}/api/embed`, { model: 'nomic-embed-text', input: 'knowledge graph' }),
  ],
  ['fake /api/chat stream:false, ollama client', () => client.chat({ model: 'gemma2:9b', messages })],
  [
    'fake /api/chat streaming, ollama client',
    async () => {
      for await (const part of await client.chat({ model: 'gemma2:9b', messages, stream: true })) void part;
    },
  ],
];

const runs = scenarios.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (const [index, [name, once]] of scenarios.entries()) runs[index].push(await run(name, once));
}
const median = (items, key) =>
  items.map((item) => item[key]).sort((a, b) => a - b)[Math.floor(items.length / 2)];
const results = runs.map((items) => ({
  name: items[0].name,
  rps: median(items, 'rps'),
  p50: median(items, 'p50'),
  p99: median(items, 'p99'),
}));

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `node ${process.version}, ${availableParallelism()} cores (${cpu}), ${total} requests per scenario and round, concurrency ${concurrency}, median of ${rounds} rounds`,
);
const baseline = results[0].rps;
console.log('| scenario | req/s | p50 ms | p99 ms | vs bare |');
console.log('|---|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${(r.rps / baseline).toFixed(2)} |`,
  );
}

await dispatcher.close();
await fake.close();
await new Promise((resolve) => bare.close(resolve));
