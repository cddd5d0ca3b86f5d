// The routing decision's cost (issue 11): the model list lookup and the cooldown checks must add no storage
// round trip and no upstream round trip to a request. Not a test; numbers go to RESULTS.md.
// One process holds two Ollama fakes (cloud with a key, local), a real SQLite storage from @graphiti/llm-queue
// whose StateStore is wrapped to COUNT (and optionally delay) every call, the quota tracker on that store, and a
// router composed the way the apps compose it (packages/llm-router dist). After a warm-up (the first model-list
// fetch, the first cooldown read) it measures:
//   storage    the store calls a request AWAITS, found by delaying every store call by `delayMs`: median
//              latency with the delay minus without, divided by the delay (0: no request waits for the store);
//              and every store call made while requests run, per request and per second, by what makes it: the
//              cooldown refresh (cloud_cooldown, cloud_model_cooldowns: started in the background by a request
//              when the in-memory copy is older than a second) and the quota counters' flush (a timer, at most
//              once a second); and the calls per second while idle
//   upstream   requests each fake saw per answered request: a cloud-served chat (expect exactly 1 cloud
//              /api/chat, no /api/tags) and a chat for a model only the local server has (expect 0 cloud
//              requests)
//   CPU        CPU µs per request of router.chat against an undici.request of the same body to the same fake
//              (the fake's own work is in both), sequential, median of `rounds` interleaved rounds; and the
//              decision function itself (planCloud from the router's dist, an internal module: model list
//              lookup, cooldown checks, concurrency cap) in a tight loop, the cloud listing 1 and `listSize` models
// Usage: node routing-decision.bench.mjs [seconds=5] [rounds=7] [delayMs=25] [listSize=40]
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { defaultConfig } from '@graphiti/llm-config';
import { openStorage } from '@graphiti/llm-queue';
import { createQuotaTracker } from '@graphiti/llm-quota';
import { createRouter } from '@graphiti/llm-router';
import { startOllamaFake } from '@graphiti/ollama-fake';
import { Agent, request as undiciRequest } from 'undici';

const runSeconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 7);
const delayMs = Number(process.argv[4] ?? 25);
const listSize = Number(process.argv[5] ?? 40);
const apiKey = 'bench-key';
const cloudModel = 'gpt-oss:120b';
const localOnly = 'llama3.2:3b';
const messages = [{ role: 'user', content: 'Summarise the knowledge graph node about failover.' }];
// a cloud list of a few dozen models (a guess at ollama.com's), the default model last (the lookup scans it)
const cloudList = [
  ...Array.from({ length: listSize - 1 }, (_, index) => `cloud-model-${index}:${index}b`),
  cloudModel,
];

const cloud = await startOllamaFake({ apiKey, models: cloudList, chunks: 4, maxLoggedRequests: 100_000 });
const local = await startOllamaFake({ models: [localOnly, 'nomic-embed-text'], maxLoggedRequests: 100_000 });
const dir = mkdtempSync(join(tmpdir(), 'graphiti-routing-bench-'));
const storage = await openStorage(`sqlite:${join(dir, 'bench.db')}`, { sqliteSynchronous: 'full' });

// the counting (and, when asked, delaying) StateStore around the real SQLite one
const calls = [];
const storeDelay = { ms: 0 };
const counted = new Proxy(storage.state, {
  get(target, name) {
    const value = Reflect.get(target, name);
    if (typeof value !== 'function') return value;
    return async (...args) => {
      // a batch (one transaction) is named by the keys it writes
      const batch = args[0];
      const key =
        name === 'batch'
          ? [...batch.increments, ...batch.sets].map((write) => write.key).join(' + ')
          : String(args[0]);
      calls.push({ method: String(name), key });
      if (storeDelay.ms > 0) await sleep(storeDelay.ms);
      return value.apply(target, args);
    };
  },
});

const base = defaultConfig({});
const config = {
  ...base,
  cloud: { ...base.cloud, endpoint: cloud.url, api_key: apiKey, default_model: cloudModel },
  local: { ...base.local, endpoint: local.url, models: [localOnly] },
};
const quota = createQuotaTracker({
  stateStore: counted,
  apiKey,
  warningThreshold: 0.8,
  dailyRequestLimit: 0,
});
const router = createRouter({ config, stateStore: counted, failedRequests: storage.queue, quota });
// the same router over a cloud that lists only the default model: what the list's length costs a request
const cloudOne = await startOllamaFake({ apiKey, models: [cloudModel], chunks: 4, maxLoggedRequests: 100 });
const routerOne = createRouter({
  config: { ...config, cloud: { ...config.cloud, endpoint: cloudOne.url } },
  stateStore: counted,
  failedRequests: storage.queue,
  quota,
});
const chat = (model) => router.chat({ model, messages });

// warm-up: the cloud's model list, the first cooldown read, the local model cache, JIT
for (let index = 0; index < 200; index++) {
  const answer = await chat(index % 2 === 0 ? undefined : localOnly);
  const expected = index % 2 === 0 ? 'cloud' : 'local';
  if (answer.provider !== expected) throw new Error(`warm-up: served by ${answer.provider}, not ${expected}`);
  if ((await routerOne.chat({ messages })).provider !== 'cloud')
    throw new Error('warm-up: routerOne not cloud');
}
await sleep(1200); // let the warm-up's flush and refresh land

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const pathsOf = (fake) => {
  const counts = {};
  for (const entry of fake.requests) counts[entry.path] = (counts[entry.path] ?? 0) + 1;
  return counts;
};

const isCooldownKey = (key) => key === 'cloud_cooldown' || key === 'cloud_model_cooldowns';

/** Sends sequential chats for `model` for `runSeconds`; counts the store calls by purpose and each fake's paths. */
async function countRun(model) {
  await sleep(1200); // what the previous phase left to flush lands before counting starts
  cloud.clearRequests();
  local.clearRequests();
  calls.length = 0;
  const started = performance.now();
  let count = 0;
  // at most 90 000: the fakes keep the last 100 000 requests, and every one must be counted
  while (performance.now() - started < runSeconds * 1000 && count < 90_000) {
    await chat(model);
    count++;
  }
  const seconds = (performance.now() - started) / 1000;
  const taken = calls.splice(0);
  const names = {};
  for (const call of taken) {
    const name = `${call.method} ${call.key.replace(/\d{4}-\d\d-\d\d/g, 'DAY')}`;
    names[name] = (names[name] ?? 0) + 1;
  }
  const cooldownCalls = taken.filter((call) => isCooldownKey(call.key)).length;
  return {
    count,
    seconds,
    perRequest: taken.length / count,
    cooldownPerSecond: cooldownCalls / seconds,
    otherPerSecond: (taken.length - cooldownCalls) / seconds,
    names,
    cloud: pathsOf(cloud),
    local: pathsOf(local),
  };
}

/** Median latency (ms) of sequential chats with every store call delayed by `ms`, in interleaved blocks. */
async function awaitedStoreCalls(once) {
  const latencies = { 0: [], [delayMs]: [] };
  for (let block = 0; block < 10; block++) {
    for (const ms of block % 2 === 0 ? [0, delayMs] : [delayMs, 0]) {
      storeDelay.ms = ms;
      for (let index = 0; index < 20; index++) {
        const started = performance.now();
        await once();
        latencies[ms].push(performance.now() - started);
      }
    }
  }
  storeDelay.ms = 0;
  await sleep(delayMs * 10); // delayed background calls finish before the next phase
  const fast = median(latencies[0]);
  const slow = median(latencies[delayMs]);
  return { fast, slow, awaited: Math.max(0, (slow - fast) / delayMs) };
}

// CPU per request: router.chat vs a plain undici.request of the same body to the same fake
const agent = new Agent({ connect: { timeout: 5000 } });
const body = JSON.stringify({ model: cloudModel, messages, stream: false });
async function direct() {
  const response = await undiciRequest(`${cloud.url}/api/chat`, {
    method: 'POST',
    dispatcher: agent,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body,
  });
  const answer = await response.body.json();
  if (answer.done !== true) throw new Error('direct: incomplete answer');
  return answer;
}
async function cpuPerRequest(once, count) {
  const before = process.cpuUsage();
  for (let index = 0; index < count; index++) await once();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / count;
}
async function cpuRounds() {
  const perRound = { router: [], routerOne: [], direct: [] };
  const scenarios = [
    ['router', () => chat(undefined)],
    ['routerOne', () => routerOne.chat({ messages })],
    ['direct', direct],
  ];
  for (let round = 0; round < rounds; round++) {
    for (const [name, once] of round % 2 === 0 ? scenarios : [...scenarios].reverse()) {
      perRound[name].push(await cpuPerRequest(once, 500));
    }
  }
  return {
    router: median(perRound.router),
    routerOne: median(perRound.routerOne),
    direct: median(perRound.direct),
  };
}

// The decision itself: planCloud (dist internals, not the public API: this part breaks if they move)
async function decisionCost(size) {
  const internals = new URL('../packages/llm-router/dist/', import.meta.url);
  let modules;
  try {
    modules = await Promise.all(
      ['cloud-target.js', 'cloud-models.js', 'cooldown.js'].map((file) => import(new URL(file, internals))),
    );
  } catch (error) {
    return { skipped: `the router's internals moved (${error.message})` };
  }
  const [{ planCloud }, { createCloudModels }, { createCooldownTracker }] = modules;
  const list = cloudList.slice(-size); // the default model is last
  const tags = JSON.stringify({ models: list.map((name) => ({ name, model: name })) });
  const transport = { get: async () => ({ body: { text: async () => tags } }) };
  const scrub = (text) => text;
  const cloudModels = createCloudModels({ transport, now: Date.now, scrub });
  await cloudModels.ready();
  const cooldown = createCooldownTracker({
    store: counted,
    rateLimitSeconds: 600,
    now: Date.now,
    cacheMs: 1000,
    scrub,
    emit: () => {},
  });
  await cooldown.ready();
  const context = {
    config,
    cloud: transport,
    cloudModels,
    cooldown,
    inflight: { cloud: 0 },
    warned: new Set(),
    logger: undefined,
  };
  const job = { operation: 'chat', request: { messages }, stream: false, queue: true };
  const target = { cloudModel, forced: undefined, isDefault: true };
  const iterations = 20_000;
  const perRound = [];
  calls.length = 0;
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    const before = performance.now();
    for (let index = 0; index < iterations; index++) {
      const plan = await planCloud(context, job, target);
      if (plan.model !== cloudModel) throw new Error('planCloud: the cloud was skipped');
    }
    perRound.push(((performance.now() - before) * 1000) / iterations);
  }
  const seconds = (performance.now() - started) / 1000;
  return { microseconds: median(perRound), storeCallsPerSecond: calls.splice(0).length / seconds };
}

const cloudRun = await countRun(undefined);
const localRun = await countRun(localOnly);
await sleep(1100);
calls.length = 0;
await sleep(3000);
const idleCalls = calls.splice(0).length / 3;
const awaitedCloud = await awaitedStoreCalls(() => chat(undefined));
const awaitedLocal = await awaitedStoreCalls(() => chat(localOnly));
// calibration: the same measure on a chat that does await one store read first must say 1
const awaitedCalibration = await awaitedStoreCalls(async () => {
  await counted.get('bench:calibration');
  return chat(undefined);
});
const cpu = await cpuRounds();
const decisions = [await decisionCost(1), await decisionCost(listSize)];

await Promise.all([router.close(), routerOne.close()]);
await quota.close();
await storage.close();
await agent.close();
await Promise.all([cloud.close(), cloudOne.close(), local.close()]);
rmSync(dir, { recursive: true, force: true });

const fmt = (value, digits = 2) => value.toFixed(digits);
const perAnswer = (paths, count) =>
  Object.entries(paths)
    .map(([path, seen]) => `${path} ${fmt(seen / count, 3)}`)
    .join(', ') || 'none';
const listed = (groups) =>
  Object.entries(groups)
    .map(([name, seen]) => `${name} ×${seen}`)
    .join(', ') || 'none';
const awaitedText = ({ awaited, fast, slow }) => `${fmt(awaited, 3)} (${fmt(fast)} → ${fmt(slow)} ms)`;
const machine = `${availableParallelism()} cores (${cpus()[0]?.model ?? 'unknown'})`;
const load = loadavg()
  .map((value) => value.toFixed(1))
  .join(' ');
console.log(
  `node ${process.version}, ${machine}, load average ${load} at the end; sequential chats for ${runSeconds} s ` +
    `per column after a warm-up of 200; SQLite storage (synchronous full) with the quota tracker on it; the ` +
    `cloud lists ${listSize} models; CPU medians of ${rounds} rounds of 500\n`,
);
console.log(
  '| per request, after warm-up | cloud-served chat (default model) | chat for a local-only model |',
);
console.log('|---|---:|---:|');
const runs = [cloudRun, localRun];
const rowOf = (name, value) => console.log(`| ${name} | ${runs.map(value).join(' | ')} |`);
rowOf(`store calls awaited (median latency with a ${delayMs} ms store − without, ÷ ${delayMs})`, (run) =>
  awaitedText(run === cloudRun ? awaitedCloud : awaitedLocal),
);
rowOf('store calls made while requests run, per request (none awaited)', (run) => fmt(run.perRequest, 4));
rowOf('… of which cooldown refresh, per second (background, started by a request)', (run) =>
  fmt(run.cooldownPerSecond, 1),
);
rowOf('… of which quota counter flush, per second (timer)', (run) => fmt(run.otherPerSecond, 1));
rowOf('cloud upstream requests per answer', (run) => perAnswer(run.cloud, run.count));
rowOf('local upstream requests per answer', (run) => perAnswer(run.local, run.count));
rowOf('answers (sequential)', (run) => `${run.count} (${fmt(run.count / run.seconds, 0)}/s)`);
console.log('');
for (const [name, run] of [
  ['cloud-served', cloudRun],
  ['local-only', localRun],
]) {
  console.log(
    `store calls while ${run.count} ${name} chats ran (${fmt(run.seconds, 1)} s): ${listed(run.names)}`,
  );
}
console.log(
  `calibration: a cloud-served chat that awaits one store read first: ${awaitedText(awaitedCalibration)} awaited`,
);
console.log(`store calls per second while idle: ${fmt(idleCalls, 1)}`);
console.log(
  `CPU per request, sequential: undici.request of the same body to the same fake ${fmt(cpu.direct, 1)} µs; ` +
    `router.chat, the cloud listing ${listSize} models ${fmt(cpu.router, 1)} µs (router − direct ` +
    `${fmt(cpu.router - cpu.direct, 1)} µs), listing 1 model ${fmt(cpu.routerOne, 1)} µs (router − direct ` +
    `${fmt(cpu.routerOne - cpu.direct, 1)} µs)`,
);
for (const [index, decision] of decisions.entries()) {
  const size = index === 0 ? 1 : listSize;
  if ('skipped' in decision) console.log(`planCloud: skipped, ${decision.skipped}`);
  else
    console.log(
      `planCloud, the decision itself (model list lookup in ${size} name${size === 1 ? '' : 's'}, cloud and model cooldown, cap): ${fmt(decision.microseconds, 3)} µs per call (awaited); ${fmt(decision.storeCallsPerSecond, 1)} store calls/s while looping`,
    );
}
