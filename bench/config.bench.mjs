// Benchmarks @graphiti/llm-config: what loadConfig() costs at startup, against the floor of just reading and
// parsing the same TOML file with smol-toml (no validation, no env, no freezing), measured side by side.
//
// node bench/config.bench.mjs [iterations=2000] [rounds=5]

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ConfigError, defaultConfigToml, loadConfig, redact } from '@graphiti/llm-config';
import { parse } from 'smol-toml';

const iterations = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'config-bench-'));
const env = { HOME: dir };

const defaultsFile = join(dir, 'defaults.toml');
writeFileSync(defaultsFile, defaultConfigToml());
const invalidFile = join(dir, 'invalid.toml');
writeFileSync(
  invalidFile,
  `${defaultConfigToml()}\n[extra]\nx = 1\n`
    .replace('max_attempts = 3', 'max_attempts = "three"')
    .replace('port = 11436', 'port = 70000')
    .replace('level = "info"', 'level = "loud"')
    .replace('read = 90', 'read = 1')
    .replace('endpoint = "https://ollama.com"', 'endpont = "https://ollama.com"'),
);
const fullEnv = {
  HOME: dir,
  OLLAMA_API_KEY: 'sk-bench-0123456789',
  OLLAMA_CLOUD_ENDPOINT: 'https://ollama.com',
  OLLAMA_HOST: '0.0.0.0:11434',
  GRAPHITI_STORAGE_URL: 'sqlite:~/bench.db',
  LOG_LEVEL: 'debug',
  GRAPHITI_SERVER_HOST: '127.0.0.1',
  GRAPHITI_SERVER_PORT: '11500',
  GRAPHITI_SERVER_TOKEN: 'tok-bench-0123456789',
};
const loaded = loadConfig({ path: defaultsFile, env: fullEnv });
let errorIssues = 0;
try {
  loadConfig({ path: invalidFile, env });
} catch (error) {
  if (!ConfigError.isInstance(error)) throw error;
  errorIssues = error.issues.length;
}

const scenarios = [
  ['read + smol-toml parse of the default file (baseline)', () => parse(readFileSync(defaultsFile, 'utf8'))],
  ['loadConfig: no file (defaults)', () => loadConfig({ path: join(dir, 'missing.toml'), env })],
  ['loadConfig: annotated default file', () => loadConfig({ path: defaultsFile, env })],
  ['loadConfig: default file + 8 env overrides', () => loadConfig({ path: defaultsFile, env: fullEnv })],
  [
    `loadConfig: invalid file (${errorIssues} issues, ConfigError)`,
    () => {
      try {
        loadConfig({ path: invalidFile, env });
      } catch (error) {
        if (!ConfigError.isInstance(error)) throw error;
      }
    },
  ],
  ['JSON.stringify(config) (redacting toJSON)', () => JSON.stringify(loaded)],
  ['redact(config)', () => redact(loaded)],
];

for (const [, run] of scenarios) for (let i = 0; i < 200; i++) run(); // warm-up
const samples = scenarios.map(() => []);
for (let round = 0; round < rounds; round++) {
  scenarios.forEach(([, run], index) => {
    const start = performance.now();
    for (let i = 0; i < iterations; i++) run();
    samples[index].push(((performance.now() - start) * 1000) / iterations);
  });
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const medians = samples.map(median);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `node ${process.version}, ${cpus().length} cores (${cpu}), ${iterations} iterations x ${rounds} rounds interleaved, median round\n`,
);
console.log('| scenario | µs/op | vs baseline |\n|---|---:|---:|');
scenarios.forEach(([name], index) => {
  console.log(`| ${name} | ${medians[index].toFixed(1)} | ${(medians[index] / medians[0]).toFixed(2)} |`);
});
rmSync(dir, { recursive: true, force: true });
