// Checks every publishable package (packages/*, not private) the way a user would receive it:
//   1. publint on the packed tarball (packaging errors and warnings fail the run),
//   2. arethetypeswrong on the same tarball (ESM-only profile: these packages ship no CommonJS),
//   3. the root LICENSE is in the tarball,
//   4. a selective install: the tarball, plus only the tarballs of the workspace packages it declares
//      (transitively), installed with npm into an empty temporary project, then imported there.
//      A package that uses something it did not declare fails here.
// Usage: node scripts/check-packages.mjs [package-dir-name ...]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pnpm = ['-y', 'pnpm@12.4.2'];
const only = process.argv.slice(2);

const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({
    dir: join(root, 'packages', dir),
    json: readJson(join(root, 'packages', dir, 'package.json')),
  }))
  .filter((p) => p.json && !p.json.private);
const byName = new Map(packages.map((p) => [p.json.name, p]));
const selected = only.length ? packages.filter((p) => only.some((o) => p.dir.endsWith(`/${o}`))) : packages;

const work = mkdtempSync(join(tmpdir(), 'graphiti-check-packages-'));
const tarballs = new Map();
const failures = [];

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

function pack(pkg) {
  const cached = tarballs.get(pkg.json.name);
  if (cached) return cached;
  const out = join(work, 'tarballs');
  mkdirSync(out, { recursive: true });
  const before = new Set(readdirSync(out));
  run('npx', [...pnpm, 'pack', '--pack-destination', out], { cwd: pkg.dir });
  const created = readdirSync(out).find((f) => !before.has(f));
  if (!created) throw new Error(`pnpm pack wrote no tarball for ${pkg.json.name}`);
  const file = join(out, created);
  tarballs.set(pkg.json.name, file);
  return file;
}

function workspaceDependencies(pkg, seen = new Set()) {
  for (const name of Object.keys(pkg.json.dependencies ?? {})) {
    const dep = byName.get(name);
    if (dep && !seen.has(name)) {
      seen.add(name);
      workspaceDependencies(dep, seen);
    }
  }
  return [...seen].map((name) => byName.get(name));
}

function step(name, pkg, fn) {
  try {
    fn();
    console.log(`  ok   ${name}`);
  } catch (error) {
    const detail = [error.stdout, error.stderr, error.message].filter(Boolean).join('\n').trim();
    console.log(`  FAIL ${name}\n${detail.replace(/^/gm, '       ')}`);
    failures.push(`${pkg.json.name}: ${name}`);
  }
}

for (const pkg of selected) {
  console.log(`${pkg.json.name}`);
  let tarball;
  step('pack', pkg, () => {
    tarball = pack(pkg);
  });
  if (!tarball) continue;
  step('LICENSE in the tarball, identical to the root one', pkg, () => {
    const listed = run('tar', ['-xzOf', tarball, 'package/LICENSE']);
    if (listed !== readFileSync(join(root, 'LICENSE'), 'utf8'))
      throw new Error(`package/LICENSE differs from the root LICENSE: cp LICENSE ${pkg.dir}/`);
  });
  step('publint', pkg, () => {
    const out = run('npx', ['publint', 'run', tarball, '--strict', '--level', 'warning']);
    if (/\b(Warnings|Errors):/.test(out))
      throw Object.assign(new Error('publint reported problems'), { stdout: out });
  });
  step('arethetypeswrong', pkg, () => {
    run('npx', ['attw', tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-emoji', '--no-color']);
  });
  step('selective install and import', pkg, () => {
    const project = join(work, 'install', pkg.json.name.replace('/', '__'));
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      JSON.stringify({ name: 'probe', private: true, type: 'module' }),
    );
    const deps = workspaceDependencies(pkg).map((dep) => pack(dep));
    run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', tarball, ...deps], {
      cwd: project,
    });
    const probe = `const m = await import(${JSON.stringify(pkg.json.name)});
      const names = Object.keys(m);
      if (names.length === 0) throw new Error('the package exports nothing');
      console.log(names.length + ' exports');`;
    run(process.execPath, ['--input-type=module', '-e', probe], { cwd: project });
  });
}

rmSync(work, { recursive: true, force: true });
if (failures.length) {
  console.log(`\ncheck:packages failed:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(`\ncheck:packages: ${selected.length} packages clean`);
