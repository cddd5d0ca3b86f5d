// Soak: many concurrent streams through the gateway for a bounded time, every server in its own process.
// Each stream must end complete (a final `done: true` line, its content the text the fake answers for the model
// that served it) or with a clear error (a non-200 JSON answer, or an `{"error"}` line); none may end truncated
// without saying so, and none complete with the wrong text. The gateway's RSS (and peak, VmHWM) and open file
// descriptors are sampled from /proc (Linux) before, during and after, with the load average; descriptors must
// come back to where they started.
// Usage: node soak.bench.mjs [streams=1000] [seconds=180] [chunkDelayMs=100]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startOllamaFake } from '@graphiti/ollama-fake';
import { Agent, request } from 'undici';

const here = dirname(fileURLToPath(import.meta.url));
const streams = Number(process.argv[2] ?? 1000);
const seconds = Number(process.argv[3] ?? 180);
const chunkDelay = Number(process.argv[4] ?? 100);
const dir = mkdtempSync(join(tmpdir(), 'graphiti-soak-'));
const children = [];

function start(script, ...args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, script), ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let output = '';
    child.stdout.on('data', (data) => {
      output += data;
      const match = /(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve({ url: match[1], pid: child.pid });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}: ${output}`)));
  });
}

const cloud = await start('procs/fake.mjs', 'gpt-oss:120b', '', String(chunkDelay));
const local = await start('procs/fake.mjs', 'llama3.2:3b', '', String(chunkDelay));
const gateway = await start(
  'procs/graphiti-gateway.mjs',
  cloud.url,
  'soak-key',
  local.url,
  join(dir, 'soak.db'),
  'full',
);

const statusMb = (pid, field) =>
  Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const fds = (pid) => readdirSync(`/proc/${pid}/fd`).length;
const samples = [];
const sample = (label) =>
  samples.push({
    label,
    rss: statusMb(gateway.pid, 'VmRSS'),
    peak: statusMb(gateway.pid, 'VmHWM'),
    fds: fds(gateway.pid),
    load: loadavg()[0],
  });
sample('start');

const agent = new Agent({ connections: streams + 16, keepAliveTimeout: 4000 });
const messages = [{ role: 'user', content: 'soak' }];
const body = JSON.stringify({ model: 'gpt-oss:120b', messages });
// the text each fake answers for this request (the fakes are deterministic): a fake here only to compute it
const oracle = await startOllamaFake({ models: ['gpt-oss:120b', 'llama3.2:3b'] });
const expected = new Map(
  ['gpt-oss:120b', 'llama3.2:3b'].map((model) => [model, oracle.expectedText({ model, messages })]),
);
await oracle.close();
const outcome = {
  complete: 0,
  clearError: 0,
  truncated: 0,
  wrong: 0,
  connectionErrors: new Map(),
  served: new Map(),
};
const count = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);

/** `complete`, `wrong` or `truncated` for a 200 stream's lines, or `clearError` when it ends with an error. */
function judge(lines) {
  let content = '';
  let model;
  for (const line of lines) {
    let value;
    try {
      value = JSON.parse(line);
    } catch {
      return 'truncated';
    }
    if (value.error !== undefined) return 'clearError';
    content += value.message?.content ?? '';
    model = value.model ?? model;
    if (value.done === true) return content === expected.get(model) ? 'complete' : 'wrong';
  }
  return 'truncated';
}

async function oneStream() {
  try {
    const answer = await request(`${gateway.url}/api/chat`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      dispatcher: agent,
    });
    let text = '';
    for await (const chunk of answer.body) text += chunk;
    if (answer.statusCode !== 200) {
      if (/"error"/.test(text)) outcome.clearError++;
      else outcome.truncated++;
      return;
    }
    count(outcome.served, answer.headers['x-graphiti-provider'] ?? 'unknown');
    outcome[judge(text.trim().split('\n'))]++;
  } catch (error) {
    count(outcome.connectionErrors, error.code ?? error.name);
  }
}

const deadline = Date.now() + seconds * 1000;
const sampler = setInterval(() => sample(`${Math.round((deadline - Date.now()) / 1000)} s left`), 15_000);
await Promise.all(
  Array.from({ length: streams }, async () => {
    while (Date.now() < deadline) await oneStream();
  }),
);
clearInterval(sampler);
sample('end of load');
await agent.close();
await new Promise((resolve) => setTimeout(resolve, 6000));
sample('6 s after');

for (const child of children) child.kill('SIGTERM');
await new Promise((resolve) => setTimeout(resolve, 1000));
rmSync(dir, { recursive: true, force: true });

const total =
  outcome.complete +
  outcome.clearError +
  outcome.truncated +
  outcome.wrong +
  [...outcome.connectionErrors.values()].reduce((a, b) => a + b, 0);
const fdsBack = samples.at(-1).fds <= samples[0].fds;
console.log(
  `node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model}); ${streams} concurrent streams for ${seconds} s, chunk delay ${chunkDelay} ms`,
);
console.log(
  `streams: ${total} total (${(total / seconds).toFixed(0)}/s), ${outcome.complete} complete, ${outcome.clearError} clear errors, ${outcome.truncated} truncated without an error, ${outcome.wrong} complete with the wrong text`,
);
console.log(`served by: ${JSON.stringify(Object.fromEntries(outcome.served))}`);
console.log(`connection errors: ${JSON.stringify(Object.fromEntries(outcome.connectionErrors))}`);
console.log(`open fds back to the start: ${fdsBack ? 'yes' : 'no'}`);
console.log('| sample | gateway RSS MB | peak RSS (VmHWM) MB | open fds | load average (1 min) |');
console.log('|---|---:|---:|---:|---:|');
for (const entry of samples) {
  console.log(
    `| ${entry.label} | ${entry.rss.toFixed(0)} | ${entry.peak.toFixed(0)} | ${entry.fds} | ${entry.load.toFixed(2)} |`,
  );
}
process.exit(outcome.truncated === 0 && outcome.wrong === 0 && fdsBack ? 0 : 1);
