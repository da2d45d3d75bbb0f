/**
 * Over maxmemory against Redis: the -OOM replies and where they come from
 * (deny-oom commands, queueing inside MULTI, EXEC of a queue that writes,
 * scripts with and without shebang flags, redis.call of a deny-oom command,
 * FCALL), what still runs (reads, DEL, DISCARD, no-writes scripts), and an
 * eviction policy with nothing left to evict. Every reply is compared byte
 * for byte. maxmemory 1 puts both servers over the limit whatever their
 * figures, so the sequence is the same on both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sharedPair } from './runner.js';
import type { RespClient } from '../harness/resp.js';

const pair = sharedPair();

/** Runs the commands on both servers' connections; every reply compared. */
async function same(cmds: string[][]): Promise<void> {
  const { g, r } = pair.p;
  for (const cmd of cmds) {
    const [a, b] = await Promise.all([g.call(...cmd), r.call(...cmd)]);
    assert.equal(a.raw, b.raw, `${JSON.stringify(cmd)}: gKV ${JSON.stringify(a.raw)}, Redis ${JSON.stringify(b.raw)}`);
  }
}

async function reset(c: RespClient): Promise<void> {
  await c.cmd('CONFIG', 'SET', 'maxmemory', '0');
  await c.cmd('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
  await c.cmd('FLUSHALL');
  await c.cmd('FUNCTION', 'FLUSH');
}

const LIB =
  "#!lua name=mm\nredis.register_function('rw', function(k) return redis.call('set', k[1], 'v') end)\nredis.register_function{function_name='ro', callback=function(k) return redis.call('get', k[1]) end, flags={'no-writes'}}";

test('over maxmemory with noeviction: the OOM replies of commands, MULTI, EXEC, scripts and functions are Redis’s', { skip: pair.skip }, async () => {
  await Promise.all([reset(pair.p.g), reset(pair.p.r)]);
  await same([
    ['SET', 'a', '1'],
    ['RPUSH', 'l', 'x', 'y'],
    ['FUNCTION', 'LOAD', LIB],
    ['CONFIG', 'SET', 'maxmemory', '1'],
    ['SET', 'b', '2'],
    ['RPUSH', 'l', 'z'],
    ['INCR', 'a'],
    ['GET', 'a'],
    ['LRANGE', 'l', '0', '-1'],
    ['EXISTS', 'a', 'b'],
    // queueing takes memory: refused inside MULTI, and EXEC then aborts
    ['MULTI'],
    ['GET', 'a'],
    ['EXEC'],
    ['MULTI'],
    ['DISCARD'],
    // scripts: the check at the start (shebang), and redis.call of a deny-oom command
    ['EVAL', "return redis.call('set', 'x', 'y')", '0'],
    ['EVAL', "return redis.pcall('set', 'x', 'y')", '0'],
    ['EVAL', "return redis.call('get', 'a')", '0'],
    ['EVAL', '#!lua\nreturn 1', '0'],
    ['EVAL', '#!lua flags=no-writes\nreturn redis.call("get", "a")', '0'],
    ['EVAL', '#!lua flags=allow-oom\nreturn redis.call("set", "x", "y")', '0'],
    ['FCALL', 'rw', '1', 'k'],
    ['FCALL', 'ro', '1', 'a'],
    ['FCALL_RO', 'ro', '1', 'a'],
    ['DEL', 'a', 'x', 'l'],
    ['DBSIZE'],
    ['CONFIG', 'SET', 'maxmemory', '0'],
    ['SET', 'b', '2'],
  ]);
});

test('an eviction policy with nothing left to evict answers -OOM as noeviction does', { skip: pair.skip }, async () => {
  await Promise.all([reset(pair.p.g), reset(pair.p.r)]);
  await same([
    ['MSET', 'a', '1', 'b', '2'],
    ['SET', 'v', '3', 'EX', '1000'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'volatile-lru'],
    ['CONFIG', 'SET', 'maxmemory', '1'],
    // the only key with a TTL goes; the others stay, and writes are refused
    ['SET', 'c', '3'],
    ['EXISTS', 'a', 'b', 'v'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-random'],
    ['SET', 'c', '3'],
    ['DBSIZE'],
    ['INFO', 'nosuchsection'],
    ['CONFIG', 'SET', 'maxmemory', '0'],
    ['CONFIG', 'SET', 'maxmemory-policy', 'noeviction'],
  ]);
  const [g, r] = await Promise.all([pair.p.g.cmd('INFO', 'stats'), pair.p.r.cmd('INFO', 'stats')]);
  const evicted = (s: unknown) => /evicted_keys:(\d+)/.exec(String(s))![1];
  assert.equal(evicted(g), evicted(r));
});
