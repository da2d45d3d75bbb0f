/**
 * A bounded fuzz campaign (test/fuzz/campaign.ts) as a regression guard:
 * 15,000 frames and 15,000 commands against a gkv-server process, with the
 * canary checking it keeps answering right. Long campaigns: scripts/fuzz.mjs.
 * GKV_FUZZ_SEED picks the seed (default: a fixed one, so a failure here
 * reproduces).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCampaign } from './campaign.js';

test('fuzzing with random and mutated frames and generated commands neither crashes the server, nor disturbs the canary, nor meets a BUG', async () => {
  const seed = Number(process.env.GKV_FUZZ_SEED ?? 20261207);
  const r = await runCampaign({ seed, frames: 15000, commands: 15000, seconds: 240, workers: 3, batch: 40, canaryDeadlineMs: 60000 });
  assert.equal(r.crashed, null, `seed ${seed}`);
  assert.equal(r.canary, null, `seed ${seed}`);
  assert.deepEqual(r.bugs, [], `seed ${seed}`);
  assert.ok(r.frames >= 15000 && r.commands >= 15000, `seed ${seed}: only ${r.frames} frames and ${r.commands} commands in ${r.seconds} s`);
  assert.ok(r.canaryChecks > 0);
});
