#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with node's test runner.
// Usage: node scripts/run-tests.js [filter-substring ...]
// A file's ceiling is 15 minutes: a hang guard, not a speed bound (tests poll
// for conditions and must hold on a loaded machine).
//
// The command coverage check (test/meta/coverage.test.ts) runs last, on its
// own: every test process records into GKV_COMMANDS_RAN the commands its
// in-process servers ran (test/harness/commands-ran.ts), and the check reads
// them all. A filtered run records only part of them, so there it skips.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function walk(dir, out) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const filters = process.argv.slice(2);
const distDir = process.env.GKV_DIST || 'dist';
let files = walk(join(distDir, 'test'), []).sort();
if (filters.length) files = files.filter((f) => filters.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error('no test files found');
  process.exit(1);
}
const COVERAGE = join('meta', 'coverage.test.js');
const last = files.filter((f) => f.endsWith(COVERAGE));
const first = files.filter((f) => !f.endsWith(COVERAGE));
const ranDir = mkdtempSync(join(tmpdir(), 'gkv-commands-ran-'));
const run = (fs, complete) => {
  const env = { ...process.env, GKV_COMMANDS_RAN: ranDir, GKV_COMMANDS_RAN_COMPLETE: complete ? '1' : '' };
  return spawnSync(process.execPath, ['--test', '--test-concurrency=2', '--test-timeout=900000', ...fs], { stdio: 'inherit', env }).status ?? 1;
};
let status = first.length > 0 ? run(first, false) : 0;
// complete: every test file ran, and passed (a failed file may not have recorded all it ran)
if (last.length > 0) status = run(last, filters.length === 0 && status === 0) || status;
rmSync(ranDir, { recursive: true, force: true });
process.exit(status);
