// Sums the Vitest JSON reports (.vitest-report.json) of every workspace package and prints one plain line:
// "N passed, N failed, N skipped". Exits 1 when a package that has tests left no report, or a report
// says a suite failed to run.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
let passed = 0;
let failed = 0;
let skipped = 0;
let broken = 0;
for (const group of ['packages', 'apps']) {
  for (const dir of readdirSync(join(root, group))) {
    const pkgDir = join(root, group, dir);
    const pkgJson = join(pkgDir, 'package.json');
    if (!existsSync(pkgJson) || !JSON.parse(readFileSync(pkgJson, 'utf8')).scripts?.test) continue;
    const file = join(pkgDir, '.vitest-report.json');
    if (!existsSync(file)) {
      console.log(`${group}/${dir}: no test report (did its tests run?)`);
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
    for (const suite of failedSuites) console.log(`${group}/${dir}: suite failed to run: ${suite.name}`);
  }
}
console.log(`${passed} passed, ${failed + broken} failed, ${skipped} skipped`);
process.exit(failed + broken > 0 ? 1 : 0);
