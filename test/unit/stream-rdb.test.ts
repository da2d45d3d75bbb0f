/**
 * Streams in RDB form (persistence/rdb/encode.ts saveStream, decode.ts
 * loadStream) and in the AOF rewrite's command form: random streams with
 * groups survive rdbSaveObject → rdbLoadObject whole (entries, counters,
 * nodes, PELs whose NACKs a group shares with its consumers), nodes convert
 * to and from Redis's listpack, and every corrupt shape the loader knows is
 * refused with Redis's reason (or, unsanitized, kept as far as it is sound).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { STREAM_ID_MAX, STREAM_ID_MIN, Stream, StreamNACK, StreamNode, streamID, streamIDFromRaw, streamIDToRaw, streamIDToString } from '../../src/datatypes/stream.js';
import { ListpackBuilder, RDB_TYPE_STREAM_LISTPACKS, RDB_TYPE_STREAM_LISTPACKS_2, RdbWriter, createDumpPayload, rdbSaveObject } from '../../src/persistence/rdb/encode.js';
import { RdbError, RdbReader, loadDumpPayload, rdbLoadObject, type LoadLimits } from '../../src/persistence/rdb/decode.js';
import { encodeKey } from '../../src/persistence/aof/rewrite.js';
import { DEFAULT_LOAD_LIMITS, payload } from '../harness/rdb-payloads.js';

const LIM: LoadLimits = DEFAULT_LOAD_LIMITS;
const ON = { compress: true };
const OFF = { compress: false };

/** Everything observable of a stream, as plain data. */
function shape(s: Stream): unknown {
  const entries: unknown[] = [];
  const it = s.iterator(STREAM_ID_MIN, STREAM_ID_MAX);
  while (it.next()) entries.push([streamIDToString(it.id), it.fieldsValues()]);
  const nodes = [...s.nodes.values()].map((n) => [streamIDToString(n.masterId), n.count, n.deleted, n.fields, n.elements, n.entries.result().toString('hex')]);
  const groups: unknown[] = [];
  s.cgroups?.forEach((name, cg) => {
    const pel: unknown[] = [];
    cg.pel.forEach((id, n) => void pel.push([streamIDToString(id), n.deliveryTime, n.deliveryCount, n.consumer.name, n.consumer.pel.get(id) === n]));
    const consumers: unknown[] = [];
    cg.consumers.forEach((cname, c) => void consumers.push([cname, c.seenTime, [...c.pel.entries()].map(([id, n]) => [streamIDToString(id), cg.pel.get(id) === n])]));
    groups.push([name, streamIDToString(cg.lastId), cg.entriesRead, pel, consumers]);
  });
  return [s.length, streamIDToString(s.lastId), streamIDToString(s.firstId), streamIDToString(s.maxDeletedEntryId), s.entriesAdded, entries, nodes, groups];
}

const load = (type: number, fn: (w: RdbWriter) => void, deep = true): Stream => {
  const p = payload(type, fn);
  return rdbLoadObject(type, new RdbReader(p, 1, p.length - 10), LIM, deep) as Stream;
};

/** A random stream: appends under small node limits, deletes, trims, groups with pending entries. */
const streamArb = fc
  .record({
    n: fc.nat(120),
    maxEntries: fc.constantFrom(0, 1, 4, 100),
    maxBytes: fc.constantFrom(0, 50, 4096),
    big: fc.constantFrom(1000, 2 ** 40, 2 ** 60),
    dels: fc.array(fc.nat(200), { maxLength: 20 }),
    trim: fc.option(fc.nat(100)),
    groups: fc.array(
      fc.record({ name: fc.string({ maxLength: 5 }), read: fc.integer({ min: -1, max: 50 }), pending: fc.array(fc.tuple(fc.nat(200), fc.nat(3)), { maxLength: 10 }), consumers: fc.nat(3) }),
      { maxLength: 3 },
    ),
  })
  .map((o) => {
    const s = new Stream();
    const lim = { nodeMaxBytes: o.maxBytes, nodeMaxEntries: o.maxEntries };
    const ids: string[] = [];
    for (let i = 0; i < o.n; i++) {
      const id = streamID(i < o.n - 1 ? i + 1 : o.big, i % 3);
      ids.push(id);
      s.append(id, i % 5 === 0 ? ['f', String(i), 'g', 'x'.repeat(i)] : ['f', `v${i}`], lim);
    }
    for (const d of o.dels) if (ids.length > 0) s.deleteItem(ids[d % ids.length]);
    if (o.trim !== null) s.trim('maxlen', o.trim, STREAM_ID_MIN, false, 0);
    for (const g of o.groups) {
      const cg = s.createCG(g.name, s.lastId, g.read);
      if (cg === null) continue;
      const cs = Array.from({ length: g.consumers }, (_, i) => cg.createConsumer(`c${i}`, 1700000000000 + i)!);
      if (cs.length === 0) continue;
      for (const [p, c] of g.pending) {
        const id = streamID(p, 0);
        if (cg.pel.has(id)) continue;
        const owner = cs[c % cs.length];
        const nack = new StreamNACK(1600000000000 + p, c + 1, owner);
        cg.pel.set(id, nack);
        owner.pel.set(id, nack);
      }
    }
    return s;
  });

test('a stream survives rdbSaveObject and rdbLoadObject whole, compressed or not, sanitized or not', () => {
  fc.assert(
    fc.property(streamArb, fc.boolean(), fc.boolean(), (s, compress, deep) => {
      const w = new RdbWriter();
      rdbSaveObject(w, s, compress ? ON : OFF);
      const r = new RdbReader(w.result());
      const back = rdbLoadObject(RDB_TYPE_STREAM_LISTPACKS_2, r, LIM, deep) as Stream;
      assert.equal(r.pos, w.len, 'the whole payload read');
      assert.deepEqual(shape(back), shape(s));
      assert.equal(createDumpPayload(back, ON).toString('hex'), createDumpPayload(s, ON).toString('hex'));
    }),
    { numRuns: 150 },
  );
});

test('StreamNode.toListpack is Redis listpack and fromListpack reads it back; raw IDs are 16 big-endian bytes', () => {
  const s = new Stream();
  s.append(streamID(5, 1), ['a', '1', 'b', 'x'], { nodeMaxBytes: 4096, nodeMaxEntries: 100 });
  s.append(streamID(6, 0), ['a', '2', 'b', 'y'], { nodeMaxBytes: 4096, nodeMaxEntries: 100 });
  s.append(streamID(7, 0), ['c', '3'], { nodeMaxBytes: 4096, nodeMaxEntries: 100 });
  s.deleteItem(streamID(6, 0));
  const node = s.nodes.firstValue()!;
  const lp = node.toListpack();
  // header: total bytes, element count (master 4 + 2 fields, entries 6 + 6 + 7)
  assert.equal(lp.readUInt32LE(0), lp.length);
  assert.equal(lp.readUInt16LE(4), 25);
  assert.equal(lp.length, node.lpBytes());
  // master entry: count 2, deleted 1, 2 fields "a" "b" (as lpAppend stores them), 0
  assert.equal(lp.subarray(6, 20).toString('hex'), '0201010102018161028162020001');
  const back = StreamNode.fromListpack(node.masterId, lp);
  assert.deepEqual([back.count, back.deleted, back.fields, back.elements], [2, 1, ['a', 'b'], 19]);
  assert.equal(back.entries.result().toString('hex'), node.entries.result().toString('hex'));
  const id = streamID(2n ** 64n - 1n, 258);
  const raw = streamIDToRaw(id);
  assert.equal(raw.toString('hex'), 'ffffffffffffffff0000000000000102');
  assert.equal(streamIDFromRaw(raw), id);
});

/** A node's listpack built element by element (entries are [flags, msd, seqd, values…, lp-count]). */
function nodeLp(master: (string | number)[], entries: (string | number)[][]): Buffer {
  const b = new ListpackBuilder();
  for (const x of [...master, ...entries.flat()]) typeof x === 'number' ? b.appendInteger(x) : b.append(x);
  return b.finish();
}

/** A stream payload of the given nodes and groups (groups written by fn). */
function streamBody(nodes: [string, Buffer][], length: number, groups: (w: RdbWriter) => void = (w) => w.saveLen(0)) {
  return (w: RdbWriter) => {
    w.saveLen(nodes.length);
    for (const [id, lp] of nodes) {
      w.saveBlob(Buffer.from(id, 'latin1'), OFF);
      w.saveBlob(lp, OFF);
    }
    w.saveLen(length);
    for (let i = 0; i < 7; i++) w.saveLen(i === 0 ? 9 : 0);
    groups(w);
  };
}

const KEY1 = streamIDToRaw(streamID(1, 0)).toString('latin1');
const GOOD_LP = nodeLp([1, 0, 1, 'f', 0], [[2, 0, 0, 'v', 4]]);

test("the loader refuses corrupt streams with Redis's reasons", () => {
  const refuse = (reason: RegExp, type: number, fn: (w: RdbWriter) => void, deep = true) =>
    assert.throws(
      () => load(type, fn, deep),
      (e: unknown) => e instanceof RdbError && reason.test(e.message),
    );
  const T = RDB_TYPE_STREAM_LISTPACKS_2;
  refuse(/^Stream node key entry is not the size of a stream ID$/, T, streamBody([['short', GOOD_LP]], 1));
  refuse(
    /^Listpack re-added with existing key$/,
    T,
    streamBody(
      [
        [KEY1, GOOD_LP],
        [KEY1, GOOD_LP],
      ],
      2,
    ),
  );
  refuse(/^Stream listpack integrity check failed\.$/, T, streamBody([[KEY1, new ListpackBuilder().finish()]], 0));
  refuse(/^Empty listpack inside stream$/, T, streamBody([[KEY1, new ListpackBuilder().finish()]], 0), false);
  refuse(/^Stream length inconsistent with rax entries$/, T, streamBody([], 1));
  // lp-count wrong, a missing terminator, an entry count beyond the entries, trailing elements, a non-integer delta
  for (const lp of [
    nodeLp([1, 0, 1, 'f', 0], [[2, 0, 0, 'v', 5]]),
    nodeLp([1, 0, 1, 'f', 1], [[2, 0, 0, 'v', 4]]),
    nodeLp([2, 0, 1, 'f', 0], [[2, 0, 0, 'v', 4]]),
    nodeLp([1, 0, 1, 'f', 0], [[2, 0, 0, 'v', 4], [2]]),
    nodeLp([1, 0, 1, 'f', 0], [[2, 'x', 0, 'v', 4]]),
  ]) {
    refuse(/^Stream listpack integrity check failed\.$/, T, streamBody([[KEY1, lp]], 1));
    refuse(/^Stream listpack integrity check failed\.$/, T, streamBody([[KEY1, lp]], 1), false);
  }
  const group =
    (pel: string[], consumers: [string, string[]][], name = 'g') =>
    (w: RdbWriter) => {
      w.saveString(name, OFF);
      w.saveLen(1);
      w.saveLen(0);
      w.saveLen(0);
      w.saveLen(pel.length);
      for (const id of pel) {
        w.bytes(Buffer.from(id, 'latin1'));
        w.saveMillisecondTime(1);
        w.saveLen(1);
      }
      w.saveLen(consumers.length);
      for (const [c, ids] of consumers) {
        w.saveString(c, OFF);
        w.saveMillisecondTime(2);
        w.saveLen(ids.length);
        for (const id of ids) w.bytes(Buffer.from(id, 'latin1'));
      }
    };
  const groups =
    (...gs: ((w: RdbWriter) => void)[]) =>
    (w: RdbWriter) => {
      w.saveLen(gs.length);
      for (const g of gs) g(w);
    };
  const body = (g: (w: RdbWriter) => void) => streamBody([[KEY1, GOOD_LP]], 1, g);
  refuse(/^Duplicated consumer group name g$/, T, body(groups(group([], []), group([], []))));
  refuse(/^Duplicated global PEL entry loading stream consumer group$/, T, body(groups(group([KEY1, KEY1], [['a', [KEY1]]]))));
  refuse(
    /^Duplicate stream consumer detected\.$/,
    T,
    body(
      groups(
        group(
          [],
          [
            ['a', []],
            ['a', []],
          ],
        ),
      ),
    ),
  );
  refuse(/^Consumer entry not found in group global PEL$/, T, body(groups(group([], [['a', [KEY1]]]))));
  refuse(/^Duplicated consumer PEL entry {2}loading a stream consumer group$/, T, body(groups(group([KEY1], [['a', [KEY1, KEY1]]]))));
  refuse(
    /^Duplicated consumer PEL entry {2}loading a stream consumer group$/,
    T,
    body(
      groups(
        group(
          [KEY1],
          [
            ['a', [KEY1]],
            ['b', [KEY1]],
          ],
        ),
      ),
    ),
  );
  refuse(/^Stream CG PEL entry without consumer$/, T, body(groups(group([KEY1], [['a', []]]))));
  // unsanitized, an entry no consumer claims is dropped rather than held without an owner
  const s = load(T, body(groups(group([KEY1], [['a', []]]))), false);
  assert.equal(s.lookupCG('g')!.pel.size, 0);
  // the first form: entries-added = length, first ID walked, entries-read estimated
  const old = load(RDB_TYPE_STREAM_LISTPACKS, (w) => {
    w.saveLen(1);
    w.saveBlob(Buffer.from(KEY1, 'latin1'), OFF);
    w.saveBlob(GOOD_LP, OFF);
    w.saveLen(1);
    w.saveLen(1);
    w.saveLen(0);
    w.saveLen(1);
    w.saveString('g', OFF);
    w.saveLen(0);
    w.saveLen(0);
    w.saveLen(0);
    w.saveLen(0);
  });
  assert.deepEqual([old.entriesAdded, streamIDToString(old.firstId), old.lookupCG('g')!.entriesRead], [1, '1-0', 0]);
  // 7.2's form is not 7.0's
  assert.throws(
    () =>
      loadDumpPayload(
        payload(21, (w) => w.saveLen(0), 11),
        LIM,
      ),
    /Unknown RDB encoding type 21/,
  );
});

test('integers of the entries stored as text are accepted and re-encoded; metadata with a bad length encoding reads as 2^64-1, as RESTORE does', () => {
  const lp = nodeLp(['1', '0', '1', 'f', '0'], [['2', '0', '0', 'v', '4']]);
  const s = load(RDB_TYPE_STREAM_LISTPACKS_2, streamBody([[KEY1, lp]], 1));
  const it = s.iterator(STREAM_ID_MIN, STREAM_ID_MAX);
  assert.ok(it.next());
  assert.deepEqual([streamIDToString(it.id), it.fieldsValues()], ['1-0', ['f', 'v']]);
  assert.ok(s.deleteItem(streamID(1, 0)));
  assert.equal(s.length, 0);
  const bad = load(RDB_TYPE_STREAM_LISTPACKS_2, (w) => {
    w.saveLen(0);
    w.saveLen(0);
    w.u8(0x85); // the last ID's ms: neither a 32- nor a 64-bit length
    for (let i = 0; i < 7; i++) w.saveLen(0);
  });
  assert.equal(streamIDToString(bad.lastId), '18446744073709551615-0');
});

test('the AOF rewrite of a stream is Redis 7.0 rewriteStreamObject', () => {
  const s = new Stream();
  const lim = { nodeMaxBytes: 4096, nodeMaxEntries: 100 };
  s.append(streamID(1, 1), ['a', '1'], lim);
  s.append(streamID(2, 0), ['b', '2'], lim);
  s.deleteItem(streamID(2, 0));
  const cg = s.createCG('g', streamID(1, 1), 1)!;
  const alice = cg.createConsumer('alice', 5)!;
  cg.createConsumer('bob', 6);
  const nack = new StreamNACK(1700000000000, 3, alice);
  cg.pel.set(streamID(1, 1), nack);
  alice.pel.set(streamID(1, 1), nack);
  const cmds = (encodeKey('k', s) as string)
    .split(/\*\d+\r\n/)
    .slice(1)
    .map((c) =>
      c
        .split('\r\n')
        .filter((_, i) => i % 2 === 1)
        .join(' '),
    );
  assert.deepEqual(cmds, [
    'XADD k 1-1 a 1',
    'XSETID k 2-0 ENTRIESADDED 2 MAXDELETEDID 2-0',
    'XGROUP CREATE k g 1-1 ENTRIESREAD 1',
    'XCLAIM k g alice 0 1-1 TIME 1700000000000 RETRYCOUNT 3 JUSTID FORCE',
    'XGROUP CREATECONSUMER k g bob',
  ]);
  const empty = new Stream();
  empty.lastId = streamID(9, 9);
  assert.equal(
    encodeKey('e', empty),
    '*7\r\n$4\r\nXADD\r\n$1\r\ne\r\n$6\r\nMAXLEN\r\n$1\r\n0\r\n$3\r\n0-1\r\n$1\r\nx\r\n$1\r\ny\r\n*7\r\n$6\r\nXSETID\r\n$1\r\ne\r\n$3\r\n9-9\r\n$12\r\nENTRIESADDED\r\n$1\r\n0\r\n$12\r\nMAXDELETEDID\r\n$3\r\n0-0\r\n',
  );
});

test('corrupted stream payloads either fail to load or give a stream every operation reads', () => {
  fc.assert(
    fc.property(streamArb, fc.boolean(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }), fc.boolean(), (s, compress, flips, deep) => {
      const w = new RdbWriter();
      rdbSaveObject(w, s, compress ? ON : OFF);
      const bad = Buffer.from(w.result());
      for (const [at, x] of flips) bad[at % bad.length] ^= x;
      let back: Stream;
      try {
        back = rdbLoadObject(RDB_TYPE_STREAM_LISTPACKS_2, new RdbReader(bad), LIM, deep) as Stream;
      } catch (e) {
        assert.ok(e instanceof RdbError, String(e));
        return;
      }
      // every read and write of the stream completes (bounded by what it holds)
      const fwd = back.iterator(STREAM_ID_MIN, STREAM_ID_MAX);
      let n = 0;
      while (fwd.next()) {
        fwd.fieldsValues();
        n++;
      }
      const rev = back.iterator(STREAM_ID_MIN, STREAM_ID_MAX, true);
      let m = 0;
      while (rev.next()) {
        rev.fieldsValues();
        m++;
      }
      assert.equal(m, n, 'as many entries backwards as forwards');
      back.edgeID(true);
      back.edgeID(false);
      createDumpPayload(back, ON);
      encodeKey('k', back);
      back.dup();
      const first = back.iterator(STREAM_ID_MIN, STREAM_ID_MAX);
      if (first.next()) back.deleteItem(first.id);
      back.trim('maxlen', 2, STREAM_ID_MIN, false, 0);
      const next = back.nextID(Date.now(), null);
      if (typeof next === 'string') back.append(next, ['a', 'b'], { nodeMaxBytes: 4096, nodeMaxEntries: 100 });
    }),
    { numRuns: 400 },
  );
});
