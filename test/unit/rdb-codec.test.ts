/**
 * The RDB value codec on its own: CRC-64, LZF, lengths, strings, doubles,
 * and every value type and encoding through encode → decode (property-based,
 * against the values' contents and encodings), plus byte vectors taken from
 * Redis 7.0's own DUMP output, the older encodings Redis 7.0 still loads, and
 * the corrupt inputs that must be refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crc64, Crc64 } from '../../src/persistence/rdb/crc64.js';
import { lzfCompress, lzfDecompress } from '../../src/persistence/rdb/lzf.js';
import {
  createDumpPayload,
  ListpackBuilder,
  RdbWriter,
  rdbObjectType,
  rdbSaveObject,
  intsetBlob,
  zsetListpackScore,
  RDB_TYPE_STRING,
  RDB_TYPE_LIST,
  RDB_TYPE_SET,
  RDB_TYPE_ZSET,
  RDB_TYPE_HASH,
  RDB_TYPE_ZSET_2,
  RDB_TYPE_HASH_ZIPMAP,
  RDB_TYPE_LIST_ZIPLIST,
  RDB_TYPE_SET_INTSET,
  RDB_TYPE_ZSET_ZIPLIST,
  RDB_TYPE_HASH_ZIPLIST,
  RDB_TYPE_LIST_QUICKLIST,
  RDB_TYPE_STREAM_LISTPACKS,
  RDB_TYPE_HASH_LISTPACK,
  RDB_TYPE_ZSET_LISTPACK,
  RDB_TYPE_LIST_QUICKLIST_2,
  RDB_TYPE_SET_LISTPACK,
  type SaveOptions,
} from '../../src/persistence/rdb/encode.js';
import { RdbError, RdbReader, listpackEntries, loadDumpPayload, rdbLoadObject, verifyDumpPayload, type LoadLimits } from '../../src/persistence/rdb/decode.js';
import { encodingOf, RawString, type Value } from '../../src/keyspace/value.js';
import { QuickList } from '../../src/datatypes/quicklist.js';
import { HashValue } from '../../src/datatypes/hash.js';
import { SetValue } from '../../src/datatypes/set.js';
import { ZSet } from '../../src/datatypes/zset.js';
import { DEFAULT_LOAD_LIMITS, payload, ziplistBlob, zipmapBlob } from '../harness/rdb-payloads.js';

const ON: SaveOptions = { compress: true };
const OFF: SaveOptions = { compress: false };
const DEFAULTS: LoadLimits = DEFAULT_LOAD_LIMITS;
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const latin1 = (b: Uint8Array): string => Buffer.from(b).toString('latin1');

/** A value's observable content: what the commands would read. */
function contentOf(v: Value): unknown {
  if (typeof v === 'string') return v;
  if (v instanceof RawString) return v.s;
  if (v instanceof QuickList) return v.toArray();
  if (v instanceof HashValue) {
    const pairs: string[] = [];
    v.forEach((f, x) => pairs.push(`${f}=${x}`));
    return v.isListpack ? pairs : pairs.sort();
  }
  if (v instanceof SetValue) return v.encoding() === 'intset' ? v.members() : v.members().sort();
  if (v instanceof ZSet) {
    const out: [string, string][] = [];
    v.forEach((m, s) => out.push([m, Object.is(s, -0) ? '-0' : String(s)]));
    return out;
  }
  throw new Error('unknown value');
}

/** DUMP then RESTORE of v under lim: the restored value. */
function roundTrip(v: Value, o: SaveOptions = ON, lim: LoadLimits = DEFAULTS): Value {
  const p = createDumpPayload(v, o);
  assert.ok(verifyDumpPayload(p), 'the payload verifies');
  return loadDumpPayload(p, lim);
}

function assertSame(got: Value, want: Value, what = ''): void {
  assert.deepEqual(contentOf(got), contentOf(want), `content ${what}`);
  assert.equal(encodingOf(got), encodingOf(want), `encoding ${what}`);
}

// ---------------------------------------------------------------- generators

const bytesStr = (max: number): fc.Arbitrary<string> => fc.uint8Array({ maxLength: max }).map(latin1);
/** Elements of every listpack encoding: integers of each width, text, binary, long and compressible strings. */
const element: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -200, max: 200 }).map(String) },
  { weight: 2, arbitrary: fc.oneof(fc.integer({ min: -9000000, max: 9000000 }), fc.integer()).map(String) },
  { weight: 1, arbitrary: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('9223372036854775807', '-9223372036854775808', '9223372036854775808', '-0', '007', '+1', ' 1', '1.5', '', '4095', '-4096', '4096', '-4097', '127', '128') },
  { weight: 3, arbitrary: bytesStr(20) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('a', 'xy', '\x00\xff'), fc.integer({ min: 20, max: 5000 })).map(([s, n]) => s.repeat(n).slice(0, n)) },
  { weight: 1, arbitrary: fc.integer({ min: 60, max: 70 }).map((n) => 'v'.repeat(n)) },
);

// ---------------------------------------------------------------- CRC-64

test("CRC-64 is Redis's Jones variant: the check value of 123456789 is e9c6d914c4b8d9ca", () => {
  assert.equal(crc64(Buffer.from('123456789')).toString(16), 'e9c6d914c4b8d9ca');
  assert.equal(crc64(new Uint8Array(0)), 0n);
  const out = new Uint8Array(8);
  new Crc64().update(Buffer.from('123456789')).writeLE(out, 0);
  assert.equal(hex(out), 'cad9b8c414d9c6e9');
});

test('CRC-64 fed in chunks equals the CRC of the whole', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(300), (b, cut) => {
      const k = Math.min(cut, b.length);
      const c = new Crc64().update(b, 0, k).update(b, k, b.length);
      assert.equal(c.value(), crc64(b));
    }),
  );
});

/** CRC-64 Jones one bit at a time with BigInt: the definition the table-driven code must agree with. */
function crc64Bitwise(b: Uint8Array): bigint {
  const poly = 0x95ac9329ac4bc9b5n;
  let crc = 0n;
  for (const byte of b) {
    crc ^= BigInt(byte);
    for (let k = 0; k < 8; k++) crc = (crc & 1n) === 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return crc;
}

test('CRC-64 eight bytes at a time equals the bit-by-bit definition, at any length and start', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(16), (b, skip) => {
      const from = Math.min(skip, b.length);
      assert.equal(crc64(b, from), crc64Bitwise(b.subarray(from)));
    }),
  );
});

// ---------------------------------------------------------------- LZF

test("LZF output is Redis's: 40 a's compress to a literal, a 36-byte back reference and a literal", () => {
  const c = lzfCompress(Buffer.from('a'.repeat(40)), 36);
  assert.ok(c !== null);
  assert.equal(hex(c), '016161e01b00016161');
  assert.equal(latin1(lzfDecompress(c, 40)), 'a'.repeat(40));
});

test("LZF round trips any data, and gives up (null) when the output would not fit (with liblzf's conservative end check)", () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.uint8Array({ maxLength: 2000 }),
        element.map((s) => Buffer.from(s + s + s, 'latin1')),
      ),
      (b) => {
        const c = lzfCompress(b, b.length + 64);
        if (b.length === 0) return assert.equal(c, null);
        assert.ok(c !== null);
        assert.deepEqual(Buffer.from(lzfDecompress(c, b.length)), Buffer.from(b));
        assert.equal(lzfCompress(b, c.length - 1), null, 'one byte less room than the output fails');
        // liblzf's end check wants room for 3 bytes past a literal run's header it may not use
        assert.ok(lzfCompress(b, c.length + 4) !== null);
      },
    ),
  );
});

test('LZF decompression refuses references before the start, overflow and a wrong length', () => {
  assert.throws(() => lzfDecompress(Buffer.from([0x20, 0x05]), 3), /before the start/);
  assert.throws(() => lzfDecompress(Buffer.from([0x02, 0x61, 0x62, 0x63]), 2), /overflow/);
  assert.throws(() => lzfDecompress(Buffer.from([0x00, 0x61]), 2), /length/);
  assert.throws(() => lzfDecompress(Buffer.from([0x05, 0x61]), 6), /truncated/);
});

// ---------------------------------------------------------------- lengths, strings, doubles

test('rdbSaveLen writes 6-, 14-, 32- and 64-bit lengths and rdbLoadLen reads them back', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [63, '3f'],
    [64, '4040'],
    [16383, '7fff'],
    [16384, '8000004000'],
    [0xffffffff, '80ffffffff'],
    [0x100000000, '810000000100000000'],
    [Number.MAX_SAFE_INTEGER, '81001fffffffffffff'],
  ];
  for (const [n, h] of cases) {
    const w = new RdbWriter(1);
    w.saveLen(n);
    assert.equal(hex(w.result()), h, `length ${n}`);
    assert.equal(new RdbReader(w.result()).loadLen(), n);
  }
  assert.throws(() => new RdbReader(Buffer.from('81ffffffffffffffff', 'hex')).loadLen(), RdbError);
  assert.throws(() => new RdbReader(Buffer.from('80ff', 'hex')).loadLen(), /end of data/);
});

test("strings encode as Redis's DUMP does: canonical int32s as integers, longer or non-canonical ones as bytes", () => {
  // each payload is real Redis 7.0 DUMP output
  const vectors: [string, string][] = [
    ['hello', '000568656c6c6f0a006372df766534200a'],
    ['', '00000a005d9b5c400f7fa2da'],
    ['12', '00c00c0a003c2af8515c04bcd5'],
    ['-1', '00c0ff0a000c937e2485089dc5'],
    ['-129', '00c17fff0a001760822854808480'],
    ['40000', '00c2409c00000a0009cd631ff3b98cf2'],
    ['123456', '00c240e201000a00432647f443197283'],
    ['2147483647', '00c2ffffff7f0a002c74e59ee02eada1'],
    ['2147483648', '000a323134373438333634380a00e7b129a34c1d76ee'],
    ['12345678901', '000b31323334353637383930310a00304e52d727176510'],
    ['0123', '0004303132330a000ae40c929e3b6422'],
    ['a'.repeat(40), '00c30928016161e01b000161610a00cf092faaae25831d'],
  ];
  for (const [s, h] of vectors) {
    assert.equal(hex(createDumpPayload(s, ON)), h, JSON.stringify(s));
    assert.equal(loadDumpPayload(Buffer.from(h, 'hex'), DEFAULTS), s);
  }
  // a raw-encoded value (APPEND) dumps the same bytes
  assert.equal(hex(createDumpPayload(new RawString('hello'), ON)), vectors[0][1]);
});

test('any string survives the round trip, compressed or not, whatever its bytes and length', () => {
  fc.assert(
    fc.property(fc.oneof(element, bytesStr(300)), fc.boolean(), (s, compress) => {
      const o = { compress };
      const back = roundTrip(s, o);
      assert.equal(back, s);
      const p = createDumpPayload(s, o);
      if (!compress || s.length <= 20) assert.notEqual(p[1], 0xc3, 'no LZF when off or short');
    }),
  );
});

test('a big compressible string is stored LZF-compressed and restored whole', () => {
  const s = 'abcdefgh'.repeat(100000);
  const p = createDumpPayload(s, ON);
  assert.equal(p[1], 0xc3);
  assert.ok(p.length < s.length / 10);
  assert.equal(roundTrip(s), s);
  assert.equal(createDumpPayload(s, OFF).length, s.length + 1 + 5 + 10);
});

test('binary doubles keep every bit (infinities, -0, subnormals); text doubles read 253/254/255 as nan/inf/-inf', () => {
  for (const d of [0, -0, 1.5, -Infinity, Infinity, 5e-324, -1.7976931348623157e308, 0.1]) {
    const w = new RdbWriter();
    w.saveBinaryDouble(d);
    assert.ok(Object.is(new RdbReader(w.result()).loadBinaryDouble(), d), String(d));
  }
  const r = new RdbReader(Buffer.from([253, 254, 255, 3, 0x31, 0x2e, 0x35, 4, 0x2d, 0x69, 0x6e, 0x66]));
  assert.ok(Number.isNaN(r.loadDouble()));
  assert.equal(r.loadDouble(), Infinity);
  assert.equal(r.loadDouble(), -Infinity);
  assert.equal(r.loadDouble(), 1.5);
  assert.equal(r.loadDouble(), -Infinity);
});

// ---------------------------------------------------------------- listpacks

test("listpack entries use Redis's encodings for every integer width and string length (Redis's DUMP bytes)", () => {
  const els = [
    '127',
    '128',
    '-4096',
    '4095',
    '-4097',
    '4096',
    '32767',
    '-32768',
    '32768',
    '8388607',
    '-8388608',
    '8388608',
    '2147483647',
    '-2147483648',
    '2147483648',
    '9223372036854775807',
    '-9223372036854775808',
    '',
    '9223372036854775808',
    '-0',
    '007',
    'a'.repeat(63),
    'b'.repeat(64),
  ];
  const q = new QuickList(-2);
  for (const e of els) q.pushTail(e);
  // RPUSH lenc <els> in Redis 7.0 with rdbcompression no, then DUMP lenc
  assert.equal(
    hex(createDumpPayload(q, OFF)),
    '12010241050501000017007f01c08002d00002cfff02f1ffef03f1001003f1ff7f03f1008003f200800004f2ffff7f04f200008004f30000800005f3ffffff7f05f30000008005f4000000800000000009f4ffffffffffffff7f09f40000000000000080098001933932323333373230333638353437373538303814822d30038330303704bf61616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616161616140e0406262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626262626242ff0a007d9bf34f87e91c42',
  );
});

test('listpack entries of every size decode back, with backlens of 1 to 3 bytes', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(element, fc.constantFrom('z'.repeat(16378), 'z'.repeat(16379), 'q'.repeat(4095), 'q'.repeat(4096))), { maxLength: 40 }), (els) => {
      const b = new ListpackBuilder();
      let size = 7;
      for (const e of els) {
        b.append(e);
        size += ListpackBuilder.entrySize(e);
        assert.equal(b.bytes, size);
      }
      const lp = b.finish();
      assert.equal(lp.length, size);
      assert.deepEqual(
        listpackEntries(Buffer.from(lp)),
        els.map((e) => (/^(0|-?[1-9]\d*)$/.test(e) && e.length <= 20 && BigInt(e) <= 2n ** 63n - 1n && BigInt(e) >= -(2n ** 63n) ? BigInt(e).toString() : e)),
      );
    }),
  );
});

test('a listpack whose header, backlen, entry encoding or end byte is wrong is refused', () => {
  const good = new ListpackBuilder();
  good.append('abc');
  good.append('12');
  const lp = Buffer.from(good.finish());
  assert.deepEqual(listpackEntries(lp), ['abc', '12']);
  const bad = (f: (b: Buffer) => void): Buffer => {
    const b = Buffer.from(lp);
    f(b);
    return b;
  };
  assert.throws(() => listpackEntries(bad((b) => b.writeUInt32LE(99, 0))), /header size/);
  assert.throws(() => listpackEntries(bad((b) => (b[b.length - 1] = 0))), /end byte/);
  assert.throws(() => listpackEntries(bad((b) => (b[10] = 9))), /backlen/);
  assert.throws(() => listpackEntries(bad((b) => (b[6] = 0xf7))), /invalid entry/);
  assert.throws(() => listpackEntries(bad((b) => b.writeUInt16LE(3, 4))), /count/);
  assert.throws(() => listpackEntries(bad((b) => (b[6] = 0x8f))), /overflows/);
});

// ---------------------------------------------------------------- lists

test('lists round trip with their elements in order under every list-max-listpack-size', () => {
  fc.assert(
    fc.property(fc.array(element, { minLength: 1, maxLength: 150 }), fc.constantFrom(-1, -2, -5, 0, 1, 3, 128), fc.boolean(), (els, fill, compress) => {
      const q = new QuickList(fill);
      for (const e of els) q.pushTail(e);
      assert.equal(rdbObjectType(q), RDB_TYPE_LIST_QUICKLIST_2);
      const back = roundTrip(q, { compress }, { ...DEFAULTS, listMaxListpackSize: fill }) as QuickList;
      assertSame(back, q);
      assert.equal(back.fill, fill);
    }),
  );
});

test('list nodes are cut where Redis 7.0 cuts them (size + element + 8 against the fill limit)', () => {
  // RPUSH of 40 elements of 100 bytes under fill -1 (4 KB): Redis makes a node of 39 (a 4024-byte listpack), then one of 1
  const q = new QuickList(-1);
  for (let i = 0; i < 40; i++) q.pushTail('x'.repeat(100));
  const p = createDumpPayload(q, OFF);
  const r = new RdbReader(p, 1);
  assert.equal(r.loadLen(), 2);
  assert.equal(r.loadLen(), 2, 'packed');
  assert.equal(r.loadStringBytes().length, 7 + 39 * 103);
  // RPUSH of 600 elements of 1 to 97 bytes: the node sizes Redis 7.0's DUMP shows for each fill
  const els = Array.from({ length: 600 }, (_, k) => 'x'.repeat(((k * 37) % 97) + 1));
  const expected: [number, number[]][] = [
    [-1, [79, 80, 80, 79, 80, 78, 79, 45]],
    [-2, [159, 159, 158, 124]],
  ];
  for (const [fill, counts] of expected) {
    const ql = new QuickList(fill);
    for (const e of els) ql.pushTail(e);
    const rd = new RdbReader(createDumpPayload(ql, ON), 1);
    const n = rd.loadLen();
    const got: number[] = [];
    for (let i = 0; i < n; i++) {
      rd.loadLen();
      got.push(listpackEntries(rd.loadStringBytes()).length);
    }
    assert.deepEqual(got, counts, `fill ${fill}`);
  }
  // fill 3: three elements per node
  const q3 = new QuickList(3);
  for (let i = 0; i < 7; i++) q3.pushTail(String(i));
  assert.equal(new RdbReader(createDumpPayload(q3, OFF), 1).loadLen(), 3);
});

test('old list forms load: plain list, ziplist, quicklist of ziplists, and quicklist 2 with a plain node', () => {
  const els = ['a', '1', '-70000', '', 'x'.repeat(300), '9223372036854775807', '12'];
  const forms: Buffer[] = [
    payload(RDB_TYPE_LIST, (w) => {
      w.saveLen(els.length);
      for (const e of els) w.saveString(e, ON);
    }),
    payload(RDB_TYPE_LIST_ZIPLIST, (w) => w.saveBlob(ziplistBlob(els), ON), 6),
    payload(
      RDB_TYPE_LIST_QUICKLIST,
      (w) => {
        w.saveLen(2);
        w.saveBlob(ziplistBlob(els.slice(0, 3)), ON);
        w.saveBlob(ziplistBlob(els.slice(3)), ON);
      },
      9,
    ),
    payload(RDB_TYPE_LIST_QUICKLIST_2, (w) => {
      w.saveLen(3);
      w.saveLen(2);
      const lp = new ListpackBuilder();
      for (const e of els.slice(0, 4)) lp.append(e);
      w.saveBlob(lp.finish(), ON);
      w.saveLen(1);
      w.saveString(els[4], ON);
      w.saveLen(2);
      const lp2 = new ListpackBuilder();
      for (const e of els.slice(5)) lp2.append(e);
      w.saveBlob(lp2.finish(), ON);
    }),
  ];
  for (const p of forms) {
    assert.ok(verifyDumpPayload(p));
    const v = loadDumpPayload(p, DEFAULTS) as QuickList;
    assert.deepEqual(v.toArray(), els, `type ${p[0]}`);
    assert.equal(v.encoding(), 'quicklist');
  }
});

// ---------------------------------------------------------------- hashes

const HLIM = { hashMaxListpackEntries: 8, hashMaxListpackValue: 16 };

function hashOf(pairs: [string, string][], lim = HLIM): HashValue | null {
  const h = HashValue.empty();
  for (const [f, v] of pairs) h.set(f, v, lim);
  return h.size === 0 ? null : h;
}

test('hashes round trip in both encodings: a listpack keeps its order, a hashtable its entries', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(element, element), { minLength: 1, maxLength: 30 }), fc.boolean(), (pairs, compress) => {
      const h = hashOf(pairs)!;
      assert.equal(rdbObjectType(h), h.isListpack ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH);
      const got = roundTrip(h, { compress }, { ...DEFAULTS, ...HLIM });
      const flat: string[] = [];
      h.forEach((f, v) => flat.push(f, v));
      if (!h.isListpack && h.size <= HLIM.hashMaxListpackEntries && flat.every((e) => e.length <= HLIM.hashMaxListpackValue)) {
        // a hashtable whose long value was overwritten by a short one: Redis loads a small plain hash as a listpack
        assert.equal(encodingOf(got), 'listpack');
        assert.deepEqual((contentOf(got) as string[]).slice().sort(), contentOf(h));
      } else assertSame(got, h);
    }),
  );
});

test("a listpack hash's payload is Redis's (HSET h f v f2 12)", () => {
  const h = hashOf([
    ['f', 'v'],
    ['f2', '12'],
  ])!;
  assert.equal(hex(createDumpPayload(h, ON)), '1013130000000400816602817602826632030c01ff0a00f364f98889042e20');
});

test('a hash loads as Redis 7.0 loads it: a listpack is kept unless it has too many fields, a plain hash is a listpack when small', () => {
  const lp = (flat: string[]): Buffer =>
    payload(RDB_TYPE_HASH_LISTPACK, (w) => {
      const b = new ListpackBuilder();
      for (const e of flat) b.append(e);
      w.saveBlob(b.finish(), ON);
    });
  const lim = { ...DEFAULTS, hashMaxListpackEntries: 2, hashMaxListpackValue: 4 };
  assert.equal(encodingOf(loadDumpPayload(lp(['f', 'long value']), lim)), 'listpack', 'value length not rechecked');
  assert.equal(encodingOf(loadDumpPayload(lp(['a', '1', 'b', '2', 'c', '3']), lim)), 'hashtable');
  const plain = (flat: string[]): Buffer =>
    payload(RDB_TYPE_HASH, (w) => {
      w.saveLen(flat.length / 2);
      for (const e of flat) w.saveString(e, ON);
    });
  assert.equal(encodingOf(loadDumpPayload(plain(['a', '1', 'b', '2']), lim)), 'listpack');
  assert.equal(encodingOf(loadDumpPayload(plain(['a', 'long value']), lim)), 'hashtable');
  assert.equal(encodingOf(loadDumpPayload(plain(['a', '1', 'b', '2', 'c', '3']), lim)), 'hashtable');
  // the ziplist form (RDB 9) and the zipmap (RDB 6, also converted for a long value)
  const zl = payload(RDB_TYPE_HASH_ZIPLIST, (w) => w.saveBlob(ziplistBlob(['a', '1', 'b', 'long value']), ON), 9);
  assert.deepEqual(contentOf(loadDumpPayload(zl, lim)), ['a=1', 'b=long value']);
  const zm = (pairs: [string, string][], free = 0): Buffer => payload(RDB_TYPE_HASH_ZIPMAP, (w) => w.saveBlob(zipmapBlob(pairs, free), ON), 6);
  const small = loadDumpPayload(
    zm(
      [
        ['a', '1'],
        ['b', '22'],
      ],
      3,
    ),
    lim,
  );
  assert.deepEqual(contentOf(small), ['a=1', 'b=22']);
  assert.equal(encodingOf(small), 'listpack');
  assert.equal(encodingOf(loadDumpPayload(zm([['a', 'long value']]), lim)), 'hashtable');
  assert.throws(
    () => loadDumpPayload(lp(['a', '1', 'a', '2']), lim),
    (e: RdbError) => e.message === 'Hash listpack integrity check failed.' && /Duplicate/.test(e.detail),
  );
  // not sanitized deeply (sanitize-dump-payload no), Redis meets the duplicates converting: its panic's words
  assert.throws(() => loadDumpPayload(lp(['a', '1', 'a', '2']), { ...lim, hashMaxListpackEntries: 1 }, false), /^Error: Hash listpack with dup elements$/);
  assert.throws(() => loadDumpPayload(lp(['a']), lim), RdbError);
});

// ---------------------------------------------------------------- sets

const intMember = fc.oneof(
  fc.integer({ min: -40, max: 40 }).map(String),
  fc.integer().map(String),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String),
  fc.constantFrom('9223372036854775807', '-9223372036854775808', '0', '-1'),
);

test('sets round trip in both encodings, intsets with their element width', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof({ weight: 5, arbitrary: intMember }, { weight: 1, arbitrary: element }), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 30 }), (ms, maxIntset) => {
      const s = SetValue.forMember(ms[0]);
      for (const m of ms) s.add(m, maxIntset);
      assert.equal(rdbObjectType(s), s.encoding() === 'intset' ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET);
      const back = roundTrip(s, ON, { ...DEFAULTS, setMaxIntsetEntries: maxIntset }) as SetValue;
      assertSame(back, s);
      // the intset comes back as the same bytes: width, order and values
      assert.equal(back.intset, s.intset);
    }),
  );
});

test("intset payloads are Redis's, including a width kept after the wide member left", () => {
  const s = SetValue.intset();
  for (const m of ['1', '2', '-3']) s.add(m, 512);
  assert.equal(hex(createDumpPayload(s, ON)), '0b0e0200000003000000fdff010002000a00d1b78ed9bc07c27f');
  const e = SetValue.intset();
  for (const m of ['-9223372036854775808', '9223372036854775807', '0']) e.add(m, 512);
  assert.equal(hex(createDumpPayload(e, OFF)), '0b20080000000300000000000000000000800000000000000000ffffffffffffff7f0a007c7ba2a92a242c4f');
  // the same with rdbcompression yes: the 32-byte blob is LZF-compressed, as Redis does
  assert.equal(hex(createDumpPayload(e, ON)), '0bc316200408000000032003a0000080a0070100ff600001ff7f0a005ad47b373d832c0a');
  // SADD i8 5000000000 1; SREM i8 5000000000: Redis keeps 8-byte elements
  const w = SetValue.intset();
  w.add('5000000000', 512);
  w.add('1', 512);
  w.remove('5000000000');
  const p = createDumpPayload(w, ON);
  assert.equal(hex(p), '0b10080000000100000001000000000000000a0069c1337d799ac70f');
  // and loading keeps it, so the payload comes out the same again
  assert.equal(hex(createDumpPayload(loadDumpPayload(p, DEFAULTS), ON)), hex(p));
});

test('a plain set loads as an intset when small and all-integer, an intset converts when too big', () => {
  const plain = (ms: string[]): Buffer =>
    payload(RDB_TYPE_SET, (w) => {
      w.saveLen(ms.length);
      for (const m of ms) w.saveString(m, ON);
    });
  const lim = { ...DEFAULTS, setMaxIntsetEntries: 3 };
  assert.deepEqual(contentOf(loadDumpPayload(plain(['2', '1', '-3']), lim)), ['-3', '1', '2']);
  assert.equal(encodingOf(loadDumpPayload(plain(['2', '1', '-3']), lim)), 'intset');
  assert.equal(encodingOf(loadDumpPayload(plain(['2', '1', '-3', '4']), lim)), 'hashtable');
  assert.equal(encodingOf(loadDumpPayload(plain(['2', 'a']), lim)), 'hashtable');
  assert.throws(() => loadDumpPayload(plain(['2', '2']), lim), /Duplicate set members/);
  const is = payload(RDB_TYPE_SET_INTSET, (w) => w.saveBlob(intsetBlob([1, 2, 3, 4], 2), ON));
  assert.equal(encodingOf(loadDumpPayload(is, lim)), 'hashtable');
  assert.throws(
    () =>
      loadDumpPayload(
        payload(RDB_TYPE_SET_INTSET, (w) => w.saveBlob(intsetBlob([2, 1], 2), ON)),
        lim,
      ),
    (e: RdbError) => e.message === 'Intset integrity check failed.' && /ascending/.test(e.detail),
  );
  // RDB 11's set listpack reads as a plain set, and only in RDB 11 data
  const slp = (v: number): Buffer =>
    payload(
      RDB_TYPE_SET_LISTPACK,
      (w) => {
        const b = new ListpackBuilder();
        b.append('5');
        b.append('x');
        w.saveBlob(b.finish(), ON);
      },
      v,
    );
  assert.deepEqual(contentOf(loadDumpPayload(slp(11), lim)), ['5', 'x']);
  assert.throws(() => loadDumpPayload(slp(10), lim), /unknown object type 20/);
});

// ---------------------------------------------------------------- sorted sets

const score: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -300, max: 300 }),
  fc.double({ noNaN: true }),
  fc.constantFrom(0, -0, Infinity, -Infinity, 0.1, 1e20, 2 ** 53, 2 ** 62, 2 ** 62 + 2 ** 10, -(2 ** 62), 123456789012345678, 4503599627370496, 5e-324),
);

test('sorted sets round trip in both encodings with every score (±inf, -0 kept by a skiplist, extremes)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(score, element), { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 20 }), (els, maxEntries) => {
      const lim = { zsetMaxListpackEntries: maxEntries, zsetMaxListpackValue: 16 };
      const z = new ZSet();
      for (const [s, m] of els) z.add(s, m, 0, lim);
      assert.equal(rdbObjectType(z), z.isListpack ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2);
      assertSame(roundTrip(z, ON, { ...DEFAULTS, ...lim }), z);
    }),
  );
});

test("zset payloads are Redis's: listpack scores as integers or %.17g text, skiplists greatest first with binary scores", () => {
  const lim = { zsetMaxListpackEntries: 128, zsetMaxListpackValue: 64 };
  const z = new ZSet();
  for (const [s, m] of [
    [1, 'a'],
    [1.5, 'b'],
    [-0, 'c'],
    [Infinity, 'd'],
    [-Infinity, 'e'],
  ] as [number, string][])
    z.add(s, m, 0, lim);
  assert.equal(hex(createDumpPayload(z, ON)), '112a2a0000000a00816502842d696e66058163020001816102010181620283312e350481640283696e6604ff0a00f3965f52c43221dd');
  const sk = ZSet.create(true);
  for (const [s, m] of [
    [0, 'x'],
    [-0, 'y'],
    [Infinity, 'z'],
    [-Infinity, 'w'],
    [1e300, 'v'],
  ] as [number, string][])
    sk.add(s, m, 0, lim);
  assert.equal(hex(createDumpPayload(sk, ON)), '0505017a000000000000f07f01769c7500883ce4377e01790000000000000080017800000000000000000177000000000000f0ff0a00506dbea040b7ad72');
  assert.equal(zsetListpackScore(123456789012345678), '123456789012345680');
  assert.equal(zsetListpackScore(-0), '0');
  assert.equal(zsetListpackScore(2 ** 62 + 2 ** 11), '4.61168601842739e+18');
  assert.equal(zsetListpackScore(0.1), '0.10000000000000001');
});

test('a zset loads as Redis 7.0 loads it: listpack kept unless too many, skiplist payloads converted when small, old forms read', () => {
  const lim = { ...DEFAULTS, zsetMaxListpackEntries: 2, zsetMaxListpackValue: 4 };
  const lp = (flat: string[]): Buffer =>
    payload(RDB_TYPE_ZSET_LISTPACK, (w) => {
      const b = new ListpackBuilder();
      for (const e of flat) b.append(e);
      w.saveBlob(b.finish(), ON);
    });
  assert.equal(encodingOf(loadDumpPayload(lp(['a long member', '1']), lim)), 'listpack');
  assert.equal(encodingOf(loadDumpPayload(lp(['a', '1', 'b', '2', 'c', '3']), lim)), 'skiplist');
  const z2 = (pairs: [string, number][]): Buffer =>
    payload(RDB_TYPE_ZSET_2, (w) => {
      w.saveLen(pairs.length);
      for (const [m, s] of pairs) {
        w.saveString(m, ON);
        w.saveBinaryDouble(s);
      }
    });
  const small = loadDumpPayload(
    z2([
      ['b', -0],
      ['a', 1],
    ]),
    lim,
  );
  assert.equal(encodingOf(small), 'listpack');
  assert.deepEqual(contentOf(small), [
    ['b', '0'],
    ['a', '1'],
  ]);
  assert.equal(encodingOf(loadDumpPayload(z2([['long member', 1]]), lim)), 'skiplist');
  assert.throws(() => loadDumpPayload(z2([['a', NaN]]), lim), /NAN/);
  assert.throws(
    () =>
      loadDumpPayload(
        z2([
          ['a', 1],
          ['a', 2],
        ]),
        lim,
      ),
    /Duplicate/,
  );
  const text = payload(
    RDB_TYPE_ZSET,
    (w) => {
      w.saveLen(3);
      w.saveString('a', ON);
      w.u8(3);
      w.latin1('1.5');
      w.saveString('b', ON);
      w.u8(254);
      w.saveString('c', ON);
      w.u8(255);
    },
    6,
  );
  assert.deepEqual(contentOf(loadDumpPayload(text, DEFAULTS)), [
    ['c', '-Infinity'],
    ['a', '1.5'],
    ['b', 'Infinity'],
  ]);
  const zl = payload(RDB_TYPE_ZSET_ZIPLIST, (w) => w.saveBlob(ziplistBlob(['a', '1', 'b', '2.5', 'c', '100000']), ON), 9);
  assert.deepEqual(contentOf(loadDumpPayload(zl, DEFAULTS)), [
    ['a', '1'],
    ['b', '2.5'],
    ['c', '100000'],
  ]);
});

// ---------------------------------------------------------------- payloads

test('a payload with a wrong CRC, a newer RDB version or fewer than 10 bytes does not verify', () => {
  const p = createDumpPayload('hello', ON);
  assert.ok(verifyDumpPayload(p));
  for (let i = 0; i < p.length; i++) {
    const b = Buffer.from(p);
    b[i] ^= 0x40;
    assert.equal(verifyDumpPayload(b), false, `byte ${i} flipped`);
  }
  assert.equal(verifyDumpPayload(payload(RDB_TYPE_STRING, (w) => w.saveString('x', ON), 11)), false);
  assert.equal(verifyDumpPayload(payload(RDB_TYPE_STRING, (w) => w.saveString('x', ON), 9)), true);
  assert.equal(verifyDumpPayload(Buffer.alloc(9)), false);
});

test('truncated, empty and unknown values are refused (a stream cut after its nodes, the stream type of 7.2), modules as Redis without the module', () => {
  const p = createDumpPayload(hashOf([['f', 'v']])!, ON);
  const body = p.subarray(0, p.length - 10);
  for (let cut = 1; cut < body.length; cut++) {
    const r = new RdbReader(body, 1, cut);
    assert.throws(() => rdbLoadObject(body[0], r, DEFAULTS), RdbError, `cut at ${cut}`);
  }
  assert.throws(
    () =>
      loadDumpPayload(
        payload(RDB_TYPE_SET, (w) => w.saveLen(0)),
        DEFAULTS,
      ),
    /empty/,
  );
  assert.throws(
    () =>
      loadDumpPayload(
        payload(RDB_TYPE_LIST_QUICKLIST_2, (w) => {
          w.saveLen(1);
          w.saveLen(2);
          w.saveBlob(new ListpackBuilder().finish(), ON);
        }),
        DEFAULTS,
      ),
    /empty/,
  );
  assert.throws(
    () =>
      loadDumpPayload(
        payload(RDB_TYPE_LIST_QUICKLIST_2, (w) => {
          w.saveLen(1);
          w.saveLen(3);
          w.saveString('a', ON);
        }),
        DEFAULTS,
      ),
    /Quicklist integrity/,
  );
  assert.throws(
    () =>
      loadDumpPayload(
        payload(8, (w) => w.saveLen(0)),
        DEFAULTS,
      ),
    /unknown object type 8/,
  );
  assert.throws(
    () =>
      loadDumpPayload(
        payload(RDB_TYPE_STREAM_LISTPACKS, (w) => w.saveLen(0)),
        DEFAULTS,
      ),
    // no nodes; read on into the footer, as Redis reads it: a length of 10 (the RDB version)
    /Stream length inconsistent with rax entries/,
  );
  assert.throws(
    () =>
      loadDumpPayload(
        payload(21, (w) => w.saveLen(0)),
        DEFAULTS,
      ),
    /unknown object type 21/,
  );
  assert.throws(
    () =>
      loadDumpPayload(
        payload(7, (w) => w.saveLen(0)),
        DEFAULTS,
      ),
    { message: "The RDB file contains module data I can't load: no matching module type 'AAAAAAAAA'" },
  );
  assert.throws(
    () =>
      loadDumpPayload(
        payload(6, (w) => w.saveLen(0)),
        DEFAULTS,
      ),
    { message: 'Pre-release module format not supported' },
  );
});

test('rdbSaveObject writes only the value: a file writer can put its own type and key around it', () => {
  const w = new RdbWriter();
  rdbSaveObject(w, 'hello', ON);
  assert.equal(hex(w.result()), '0568656c6c6f');
});
