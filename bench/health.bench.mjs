// @graphiti/llm-health: what the router pays to know which local models it can use, and how fast a dead
// local server is recognised. Client and the Ollama fake share one process, on 127.0.0.1.
// Side by side in one run: uncached listPulledModels vs the model cache; checkLocal against an up server,
// a refused port and a server that accepts but never answers (read timeout 1 s).
// Usage: node health.bench.mjs [calls=400]
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import {
  checkLocal,
  createModelCache,
  fallbackChain,
  listPulledModels,
  parameterCount,
} from '@graphiti/llm-health';
import { startOllamaFake } from '@graphiti/ollama-fake';

const calls = Number(process.argv[2] ?? 400);
const fake = await startOllamaFake({
  models: [
    'gemma2:9b',
    'llama3.2:3b',
    'qwen2.5:1.5b',
    'nomic-embed-text',
    { name: 'mistral:latest', parameterSize: '7.2B' },
  ],
  maxLoggedRequests: 100,
});

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function timeEach(n, fn) {
  const samples = [];
  for (let i = 0; i < n; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  samples.sort((a, b) => a - b);
  const mean = samples.reduce((sum, value) => sum + value, 0) / n;
  return { mean, p50: samples[Math.floor(n / 2)], p95: samples[Math.floor(n * 0.95)], max: samples[n - 1] };
}

const fmt = (value) => (value < 0.1 ? value.toFixed(4) : value.toFixed(2));
const row = (name, stats) =>
  console.log(`| ${name} | ${fmt(stats.mean)} | ${fmt(stats.p50)} | ${fmt(stats.p95)} | ${fmt(stats.max)} |`);

// Warm-up (JIT, sockets).
for (let i = 0; i < 50; i++) await listPulledModels(fake.url);

const cache = createModelCache({ endpoint: fake.url, ttlMs: 30_000 });
const configured = ['gemma2:9b', 'llama3.2:3b', 'phi3:3.8b'];
const uncached = await timeEach(calls, async () =>
  fallbackChain(configured, await listPulledModels(fake.url)),
);
const cached = await timeEach(calls * 10, async () => fallbackChain(configured, await cache.list()));
const up = await timeEach(calls, () => checkLocal({ endpoint: fake.url, requiredModels: configured }));
const refusedPort = await freePort();
const refused = await timeEach(Math.min(calls, 200), () =>
  checkLocal({ endpoint: `http://127.0.0.1:${refusedPort}` }),
);
fake.fault({ path: '/api/version', kind: 'hang' });
const hanging = await timeEach(3, () =>
  checkLocal({ endpoint: fake.url, timeouts: { connect: 2, read: 1 } }),
);
fake.resetFaults();

const names = [
  'gemma2:9b',
  'qwen2.5:1.5b',
  'mixtral:8x7b',
  'hf.co/bartowski/Llama-3.2-3B-Instruct-GGUF:Q4_K_M',
  'llama-3-9-billion',
  'nomic-embed-text',
];
const parseRuns = 200_000;
const parseStart = process.hrtime.bigint();
let sink = 0;
for (let i = 0; i < parseRuns; i++) sink += parameterCount(names[i % names.length]);
const parseNs = Number(process.hrtime.bigint() - parseStart) / parseRuns;

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);
console.log('\n| operation (ms per call) | mean | p50 | p95 | max |');
console.log('|---|---|---|---|---|');
row(`fallbackChain over uncached listPulledModels (GET /api/tags), ${calls} calls`, uncached);
row(`fallbackChain over createModelCache().list() (cached), ${calls * 10} calls`, cached);
row(`checkLocal, server up (GET /api/version + /api/tags), ${calls} calls`, up);
row('checkLocal, port refused (nothing listening)', refused);
row('checkLocal, server accepts but never answers (read timeout 1 s), 3 calls', hanging);
console.log(`\ncache speed-up (uncached mean / cached mean): ${(uncached.mean / cached.mean).toFixed(0)}x`);
console.log(`refused vs hanging verdict (mean): ${fmt(refused.mean)} ms vs ${fmt(hanging.mean)} ms`);
console.log(`parameterCount: ${parseNs.toFixed(0)} ns per name (${parseRuns} calls, checksum ${sink > 0})`);
await fake.close();
