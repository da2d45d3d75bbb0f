#!/usr/bin/env node
// Fuzz campaigns against gkv-server (test/fuzz/campaign.ts): random and mutated
// RESP2/RESP3 frames and inline commands, and argument lists built from every
// command's documented arguments with extreme values, against keys of every
// type, while a canary client checks that the server keeps answering right.
//
//   npm run build && node scripts/fuzz.mjs [--seed N] [--frames N] [--commands N]
//        [--seconds N] [--workers N] [--batch N] [--server PATH] [--repro FILE]
//   node scripts/fuzz.mjs --replay FILE --port N     (send a repro's batches again)
//
// Prints one summary line; exits 1 when the server crashed, the canary was
// disturbed or the server logged a "BUG:" line (the repro file then holds each
// worker's last batches).
import { parseArgs } from 'node:util';

const { values: o } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 1000000) },
    frames: { type: 'string', default: '100000' },
    commands: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '3600' },
    workers: { type: 'string', default: '4' },
    batch: { type: 'string', default: '40' },
    server: { type: 'string' },
    repro: { type: 'string', default: 'fuzz-repro.json' },
    replay: { type: 'string' },
    port: { type: 'string' },
    deadline: { type: 'string', default: '30000' },
  },
});
const { runCampaign, replay } = await import('../dist/test/fuzz/campaign.js');
if (o.replay) {
  await replay(o.replay, Number(o.port));
  process.exit(0);
}
const r = await runCampaign({
  seed: Number(o.seed),
  frames: Number(o.frames),
  commands: Number(o.commands),
  seconds: Number(o.seconds),
  workers: Number(o.workers),
  batch: Number(o.batch),
  server: o.server,
  canaryDeadlineMs: Number(o.deadline),
  reproFile: o.repro,
  verbose: true,
});
const ok = r.crashed === null && r.canary === null && r.bugs.length === 0;
console.log(
  `fuzz seed=${r.seed} frames=${r.frames} commands=${r.commands} batches=${r.batches} seconds=${r.seconds.toFixed(1)} ` +
    `crashes=${r.crashed === null ? 0 : 1} canary_checks=${r.canaryChecks} canary_disturbed=${r.canary === null ? 0 : 1} ` +
    `canary_max_ms=${r.canaryMaxMs} bugs=${r.bugs.length} server_peak_rss_kb=${r.serverPeakRssKb}`,
);
console.log(`slowest per call: ${r.slowest.join('; ')}`);
if (r.canarySlowestDuring.length > 0) console.log(`batches in flight during the slowest canary check: ${r.canarySlowestDuring.join(' | ').slice(0, 3000)}`);
if (r.crashed) console.log(`crash: ${r.crashed}`);
if (r.canary) console.log(`canary: ${r.canary}`);
for (const b of r.bugs.slice(0, 5)) console.log(b);
if (r.repro) console.log(`repro: ${r.repro}`);
process.exit(ok ? 0 : 1);
