// Sums the Vitest JSON reports (.vitest-report.json) of every workspace package and prints one plain line:
// "N passed, N failed, N skipped". Exits 1 when a package that has tests left no report, or a report
// says a suite failed to run. `--clean` deletes the reports first (run before the tests, so that a package
// whose tests did not run this time cannot count with an old report).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const groups = ['packages', 'apps', 'examples'];

/** Every workspace package directory with a test script (examples/ is one package). */
function testedPackages() {
  const dirs = [];
  for (const group of groups) {
    const base = join(root, group);
    if (!existsSync(base)) continue;
    const candidates = existsSync(join(base, 'package.json'))
      ? [base]
      : readdirSync(base).map((dir) => join(base, dir));
    for (const dir of candidates) {
      const pkgJson = join(dir, 'package.json');
      if (existsSync(pkgJson) && JSON.parse(readFileSync(pkgJson, 'utf8')).scripts?.test) dirs.push(dir);
    }
  }
  return dirs;
}

if (process.argv.includes('--clean')) {
  for (const dir of testedPackages()) rmSync(join(dir, '.vitest-report.json'), { force: true });
  process.exit(0);
}

let passed = 0;
let failed = 0;
let skipped = 0;
let broken = 0;
{
  for (const pkgDir of testedPackages()) {
    const name = relative(root, pkgDir);
    const file = join(pkgDir, '.vitest-report.json');
    if (!existsSync(file)) {
      console.log(`${name}: no test report (did its tests run?)`);
      broken++;
      continue;
    }
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
    const failedSuites = (report.testResults ?? []).filter(
      (r) => r.status === 'failed' && !r.assertionResults?.length,
    );
    broken += failedSuites.length;
    for (const suite of failedSuites) console.log(`${name}: suite failed to run: ${suite.name}`);
  }
}
console.log(`${passed} passed, ${failed + broken} failed, ${skipped} skipped`);
process.exit(failed + broken > 0 ? 1 : 0);
