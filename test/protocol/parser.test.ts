import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RequestParser } from '../../src/protocol/parser.js';
import { ProtocolError } from '../../src/protocol/errors.js';
import { splitArgs } from '../../src/protocol/inline.js';

function encode(cmds: string[][]): Buffer {
  let s = '';
  for (const c of cmds) {
    s += `*${c.length}\r\n`;
    for (const a of c) s += `$${a.length}\r\n${a}\r\n`;
  }
  return Buffer.from(s, 'latin1');
}

/** Feeds `bytes` cut at the given points; returns every command parsed. */
function parseChunks(bytes: Buffer, cuts: number[]): string[][] {
  const p = new RequestParser();
  const out: string[][] = [];
  let prev = 0;
  for (const cut of [...cuts.filter((x) => x > 0 && x < bytes.length).sort((a, b) => a - b), bytes.length]) {
    if (cut <= prev) continue;
    p.feed(bytes.subarray(prev, cut));
    prev = cut;
    for (let a = p.next(); a !== null; a = p.next()) out.push(a);
  }
  return out;
}

const argArb = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.uint8Array({ maxLength: 40 }).map((u) => Buffer.from(u).toString('latin1')),
);
const cmdsArb = fc.array(fc.array(argArb, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 8 });

test('multibulk commands parse the same whole, byte by byte, and split at random points', () => {
  fc.assert(
    fc.property(cmdsArb, fc.array(fc.nat(400), { maxLength: 10 }), (cmds, cuts) => {
      const bytes = encode(cmds);
      assert.deepEqual(parseChunks(bytes, []), cmds);
      assert.deepEqual(parseChunks(bytes, cuts), cmds);
    }),
    { seed: 3, numRuns: 300 },
  );
  const cmds = [
    ['SET', 'key', 'v\r\nv'],
    ['GET', 'key'],
  ];
  const bytes = encode(cmds);
  assert.deepEqual(
    parseChunks(
      bytes,
      Array.from({ length: bytes.length }, (_, i) => i),
    ),
    cmds,
  );
});

test('a bulk larger than 32 KiB is read whole across many chunks', () => {
  const big = 'x'.repeat(300000) + 'END';
  const bytes = encode([['SET', 'k', big], ['PING']]);
  const cuts = [];
  for (let i = 7; i < bytes.length; i += 7919) cuts.push(i);
  const got = parseChunks(bytes, cuts);
  assert.equal(got.length, 2);
  assert.equal(got[0][2], big);
  assert.deepEqual(got[1], ['PING']);
});

test('inline commands take quotes and escapes; empty lines and empty multibulks are skipped', () => {
  const bytes = Buffer.from('\r\n*0\r\n*-1\r\nSET "a b" \'c d\' "\\x41\\n"\r\nPING\n', 'latin1');
  assert.deepEqual(parseChunks(bytes, [3, 9]), [['SET', 'a b', 'c d', 'A\n'], ['PING']]);
  assert.deepEqual(splitArgs(`a "b\\"c" 'd\\'e'`), ['a', 'b"c', "d'e"]);
  assert.equal(splitArgs('"unbalanced'), null);
  assert.equal(splitArgs('"closed"x'), null);
});

function parseError(input: string, maxBulk?: number): string {
  const p = new RequestParser(maxBulk);
  p.feed(Buffer.from(input, 'latin1'));
  try {
    while (p.next() !== null);
  } catch (e) {
    assert.ok(e instanceof ProtocolError);
    return e.resp;
  }
  return 'no error';
}

test("malformed input throws Redis's exact protocol errors", () => {
  assert.equal(parseError('*3000000000\r\n'), 'ERR Protocol error: invalid multibulk length');
  assert.equal(parseError('*abc\r\n'), 'ERR Protocol error: invalid multibulk length');
  assert.equal(parseError('*1\r\n+foo\r\n'), "ERR Protocol error: expected '$', got '+'");
  assert.equal(parseError('*1\r\n$-1\r\n'), 'ERR Protocol error: invalid bulk length');
  assert.equal(parseError('*1\r\n$abc\r\n'), 'ERR Protocol error: invalid bulk length');
  assert.equal(parseError('*1\r\n$600000000\r\n'), 'ERR Protocol error: invalid bulk length');
  assert.equal(parseError('*1\r\n$2000\r\n', 1024), 'ERR Protocol error: invalid bulk length');
  assert.equal(parseError('set "a b\r\n'), 'ERR Protocol error: unbalanced quotes in request');
  assert.equal(parseError('x'.repeat(70000)), 'ERR Protocol error: too big inline request');
  assert.equal(parseError('*' + '1'.repeat(70000)), 'ERR Protocol error: too big mbulk count string');
  assert.equal(parseError('*1\r\n$' + '1'.repeat(70000)), 'ERR Protocol error: too big bulk count string');
  // incomplete input is not an error: it waits
  assert.equal(parseError('*2\r\n$3\r\nGET\r\n$3\r\nke'), 'no error');
});
