/**
 * Key extraction (src/commands/keys.ts) alone: Redis 7.0's metadata and an
 * argv in, key positions and flags out, no server. Every expectation is what
 * redis-server 7.0 answers to COMMAND GETKEYSANDFLAGS for the same argv.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redisMeta } from '../../src/commands/table.js';
import { getKeysFromCommand, getKeysUsingKeySpecs, hasKeyArguments, type KeyedCommand } from '../../src/commands/keys.js';

/** The metadata of a command ("name" or "container|sub") as the table holds it. */
function cmd(fullName: string): KeyedCommand {
  const [name, sub] = fullName.split('|');
  let info = redisMeta().commands[name].info;
  if (sub !== undefined) info = info.subcommands.find((s) => s.name === fullName)!;
  return { fullName, arity: info.arity, info };
}

/** The keys of a command line as [key, flags] pairs, as GETKEYSANDFLAGS lists them. */
function keys(line: string[]): [string, string[]][] {
  const c = line[1] !== undefined && redisMeta().commands[line[0]].info.subcommands.length > 0 ? cmd(`${line[0]}|${line[1]}`) : cmd(line[0]);
  return getKeysFromCommand(c, line).map((k) => [line[k.pos], [...k.flags]]);
}

const RO = ['RO', 'access'];
const OW = ['OW', 'update'];
const RW_DEL = ['RW', 'access', 'delete'];

test('an index and a range: one key (GET), every second argument (MSET), both ends (RENAME)', () => {
  assert.deepEqual(keys(['get', 'k']), [['k', RO]]);
  assert.deepEqual(keys(['mset', 'a', '1', 'b', '2', 'c', '3']), [
    ['a', OW],
    ['b', OW],
    ['c', OW],
  ]);
  assert.deepEqual(keys(['rename', 'a', 'b']), [
    ['a', RW_DEL],
    ['b', OW],
  ]);
  assert.deepEqual(keys(['smove', 'a', 'b', 'm']), [
    ['a', RW_DEL],
    ['b', ['RW', 'insert']],
  ]);
  assert.deepEqual(keys(['bitop', 'and', 'd', 'a', 'b', 'c']), [
    ['d', OW],
    ['a', RO],
    ['b', RO],
    ['c', RO],
  ]);
  assert.deepEqual(keys(['blpop', 'a', 'b', '0']), [
    ['a', RW_DEL],
    ['b', RW_DEL],
  ]);
});

test('a key count read from argv (keynum): ZUNIONSTORE, ZINTERSTORE, LMPOP, EVAL', () => {
  assert.deepEqual(keys(['zunionstore', 'dst', '2', 'a', 'b', 'weights', '1', '2']), [
    ['dst', OW],
    ['a', RO],
    ['b', RO],
  ]);
  assert.deepEqual(keys(['zinterstore', 'd', '2', 'a', 'b']), [
    ['d', OW],
    ['a', RO],
    ['b', RO],
  ]);
  assert.deepEqual(keys(['lmpop', '2', 'a', 'b', 'left']), [
    ['a', RW_DEL],
    ['b', RW_DEL],
  ]);
  assert.deepEqual(keys(['eval', 's', '2', 'a', 'b', 'c']), [
    ['a', ['RW', 'access', 'update']],
    ['b', ['RW', 'access', 'update']],
  ]);
  // no key at all is valid for EVAL, and a count that leaves no key is not for ZUNIONSTORE
  assert.deepEqual(keys(['eval', 's', '0']), []);
  assert.deepEqual(keys(['zunionstore', 'dst', '0', 'a']), []);
  // a count that is no integer, or runs past argv, makes the specs unusable
  assert.equal(getKeysUsingKeySpecs(cmd('zunionstore'), ['zunionstore', 'dst', 'x', 'a']), null);
  assert.equal(getKeysUsingKeySpecs(cmd('zunionstore'), ['zunionstore', 'dst', '3', 'a']), null);
});

test('a keyword searched for: XREAD STREAMS, GEORADIUS STORE and STOREDIST, XREADGROUP', () => {
  assert.deepEqual(keys(['xread', 'count', '1', 'streams', 's1', 's2', '0', '0']), [
    ['s1', RO],
    ['s2', RO],
  ]);
  assert.deepEqual(keys(['georadius', 'k', '0', '0', '1', 'km', 'store', 'd', 'storedist', 'e']), [
    ['k', RO],
    ['d', OW],
    ['e', OW],
  ]);
  assert.deepEqual(keys(['georadius', 'k', '0', '0', '1', 'km']), [['k', RO]]);
  assert.deepEqual(keys(['xreadgroup', 'group', 'g', 'c', 'streams', 's1', '0']), [['s1', RO]]);
});

test('movable keys the specs cannot find: SORT … STORE, SORT_RO, MIGRATE … KEYS', () => {
  assert.deepEqual(keys(['sort', 'k', 'by', 'x', 'get', 'y', 'store', 'dst']), [
    ['k', RO],
    ['dst', OW],
  ]);
  assert.deepEqual(keys(['sort', 'k', 'limit', '0', '1', 'store', 'out']), [
    ['k', RO],
    ['out', OW],
  ]);
  assert.deepEqual(keys(['sort', 'k', 'by', 'store']), [['k', RO]]);
  assert.deepEqual(keys(['sort_ro', 'k', 'by', 'x']), [['k', RO]]);
  assert.deepEqual(keys(['migrate', 'h', '1', 'k', '0', '10']), [['k', RW_DEL]]);
  assert.deepEqual(keys(['migrate', 'h', '1', '', '0', '10', 'copy', 'replace', 'auth', 'pw', 'keys', 'a', 'b', 'c']), [
    ['a', RW_DEL],
    ['b', RW_DEL],
    ['c', RW_DEL],
  ]);
  assert.deepEqual(keys(['migrate', 'h', '1', '', '0', '10', 'auth2', 'u', 'keys', 'keys', 'a', 'b']), [
    ['a', RW_DEL],
    ['b', RW_DEL],
  ]);
  // KEYS with a key given in the key position as well finds none
  assert.deepEqual(keys(['migrate', 'h', '1', 'k', '0', '10', 'keys', 'a']), []);
});

test('flags that depend on the arguments (variable_flags): SET … GET, BITFIELD', () => {
  assert.deepEqual(keys(['set', 'k', 'v']), [['k', OW]]);
  assert.deepEqual(keys(['set', 'k', 'v', 'GET']), [['k', ['RW', 'access', 'update']]]);
  assert.deepEqual(keys(['bitfield', 'k', 'get', 'u8', '0']), [['k', RO]]);
  assert.deepEqual(keys(['bitfield', 'k', 'get', 'u8', '0', 'set', 'u8', '0', '1']), [['k', ['RW', 'access', 'update']]]);
});

test('subcommands and commands without keys', () => {
  assert.deepEqual(keys(['object', 'encoding', 'k']), [['k', ['RO']]]);
  assert.equal(hasKeyArguments(cmd('config|get')), false);
  assert.equal(hasKeyArguments(cmd('ping')), false);
  assert.equal(hasKeyArguments(cmd('get')), true);
});
