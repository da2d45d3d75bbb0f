/**
 * The HyperLogLog representation (datatypes/hyperloglog.ts) against naive
 * models: MurmurHash64A against a BigInt transcription of Redis's C, the
 * registers of sparse and dense HLLs against a register-wise maximum of the
 * elements' patterns, their counts against each other, merges against the
 * union, the sparse code's invariants (it covers 16384 registers, stays
 * within hll-sparse-max-bytes, keeps zeros past its length), and corrupt
 * bytes after a valid header read without a throw or a write past the end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  HLL_DENSE,
  HLL_DENSE_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  type HllBytes,
  hllAdd,
  hllCacheValid,
  hllCachedCard,
  hllCount,
  hllCountRaw,
  hllCreate,
  hllDenseGet,
  hllDenseStoreRaw,
  hllHeaderCheck,
  hllHeaderCheckString,
  hllMerge,
  hllPatLen,
  hllSelfTest,
  hllSetCachedCard,
  hllSparseDecode,
  hllSparseToDense,
  murmurHash64A,
} from '../../src/datatypes/hyperloglog.js';

const M = 0xc6a4a7935bd1e995n;
const MASK = (1n << 64n) - 1n;

/** MurmurHash64A as hyperloglog.c writes it, in uint64 arithmetic (BigInt). */
function murmurModel(s: string): bigint {
  const len = s.length;
  let h = (0xadc83b19n ^ (BigInt(len) * M)) & MASK;
  const end = len - (len & 7);
  let i = 0;
  for (; i < end; i += 8) {
    let k = 0n;
    for (let j = 7; j >= 0; j--) k = (k << 8n) | BigInt(s.charCodeAt(i + j));
    k = (k * M) & MASK;
    k ^= k >> 47n;
    k = (k * M) & MASK;
    h ^= k;
    h = (h * M) & MASK;
  }
  const rem = len & 7;
  if (rem !== 0) {
    for (let j = rem - 1; j >= 0; j--) h ^= BigInt(s.charCodeAt(i + j)) << BigInt(8 * j);
    h = (h * M) & MASK;
  }
  h ^= h >> 47n;
  h = (h * M) & MASK;
  h ^= h >> 47n;
  return h;
}

/** hllPatLen's model: index = low 14 bits, count = position of the first 1 in the rest (bit 50 forced). */
function patLenModel(s: string): { index: number; count: number } {
  const h = murmurModel(s);
  let rest = (h >> 14n) | (1n << 50n);
  let count = 1;
  while ((rest & 1n) === 0n) {
    count++;
    rest >>= 1n;
  }
  return { index: Number(h & 0x3fffn), count };
}

/** Registers of any HLL (dense or sparse), read through a merge into zeros. */
function registersOf(h: HllBytes): Uint8Array {
  const max = new Uint8Array(HLL_REGISTERS);
  assert.ok(hllMerge(max, h.buf, h.len), 'a valid HLL merges');
  return max;
}

function modelOf(elements: string[]): Uint8Array {
  const regs = new Uint8Array(HLL_REGISTERS);
  for (const e of elements) {
    const { index, count } = patLenModel(e);
    if (count > regs[index]) regs[index] = count;
  }
  return regs;
}

/** A dense HLL holding the elements. */
function denseOf(elements: string[]): HllBytes {
  const h = hllCreate();
  assert.ok(hllSparseToDense(h));
  for (const e of elements) hllAdd(h, e, 3000);
  return h;
}

/** Binary-safe elements: latin1 strings of every length around the 8-byte blocks. */
const element = fc.oneof(fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 20 }), fc.integer({ min: 0, max: 1_000_000 }).map(String));

test('MurmurHash64A and the register pattern equal a uint64 transcription of Redis C code', () => {
  fc.assert(
    fc.property(element, (s) => {
      assert.equal(murmurHash64A(s), murmurModel(s));
      const pl = hllPatLen(s);
      assert.deepEqual({ index: pl & 0x3fff, count: pl >>> 14 }, patLenModel(s));
    }),
    { numRuns: 2000 },
  );
  // the empty element, and lengths 1..17 of one byte value
  for (let n = 0; n < 18; n++) assert.equal(murmurHash64A('\xff'.repeat(n)), murmurModel('\xff'.repeat(n)));
});

test('a new HLL is Redis\'s 18 bytes: "HYLL", sparse, a valid cached 0, one XZERO of 16384 registers', () => {
  const h = hllCreate();
  assert.equal(h.buf.subarray(0, h.len).toString('latin1'), 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff');
  assert.equal(hllSparseDecode(h.buf, h.len), 'Z:16384');
  assert.equal(hllCount(h.buf, h.len), 0);
  assert.ok(hllCacheValid(h.buf));
  assert.equal(hllCachedCard(h.buf), 0);
});

test('sparse and dense HLLs of the same elements hold the model registers and give the same count', () => {
  fc.assert(
    fc.property(fc.array(element, { maxLength: 400 }), (elements) => {
      const sparse = hllCreate();
      let changed = 0;
      // a limit no edit reaches: the sparse code is exercised alone
      for (const e of elements) changed += hllAdd(sparse, e, 1 << 30);
      const dense = denseOf(elements);
      const model = modelOf(elements);
      assert.equal(sparse.buf[4], model.some((r) => r > 32) ? HLL_DENSE : HLL_SPARSE);
      assert.deepEqual(registersOf(sparse), model);
      assert.deepEqual(registersOf(dense), model);
      for (let i = 0; i < HLL_REGISTERS; i += 97) assert.equal(hllDenseGet(dense.buf, i), model[i]);
      assert.equal(hllCount(sparse.buf, sparse.len), hllCount(dense.buf, dense.len));
      assert.equal(hllCountRaw(model), hllCount(dense.buf, dense.len));
      // PFADD's answer: whether any register rose
      assert.equal(
        changed > 0,
        model.some((r) => r > 0),
      );
      // zeros past the length, as an sds's room
      for (let i = sparse.len; i < sparse.buf.length; i++) assert.equal(sparse.buf[i], 0);
    }),
    { numRuns: 150 },
  );
});

test('a sparse HLL never passes hll-sparse-max-bytes: it turns dense first, with the same registers', () => {
  fc.assert(
    fc.property(fc.array(element, { maxLength: 600 }), fc.integer({ min: 0, max: 1500 }), (elements, limit) => {
      const h = hllCreate();
      for (const e of elements) {
        hllAdd(h, e, limit);
        if (h.buf[4] === HLL_SPARSE) assert.ok(h.len <= Math.max(limit, 18), `${h.len} bytes over ${limit}`);
        else assert.equal(h.len, HLL_DENSE_SIZE);
      }
      assert.deepEqual(registersOf(h), modelOf(elements));
    }),
    { numRuns: 100 },
  );
});

test('the sparse code is canonical for Redis: no two adjacent mergeable VALs where an edit looked', () => {
  const h = hllCreate();
  const els = Array.from({ length: 1500 }, (_, i) => `e${i}`);
  for (const e of els) hllAdd(h, e, 1 << 30);
  const ops = hllSparseDecode(h.buf, h.len).split(' ');
  let total = 0;
  for (const op of ops) {
    const m = /^([zZ]):(\d+)$|^v:(\d+),(\d+)$/.exec(op);
    assert.ok(m, op);
    total += Number(m[2] ?? m[4]);
  }
  assert.equal(total, HLL_REGISTERS);
});

test('merging HLLs is the union: registers the maximum, the count that of an HLL of all the elements', () => {
  fc.assert(
    fc.property(fc.array(fc.array(element, { maxLength: 300 }), { minLength: 1, maxLength: 4 }), fc.boolean(), (sets, dense) => {
      const max = new Uint8Array(HLL_REGISTERS);
      for (const els of sets) {
        const h = dense ? denseOf(els) : hllCreate();
        if (!dense) for (const e of els) hllAdd(h, e, 3000);
        assert.ok(hllMerge(max, h.buf, h.len));
      }
      const all = sets.flat();
      assert.deepEqual(max, modelOf(all));
      const union = denseOf(all);
      assert.equal(hllCountRaw(max), hllCount(union.buf, union.len));
    }),
    { numRuns: 60 },
  );
});

test('raw registers stored into a dense HLL read back the same, the header untouched', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: HLL_REGISTERS, maxLength: HLL_REGISTERS, max: 63 }), (raw) => {
      const h = hllCreate();
      assert.ok(hllSparseToDense(h));
      h.buf[15] = 0x80;
      hllDenseStoreRaw(h.buf, raw);
      for (let i = 0; i < HLL_REGISTERS; i++) assert.equal(hllDenseGet(h.buf, i), raw[i]);
      assert.equal(h.buf.subarray(0, 16).toString('latin1'), 'HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80');
    }),
    { numRuns: 30 },
  );
});

test('the estimate stays within a few standard errors of the true cardinality', () => {
  const h = hllCreate();
  let n = 0;
  for (const target of [10, 100, 1000, 10000, 100000]) {
    while (n < target) hllAdd(h, `x:${n++}`, 3000);
    const err = Math.abs(hllCount(h.buf, h.len) - n);
    assert.ok(err <= Math.max(1, Math.ceil(n * 0.0082 * 6)), `card ${n}: error ${err}`);
  }
});

test('an HLL whose registers are all at the top counts 2^63, as llroundl overflows in Redis', () => {
  const h = hllCreate();
  assert.ok(hllSparseToDense(h));
  h.buf.fill(0xff, 16);
  assert.equal(hllCount(h.buf, h.len), 2 ** 63);
  const raw = new Uint8Array(HLL_REGISTERS).fill(51);
  assert.equal(hllCountRaw(raw), 2 ** 63);
  // the cache written with it has the invalid bit set
  hllSetCachedCard(h.buf, 2 ** 63);
  assert.equal(hllCacheValid(h.buf), false);
  hllSetCachedCard(h.buf, 2 ** 62 + 2 ** 12);
  assert.equal(hllCachedCard(h.buf), 2n ** 62n + 4096n);
});

test("the header check is isHLLObjectOrReply's: magic, encoding 0 or 1, a dense one's exact length", () => {
  const ok = hllCreate();
  const s = ok.buf.subarray(0, ok.len).toString('latin1');
  assert.equal(hllHeaderCheckString(s), HLL_SPARSE);
  assert.equal(hllHeaderCheck(ok.buf, ok.len), HLL_SPARSE);
  assert.equal(hllHeaderCheckString(s.slice(0, 15)), -1);
  assert.equal(hllHeaderCheckString(`HYLX${s.slice(4)}`), -1);
  assert.equal(hllHeaderCheckString(`HYLL\x02${s.slice(5)}`), -1);
  assert.equal(hllHeaderCheckString(`HYLL\x00${s.slice(5)}`), -1, 'dense of the wrong length');
  const d = hllCreate();
  hllSparseToDense(d);
  assert.equal(hllHeaderCheck(d.buf, d.len), HLL_DENSE);
  assert.equal(hllHeaderCheck(d.buf, d.len - 1), -1);
});

/** Sparse codes: random bytes, or a valid code of a few elements with bytes overwritten, cut or extended. */
const corruptBody: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 60 }),
  fc
    .tuple(fc.array(element, { maxLength: 30 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), fc.integer({ min: -2, max: 2 }))
    .map(([els, edits, cut]) => {
      const h = hllCreate();
      for (const e of els) hllAdd(h, e, 3000);
      const body = Buffer.alloc(Math.max(0, h.len - 16 + cut));
      h.buf.copy(body, 0, 16, Math.min(h.len, 16 + body.length));
      for (const [at, v] of edits) if (body.length > 0) body[at % body.length] = v;
      return body;
    }),
);

test('corrupt sparse codes read without a throw, and every reader agrees whether they are valid', () => {
  fc.assert(
    fc.property(corruptBody, fc.array(element, { maxLength: 5 }), (body, elements) => {
      const h: HllBytes = { buf: Buffer.alloc(16 + body.length), len: 16 + body.length };
      h.buf.write('HYLL\x01', 0, 'latin1');
      h.buf.set(body, 16);
      const card = hllCount(h.buf, h.len);
      const valid = hllMerge(new Uint8Array(HLL_REGISTERS), h.buf, h.len);
      hllSparseDecode(h.buf, h.len);
      const copy: HllBytes = { buf: Buffer.from(h.buf), len: h.len };
      assert.equal(hllSparseToDense(copy), valid);
      // a code is valid when its runs add up to exactly 16384 registers, whoever reads it
      assert.equal(card !== -1, valid);
      for (const e of elements) {
        const len = h.buf.length;
        const r = hllAdd(h, e, 3000);
        assert.ok(r === -1 || r === 0 || r === 1);
        if (h.buf[4] === HLL_SPARSE) assert.ok(h.len <= h.buf.length && h.buf.length >= len);
      }
    }),
    { numRuns: 3000 },
  );
});

test("what lies past an HLL's length never changes an edit (a scratch buffer holds old bytes there)", () => {
  fc.assert(
    fc.property(corruptBody, fc.uint8Array({ minLength: 8, maxLength: 8 }), fc.array(element, { maxLength: 6 }), (body, junk, elements) => {
      const clean: HllBytes = { buf: Buffer.alloc(16 + body.length + 64), len: 16 + body.length };
      clean.buf.write('HYLL\x01', 0, 'latin1');
      clean.buf.set(body, 16);
      const dirty: HllBytes = { buf: Buffer.from(clean.buf), len: clean.len };
      for (let i = dirty.len; i < dirty.buf.length; i++) dirty.buf[i] = junk[i % 8];
      for (const e of elements) assert.equal(hllAdd(dirty, e, 3000), hllAdd(clean, e, 3000));
      assert.equal(dirty.len, clean.len);
      assert.deepEqual(dirty.buf.subarray(0, dirty.len), clean.buf.subarray(0, clean.len));
    }),
    { numRuns: 2000 },
  );
});

test('PFSELFTEST passes', () => {
  let seed = 12345;
  // a small LCG for C's rand(): the test is deterministic
  const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff);
  assert.equal(hllSelfTest(3000, rand), null);
});
