import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Keyspace } from '../../src/keyspace/keyspace.js';

function fakeKeyspace(start = 1_000_000): { ks: Keyspace; advance: (ms: number) => void } {
  let now = start;
  const ks = new Keyspace(2);
  ks.clock = () => now;
  ks.updateClock();
  return {
    ks,
    advance: (ms) => {
      now += ms;
      ks.updateClock();
    },
  };
}

test('a key with a TTL is gone on access once its time has passed, and counted as expired', () => {
  const { ks, advance } = fakeKeyspace();
  const db = ks.dbs[0];
  db.setKey('a', '1');
  db.setExpire('a', ks.now + 100);
  assert.equal(db.lookupRead('a'), '1');
  advance(100);
  assert.equal(db.lookupRead('a'), undefined);
  assert.equal(db.size, 0);
  assert.equal(ks.stats.expiredKeys, 1);
});

test('setKey clears the TTL unless asked to keep it', () => {
  const { ks } = fakeKeyspace();
  const db = ks.dbs[0];
  db.setKey('a', '1');
  db.setExpire('a', ks.now + 1000);
  db.setKey('a', '2', true);
  assert.equal(db.getExpire('a'), ks.now + 1000);
  db.setKey('a', '3');
  assert.equal(db.getExpire('a'), 0);
  assert.equal(db.expiresCount, 0);
});

test('the active cycle reclaims expired keys without any access', () => {
  const { ks, advance } = fakeKeyspace();
  const db = ks.dbs[1];
  for (let i = 0; i < 5000; i++) {
    db.setKey(`v:${i}`, 'x');
    db.setExpire(`v:${i}`, ks.now + 50);
  }
  for (let i = 0; i < 1000; i++) db.setKey(`p:${i}`, 'x');
  advance(60);
  let rounds = 0;
  while (db.size > 1000 && rounds++ < 1000) ks.activeExpireCycle(25);
  assert.equal(db.size, 1000);
  assert.equal(db.expiresCount, 0);
  assert.equal(ks.stats.expiredKeys, 5000);
});

test('the active cycle stops early when few sampled keys are expired', () => {
  const { ks, advance } = fakeKeyspace();
  const db = ks.dbs[0];
  for (let i = 0; i < 10000; i++) {
    db.setKey(`k:${i}`, 'x');
    db.setExpire(`k:${i}`, ks.now + (i < 10 ? 10 : 1_000_000));
  }
  advance(20);
  ks.activeExpireCycle(25);
  // with 0.1% expired, one round of 20 samples ends the cycle: almost every key is still there
  assert.ok(db.size >= 9990);
  assert.ok(db.expiresCount >= 9990);
});

test('deleting a key with a TTL keeps the TTL list consistent for the other keys', () => {
  const { ks, advance } = fakeKeyspace();
  const db = ks.dbs[0];
  for (let i = 0; i < 100; i++) {
    db.setKey(`k${i}`, 'x');
    db.setExpire(`k${i}`, ks.now + 10 + i);
  }
  for (let i = 0; i < 100; i += 3) db.delete(`k${i}`);
  assert.equal(db.expiresCount, 100 - 34);
  advance(1000);
  let rounds = 0;
  while (db.size > 0 && rounds++ < 100) ks.activeExpireCycle(25);
  assert.equal(db.size, 0);
  assert.equal(db.expiresCount, 0);
});

test('every modified-key listener hears each change; expiry is flagged internal; removed ones hear nothing', () => {
  const { ks, advance } = fakeKeyspace();
  const db = ks.dbs[0];
  const a: string[] = [];
  const b: string[] = [];
  const la = (_d: unknown, k: string, internal: boolean): void => void a.push(`${k}:${internal}`);
  const lb = (_d: unknown, k: string, internal: boolean): void => void b.push(`${k}:${internal}`);
  assert.equal(ks.modified.fn, null);
  ks.modified.add(la);
  ks.modified.add(la); // once only
  assert.equal(ks.modified.fn, la);
  ks.modified.add(lb);
  db.setKey('x', '1');
  db.setExpire('x', ks.now + 10);
  advance(10);
  assert.equal(db.lookupRead('x'), undefined);
  assert.deepEqual(a, ['x:false', 'x:true']);
  assert.deepEqual(b, a);
  ks.modified.remove(la);
  db.setKey('y', '1');
  assert.deepEqual(a, ['x:false', 'x:true']);
  assert.deepEqual(b, ['x:false', 'x:true', 'y:false']);
  ks.modified.remove(lb);
  assert.equal(ks.modified.fn, null);
});

test('a flush signals each emptied database, then the flush hook once', () => {
  const { ks } = fakeKeyspace();
  const seen: string[] = [];
  ks.flushedHook = (d, other) => void seen.push(`db${d.id}:${other === null}`);
  ks.flushSignalHook = () => void seen.push('flush');
  ks.dbs[1].setKey('k', 'v');
  assert.equal(ks.emptyData(), 1);
  assert.deepEqual(seen, ['db0:true', 'db1:true', 'flush']);
  seen.length = 0;
  ks.signalFlushedDb(ks.dbs[1]);
  assert.deepEqual(seen, ['db1:true', 'flush']);
});
