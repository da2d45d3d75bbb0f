/**
 * Unit tests of cjson, cmsgpack, struct and bit called from TypeScript, with
 * the results real Redis 7.0 gives (checked against it by
 * redislibs.diff.test.ts, which needs a redis-server; these run without one).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LuaError, LuaTable, type LuaValue } from '../../src/lua/value.js';
import { cjsonNull } from '../../src/lua/lib/cjson.js';
import { T, libState } from './redislibs-oracle.js';

const L = libState();
function fn(path: string): (...a: LuaValue[]) => LuaValue[] {
  const [lib, name] = path.split('.');
  return (L.globals.get(lib) as LuaTable).get(name) as (...a: LuaValue[]) => LuaValue[];
}
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof LuaError) return String(e.value);
    throw e;
  }
  return 'no error';
}
const hex = (s: LuaValue) => Buffer.from(s as string, 'latin1').toString('hex');

test('cjson.encode writes arrays, objects, %.14g numbers and escapes as Redis does', () => {
  const encode = fn('cjson.encode');
  assert.equal(encode(T([1, 2, T([], [['a', 1]])]))[0], '[1,2,{"a":1}]');
  assert.equal(encode(T([0.1, 1 / 3, 1e300, 2 ** 53, -0]))[0], '[0.1,0.33333333333333,1e+300,9.007199254741e+15,-0]');
  assert.equal(encode('a/b"\\\x7f\x01')[0], '"a\\/b\\"\\\\\\u007f\\u0001"');
  assert.equal(encode(T())[0], '{}');
  assert.equal(encode(T([1, undefined, 3]))[0], '[1,null,3]');
  assert.equal(encode(cjsonNull)[0], 'null');
  assert.equal(
    errorOf(() =>
      encode(
        T(
          [],
          [
            [1, 1],
            [100, 2],
          ],
        ),
      ),
    ),
    'user_script:1: Cannot serialise table: excessively sparse array',
  );
  assert.equal(
    errorOf(() => encode(T([], [[true, 1]]))),
    'user_script:1: Cannot serialise boolean: table key must be a number or string',
  );
  assert.equal(
    errorOf(() => encode(0 / 0)),
    'user_script:1: Cannot serialise number: must not be NaN or Inf',
  );
  assert.equal(
    errorOf(() => encode()),
    "user_script:1: bad argument #1 to 'encode' (expected 1 argument)",
  );
  const loop = T();
  loop.set(1, loop);
  assert.equal(
    errorOf(() => encode(loop)),
    'user_script:1: Cannot serialise, excessive nesting (1001)',
  );
});

test('cjson.decode reads JSON as strtod and Redis do, and names errors by character', () => {
  const decode = fn('cjson.decode');
  const t = decode('{"a":[1,2.5,"x\\u00e9",null,true]}')[0] as LuaTable;
  const a = t.get('a') as LuaTable;
  assert.deepEqual([a.get(1), a.get(2), a.get(3), a.get(4), a.get(5)], [1, 2.5, 'x\xc3\xa9', cjsonNull, true]);
  assert.equal(decode('"\\ud83d\\ude00"')[0], '\xf0\x9f\x98\x80');
  assert.equal(decode('0x10')[0], 16);
  assert.equal(decode('+5')[0], 5);
  assert.equal(decode('-inf')[0], -Infinity);
  assert.equal(decode('[1,2]\0garbage').length, 1);
  assert.equal(
    errorOf(() => decode('[1,2')),
    'user_script:1: Expected comma or array end but found T_END at character 5',
  );
  assert.equal(
    errorOf(() => decode('{"a" 1}')),
    'user_script:1: Expected colon but found T_NUMBER at character 6',
  );
  assert.equal(
    errorOf(() => decode('"abc')),
    'user_script:1: Expected value but found unexpected end of string at character 5',
  );
  assert.equal(
    errorOf(() => decode('[1,2] x')),
    'user_script:1: Expected the end but found invalid token at character 7',
  );
  assert.equal(
    errorOf(() => decode('['.repeat(1001))),
    'user_script:1: Found too many nested data structures (1001) at character 1001',
  );
  assert.equal(
    errorOf(() => decode('\0x')),
    'user_script:1: JSON parser does not support UTF-16 or UTF-32',
  );
});

test('cjson configuration functions answer and check as the C library does', () => {
  const M = libState();
  const cj = M.globals.get('cjson') as LuaTable;
  const call = (name: string, ...a: LuaValue[]) => (cj.get(name) as (...x: LuaValue[]) => LuaValue[])(...a);
  assert.deepEqual(call('encode_sparse_array'), [false, 2, 10]);
  assert.deepEqual(call('encode_invalid_numbers', 'null'), ['null']);
  assert.equal(call('encode', T([1 / 0]))[0], '[null]');
  assert.deepEqual(call('encode_number_precision', 3), [3]);
  assert.equal(call('encode', 3.14159)[0], '3.14');
  assert.equal(
    errorOf(() => call('encode_max_depth', 0)),
    "user_script:1: bad argument #1 to 'encode_max_depth' (expected integer between 1 and 2147483647)",
  );
  // cjson.new() has its own configuration
  const fresh = call('new')[0] as LuaTable;
  assert.equal((fresh.get('encode') as (...x: LuaValue[]) => LuaValue[])(3.14159)[0], '3.14159');
  assert.equal(fresh.get('_VERSION'), '2.1.0');
});

test('cmsgpack.pack picks the formats lua-cmsgpack 0.4.0 picks', () => {
  const pack = fn('cmsgpack.pack');
  assert.equal(hex(pack(1, -1, 128, -33, 65536, 2 ** 32, -(2 ** 31) - 1)[0]), '01ffcc80d0dfce00010000cf0000000100000000d3ffffffff7fffffff');
  assert.equal(hex(pack(0.5, 0.1)[0]), 'ca3f000000cb3fb999999999999a');
  assert.equal(hex(pack('x'.repeat(40))[0]).slice(0, 4), 'd928');
  assert.equal(hex(pack(T([1, 2]), T(), T([], [['a', true]]))[0]), '9201029081a161c3');
  assert.equal(hex(pack(undefined, cjsonNull, false)[0]), 'c0c0c2');
  let nested: LuaValue = 1;
  for (let i = 0; i < 17; i++) nested = T([nested]);
  assert.equal(hex(pack(nested)[0]), '91'.repeat(16) + 'c0');
  assert.equal(
    errorOf(() => pack()),
    "user_script:1: bad argument #0 to 'pack' (MessagePack pack needs input.)",
  );
});

test('cmsgpack.unpack, unpack_one and unpack_limit return values and offsets as Redis does', () => {
  const unpack = fn('cmsgpack.unpack');
  assert.deepEqual(unpack('\x01\x02\xa2hi'), [1, 2, 'hi']);
  assert.deepEqual(unpack('\xcf\xff\xff\xff\xff\xff\xff\xff\xff'), [-1]);
  assert.deepEqual(fn('cmsgpack.unpack_one')('\x01\x02'), [1, 1]);
  assert.deepEqual(fn('cmsgpack.unpack_one')('\x01\x02', 1), [-1, 2]);
  assert.deepEqual(fn('cmsgpack.unpack_limit')('\x01\x02\x03', 5, 1), [-1, 2, 3]);
  assert.deepEqual(fn('cmsgpack.unpack_limit')('\x01\x02\x03', 0), [1, 2, 3]);
  assert.equal(
    errorOf(() => unpack('\xcd')),
    'user_script:1: Missing bytes in input.',
  );
  assert.equal(
    errorOf(() => unpack('\xc1')),
    'user_script:1: Bad data format in input.',
  );
  assert.equal(
    errorOf(() => unpack('\x01'.repeat(8000))),
    'user_script:1: stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)',
  );
  assert.equal(unpack('\x91'.repeat(3000) + '\x01').length, 1);
});

test('struct.pack, unpack and size', () => {
  assert.equal(hex(fn('struct.pack')('>I2<i4!4bi', 258, -2, 1, 2)[0]), '0102feffffff010002000000');
  assert.deepEqual(fn('struct.unpack')('>I2', 'abc', 2), [25187, 4]);
  assert.deepEqual(fn('struct.unpack')('bc0s', '\x02abxy\0'), ['ab', 'xy', 7]);
  assert.deepEqual(fn('struct.size')('>!8bid'), [16]);
  assert.equal(
    errorOf(() => fn('struct.pack')('i33', 1)),
    'user_script:1: integral size 33 is larger than limit of 32',
  );
  assert.equal(
    errorOf(() => fn('struct.unpack')('>I2', 'a')),
    "user_script:1: bad argument #2 to 'unpack' (data string too short)",
  );
  assert.equal(
    errorOf(() => fn('struct.pack')('z')),
    "user_script:1: bad argument #1 to 'pack' (invalid format option 'z')",
  );
});

test('bit operations normalise to int32 as LuaBitOp does', () => {
  assert.deepEqual(fn('bit.tobit')(2 ** 32 + 5), [5]);
  assert.deepEqual(fn('bit.tobit')(2.5), [2]);
  assert.deepEqual(fn('bit.bnot')(0), [-1]);
  assert.deepEqual(fn('bit.band')(0xff, 0x0f, 0x3c), [0x0c]);
  assert.deepEqual(fn('bit.rshift')(-1, 28), [15]);
  assert.deepEqual(fn('bit.arshift')(-256, 4), [-16]);
  assert.deepEqual(fn('bit.rol')(0x12345678, 4), [0x23456781]);
  assert.deepEqual(fn('bit.bswap')(0x12345678), [0x78563412]);
  assert.deepEqual(fn('bit.tohex')(255), ['000000ff']);
  assert.deepEqual(fn('bit.tohex')(255, -4), ['00FF']);
  assert.equal(
    errorOf(() => fn('bit.band')(1, 'x')),
    "user_script:1: bad argument #2 to 'band' (number expected, got string)",
  );
});
