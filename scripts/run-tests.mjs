#!/usr/bin/env node
// Runs vitest with a JSON report beside the normal output, then prints one closing line
// `N passed, N failed, N skipped` (CI reads that line; it does not parse vitest's own summary).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const report = '.vitest-report.json';
rmSync(report, { force: true });
const vitest = createRequire(import.meta.url).resolve('vitest/vitest.mjs');
const args = [
  vitest,
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${report}`,
  ...process.argv.slice(2),
];
const run = spawnSync(process.execPath, args, { stdio: 'inherit' });

if (!existsSync(report)) {
  console.error('vitest wrote no JSON report');
  process.exit(run.status ?? 1);
}
const r = JSON.parse(readFileSync(report, 'utf8'));
const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
// A file that fails outside any test (an import error, a failing beforeAll) counts as one failure.
const brokenFiles = (r.testResults ?? []).filter(
  (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed, ${skipped} skipped`);
process.exit(run.status ?? (r.numFailedTests > 0 ? 1 : 0));
