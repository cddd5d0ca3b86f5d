// Soak: many concurrent streams through the gateway for a bounded time, every server in its own process.
// Each stream must end complete (a final `done: true` line) or with a clear error (a non-200 JSON answer, or an
// `{"error"}` line); none may end truncated without saying so. The gateway's RSS and open file descriptors are
// sampled from /proc (Linux) before, during and after; descriptors must come back to where they started.
// Usage: node soak.bench.mjs [streams=1000] [seconds=180] [chunkDelayMs=100]
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const fds = (pid) => readdirSync(`/proc/${pid}/fd`).length;
const samples = [];
const sample = (label) => samples.push({ label, rss: rssMb(gateway.pid), fds: fds(gateway.pid) });
sample('start');

const agent = new Agent({ connections: streams + 16, keepAliveTimeout: 4000 });
const body = JSON.stringify({ model: 'gpt-oss:120b', messages: [{ role: 'user', content: 'soak' }] });
const outcome = { complete: 0, clearError: 0, truncated: 0, connectionErrors: new Map() };

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
    const lines = text.trim().split('\n');
    const last = lines.at(-1) ?? '';
    if (answer.statusCode !== 200) {
      if (/"error"/.test(text)) outcome.clearError++;
      else outcome.truncated++;
    } else if (/"done":true/.test(last)) outcome.complete++;
    else if (/"error"/.test(last)) outcome.clearError++;
    else outcome.truncated++;
  } catch (error) {
    const code = error.code ?? error.name;
    outcome.connectionErrors.set(code, (outcome.connectionErrors.get(code) ?? 0) + 1);
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
  [...outcome.connectionErrors.values()].reduce((a, b) => a + b, 0);
console.log(
  `node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model}); ${streams} concurrent streams for ${seconds} s, chunk delay ${chunkDelay} ms`,
);
console.log(
  `streams: ${total} total, ${outcome.complete} complete, ${outcome.clearError} clear errors, ${outcome.truncated} truncated without an error`,
);
console.log(`connection errors: ${JSON.stringify(Object.fromEntries(outcome.connectionErrors))}`);
console.log('| sample | gateway RSS MB | open fds |');
console.log('|---|---:|---:|');
for (const entry of samples) console.log(`| ${entry.label} | ${entry.rss.toFixed(0)} | ${entry.fds} |`);
process.exit(outcome.truncated === 0 ? 0 : 1);
