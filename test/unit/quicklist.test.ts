import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { QuickList, encodeEntry, quicklistSetPackedThreshold } from '../../src/datatypes/quicklist.js';
import { BulkWriter } from '../../src/util/bulk-writer.js';

const writer = new BulkWriter();
/** A sink that collects what a writer hands it. */
class Collect {
  s = '';
  addRaw(x: string): void {
    this.s += x;
  }
}
const bulks = (vs: string[]) => vs.map((v) => `$${v.length}\r\n${v}\r\n`).join('');

/** writeRange(lo, hi) must write exactly the bulks of m[lo..hi]. */
function checkWriteRange(q: QuickList, m: string[], lo: number, hi: number): void {
  const sink = new Collect();
  writer.start(sink);
  q.writeRange(lo, hi, writer);
  writer.finish();
  const got = sink.s;
  assert.ok(got === bulks(m.slice(lo, hi + 1)), `writeRange(${lo}, ${hi})`);
}

// Values of every length class: empty, 1-byte lengths, 2- and 3-byte lengths,
// and longer than half a 4 KB node (plain nodes under fill -1).
const value = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('', 'a', 'b', 'abc', 'x'.repeat(13), '\x00\xff\r\n') },
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 50 }).map((i) => `v${i}`) },
  { weight: 1, arbitrary: fc.constantFrom('L'.repeat(127), 'M'.repeat(128), 'N'.repeat(300), 'P'.repeat(3000), 'Q'.repeat(16384)) },
);
const idx = fc.integer({ min: -30, max: 30 });

const op = fc.oneof(
  fc.record({ t: fc.constant('pushTail' as const), v: value }),
  fc.record({ t: fc.constant('pushHead' as const), v: value }),
  fc.record({ t: fc.constant('popTail' as const) }),
  fc.record({ t: fc.constant('popHead' as const) }),
  fc.record({ t: fc.constant('set' as const), i: idx, v: value }),
  fc.record({ t: fc.constant('insert' as const), i: idx, v: value }),
  fc.record({ t: fc.constant('del' as const), i: idx, n: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ t: fc.constant('rem' as const), v: value, n: fc.integer({ min: -3, max: 3 }) }),
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function apply(q: QuickList, m: string[], o: Op): void {
  const norm = (i: number) => (i < 0 ? i + m.length : i);
  switch (o.t) {
    case 'pushTail':
      q.pushTail(o.v);
      m.push(o.v);
      break;
    case 'pushHead':
      q.pushHead(o.v);
      m.unshift(o.v);
      break;
    case 'popTail':
      assert.equal(q.popTail(), m.pop());
      break;
    case 'popHead':
      assert.equal(q.popHead(), m.shift());
      break;
    case 'set': {
      const i = norm(o.i);
      if (i >= 0 && i < m.length) {
        q.set(i, o.v);
        m[i] = o.v;
      }
      break;
    }
    case 'insert': {
      const i = norm(o.i);
      if (i >= 0 && i <= m.length) {
        q.insertAt(i, o.v);
        m.splice(i, 0, o.v);
      }
      break;
    }
    case 'del': {
      const i = norm(o.i);
      if (i >= 0 && i < m.length) {
        const n = Math.min(o.n, m.length - i);
        q.deleteRange(i, n);
        m.splice(i, n);
      }
      break;
    }
    case 'rem': {
      let want = 0;
      let limit = o.n === 0 ? Infinity : Math.abs(o.n);
      const order = o.n >= 0 ? m.map((_, k) => k) : m.map((_, k) => m.length - 1 - k);
      const drop = new Set<number>();
      for (const k of order)
        if (limit > 0 && m[k] === o.v) {
          drop.add(k);
          limit--;
          want++;
        }
      const kept = m.filter((_, k) => !drop.has(k));
      m.length = 0;
      m.push(...kept);
      assert.equal(q.removeValue(o.v, o.n), want);
      break;
    }
  }
}

function check(q: QuickList, m: string[]): void {
  assert.equal(q.length, m.length);
  assert.deepEqual(q.toArray(), m);
  for (let i = 0; i < m.length; i++) {
    assert.equal(q.index(i), m[i]);
    assert.equal(q.index(i - m.length), m[i]);
  }
  assert.equal(q.index(m.length), undefined);
  assert.equal(q.index(-m.length - 1), undefined);
  const fwd: string[] = [];
  q.walk(true, (v, i) => {
    assert.equal(i, fwd.length);
    fwd.push(v);
    return true;
  });
  assert.deepEqual(fwd, m);
  const back: string[] = [];
  q.walk(false, (v, i) => {
    assert.equal(i, m.length - 1 - back.length);
    back.push(v);
    return true;
  });
  assert.deepEqual(back, [...m].reverse());
  if (m.length > 0) {
    const a = Math.floor(m.length / 3);
    const b = m.length - 1 - Math.floor(m.length / 4);
    if (a <= b) {
      const got: string[] = [];
      q.forRange(a, b, (v) => got.push(v));
      assert.deepEqual(got, m.slice(a, b + 1));
      checkWriteRange(q, m, a, b);
    }
  }
}

for (const fill of [-1, -2, 1, 2, 3, 5]) {
  test(`a quicklist with list-max-listpack-size ${fill} behaves as an array under random pushes, pops, sets, inserts, deletes and removals`, () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 80 }), (ops) => {
        const q = new QuickList(fill);
        const m: string[] = [];
        for (const o of ops) apply(q, m, o);
        check(q, m);
        const d = q.dup();
        d.pushTail('extra');
        assert.deepEqual(q.toArray(), m, 'dup is independent of the original');
      }),
      { numRuns: 150, seed: 4242 + fill },
    );
  });
}

for (const threshold of [1, 5, 100]) {
  test(`with DEBUG QUICKLIST-PACKED-THRESHOLD ${threshold}b, elements of ${threshold} bytes or more get plain nodes and the list still behaves as an array`, () => {
    assert.ok(quicklistSetPackedThreshold(threshold));
    try {
      const q = new QuickList(-2);
      q.pushTail('x'.repeat(threshold));
      q.pushTail('y'.repeat(threshold - 1));
      q.pushTail('z'.repeat(threshold - 1));
      assert.deepEqual(
        q.describeNodes().map((n) => [n.plain, n.entries]),
        [
          [true, 1],
          [false, 2],
        ],
      );
      for (const fill of [-2, 1, 3]) {
        fc.assert(
          fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
            const q2 = new QuickList(fill);
            const m: string[] = [];
            for (const o of ops) apply(q2, m, o);
            check(q2, m);
            for (const n of q2.describeNodes()) if (!n.plain) assert.ok(n.bytes <= n.entries * (threshold + 1), 'packed nodes hold only elements under the threshold');
          }),
          { numRuns: 60, seed: 99 + threshold + fill },
        );
      }
    } finally {
      assert.ok(quicklistSetPackedThreshold(0));
    }
    assert.equal(quicklistSetPackedThreshold(2 ** 32 - 2 ** 20 + 1), false, 'up to 4 GB - 1 MB, as Redis');
  });
}

test('nodes respect the entry count of a positive fill and the byte size of a negative one', () => {
  const q = new QuickList(4);
  for (let i = 0; i < 100; i++) q.pushTail(String(i));
  assert.equal(q.nodeCount, 25);
  const b = new QuickList(-1); // 4 KB nodes
  for (let i = 0; i < 10000; i++) b.pushHead('abcdefgh'); // 10 bytes packed each
  assert.ok(b.nodeCount >= Math.ceil(100000 / 4096) && b.nodeCount <= Math.ceil(100000 / 4096) + 2, `nodes ${b.nodeCount}`);
  assert.equal(b.index(5000), 'abcdefgh');
});

test('a packed entry carries its length before and after the bytes', () => {
  assert.equal(encodeEntry('abc'), '\x03abc\x03');
  assert.equal(encodeEntry(''), '\x00\x00');
  const e = encodeEntry('x'.repeat(300)); // 300 = 0b10_0101100
  assert.equal(e.length, 304);
  assert.deepEqual([e.charCodeAt(0), e.charCodeAt(1)], [0x80 | 44, 2]);
  assert.deepEqual([e.charCodeAt(302), e.charCodeAt(303)], [2, 0x80 | 44]);
});

test('a million-element list costs a few bytes per element beyond the values', () => {
  const q = new QuickList(-2);
  for (let i = 0; i < 1_000_000; i++) q.pushTail('vvv');
  assert.equal(q.length, 1_000_000);
  // 5 packed bytes per element in 8 KB nodes
  assert.ok(q.nodeCount <= Math.ceil(5_000_000 / 8192) + 1, `nodes ${q.nodeCount}`);
  assert.equal(q.index(777_777), 'vvv');
  for (let i = 0; i < 500_000; i++) q.popHead();
  assert.equal(q.length, 500_000);
});

// ---- the open-node paths: several lists taking turns, runs of pushes that fill
// nodes past SCRATCH's 4 KB into buffers of their own, pops that empty and refill
// end nodes, middle edits on open nodes, dup of open nodes.

const runOp = fc.oneof(
  { weight: 4, arbitrary: fc.record({ t: fc.constant('push' as const), l: fc.nat(2), head: fc.boolean(), v: value, k: fc.integer({ min: 1, max: 1500 }) }) },
  { weight: 2, arbitrary: fc.record({ t: fc.constant('pop' as const), l: fc.nat(2), head: fc.boolean(), k: fc.integer({ min: 1, max: 1500 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('queue' as const), l: fc.nat(2), head: fc.boolean(), v: value, k: fc.integer({ min: 1, max: 3000 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('edit' as const), l: fc.nat(2), at: fc.double({ min: 0, max: 1, noNaN: true }), o: op }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('dup' as const), l: fc.nat(2), to: fc.nat(2) }) },
  // reads between the writes (a node read in bulk twice is closed, then pushed again)
  { weight: 2, arbitrary: fc.record({ t: fc.constant('read' as const), l: fc.nat(2), a: fc.double({ min: 0, max: 1, noNaN: true }), n: fc.integer({ min: 1, max: 800 }), fromHead: fc.boolean() }) },
);
type RunOp = typeof runOp extends fc.Arbitrary<infer T> ? T : never;

/** Cheaper than check() for long lists: whole reads, ranges and sampled indexes. */
function checkLong(q: QuickList, m: string[]): void {
  assert.equal(q.length, m.length);
  assert.deepEqual(q.toArray(), m);
  const back: string[] = [];
  q.walk(false, (v) => {
    back.push(v);
    return true;
  });
  assert.deepEqual(back, [...m].reverse());
  for (const [a, b] of [
    [0, 3],
    [0, 40],
    [m.length - 40, m.length - 1],
    [m.length >> 1, (m.length >> 1) + 700],
    [5, m.length - 6],
  ]) {
    const lo = Math.max(0, a);
    const hi = Math.min(m.length - 1, b);
    if (lo > hi) continue;
    const got: string[] = [];
    q.forRange(lo, hi, (v) => got.push(v));
    assert.deepEqual(got, m.slice(lo, hi + 1), `forRange(${lo}, ${hi})`);
    checkWriteRange(q, m, lo, hi);
  }
  for (let j = 0; j < 40 && m.length > 0; j++) {
    const i = j < 4 ? [0, 1, m.length - 1, m.length - 2][j] : (j * 7919) % m.length;
    if (i < 0 || i >= m.length) continue;
    assert.equal(q.index(i), m[i], `index(${i})`);
    assert.equal(q.index(i - m.length), m[i]);
  }
}

function applyRun(qs: QuickList[], ms: string[][], o: RunOp, i: number): void {
  const q = qs[o.l];
  const m = ms[o.l];
  switch (o.t) {
    case 'push': {
      // distinct values so that order mistakes show
      for (let j = 0; j < o.k; j++) {
        const v = j % 3 === 0 ? o.v : `${i}.${j}`;
        if (o.head) {
          q.pushHead(v);
          m.unshift(v);
        } else {
          q.pushTail(v);
          m.push(v);
        }
      }
      break;
    }
    case 'pop':
      for (let j = 0; j < o.k && m.length > 0; j++) {
        if (o.head) assert.equal(q.popHead(), m.shift());
        else assert.equal(q.popTail(), m.pop());
      }
      assert.equal(q.popHead() === undefined, m.length === 0);
      if (m.length > 0) m.shift();
      break;
    case 'queue':
      // push at one end, pop at the other: the end nodes drain and refill
      for (let j = 0; j < o.k; j++) {
        const v = `q${i}.${j}`;
        if (o.head) {
          q.pushHead(v);
          m.unshift(v);
          assert.equal(q.popTail(), m.pop());
        } else {
          q.pushTail(v);
          m.push(v);
          assert.equal(q.popHead(), m.shift());
        }
      }
      break;
    case 'edit': {
      // the edit at a position near the ends (where open nodes are) or anywhere
      const e = o.o;
      const at = Math.floor(o.at * m.length);
      const pos = e.t === 'set' || e.t === 'insert' || e.t === 'del' ? { ...e, i: e.i < 0 ? e.i : at } : e;
      apply(q, m, pos as Op);
      break;
    }
    case 'dup':
      qs[o.to] = qs[o.l].dup();
      ms[o.to] = [...ms[o.l]];
      break;
    case 'read': {
      if (m.length === 0) break;
      const lo = Math.floor(o.a * m.length);
      const hi = Math.min(m.length - 1, lo + o.n - 1);
      const got: string[] = [];
      q.forRange(lo, hi, (v) => got.push(v));
      assert.deepEqual(got, m.slice(lo, hi + 1));
      checkWriteRange(q, m, lo, hi);
      const walked: string[] = [];
      q.walk(o.fromHead, (v) => walked.push(v) < o.n);
      assert.deepEqual(walked, o.fromHead ? m.slice(0, o.n) : [...m].reverse().slice(0, o.n));
      break;
    }
  }
}

for (const fill of [-1, -2, -5, 3, 100]) {
  test(`three quicklists with list-max-listpack-size ${fill} taking turns behave as arrays under runs of pushes and pops at both ends, queues, edits and dups`, () => {
    fc.assert(
      fc.property(fc.array(runOp, { minLength: 1, maxLength: 14 }), (ops) => {
        const qs = [new QuickList(fill), new QuickList(fill), new QuickList(fill)];
        const ms: string[][] = [[], [], []];
        ops.forEach((o, i) => {
          applyRun(qs, ms, o, i);
          for (let l = 0; l < 3; l++) {
            assert.equal(qs[l].length, ms[l].length);
            if (ms[l].length > 0) {
              assert.equal(qs[l].index(0), ms[l][0]);
              assert.equal(qs[l].index(-1), ms[l][ms[l].length - 1]);
            }
          }
        });
        for (let l = 0; l < 3; l++) checkLong(qs[l], ms[l]);
      }),
      { numRuns: 60, seed: 777 + fill },
    );
  });
}

test('a one-node list used as a queue keeps one node and its elements in order', () => {
  const q = new QuickList(-2);
  const m: string[] = [];
  for (let i = 0; i < 600; i++) {
    q.pushTail(`e${i}`);
    m.push(`e${i}`);
  }
  for (let i = 600; i < 200_000; i++) {
    q.pushTail(`e${i}`);
    m.push(`e${i}`);
    assert.equal(q.popHead(), m.shift());
  }
  assert.equal(q.nodeCount, 1);
  checkLong(q, m);
});

test('a one-node list pushed alternately at both ends past 4 KB fills one node and reads back in order', () => {
  const q = new QuickList(-2); // 8 KB nodes
  const m: string[] = [];
  for (let i = 0; i < 1200; i++) {
    const v = String(i).padStart(4, '0');
    if (i % 2 === 0) {
      q.pushHead(v);
      m.unshift(v);
    } else {
      q.pushTail(v);
      m.push(v);
    }
  }
  assert.equal(q.nodeCount, 1); // 1200 entries of 6 bytes
  checkLong(q, m);
  for (let i = 0; i < 1200; i++) {
    q.pushTail('t');
    m.push('t');
  }
  assert.ok(q.nodeCount >= 2);
  checkLong(q, m);
});

test('lists pushed in turns, one element each, keep their own elements', () => {
  const qs = [new QuickList(-2), new QuickList(-2), new QuickList(-5)];
  const ms: string[][] = [[], [], []];
  for (let i = 0; i < 30_000; i++) {
    const l = i % 3;
    const v = `${l}:${i}`;
    if (i % 5 === 0) {
      qs[l].pushHead(v);
      ms[l].unshift(v);
    } else {
      qs[l].pushTail(v);
      ms[l].push(v);
    }
  }
  for (let l = 0; l < 3; l++) checkLong(qs[l], ms[l]);
});

test('a dup of a list with open end nodes is independent of the original', () => {
  const q = new QuickList(-2);
  for (let i = 0; i < 3000; i++) q.pushTail(`v${i}`);
  for (let i = 0; i < 10; i++) q.pushHead(`h${i}`);
  const d = q.dup();
  const want = q.toArray();
  q.pushTail('x');
  q.pushHead('y');
  d.popTail();
  d.popHead();
  assert.deepEqual(q.toArray(), ['y', ...want, 'x']);
  assert.deepEqual(d.toArray(), want.slice(1, -1));
});

test('LREM-style removal finds values in open and closed nodes alike', () => {
  const q = new QuickList(-1);
  const m: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const v = i % 7 === 0 ? 'dup' : `v${i}`;
    q.pushTail(v);
    m.push(v);
  }
  q.pushHead('dup');
  m.unshift('dup');
  assert.equal(q.removeValue('dup', -3), 3);
  let seen = 0;
  for (let k = m.length - 1; k >= 0 && seen < 3; k--)
    if (m[k] === 'dup') {
      m.splice(k, 1);
      seen++;
    }
  assert.equal(q.removeValue('dup', 2), 2);
  for (let k = 0, s2 = 0; k < m.length && s2 < 2; )
    if (m[k] === 'dup') {
      m.splice(k, 1);
      s2++;
    } else k++;
  checkLong(q, m);
  assert.equal(q.removeValue('dup', 0), m.filter((v) => v === 'dup').length);
  checkLong(
    q,
    m.filter((v) => v !== 'dup'),
  );
});

test('a bulk writer writes runs of bulks of every length, spilling past its buffer, from strings and byte ranges alike', () => {
  const len = fc.oneof(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 300 }), fc.constantFrom(9, 10, 99, 100, 65000, 65536, 70000, 200000));
  fc.assert(
    fc.property(fc.array(fc.tuple(len, fc.integer({ min: 0, max: 255 }), fc.boolean(), fc.nat(5)), { maxLength: 30 }), (items) => {
      const w = new BulkWriter();
      const sink = new Collect();
      w.start(sink);
      const vs: string[] = [];
      for (const [n, byte, fromBuf, pad] of items) {
        let v = '';
        for (let i = 0; i < n; i++) v += String.fromCharCode((byte + i * 7) & 255);
        vs.push(v);
        // the source sits inside a larger string or buffer
        const around = 'p'.repeat(pad) + v + 'q'.repeat(pad);
        if (fromBuf) w.bufBulk(Buffer.from(around, 'latin1'), pad, pad + n);
        else w.strBulk(around, pad, pad + n);
      }
      w.finish();
      assert.ok(sink.s === bulks(vs));
      w.finish();
      assert.ok(sink.s === bulks(vs), 'a second finish adds nothing');
    }),
    { numRuns: 150 },
  );
});

test('a one-node list holds its node without an array, through growing to many nodes and back', () => {
  const form = (q: QuickList): string => {
    const ns = (q as unknown as { ns: unknown }).ns;
    return ns === null ? 'empty' : Array.isArray(ns) ? `array of ${ns.length}` : 'node';
  };
  const q = new QuickList(4); // at most 4 entries a node
  const m: string[] = [];
  assert.equal(form(q), 'empty');
  for (let i = 0; i < 3; i++) {
    q.pushTail(`e${i}`);
    m.push(`e${i}`);
  }
  assert.equal(form(q), 'node');
  for (let i = 3; i < 10; i++) {
    q.pushHead(`h${i}`);
    m.unshift(`h${i}`);
  }
  assert.equal(form(q), `array of ${q.nodeCount}`);
  assert.ok(q.nodeCount >= 3);
  // LTRIM-like deletes and pops back down to one node: the array is dropped again
  q.deleteRange(0, 5);
  m.splice(0, 5);
  assert.deepEqual(q.toArray(), m);
  while (q.length > 2) {
    assert.equal(q.popHead(), m.shift());
  }
  assert.equal(form(q), 'node');
  q.set(1, 'x');
  m[1] = 'x';
  q.insertAt(1, 'y');
  m.splice(1, 0, 'y');
  assert.equal(q.removeValue('nope', 0), 0);
  assert.equal(form(q), 'node');
  assert.deepEqual(q.toArray(), m);
  assert.deepEqual(q.dup().toArray(), m);
  assert.equal(form(q.dup()), 'node');
  while (q.length > 0) assert.equal(q.popTail(), m.pop());
  assert.equal(form(q), 'empty');
  assert.equal(q.popTail(), undefined);
});
