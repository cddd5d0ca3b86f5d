// @graphiti/llm-quota: cost of QuotaTracker.update() per cloud response, and what contention between trackers
// sharing one store costs in compare-and-set retries. In-memory StateStore (so this measures the tracker's own
// work, not a database), one process. Side by side in one run.
// Scenarios run interleaved for `rounds` rounds; the median round per scenario is reported.
// Usage: node quota.bench.mjs [updates=20000] [rounds=3]
import { cpus } from 'node:os';
import { createMemoryStateStore, createQuotaTracker, parseRateLimitHeaders } from '@graphiti/llm-quota';

const updates = Number(process.argv[2] ?? 20_000);
const rounds = Number(process.argv[3] ?? 3);

function countingStore() {
  const inner = createMemoryStateStore();
  const stats = { cas: 0, conflicts: 0 };
  return {
    stats,
    get: (key) => inner.get(key),
    set: (key, value, options) => inner.set(key, value, options),
    async compareAndSet(key, expected, value, options) {
      stats.cas++;
      const wrote = await inner.compareAndSet(key, expected, value, options);
      if (!wrote) stats.conflicts++;
      return wrote;
    },
  };
}

async function run(name, trackers, concurrency, headers, status = 200) {
  const store = countingStore();
  const list = Array.from({ length: trackers }, () =>
    createQuotaTracker({ stateStore: store, dailyRequestLimit: 1_000_000 }),
  );
  const start = process.hrtime.bigint();
  let done = 0;
  while (done < updates) {
    const batch = [];
    for (let i = 0; i < concurrency && done < updates; i++, done++)
      batch.push(list[done % trackers].update(headers, { status }));
    await Promise.all(batch);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const snapshot = await list[0].snapshot();
  return {
    name,
    perSecond: updates / seconds,
    usPer: (seconds * 1e6) / updates,
    ...store.stats,
    counted: snapshot.counters.requests,
  };
}

const plain = { 'content-type': 'application/x-ndjson' };
const limited = { 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '900', 'x-ratelimit-reset': '60' };
await run('warm-up', 1, 1, plain);
const scenarios = [
  ['1 tracker, sequential, no headers (counting)', 1, 1, plain],
  ['1 tracker, sequential, x-ratelimit-* headers', 1, 1, limited],
  ['1 tracker, 32 concurrent updates', 1, 32, plain],
  ['2 trackers on one store, 32 concurrent updates', 2, 32, plain],
];
const byScenario = scenarios.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (const [index, scenario] of scenarios.entries()) byScenario[index].push(await run(...scenario));
}
const results = byScenario.map(
  (list) => list.sort((a, b) => a.perSecond - b.perSecond)[Math.floor(list.length / 2)],
);

const forms = {
  'x-ratelimit-*': limited,
  'RateLimit combined + policy': {
    ratelimit: 'limit=100, remaining=50, reset=30',
    'ratelimit-policy': '100;w=3600',
  },
  'Retry-After HTTP-date (429)': { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' },
  'no rate-limit headers': plain,
};
const parseRuns = 100_000;
const parseRows = [];
for (const [name, headers] of Object.entries(forms)) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < parseRuns; i++) parseRateLimitHeaders(headers, { now: 1_700_000_000_000, status: 429 });
  parseRows.push([name, Number(process.hrtime.bigint() - start) / parseRuns / 1000]);
}

console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, node ${process.version}`);
console.log(
  `\n| scenario (${updates} updates, memory store) | updates/s | µs/update | CAS calls | CAS conflicts | counted |`,
);
console.log('|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.name} | ${Math.round(r.perSecond)} | ${r.usPer.toFixed(2)} | ${r.cas} | ${r.conflicts} | ${r.counted} |`,
  );
}
const base = results[0];
const shared = results[3];
console.log(
  `\nthroughput, 2 trackers x 32 concurrent / 1 tracker sequential: ${(shared.perSecond / base.perSecond).toFixed(2)}x; store writes per update: ${(shared.cas / updates).toFixed(3)} (sequential: ${(base.cas / updates).toFixed(3)}); conflicts per update: ${(shared.conflicts / updates).toFixed(3)}; no increment lost: ${shared.counted === updates}`,
);
console.log('\n| parseRateLimitHeaders form | µs per call |');
console.log('|---|---|');
for (const [name, us] of parseRows) console.log(`| ${name} | ${us.toFixed(2)} |`);
