// Where a CPU profile's time goes: self time by function and by package/file, from a `node --cpu-prof` file.
// Usage: node profile-summary.mjs FILE.cpuprofile [top=15]
import { readFileSync } from 'node:fs';

const profile = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const top = Number(process.argv[3] ?? 15);
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const self = new Map();
const deltas = profile.timeDeltas;
for (let index = 0; index < profile.samples.length; index++) {
  const id = profile.samples[index];
  self.set(id, (self.get(id) ?? 0) + (deltas[index] ?? 0));
}
const total = [...self.values()].reduce((sum, value) => sum + value, 0);
const group = (key) => {
  const sums = new Map();
  for (const [id, time] of self) {
    const name = key(byId.get(id).callFrame);
    sums.set(name, (sums.get(name) ?? 0) + time);
  }
  return [...sums].sort((a, b) => b[1] - a[1]).slice(0, top);
};
const where = (frame) => {
  const url = frame.url || '(native)';
  const pkg = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  const own = /(packages|apps)\/([^/]+)\//.exec(url);
  if (own) return `graphiti ${own[2]}`;
  return url.startsWith('node:')
    ? url
    : frame.functionName === '(garbage collector)'
      ? 'GC'
      : url === '(native)'
        ? '(native/idle)'
        : url.split('/').slice(-2).join('/');
};
const print = (title, rows) => {
  console.log(`\n${title}\n| share | where |\n|---:|---|`);
  for (const [name, time] of rows) console.log(`| ${((time / total) * 100).toFixed(1)}% | ${name} |`);
};
print('self time by package or module', group(where));
print(
  'self time by function',
  group((frame) => `${frame.functionName || '(anonymous)'} (${where(frame)})`),
);
