/**
 * cjson, cmsgpack, struct and bit against real Redis 7.0's: hand-picked cases
 * (every error text, the edge values of each format) and seeded random ones
 * (values to encode and pack, byte strings to decode and unpack, formats,
 * numbers for the bit operations), each run through redis-server's EVAL
 * and compared (see redislibs-oracle.ts) with
 * - our natives, called from TypeScript ("natives"), and
 * - the same script through gKV's EVAL ("gKV EVAL"): skipped, saying so,
 *   while gKV has no EVAL.
 *
 * Reproduce a failure with GKV_DIFF_SEED=<seed>; explore with GKV_DIFF_RUNS.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RespClient } from '../harness/resp.js';
import { oracleSkip, startGkv, startRedis, type RedisProc } from '../harness/servers.js';
import type { GkvServer } from '../../src/index.js';
import { cjsonNull } from '../../src/lua/lib/cjson.js';
import type { LuaTable, LuaValue } from '../../src/lua/value.js';
import { type Call, T, compareLines, libState, runLocal, runOracle } from './redislibs-oracle.js';

const SEED = Number(process.env.GKV_DIFF_SEED ?? 20261207);
const RUNS = Number(process.env.GKV_DIFF_RUNS ?? 300);
const skip = oracleSkip();

type Side = 'natives' | 'gKV EVAL';
const SIDES: Side[] = ['natives', 'gKV EVAL'];

let redis: RedisProc | undefined;
let r: RespClient;
let gkv: GkvServer | undefined;
let g: RespClient | undefined;
/** why the gKV EVAL side is skipped (undefined: it runs) */
let gkvEvalMissing: string | undefined = 'not started';
before(async () => {
  if (skip) return;
  [redis, gkv] = await Promise.all([startRedis(), startGkv()]);
  [r, g] = await Promise.all([RespClient.connect(redis.port), RespClient.connect(gkv.port)]);
  const probe = await g.cmd('EVAL', "return cjson.encode({1}) .. bit.tohex(1, 2) .. #cmsgpack.pack(1) .. struct.size('i')", '0');
  gkvEvalMissing = probe === '[1]0114' ? undefined : `gKV's EVAL does not run the libraries yet (it answered ${String(probe)})`;
});
after(async () => {
  r?.close();
  g?.close();
  await Promise.all([redis?.stop(), gkv?.close()]);
});

/** a config call changes the Lua state it runs in: SCRIPT FLUSH resets it after such a case */
const CONFIG = /_depth|_array|_numbers|_precision|_buffer/;

/** Runs cases on Redis and on the given side, compares every call's results. */
async function check(side: Side, cases: Call[][]): Promise<number> {
  let n = 0;
  for (const calls of cases) {
    const theirs = await runOracle(r, calls);
    const ours = side === 'natives' ? runLocal(calls) : await runOracle(g as RespClient, calls);
    const diff = compareLines(calls, ours, theirs);
    assert.equal(diff, undefined, `${side}: ${diff}`);
    if (calls.some((c) => CONFIG.test(c.fn))) {
      await r.cmd('SCRIPT', 'FLUSH');
      if (side !== 'natives') await g?.cmd('SCRIPT', 'FLUSH');
    }
    n += calls.length;
  }
  return n;
}

/** A test of fixed cases on each side; at least `min` calls compared. */
function fixedTest(name: string, min: number, cases: () => Call[][]): void {
  for (const side of SIDES) {
    test(`${name} (${side})`, { skip }, async (t) => {
      if (side !== 'natives' && gkvEvalMissing !== undefined) {
        t.skip(gkvEvalMissing);
        return;
      }
      const n = await check(side, cases());
      t.diagnostic(`${n} calls compared with Redis`);
      assert.ok(n > min);
    });
  }
}

/** A test of random cases on each side. */
function randomTest(name: string, body: (side: Side) => Promise<void>): void {
  for (const side of SIDES) {
    test(`${name} (${side})`, { skip }, async (t) => {
      if (side !== 'natives' && gkvEvalMissing !== undefined) {
        t.skip(gkvEvalMissing);
        return;
      }
      await body(side);
    });
  }
}

const c = (fn: string, ...args: LuaValue[]): Call[] => [{ fn, args }];
const cc = (fn: string, canon: 'json' | 'msgpack', ...args: LuaValue[]): Call[] => [{ fn, args, canon }];
/** a table nested n deep: {{{…}}} */
function nest(n: number, inner: LuaValue = 1): LuaValue {
  let v: LuaValue = inner;
  for (let i = 0; i < n; i++) v = T([v]);
  return v;
}

fixedTest('cjson.encode and cjson.decode match Redis on fixed cases', 150, () => {
  const cases: Call[][] = [
    c('cjson.encode', T([1, 2, T([], [['a', 1]])])),
    c('cjson.encode', T([0.1, 1 / 3, 1e300, 2 ** 53, -0, 1e14, 1e15, 123456789012345, -1.5e-7, 5e-324])),
    c('cjson.encode', 'a/b"\\\x7f\x01\x08\x09\x0a\x0c\x0d\x1f\x80\xff'),
    c('cjson.encode', T()),
    c('cjson.encode', undefined),
    c('cjson.encode', cjsonNull),
    c('cjson.encode', true),
    c('cjson.encode'),
    c('cjson.encode', 1, 2),
    c('cjson.encode', () => []),
    c('cjson.encode', T([], [[true, 1]])),
    c('cjson.encode', T([], [[T(), 1]])),
    c('cjson.encode', T([], [[2 ** 40, 1]])),
    c('cjson.encode', T([], [[1 / 0, 1]])),
    c(
      'cjson.encode',
      T(
        [],
        [
          [1, 1],
          [100, 2],
        ],
      ),
    ),
    c(
      'cjson.encode',
      T(
        [],
        [
          [1, 1],
          [10, 2],
        ],
      ),
    ),
    c(
      'cjson.encode',
      T(
        [],
        [
          [1, 1],
          [11, 2],
        ],
      ),
    ),
    c(
      'cjson.encode',
      T(
        [],
        [
          [2, 1],
          [4, 2],
          [6, 3],
        ],
      ),
    ),
    c('cjson.encode', T([], [[-1, 1]])),
    c('cjson.encode', T([], [[0, 1]])),
    c('cjson.encode', T([], [[1.5, 1]])),
    c('cjson.encode', T([], [[3, 'x']])),
    c('cjson.encode', 0 / 0),
    c('cjson.encode', 1 / 0),
    c('cjson.encode', -1 / 0),
    c('cjson.encode', T([1, T([], [['x', () => []]])])),
    c('cjson.encode', nest(999)),
    c('cjson.encode', nest(1000)),
    c('cjson.encode', nest(1001)),
    c('cjson.encode', T([], [['k', nest(1000)]])),
    c('cjson.decode', '[1,2'),
    c('cjson.decode', '{"a" 1}'),
    c('cjson.decode', ''),
    c('cjson.decode', ' '),
    c('cjson.decode', '"abc'),
    c('cjson.decode', '"\\ud83d\\ude00"'),
    c('cjson.decode', '"\\u00e9\\u0000\\u07ff\\u0800\\uffff"'),
    c('cjson.decode', '+5'),
    c('cjson.decode', '0x10'),
    c('cjson.decode', '-inf'),
    c('cjson.decode', 'nan'),
    c('cjson.decode', 'NaN'),
    c('cjson.decode', 'Infinity'),
    c('cjson.decode', 'infinity'),
    c('cjson.decode', '-Infinity'),
    c('cjson.decode', '[1,2]x'),
    c('cjson.decode', '[1,2] x'),
    c('cjson.decode', '[1,2]\0x'),
    c('cjson.decode', '\0x'),
    c('cjson.decode', 'x\0'),
    c('cjson.decode', 'tru'),
    c('cjson.decode', 'trueabc'),
    c('cjson.decode', '[1,]'),
    c('cjson.decode', '{1:2}'),
    c('cjson.decode', '{"a":1,}'),
    c('cjson.decode', '"\\x"'),
    c('cjson.decode', '"\\'),
    c('cjson.decode', '"\\u12"'),
    c('cjson.decode', '"\\u12zz"'),
    c('cjson.decode', '"\\udc00"'),
    c('cjson.decode', '"\\ud800\\u0041"'),
    c('cjson.decode', '"\\ud800"'),
    c('cjson.decode', '"\\ud800\\udbff"'),
    c('cjson.decode', '-'),
    c('cjson.decode', '+'),
    c('cjson.decode', '.5'),
    c('cjson.decode', '1.'),
    c('cjson.decode', '1e'),
    c('cjson.decode', '1e+'),
    c('cjson.decode', '01'),
    c('cjson.decode', '-01.5e3'),
    c('cjson.decode', '0x'),
    c('cjson.decode', '0x1p4'),
    c('cjson.decode', '0X1.8P1'),
    c('cjson.decode', '1e400'),
    c('cjson.decode', '-1e400'),
    c('cjson.decode', '1e-400'),
    c('cjson.decode', '123456789012345678901234567890'),
    c('cjson.decode', '0.1e1'),
    c('cjson.decode', '- 1'),
    c('cjson.decode', 'nope'),
    c('cjson.decode', 'nan(123)'),
    c('cjson.decode', 'infx'),
    c('cjson.decode', '["a" "b"]'),
    c('cjson.decode', '{"a":1 "b"}'),
    c('cjson.decode', '{"a":[1,{"b":null}],"c":true,"d":false,"e":"\\"\\\\\\/\\b\\f\\n\\r\\t"}'),
    c('cjson.decode', '{"a":1,"a":2}'),
    c('cjson.decode', ' \t\r\n[ 1 , 2 ]\n'),
    c('cjson.decode', '[\f1]'),
    c('cjson.decode', '\x80'),
    c('cjson.decode', '"\x80\xff"'),
    c('cjson.decode', 123),
    c('cjson.decode', 0.5),
    c('cjson.decode'),
    c('cjson.decode', undefined),
    c('cjson.decode', T()),
    c('cjson.decode', '1', '2'),
    c('cjson.decode', '['.repeat(1000) + ']'.repeat(1000)),
    c('cjson.decode', '['.repeat(1001)),
    c('cjson.decode', '{"a":'.repeat(1001)),
    c('cjson.decode', '{"a":'.repeat(999) + '1' + '}'.repeat(999)),
    c('cjson.encode_sparse_array'),
    c('cjson.encode_sparse_array', 1, 2, 3, 4),
    c('cjson.encode_sparse_array', true, -1),
    c('cjson.encode_sparse_array', 'x'),
    c('cjson.encode_sparse_array', 'on', 3, 4),
    c('cjson.encode_max_depth', 0),
    c('cjson.encode_max_depth', 'a'),
    c('cjson.encode_max_depth', '7'),
    c('cjson.encode_max_depth', 2 ** 32 + 5),
    c('cjson.encode_number_precision', 15),
    c('cjson.encode_number_precision'),
    c('cjson.encode_invalid_numbers'),
    c('cjson.encode_invalid_numbers', 'null'),
    c('cjson.encode_invalid_numbers', 'on'),
    c('cjson.encode_invalid_numbers', 'x'),
    c('cjson.encode_invalid_numbers', 1),
    c('cjson.decode_invalid_numbers'),
    c('cjson.decode_invalid_numbers', false),
    c('cjson.decode_max_depth', 3),
    c('cjson.encode_keep_buffer'),
    c('cjson.encode_keep_buffer', 1),
    c('cjson.encode_keep_buffer', 'off'),
    c('cjson.encode_keep_buffer', false, 1),
    // configuration then use (one Lua state per case on both sides)
    [
      { fn: 'cjson.encode_number_precision', args: [3] },
      { fn: 'cjson.encode', args: [T([3.14159, 1234567, 0.0001234, 100, 1e21])] },
    ],
    [
      { fn: 'cjson.encode_number_precision', args: [1] },
      { fn: 'cjson.encode', args: [T([0.5, 15, 0.95, 9.5])] },
    ],
    [
      { fn: 'cjson.encode_invalid_numbers', args: [true] },
      { fn: 'cjson.encode', args: [T([1 / 0, -1 / 0, 0 / 0])] },
      { fn: 'cjson.encode', args: [T([], [[1 / 0, 1]])] },
    ],
    [
      { fn: 'cjson.encode_invalid_numbers', args: ['null'] },
      { fn: 'cjson.encode', args: [T([1 / 0, -1 / 0, 0 / 0])] },
    ],
    [
      { fn: 'cjson.decode_invalid_numbers', args: [false] },
      { fn: 'cjson.decode', args: ['0x10'] },
      { fn: 'cjson.decode', args: ['+5'] },
      { fn: 'cjson.decode', args: ['01'] },
      { fn: 'cjson.decode', args: ['-0'] },
      { fn: 'cjson.decode', args: ['inf'] },
      { fn: 'cjson.decode', args: ['[NaN]'] },
      { fn: 'cjson.decode', args: ['-inf'] },
      { fn: 'cjson.decode', args: ['0.5'] },
    ],
    [
      { fn: 'cjson.encode_sparse_array', args: [true] },
      {
        fn: 'cjson.encode',
        args: [
          T(
            [],
            [
              [1, 1],
              [100, 2],
            ],
          ),
        ],
        canon: 'json',
      },
    ],
    [
      { fn: 'cjson.encode_sparse_array', args: [false, 0] },
      {
        fn: 'cjson.encode',
        args: [
          T(
            [],
            [
              [1, 1],
              [20, 2],
            ],
          ),
        ],
      },
    ],
    [
      { fn: 'cjson.encode_sparse_array', args: [false, 1, 0] },
      {
        fn: 'cjson.encode',
        args: [
          T(
            [],
            [
              [1, 1],
              [3, 2],
            ],
          ),
        ],
      },
      {
        fn: 'cjson.encode',
        args: [
          T(
            [],
            [
              [1, 1],
              [2, 2],
            ],
          ),
        ],
      },
    ],
    [
      { fn: 'cjson.encode_max_depth', args: [2] },
      { fn: 'cjson.encode', args: [nest(2)] },
      { fn: 'cjson.encode', args: [nest(3)] },
    ],
    [
      { fn: 'cjson.decode_max_depth', args: [2] },
      { fn: 'cjson.decode', args: ['[[1]]'] },
      { fn: 'cjson.decode', args: ['[[[1]]]'] },
      { fn: 'cjson.decode', args: ['{"a":{"b":{}}}'] },
    ],
    [
      { fn: 'cjson.decode_max_depth', args: [100000] },
      { fn: 'cjson.decode', args: ['['.repeat(7998) + ']'.repeat(7998)] },
      { fn: 'cjson.decode', args: ['['.repeat(8000)] },
      { fn: 'cjson.decode', args: ['{"a":'.repeat(4001)] },
      { fn: 'cjson.decode', args: ['{"a":'.repeat(3998) + '[' + '1'.repeat(3) + ']' + '}'.repeat(3998)] },
    ],
    [
      { fn: 'cjson.encode_max_depth', args: [100000] },
      { fn: 'cjson.encode', args: [nest(7997)] },
      { fn: 'cjson.encode', args: [nest(7998)] },
      { fn: 'cjson.encode', args: [nest(3998, T([], [['k', nest(3000)]]))] },
    ],
    c('cjson.new'),
  ];
  return cases;
});

fixedTest('cmsgpack.pack and unpack match Redis on fixed cases', 100, () => {
  const ints = [
    0,
    1,
    127,
    128,
    255,
    256,
    65535,
    65536,
    2 ** 32 - 1,
    2 ** 32,
    2 ** 53,
    2 ** 63,
    -(2 ** 63),
    2 ** 64,
    -1,
    -32,
    -33,
    -128,
    -129,
    -32768,
    -32769,
    -(2 ** 31),
    -(2 ** 31) - 1,
    -(2 ** 53),
    -0,
  ];
  const floats = [0.5, 1.1, -2.25, 1e300, 1 / 0, -1 / 0, 0 / 0, 3.4028234663852886e38, 1e-45, 0.1];
  const cases: Call[][] = [
    ...ints.map((n) => c('cmsgpack.pack', n)),
    ...floats.map((n) => c('cmsgpack.pack', n)),
    ...[0, 1, 31, 32, 255, 256, 65535, 65536].map((n) => c('cmsgpack.pack', 'x'.repeat(n))),
    c('cmsgpack.pack', true, false, undefined, cjsonNull, () => []),
    c('cmsgpack.pack', T()),
    c('cmsgpack.pack', T([1, 2, 3])),
    c('cmsgpack.pack', T(Array.from({ length: 16 }, (_, i) => i))),
    c('cmsgpack.pack', T(Array.from({ length: 65536 }, (_, i) => i & 7))),
    c('cmsgpack.pack', T([], [['a', 1]])),
    c('cmsgpack.pack', T([1, 2], [['a', 1]])),
    c(
      'cmsgpack.pack',
      T(
        [],
        [
          [1, 1],
          [3, 3],
        ],
      ),
    ),
    c('cmsgpack.pack', T([], [[2 ** 31, 1]])),
    c('cmsgpack.pack', T([], [[1.5, 1]])),
    c('cmsgpack.pack', T([], [[0, 1]])),
    c('cmsgpack.pack', T([], [[true, 1]])),
    c('cmsgpack.pack', nest(15)),
    c('cmsgpack.pack', nest(16)),
    c('cmsgpack.pack', nest(17)),
    c('cmsgpack.pack', T([], [[nest(15, 'k'), 1]])),
    c('cmsgpack.pack'),
    c('cmsgpack.pack', ...Array.from({ length: 4000 }, (_, i) => i)),
    c('cmsgpack.pack', ...Array.from({ length: 4001 }, (_, i) => i)),
    c('cmsgpack.pack', ...Array.from({ length: 3999 }, (_, i) => i), nest(5)),
    c('cmsgpack.unpack'),
    c('cmsgpack.unpack', ''),
    c('cmsgpack.unpack', 5),
    c('cmsgpack.unpack', T()),
    c('cmsgpack.unpack_one', ''),
    c('cmsgpack.unpack_limit', '\x01\x02', -1),
    c('cmsgpack.unpack_one', '\x01\x02', 5),
    c('cmsgpack.unpack_one', '\x01\x02', 2),
    c('cmsgpack.unpack_one', '\x01\x02', 1),
    c('cmsgpack.unpack_one', '\x01\x02', 1.9),
    c('cmsgpack.unpack_one', '\x01\x02', 'x'),
    c('cmsgpack.unpack_one', '\x01\x02', '1'),
    c('cmsgpack.unpack_one', '\x01\x02', -1),
    c('cmsgpack.unpack_limit', '\x01\x02\x03', 0),
    c('cmsgpack.unpack_limit', '\x01\x02\x03', 0, 1),
    c('cmsgpack.unpack_limit', '\x01\x02\x03', 5, 1),
    c('cmsgpack.unpack_limit', '\x01\x02\x03', 2),
    c('cmsgpack.unpack_limit', '\x01'),
    c('cmsgpack.unpack_limit', '\x01', 'x'),
    c('cmsgpack.unpack_limit', '\x01', 1.5),
    c('cmsgpack.unpack_limit', '\x01', 1e20),
    c('cmsgpack.unpack', '\xcd'),
    c('cmsgpack.unpack', '\xc1'),
    c('cmsgpack.unpack', '\xc4\x01a'),
    c('cmsgpack.unpack', '\xd4\x01a'),
    c('cmsgpack.unpack', '\x92\x01'),
    c('cmsgpack.unpack', '\x92\xc0\x01'),
    c('cmsgpack.unpack', '\x82\xc0\x01'),
    c('cmsgpack.unpack', '\x81\x01\xc0'),
    c('cmsgpack.unpack', '\x81\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00\x01'),
    c('cmsgpack.unpack', '\xcf\xff\xff\xff\xff\xff\xff\xff\xff'),
    c('cmsgpack.unpack', '\xcf\x80\x00\x00\x00\x00\x00\x00\x01'),
    c('cmsgpack.unpack', '\xd3\x80\x00\x00\x00\x00\x00\x00\x01'),
    c('cmsgpack.unpack', '\xcf\x00\x20\x00\x00\x00\x00\x00\x01'),
    c('cmsgpack.unpack', '\xd3\xff\xdf\xff\xff\xff\xff\xff\xff'),
    c('cmsgpack.unpack', '\xca\x3f\xc0\x00\x00\xca\x7f\x80\x00\x00\xca\x00\x00\x00\x01'),
    c('cmsgpack.unpack', '\xd0\x80\xd1\x80\x00\xd2\x80\x00\x00\x00\xcc\xff\xcd\xff\xff\xce\xff\xff\xff\xff\xe0\xff'),
    c('cmsgpack.unpack', '\xd9\x03abc\xda\x00\x01z\xdb\x00\x00\x00\x02zz\xa2hi'),
    c('cmsgpack.unpack', '\xd9\x05abc'),
    c('cmsgpack.unpack', '\xdb\xff\xff\xff\xffab'),
    c('cmsgpack.unpack', '\xdc\x00\x02\x01\x02\xdd\x00\x00\x00\x01\x03'),
    c('cmsgpack.unpack', '\xde\x00\x01\xa1a\x01\xdf\x00\x00\x00\x01\xa1b\x02'),
    c('cmsgpack.unpack', '\xdd\xff\xff\xff\xff'),
    c('cmsgpack.unpack', '\x01'.repeat(7999)),
    c('cmsgpack.unpack', '\x01'.repeat(8000)),
    c('cmsgpack.unpack', '\x91'.repeat(3998) + '\x01'),
    c('cmsgpack.unpack', '\x91'.repeat(3999) + '\x01'),
    c('cmsgpack.unpack', '\x91'.repeat(5000) + '\x01'),
    c('cmsgpack.unpack', '\x81'.repeat(3000) + '\x01'),
    c('cmsgpack.unpack', '\x81\x01'.repeat(3999) + '\x01' + '\x01'.repeat(3999)),
    c('cmsgpack.unpack', '\x81\x01'.repeat(4000) + '\x01' + '\x01'.repeat(4000)),
    c('cmsgpack.unpack_limit', '\x01'.repeat(9000), 7998),
    c('cmsgpack.unpack_limit', '\x01'.repeat(9000), 7999),
    cc(
      'cmsgpack.pack',
      'msgpack',
      T(
        [],
        [
          ['a', 1],
          ['b', T([1, 2])],
          [3, 'c'],
          [1.5, true],
        ],
      ),
    ),
  ];
  return cases;
});

fixedTest('struct.pack, unpack and size match Redis on fixed cases', 80, () => {
  const cases: Call[][] = [
    c('struct.pack', '>I2', 258),
    c('struct.pack', '<i16', -1),
    c('struct.pack', '>I8', 2 ** 64),
    c('struct.pack', '>I8', 2 ** 70),
    c('struct.pack', '>I8', 0 / 0),
    c('struct.pack', '>i8', -(2 ** 70)),
    c('struct.pack', '>I8', -1.5),
    c('struct.pack', '>I8', 2 ** 63),
    c('struct.pack', '>I8', 2 ** 64 - 2048),
    c('struct.pack', '>I4', 2 ** 32 + 5),
    c('struct.pack', '>i3I5', -2, 2 ** 36 + 7),
    c('struct.pack', 'i33', 1),
    c('struct.pack', 'i99999999999', 1),
    c('struct.pack', 'c99999999999', 'a'),
    c('struct.pack', 'z', 1),
    c('struct.pack', '=', 1),
    c('struct.pack', 'c5', 'ab'),
    c('struct.pack', 'bc5', 1, 'ab'),
    c('struct.pack', '!3i', 1),
    c('struct.pack', '>!4bi', 1, 2),
    c('struct.pack', '>!4i3i', 1, 2),
    c('struct.pack', '>!8bhbibdbf', 1, 2, 3, 4, 5, 6.5, 7, 8.25),
    c('struct.pack', '!bT', 1, 2),
    c('struct.pack', 'c0s', 'ab', 'cd'),
    c('struct.pack', 'c2', 12),
    c('struct.pack', 's', 'a\0b'),
    c('struct.pack', 'i', 'x'),
    c('struct.pack', 'i', '0x10'),
    c('struct.pack', 'i'),
    c('struct.pack'),
    c('struct.pack', 5),
    c('struct.pack', 'b\0b', 1, 2),
    c('struct.pack', '>h', 40000),
    c('struct.pack', '>i0b', 5, 6),
    c('struct.pack', '<!i', 1),
    c('struct.pack', 'x'),
    c('struct.pack', ' x x ', 1),
    c('struct.pack', '>d', 0 / 0),
    c('struct.pack', '<d', 0.1),
    c('struct.pack', '>f', 1e300),
    c('struct.pack', '>f', 0 / 0),
    c('struct.pack', '<f', 0.1),
    c('struct.pack', 'BbHhLlTIi', 255, -1, 65535, -1, 1, -1, 1, 4294967295, -1),
    c('struct.unpack', '>I2', 'ab'),
    c('struct.unpack', '>I2', 'ab', 0),
    c('struct.unpack', '>I2', 'abc', 2),
    c('struct.unpack', '>I2', 'abc', 3),
    c('struct.unpack', '>I2', 'a', -5),
    c('struct.unpack', '', 'a', -5),
    c('struct.unpack', '>I2', 'ab', 2 ** 53),
    c('struct.unpack', '>I2', 'ab', 'x'),
    c('struct.unpack', '>I2', 'ab', '1'),
    c('struct.unpack', '>I2'),
    c('struct.unpack'),
    c('struct.unpack', 'c0', 'abc'),
    c('struct.unpack', 'c0', '3'),
    c('struct.unpack', 'bc0', '\x02abc'),
    c('struct.unpack', 'Bc0', '\xffabc'),
    c('struct.unpack', 'sc0', '2\0abc'),
    c('struct.unpack', 'sc0', 'x\0abc'),
    c('struct.unpack', 's', 'abc'),
    c('struct.unpack', 'sb', 'ab\0c'),
    c('struct.unpack', 'z', 'abc'),
    c('struct.unpack', '=', 'abc'),
    c('struct.unpack', '>i16', '\xff'.repeat(16)),
    c('struct.unpack', '>i9', '\0\0\0\0\0\0\0\0\x80'),
    c('struct.unpack', '>i9', '\x01\0\0\0\0\0\0\0\0'),
    c('struct.unpack', '<i9', '\x80\0\0\0\0\0\0\0\x01'),
    c('struct.unpack', '<I12', '\xff'.repeat(12)),
    c('struct.unpack', '>I8i8', '\xff'.repeat(16)),
    c('struct.unpack', '>I7i7', '\xff'.repeat(7) + '\x80' + '\0'.repeat(6)),
    c('struct.unpack', 'i0', 'abc'),
    c('struct.unpack', '!8bd', 'a'.repeat(16)),
    c('struct.unpack', '!8d', 'a'.repeat(8), -6),
    c('struct.unpack', '>!4i3i', 'a'.repeat(12)),
    c('struct.unpack', 'b', 'a', 1.9),
    c('struct.unpack', 'xbx', 'abc'),
    c('struct.unpack', '<d>d<f>f', '\x9a\x99\x99\x99\x99\x99\xb9\x3f\x3f\xb9\x99\x99\x99\x99\x99\x9a\xcd\xcc\xcc\x3d\x3d\xcc\xcc\xcd'),
    c('struct.unpack', 'b'.repeat(7997), 'a'.repeat(8000)),
    c('struct.unpack', 'b'.repeat(7998), 'a'.repeat(8000)),
    c('struct.unpack', 'b'.repeat(7996), 'a'.repeat(8000), 1),
    c('struct.unpack', 'b'.repeat(7997), 'a'.repeat(8000), 1),
    c('struct.size', '>!8bid'),
    c('struct.size', 'z'),
    c('struct.size', '='),
    c('struct.size', 's'),
    c('struct.size', 'c0'),
    c('struct.size', 'c7'),
    c('struct.size', '!3'),
    c('struct.size', '!'),
    c('struct.size', '!16d'),
    c('struct.size', 'i0'),
    c('struct.size', '!4bi3hc3l'),
    c('struct.size'),
  ];
  return cases;
});

fixedTest('bit operations match Redis on fixed cases', 100, () => {
  const nums = [
    0,
    1,
    -1,
    0.5,
    1.5,
    2.5,
    -0.5,
    -1.5,
    2 ** 31,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 32,
    2 ** 32 + 5,
    2 ** 51,
    2 ** 52,
    2 ** 53,
    2 ** 60,
    -(2 ** 52),
    1e300,
    1 / 0,
    0 / 0,
    -0,
    '0x10',
    ' 7 ',
    4294967295.5,
  ];
  const cases: Call[][] = [
    ...nums.map((n) => c('bit.tobit', n)),
    ...nums.map((n) => c('bit.bnot', n)),
    ...nums.map((n) => c('bit.tohex', n)),
    ...[0, 1, 8, 9, -1, -8, -9, 2 ** 32 + 3, 0.5].map((n) => c('bit.tohex', 0x12abcdef, n)),
    c('bit.tohex', 1, undefined),
    c('bit.band', 0xff, 0x0f, 0x3c),
    c('bit.band', 7),
    c('bit.bor', 1, 2, 4, 8),
    c('bit.bxor', 0xff, 0x0f),
    c('bit.band', 1, 'x'),
    c('bit.band', 1, 2, undefined),
    c('bit.bor'),
    c('bit.tobit', 'x'),
    c('bit.tobit', T()),
    ...[0, 1, 4, 31, 32, 33, -1].map((s) => c('bit.lshift', 0x87654321, s)),
    ...[0, 1, 4, 31, 32, 33, -1].map((s) => c('bit.rshift', -0x789abcdf, s)),
    ...[0, 1, 4, 31, 32, 33, -1].map((s) => c('bit.arshift', -0x789abcdf, s)),
    ...[0, 1, 4, 31, 32, 33, -1].map((s) => c('bit.rol', 0x12345678, s)),
    ...[0, 1, 4, 31, 32, 33, -1].map((s) => c('bit.ror', 0x12345678, s)),
    c('bit.bswap', 0x12345678),
    c('bit.bswap', -2),
    c('bit.lshift', 1),
  ];
  return cases;
});

/* ------------------------------ random cases ------------------------------ */

const edgeNumber = fc.constantFrom(
  0,
  -0,
  1,
  -1,
  0.5,
  127,
  128,
  255,
  256,
  -32,
  -33,
  65535,
  65536,
  2 ** 31,
  2 ** 32,
  2 ** 53,
  2 ** 63,
  -(2 ** 63),
  2 ** 64,
  1e300,
  1 / 0,
  -1 / 0,
  0 / 0,
  0.1,
  1 / 3,
  1e-7,
  123456789.125,
);
const number = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -70000, max: 70000 }) },
  { weight: 2, arbitrary: fc.double({ noNaN: false }) },
  { weight: 1, arbitrary: fc.integer({ min: -(2 ** 40), max: 2 ** 40 }).map((n) => n * 1024) },
  { weight: 2, arbitrary: edgeNumber },
);
const byteString = (max: number) => fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: max }).map((b) => String.fromCharCode(...b));
const text = fc.oneof(
  byteString(40),
  fc.string({ maxLength: 12 }).map((s) => s.replace(/[^\x00-\xff]/g, '?')),
  fc.constantFrom('', 'a/b', '"q"', '\\', '\x7f', 'é'),
);
const key = fc.oneof(text, fc.integer({ min: 1, max: 12 }), fc.integer({ min: -3, max: 40 }), fc.constantFrom(0.5, 1e20, -0.25));

/** random Lua values: nested tables with array and hash parts (only finite, JSON-safe numbers when json) */
function luaValue(json: boolean): fc.Arbitrary<LuaValue> {
  const num = json ? number.filter((n) => Number.isFinite(n)) : number;
  const { value } = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, num, text, fc.boolean(), fc.constant(cjsonNull), tie('table')),
    table: fc
      .tuple(fc.array(tie('value'), { maxLength: 6 }), fc.array(fc.tuple(key, tie('value')), { maxLength: json ? 1 : 4 }))
      .map(([arr, pairs]) => T(arr as LuaValue[], pairs as [LuaValue, LuaValue][])),
  }));
  return value as fc.Arbitrary<LuaValue>;
}

async function randomRuns(side: Side, arb: fc.Arbitrary<Call[]>, runs = RUNS): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arb, async (calls) => {
      try {
        await check(side, [calls]);
      } catch (e) {
        console.error(String(e instanceof Error ? e.message : e).slice(0, 2000));
        throw e;
      }
    }),
    { seed: SEED, numRuns: runs, endOnFailure: true },
  );
}

randomTest('random values encode, decode, pack and unpack as in Redis', async (side) => {
  await randomRuns(
    side,
    luaValue(true).map((v) => [{ fn: 'cjson.encode', args: [v], canon: 'json' as const }]),
  );
  await randomRuns(
    side,
    luaValue(false).map((v) => [{ fn: 'cmsgpack.pack', args: [v], canon: 'msgpack' as const }]),
  );
  await randomRuns(
    side,
    fc.array(luaValue(false), { minLength: 1, maxLength: 4 }).map((vs) => [{ fn: 'cmsgpack.pack', args: vs, canon: 'msgpack' as const }]),
  );
});

/** JSON-ish text: fragments of JSON and junk glued together */
const jsonText = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '[',
        ']',
        '{',
        '}',
        ',',
        ':',
        ' ',
        '"',
        '\\',
        'true',
        'false',
        'null',
        'nan',
        'inf',
        '-',
        '+',
        '0',
        '1',
        '.',
        'e',
        'x',
        '\\u',
        'd83d',
        'dc00',
        '00e9',
        '"a"',
        '"\\n"',
        '12.5e3',
        '0x1f',
        '\0',
      ),
      byteString(3),
    ),
    { maxLength: 14 },
  )
  .map((parts) => parts.join(''));

randomTest('random texts decode (or fail) as in Redis', async (side) => {
  await randomRuns(
    side,
    jsonText.map((s) => [{ fn: 'cjson.decode', args: [s] }]),
    RUNS * 2,
  );
});

/** msgpack-ish bytes: headers and payload bytes glued together */
const packBytes = fc
  .array(
    fc.oneof(
      fc.integer({ min: 0, max: 255 }).map((b) => String.fromCharCode(b)),
      fc.constantFrom('\x92', '\x81', '\xdc\x00\x02', '\xde\x00\x01', '\xa3abc', '\xd9\x02', '\xcb', '\xca', '\xcf', '\xd3', '\xc0', '\xc3', '\xff\xff', '\x00\x00\x00'),
    ),
    { maxLength: 16 },
  )
  .map((parts) => parts.join(''));

randomTest('random bytes unpack (or fail) as in Redis', async (side) => {
  await randomRuns(
    side,
    packBytes.map((s) => [{ fn: 'cmsgpack.unpack', args: [s] }]),
    RUNS * 2,
  );
  await randomRuns(
    side,
    fc.tuple(packBytes, fc.integer({ min: -1, max: 4 }), fc.integer({ min: -1, max: 12 })).map(([s, limit, offset]) => [{ fn: 'cmsgpack.unpack_limit', args: [s, limit, offset] }]),
    RUNS,
  );
});

const structOpt = fc.oneof(
  fc.constantFrom('b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I', 'f', 'd', 'x', 's', 'c', '<', '>', '!', ' '),
  fc.tuple(fc.constantFrom('i', 'I', 'c', '!'), fc.integer({ min: 0, max: 17 })).map(([o, n]) => o + n),
);
const structFormat = fc.array(structOpt, { minLength: 1, maxLength: 6 }).map((o) => o.join(''));

randomTest('random formats pack, unpack and size as in Redis', async (side) => {
  const packArg = fc.oneof(number, text);
  await randomRuns(
    side,
    fc.tuple(structFormat, fc.array(packArg, { maxLength: 6 })).map(([f, args]) => [{ fn: 'struct.pack', args: [f, ...args] }]),
  );
  await randomRuns(
    side,
    fc.tuple(structFormat, byteString(40), fc.integer({ min: -1, max: 6 })).map(([f, data, pos]) => [{ fn: 'struct.unpack', args: [f, data, pos] }]),
  );
  await randomRuns(
    side,
    structFormat.map((f) => [{ fn: 'struct.size', args: [f] }]),
  );
});

randomTest('random numbers through the bit operations as in Redis', async (side) => {
  const op = fc.constantFrom('tobit', 'bnot', 'band', 'bor', 'bxor', 'lshift', 'rshift', 'arshift', 'rol', 'ror', 'bswap', 'tohex');
  await randomRuns(
    side,
    fc.tuple(op, fc.array(number, { minLength: 1, maxLength: 3 })).map(([o, args]) => [{ fn: 'bit.' + o, args }]),
  );
});

randomTest('random configurations: number precision, invalid numbers, sparse arrays, depths', async (side) => {
  // %.<p>g of random doubles, as glibc's printf writes them
  await randomRuns(
    side,
    fc.tuple(fc.integer({ min: 1, max: 14 }), fc.array(number, { minLength: 1, maxLength: 8 })).map(([p, ns]) => [
      { fn: 'cjson.encode_number_precision', args: [p] },
      { fn: 'cjson.encode_invalid_numbers', args: ['on'] },
      { fn: 'cjson.encode', args: [T(ns)] },
    ]),
  );
  // sparse arrays under random ratio/safe settings, with convert on and off
  const sparse = fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 9 })), { minLength: 1, maxLength: 6 }).map((kv) => T([], kv as [LuaValue, LuaValue][]));
  await randomRuns(
    side,
    fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 12 }), sparse).map(([convert, ratio, safe, t]) => [
      { fn: 'cjson.encode_sparse_array', args: [convert, ratio, safe] },
      { fn: 'cjson.encode', args: [t], canon: 'json' as const },
    ]),
  );
  // nesting against random depth limits
  await randomRuns(
    side,
    fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 })).map(([limit, a, o]) => [
      { fn: 'cjson.encode_max_depth', args: [limit] },
      { fn: 'cjson.decode_max_depth', args: [limit] },
      { fn: 'cjson.encode', args: [nest(a)] },
      { fn: 'cjson.decode', args: ['['.repeat(a) + ']'.repeat(a)] },
      { fn: 'cjson.decode', args: ['{"k":'.repeat(o) + '0' + '}'.repeat(o)] },
    ]),
  );
  // unpack_one walking a stream from random offsets
  await randomRuns(
    side,
    fc.tuple(fc.array(luaValue(false), { minLength: 1, maxLength: 4 }), fc.integer({ min: -2, max: 30 })).map(([vs, off]) => {
      const packed = (libState().globals.get('cmsgpack') as LuaTable).get('pack') as (...a: LuaValue[]) => LuaValue[];
      const s = packed(...vs)[0];
      return [
        { fn: 'cmsgpack.unpack_one', args: [s, off] },
        { fn: 'cmsgpack.unpack_limit', args: [s, 2, off] },
      ];
    }),
  );
});
