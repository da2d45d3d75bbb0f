import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HdrHistogram, highestEquivalent, lowestEquivalent } from '../../src/util/hdr-histogram.js';

// Expected figures are Redis 7.0.15's own (INFO latencystats, LATENCY HISTOGRAM)
// for single calls of the durations named.

test('one 50 ms call: p0 is the lowest equivalent value, other percentiles the highest (as Redis 7.0)', () => {
  const h = new HdrHistogram();
  h.record(50_100_000);
  assert.equal(h.valueAtPercentile(0), 50_069_504);
  assert.equal(h.valueAtPercentile(50), 50_331_647);
  assert.equal(h.valueAtPercentile(100), 50_331_647);
  // LATENCY HISTOGRAM: "67633" (µs) → 1
  assert.deepEqual(h.logBuckets(1024, 2), [[67_633_151, 1]]);
});

test('one 26 µs call reads back as Redis shows CONFIG SET: p0=25.984, p50=26.111, bucket 33', () => {
  const h = new HdrHistogram();
  h.record(26_000);
  assert.equal(h.valueAtPercentile(0), 25_984);
  assert.equal(h.valueAtPercentile(50), 26_111);
  assert.deepEqual(h.logBuckets(), [[33_023, 1]]);
});

test('sub-microsecond values keep unit resolution and land in the first (1 µs) bucket', () => {
  const h = new HdrHistogram();
  h.record(0); // clamped to 1 ns
  h.record(1000);
  h.record(2000);
  assert.equal(h.totalCount, 3);
  assert.equal(h.valueAtPercentile(0), 1);
  assert.equal(h.valueAtPercentile(50), 1003);
  assert.deepEqual(h.logBuckets(), [
    [1031, 2],
    [2063, 3],
  ]);
});

test('a call over 1 s is clamped and shows in the last bucket, 1073741 µs (Redis: DEBUG SLEEP 0.001 and 1.2)', () => {
  const h = new HdrHistogram();
  h.record(1_089_600);
  h.record(1_200_000_000);
  assert.deepEqual(
    h.logBuckets().map(([ns, n]) => [Math.floor(ns / 1000), n]),
    [
      [2113, 1],
      [1073741, 2],
    ],
  );
  assert.equal(h.valueAtPercentile(0), 1_089_536);
  assert.equal(h.valueAtPercentile(50), 1_097_727);
  assert.equal(h.valueAtPercentile(100), 1_002_438_655);
});

test('buckets are cumulative, skip steps that add nothing, and values above 1 s are clamped', () => {
  const h = new HdrHistogram();
  for (let i = 0; i < 10; i++) h.record(1500);
  h.record(5_000_000);
  h.record(5_000_000_000);
  const b = h.logBuckets();
  assert.deepEqual(
    b.map(([, n]) => n),
    [10, 11, 12],
  );
  assert.equal(Math.floor(b[0][0] / 1000), 2);
  assert.equal(h.valueAtPercentile(100), highestEquivalent(1_000_000_000));
  assert.equal(h.valueAtPercentile(50), highestEquivalent(1500));
});

test('equivalent ranges are 1/128 of the value at most and contain it', () => {
  for (let v = 1; v < 1_000_000_000; v = Math.floor(v * 1.7) + 1) {
    const lo = lowestEquivalent(v);
    const hi = highestEquivalent(v);
    assert.ok(lo <= v && v <= hi, `${v}: ${lo}..${hi}`);
    assert.ok(hi - lo + 1 <= Math.max(1, v / 128), `${v}: range ${hi - lo + 1}`);
  }
});

test('an empty histogram has no buckets', () => {
  assert.deepEqual(new HdrHistogram().logBuckets(), []);
});
