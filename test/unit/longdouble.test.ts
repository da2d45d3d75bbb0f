import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addLongDouble, formatLongDouble, parseLongDouble } from '../../src/util/longdouble.js';

function incr(a: string, b: string): string {
  const x = parseLongDouble(a);
  const y = parseLongDouble(b);
  assert.ok(x && y);
  return formatLongDouble(addLongDouble(x, y));
}

test('long double sums print as Redis prints INCRBYFLOAT results (%.17Lf, trailing zeros stripped)', () => {
  // values observed from Redis 7.0 on x86-64
  assert.equal(incr('10.5', '0.1'), '10.6');
  assert.equal(incr('10.6', '1e3'), '1010.59999999999999998');
  assert.equal(incr('5000', '0.00000001'), '5000.00000000999999994');
  assert.equal(incr('3', '1.5e-10'), '3.00000000015');
  assert.equal(incr('10.6', '1e20'), '100000000000000000008');
  assert.equal(incr('-0', '0'), '0');
});

test('strtold rules: hex floats and huge exponents parse, overflow and garbage do not', () => {
  assert.equal(formatLongDouble(parseLongDouble('0x10')!), '16');
  assert.equal(formatLongDouble(parseLongDouble('0x1.8p1')!), '3');
  assert.ok(parseLongDouble('1e400') !== null);
  assert.equal(parseLongDouble('1e5000'), null);
  assert.equal(parseLongDouble(' 1'), null);
  assert.equal(parseLongDouble('1x'), null);
  assert.equal(parseLongDouble('nan'), null);
  assert.equal(parseLongDouble(''), null);
});
