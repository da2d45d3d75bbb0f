/**
 * DEBUG (Redis's debug.c): the developer subcommands Redis's own test suite
 * and client libraries' suites use — OBJECT, DIGEST, RELOAD, SLEEP,
 * SET-ACTIVE-EXPIRE, POPULATE, PROTOCOL, ERROR, LOG … — answering as Redis 7.0
 * does, so that a test written against Redis runs against gKV unchanged.
 * Subcommands gKV does not implement answer Redis's "unknown subcommand".
 */
import type { DataContext, ServerCommands, ServerContext } from '../context.js';
import type { Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { parseInt64 } from '../../util/numbers.js';
import { datasetDigest, valueDigest } from '../digest.js';
import { encodingOf, type Value } from '../../keyspace/value.js';
import { LP_HDR_SIZE, ListpackBuilder, RdbWriter, rdbSaveObject } from '../../persistence/rdb/encode.js';
import { LRU_CLOCK_MAX, type Db } from '../../keyspace/keyspace.js';
import { refcountOf } from './generic.js';
import { rdbStateOf } from '../../persistence/rdb/index.js';
import { installEntries, readRdbFile, saveRdbSync } from '../../persistence/rdb/file.js';
import { rdbCreateFunctions } from '../../persistence/rdb/functions.js';
import { sleepBlocking } from '../../util/sleep.js';
import { SEGV_ACCERR, dieBySignal, logCrashReport } from '../../server/crash.js';
import { aofOf, AofLoadError } from '../../persistence/aof/index.js';
import { addHelp } from '../help.js';
import { changeReplicationId } from './server.js';
import { fixed } from '../../util/numbers.js';
import { rewriteConfigFile } from '../../server/config-rewrite.js';
import { memToULL } from '../../server/config.js';
import { QuickList, quicklistSetPackedThreshold } from '../../datatypes/quicklist.js';
import { HashValue } from '../../datatypes/hash.js';
import { ZSet } from '../../datatypes/zset.js';
import { SetValue } from '../../datatypes/set.js';
import { hashString } from '../../datatypes/dict.js';
import { formatDouble } from '../../util/numbers.js';
import { globMatch } from '../../util/glob.js';

/*
 * DEBUG OBJECT's "at:" address stands for Redis's object identity, since gKV
 * values are not C objects: a collection or RawString keeps one address for
 * its life; a shared integer (0..9999) has one address whatever key holds it;
 * any other string is a new object each time it is written, except when
 * INCR/DECR changes it in place (Redis's incrDecrCommand reuses an unshared
 * integer object), which keeps its address. Primitive strings' addresses are
 * remembered per database table and slot, only once DEBUG OBJECT was asked.
 */
const SHARED_INT_BASE = 0x7f0000000000;
let fakeAddr = 0x7f0000100000;
const objAddrs = new WeakMap<object, number>();
interface StringIdentity {
  key: string;
  val: string;
  addr: number;
}
const stringAddrs = new WeakMap<object, Map<number, StringIdentity>>();
let stringAddrsUsed = false;

function addrOf(db: Db, slot: number, key: string, v: Value, refcount: number): string {
  let a: number;
  if (typeof v === 'object') {
    a = objAddrs.get(v) ?? 0;
    if (a === 0) {
      a = fakeAddr += 0x40;
      objAddrs.set(v, a);
    }
  } else if (refcount !== 1) {
    a = SHARED_INT_BASE + Number(v) * 0x10;
  } else {
    stringAddrsUsed = true;
    let m = stringAddrs.get(db.dict);
    if (m === undefined) stringAddrs.set(db.dict, (m = new Map()));
    const id = m.get(slot);
    if (id !== undefined && id.key === key && id.val === v) a = id.addr;
    else m.set(slot, { key, val: v, addr: (a = fakeAddr += 0x40) });
  }
  return '0x' + a.toString(16);
}

/**
 * INCR/DECR changed the string at slot in place (the old value was an unshared
 * integer object and the new one is not a shared integer): DEBUG OBJECT keeps
 * showing the same address.
 */
export function keepStringIdentity(s: DataContext, db: Db, slot: number, key: string, oldVal: string, newVal: string): void {
  if (!stringAddrsUsed || refcountOf(oldVal, s) !== 1 || refcountOf(newVal, s) !== 1 || encodingOf(oldVal) !== 'int') return;
  const id = stringAddrs.get(db.dict)?.get(slot);
  if (id !== undefined && id.key === key && id.val === oldVal) id.val = newVal;
}

function debugObject(c: Client, key: string, s: ServerContext): void {
  const db = c.db;
  const slot = db.findSlot(key);
  if (slot === -1) throw Err.noSuchKey();
  const v = db.dict.vals[slot]!;
  const enc = encodingOf(v);
  const refcount = refcountOf(v, s);
  // Redis's rdbSavedObjectLen: the value's RDB encoding, compressed as rdbcompression says
  const w = new RdbWriter(64);
  rdbSaveObject(w, v, { compress: s.config.getBool('rdbcompression') });
  const serLen = w.len;
  const lru = db.lru[slot];
  const nowClock = Math.floor(Date.now() / 1000) & LRU_CLOCK_MAX;
  const idle = nowClock >= lru ? nowClock - lru : LRU_CLOCK_MAX - lru + nowClock;
  let extra = '';
  if (v instanceof QuickList) {
    // Redis adds the quicklist's shape; a node's size is its listpack's bytes, or a plain node's element's
    const nodes = v.describeNodes();
    let size = 0;
    let ni = -1;
    let left = 0;
    v.walk(true, (e) => {
      if (left === 0) {
        const n = nodes[++ni];
        left = n.entries;
        size += n.plain ? n.bytes : LP_HDR_SIZE + 1;
      }
      if (!nodes[ni].plain) size += ListpackBuilder.entrySize(e);
      left--;
      return true;
    });
    const compressed = s.config.getInt('list-compress-depth') !== 0 ? 1 : 0;
    extra = ` ql_nodes:${nodes.length} ql_avg_node:${fixed(v.length / nodes.length, 2)} ql_listpack_max:${v.fill} ql_compressed:${compressed} ql_uncompressed_size:${size}`;
  }
  c.addStatus(`Value at:${addrOf(db, slot, key, v, refcount)} refcount:${refcount} encoding:${enc} serializedlength:${serLen} lru:${lru} lru_seconds_idle:${idle}${extra}`);
}

/** DEBUG QUICKLIST-PACKED-THRESHOLD <size>: elements of at least size bytes go to plain nodes. */
function debugQuicklistPackedThreshold(c: Client, arg: string): void {
  const sz = memToULL(arg);
  if (sz === null || !quicklistSetPackedThreshold(Number(sz))) {
    throw Err.raw('ERR argument must be a memory value bigger than 1 and smaller than 4gb');
  }
  c.addOK();
}

/** The value at key for DEBUG LISTPACK / QUICKLIST (objectCommandLookupOrReply: no touch, no miss event). */
function debugLookup(c: Client, key: string): Value {
  const v = c.db.lookupReadNoTouch(key, false);
  if (v === undefined) throw Err.noSuchKey();
  return v;
}

/**
 * DEBUG LISTPACK <key>: prints a listpack-encoded hash or sorted set's
 * entries on stdout, as Redis's lpRepr does (in gKV's own layout).
 */
function debugListpack(c: Client, key: string): void {
  const v = debugLookup(c, key);
  if (encodingOf(v) !== 'listpack') throw Err.raw('ERR Not a listpack encoded object.');
  const entries: string[] = [];
  if (v instanceof HashValue) v.forEach((f, val) => entries.push(f, val));
  else if (v instanceof ZSet) v.forEach((m, sc) => entries.push(m, formatDouble(sc)));
  let out = `{total entries ${entries.length}}\n`;
  entries.forEach((e, i) => (out += `{\n\tindex: ${i},\n\tpayload: ${e.length}\n\t[str]${e}\n}\n`));
  process.stdout.write(out + '{end}\n\n');
  c.addStatus('Listpack structure printed on stdout');
}

/** DEBUG QUICKLIST <key> [<0|1>]: prints a list's nodes (and, with 1, their entries) on stdout, as quicklistRepr. */
function debugQuicklist(c: Client, argv: string[]): void {
  const v = debugLookup(c, argv[2]);
  const full = argv.length === 4 && atoi(argv[3]) !== 0;
  if (!(v instanceof QuickList)) throw Err.raw('ERR Not a quicklist encoded object.');
  const nodes = v.describeNodes();
  let out = `{count : ${v.length}}\n{len : ${nodes.length}}\n{fill : ${v.fill}}\n{compress : 0}\n{bookmark_count : 0}\n`;
  let idx = 0;
  nodes.forEach((n, i) => {
    out += `{node ${i}}\n{\n\t{container : ${n.plain ? 'PLAIN' : 'PACKED'}, count : ${n.entries}, size : ${n.bytes}, recompress : 0}\n`;
    if (full) for (let k = 0; k < n.entries; k++) out += `\t[${idx + k}] ${v.index(idx + k)}\n`;
    out += '}\n';
    idx += n.entries;
  });
  process.stdout.write(out);
  c.addStatus('Quicklist structure printed on stdout');
}

// ---------------------------------------------------------------- HTSTATS

/** Redis's dictGetStatsHt: one table's figures from its buckets' chain lengths. */
function tableStatsText(lens: Int32Array, htidx: number): string {
  const VECTLEN = 50;
  const clvector = new Array<number>(VECTLEN).fill(0);
  let used = 0;
  let slots = 0;
  let maxchain = 0;
  for (const n of lens) {
    used += n;
    if (n === 0) {
      clvector[0]++;
      continue;
    }
    slots++;
    clvector[Math.min(n, VECTLEN - 1)]++;
    if (n > maxchain) maxchain = n;
  }
  if (used === 0) return 'No stats available for empty dictionaries\n';
  const f = Math.fround;
  const avg = fixed(f(f(used) / f(slots)), 2);
  let out =
    `Hash table ${htidx} stats (${htidx === 0 ? 'main hash table' : 'rehashing target'}):\n` +
    ` table size: ${lens.length}\n number of elements: ${used}\n different slots: ${slots}\n max chain length: ${maxchain}\n` +
    ` avg chain length (counted): ${avg}\n avg chain length (computed): ${avg}\n Chain length distribution:\n`;
  for (let i = 0; i < VECTLEN - 1; i++) {
    if (clvector[i] === 0) continue;
    out += `   ${i}: ${clvector[i]} (${fixed(f(f(f(clvector[i]) / f(lens.length)) * 100), 2)}%)\n`;
  }
  return out;
}

/** Redis's dictGetStats: the main table and, while rehashing, the target. */
function dictStatsText(tables: Int32Array[]): string {
  return tables.map((lens, i) => tableStatsText(lens, i)).join('');
}

/**
 * The chain lengths a Redis dict would have for these keys, for what gKV
 * keeps in another structure (a hash's table, the keys with a TTL): a table
 * of the smallest power of two >= their count (at least 4), as dict
 * expansion leaves it, with gKV's hash function.
 */
function virtualTable(keys: string[]): Int32Array[] {
  let size = 4;
  while (size < keys.length) size *= 2;
  const lens = new Int32Array(size);
  for (const k of keys) lens[hashString(k) & (size - 1)]++;
  return [lens];
}

/** DEBUG HTSTATS <dbid>: the database's key table and its expires table. */
function debugHtstats(c: Client, argv: string[], s: ServerContext): void {
  const id = parseInt64(argv[2]);
  if (id === null) throw Err.notInteger();
  if (id < 0 || id >= s.ks.dbs.length) throw Err.raw('ERR Out of range database');
  const db = s.ks.dbs[Number(id)];
  const volatile: string[] = [];
  for (let i = 0; i < db.ttlCount; i++) volatile.push(db.dict.keys[db.ttlSlots[i]]!);
  const expires = volatile.length === 0 ? [new Int32Array(4)] : virtualTable(volatile);
  c.addVerbatim(`[Dictionary HT]\n${dictStatsText(db.dict.chainLengths())}[Expires HT]\n${dictStatsText(expires)}`);
}

/** DEBUG HTSTATS-KEY <key>: the hash table of a hashtable-encoded set or hash, or of a skiplist zset's dict. */
function debugHtstatsKey(c: Client, key: string): void {
  const v = debugLookup(c, key);
  let tables: Int32Array[] | null = null;
  if (v instanceof ZSet && v.dict !== null) tables = v.dict.chainLengths();
  else if (v instanceof SetValue && v.encoding() === 'hashtable') tables = v.ht !== null ? v.ht.chainLengths() : virtualTable(v.members());
  else if (v instanceof HashValue && v.encoding() === 'hashtable') {
    const fields: string[] = [];
    v.forEach((f) => fields.push(f));
    tables = virtualTable(fields);
  }
  if (tables === null) throw Err.raw('ERR The value stored at the specified key is not represented using an hash table');
  c.addVerbatim(dictStatsText(tables));
}

/**
 * DEBUG STRINGMATCH-TEST: Redis's stringmatchlen_fuzz_test — random patterns
 * against random strings, a bounded number of times; passing is not
 * crashing.
 */
function debugStringmatchTest(c: Client): void {
  const alphabet = '*?[]^-\\abc\x00';
  const rnd = (max: number): string => {
    let s = '';
    const n = Math.floor(Math.random() * max);
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
    return s;
  };
  for (let i = 0; i < 100_000; i++) globMatch(rnd(32), rnd(32), (i & 1) === 1);
  c.addStatus('Apparently Redis did not crash: test passed');
}

/** DEBUG's reply to a subcommand it does not know (or with the wrong arguments). */
const debugUnknown = (name: string) => Err.subcommandSyntax(name, 'DEBUG');
/** DEBUG RELOAD when the RDB file cannot be read back. */
const reloadFailed = () => Err.raw('ERR Error trying to load the RDB dump, check server logs.');

function positiveLongArg(s: string): number {
  const n = parseInt64(s);
  if (typeof n !== 'number' || n < 0) throw Err.mustBePositive();
  return n;
}

function debugPopulate(c: Client, argv: string[]): void {
  const count = positiveLongArg(argv[2]);
  const size = argv.length === 5 ? positiveLongArg(argv[4]) : 0;
  const prefix = argv.length >= 4 ? argv[3] : 'key';
  const db = c.db;
  for (let j = 0; j < count; j++) {
    const key = `${prefix}:${j}`.slice(0, 127);
    if (db.lookupWrite(key) !== undefined) continue;
    let val = `value:${j}`;
    if (size !== 0) val = size <= val.length ? val.slice(0, size) : val + '\0'.repeat(size - val.length);
    db.add(key, val);
  }
  c.addOK();
}

/** DEBUG PROTOCOL <type>: one reply of each RESP type, for client test suites. */
function debugProtocol(c: Client, type: string): void {
  switch (type.toLowerCase()) {
    case 'string':
      c.addBulk('Hello World');
      return;
    case 'integer':
      c.addInt(12345);
      return;
    case 'double':
      c.addDouble(3.141);
      return;
    case 'bignum':
      if (c.resp === 3) c.addRaw('(1234567999999999999999999999999999999\r\n');
      else c.addBulk('1234567999999999999999999999999999999');
      return;
    case 'null':
      c.addNull();
      return;
    case 'array':
      c.addArrayLen(3);
      for (let j = 0; j < 3; j++) c.addInt(j);
      return;
    case 'set':
      c.addSetLen(3);
      for (let j = 0; j < 3; j++) c.addInt(j);
      return;
    case 'map':
      c.addMapLen(3);
      for (let j = 0; j < 3; j++) {
        c.addInt(j);
        c.addBool(j === 1);
      }
      return;
    case 'attrib':
      if (c.resp === 3) {
        c.addRaw('|1\r\n');
        c.addBulk('key-popularity');
        c.addArrayLen(2);
        c.addBulk('key:123');
        c.addInt(90);
      }
      c.addBulk('Some real reply following the attribute');
      return;
    case 'push':
      if (c.resp !== 3) throw Err.raw('ERR RESP2 is not supported by this command');
      // a push (it arrives under CLIENT REPLY OFF), then a real reply for clients that discard pushes
      c.beginPush();
      c.addPushLen(2);
      c.addBulk('server-cpu-usage');
      c.addInt(42);
      c.endPush();
      c.addBulk('Some real reply following the push reply');
      return;
    case 'true':
      c.addBool(true);
      return;
    case 'false':
      c.addBool(false);
      return;
    case 'verbatim':
      c.addVerbatim('This is a verbatim\nstring');
      return;
    default:
      throw Err.raw('ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false');
  }
}

function debugCommand(c: Client, argv: string[], s: ServerContext): void {
  // enable-debug-command is processCommand's guard (DEBUG is a protected command)
  const sub = argv[1].toLowerCase();
  const argc = argv.length;
  if (sub === 'help' && argc === 2) {
    addHelp(c, 'DEBUG', [
      'AOF-FLUSH-SLEEP <microsec>',
      '    Server will sleep before flushing the AOF, this is used for testing.',
      'CHANGE-REPL-ID',
      '    Change the replication IDs of the instance.',
      '    Dangerous: should be used only for testing the replication subsystem.',
      'CONFIG-REWRITE-FORCE-ALL',
      '    Like CONFIG REWRITE but writes all configuration options, including',
      '    keywords not listed in original configuration file or default values.',
      'DIGEST',
      '    Output a hex signature representing the current DB content.',
      'DIGEST-VALUE <key> [<key> ...]',
      '    Output a hex signature of the values of all the specified keys.',
      'ERROR <string>',
      '    Return a Redis protocol error with <string> as message. Useful for clients',
      '    unit tests to simulate Redis errors.',
      'LOG <message>',
      '    Write <message> to the server log.',
      'HTSTATS <dbid>',
      '    Return hash table statistics of the specified Redis database.',
      'HTSTATS-KEY <key>',
      "    Like HTSTATS but for the hash table stored at <key>'s value.",
      'LOADAOF',
      '    Flush the AOF buffers on disk and reload the AOF in memory.',
      'OBJECT <key>',
      '    Show low level info about `key` and associated value.',
      'PAUSE-CRON <0|1>',
      '    Stop periodic cron job processing.',
      'POPULATE <count> [<prefix>] [<size>]',
      '    Create <count> string keys named key:<num>. If <prefix> is specified then',
      "    it is used instead of the 'key' prefix. These are not propagated to",
      '    replicas. Cluster slots are not respected so keys not belonging to the',
      '    current node can be created in cluster mode.',
      'PROTOCOL <type>',
      '    Reply with a test value of the specified type. <type> can be: string,',
      '    integer, double, bignum, null, array, set, map, attrib, push, verbatim,',
      '    true, false.',
      'RELOAD [option ...]',
      '    Save the RDB on disk and reload it back to memory. Valid <option> values:',
      '    * MERGE: conflicting keys will be loaded from RDB.',
      '    * NOFLUSH: the existing database will not be removed before load, but',
      '      conflicting keys will generate an exception and kill the server.',
      '    * NOSAVE: the database will be loaded from an existing RDB file.',
      '    Examples:',
      '    * DEBUG RELOAD: verify that the server is able to persist, flush and reload',
      '      the database.',
      '    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an',
      '      existing RDB file.',
      '    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB',
      '      file to the database.',
      'SEGFAULT',
      '    Crash the server with sigsegv.',
      'SET-SKIP-CHECKSUM-VALIDATION <0|1>',
      "    Enables or disables checksum checks for RDB files and RESTORE's payload.",
      'SET-ACTIVE-EXPIRE <0|1>',
      '    Setting it to 0 disables expiring keys in background when they are not',
      '    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the',
      '    default.',
      'QUICKLIST-PACKED-THRESHOLD <size>',
      '    Sets the threshold for elements to be inserted as plain vs packed nodes',
      '    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.',
      'SLEEP <seconds>',
      '    Stop the server for <seconds>. Decimals allowed.',
      'STRINGMATCH-TEST',
      '    Run a fuzz tester against the stringmatchlen() function.',
      'LISTPACK <key>',
      '    Show low level info about the listpack encoding of <key>.',
      'QUICKLIST <key> [<0|1>]',
      '    Show low level info about the quicklist encoding of <key>.',
      '    The optional argument (0 by default) sets the level of detail',
      'REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>',
      '    Sets the time (in milliseconds) to wait between client reply buffer peak resets.',
      '    In case NEVER is provided the last observed peak will never be reset',
      '    In case RESET is provided the peak reset time will be restored to the default value',
      'REPLYBUFFER RESIZING <0|1>',
      '    Enable or disable the reply buffer resize cron job',
    ]);
    return;
  }
  if (sub === 'config-rewrite-force-all' && argc === 2) {
    // CONFIG REWRITE writing every parameter, defaults included (Redis's testing aid)
    const file = s.config.configFile;
    if (file === null) throw Err.raw('ERR CONFIG-REWRITE-FORCE-ALL failed: No such file or directory');
    try {
      rewriteConfigFile(s.config, file, true, s.acl.filename !== '' ? null : s.acl.listLines());
    } catch (e) {
      throw Err.raw(`ERR CONFIG-REWRITE-FORCE-ALL failed: ${(e as Error).message}`);
    }
    c.addOK();
    return;
  }
  if (sub === 'sleep' && argc === 3) {
    const secs = parseFloat(argv[2]);
    sleepBlocking(Number.isFinite(secs) ? secs * 1000 : 0);
    c.addOK();
  } else if (sub === 'set-disable-deny-scripts' && argc === 3) {
    // scripts may call noscript commands (Redis's script_disable_deny_script, for tests)
    if (s.scripting !== null) s.scripting.scriptDenyDisabled = parseInt(argv[2], 10) !== 0;
    c.addOK();
  } else if (sub === 'set-active-expire' && argc === 3) {
    const n = parseInt(argv[2], 10);
    const on = Number.isFinite(n) && n !== 0;
    s.activeExpire = on;
    s.ks.activeExpireEnabled = on;
    c.addOK();
  } else if (sub === 'reload') {
    debugReload(c, argv, s);
  } else if (sub === 'object' && argc === 3) {
    debugObject(c, argv[2], s);
  } else if (sub === 'populate' && argc >= 3 && argc <= 5) {
    debugPopulate(c, argv);
  } else if (sub === 'protocol' && argc === 3) {
    debugProtocol(c, argv[2]);
  } else if (sub === 'digest' && argc === 2) {
    c.addStatus(datasetDigest(s.ks.dbs));
  } else if (sub === 'digest-value' && argc >= 2) {
    c.addArrayLen(argc - 2);
    for (let j = 2; j < argc; j++) c.addStatus(valueDigest(c.db, argv[j]));
  } else if (sub === 'error' && argc === 3) {
    c.addError(argv[2].replace(/[\r\n]/g, ' '));
  } else if (sub === 'loadaof' && argc === 2) {
    debugLoadAof(c, s);
  } else if (sub === 'aof-flush-sleep' && argc === 3) {
    const aof = aofOf(s);
    if (aof !== undefined) aof.feed.flushSleepUs = Math.max(0, atoi(argv[2]));
    c.addOK();
  } else if (sub === 'segfault' && argc === 2) {
    // Redis writes to a read-only page; gKV reports that crash and dies by the same signal
    logCrashReport(s, { signal: 'SIGSEGV', siCode: SEGV_ACCERR, client: c, argv });
    dieBySignal('SIGSEGV');
  } else if (sub === 'pause-cron' && argc === 3) {
    s.pauseCron = atoi(argv[2]) !== 0;
    c.addOK();
  } else if (sub === 'set-skip-checksum-validation' && argc === 3) {
    s.skipChecksumValidation = atoi(argv[2]) !== 0;
    c.addOK();
  } else if (sub === 'quicklist-packed-threshold' && argc === 3) {
    debugQuicklistPackedThreshold(c, argv[2]);
  } else if (sub === 'listpack' && argc === 3) {
    debugListpack(c, argv[2]);
  } else if (sub === 'quicklist' && (argc === 3 || argc === 4)) {
    debugQuicklist(c, argv);
  } else if (sub === 'htstats' && argc >= 3) {
    debugHtstats(c, argv, s);
  } else if (sub === 'htstats-key' && argc === 3) {
    debugHtstatsKey(c, argv[2]);
  } else if (sub === 'stringmatch-test' && argc === 2) {
    debugStringmatchTest(c);
  } else if (sub === 'change-repl-id' && argc === 2) {
    s.log.warning('Changing replication IDs after receiving DEBUG change-repl-id');
    changeReplicationId(s);
    c.addOK();
  } else if (sub === 'log' && argc === 3) {
    s.log.warning(`DEBUG LOG: ${argv[2]}`);
    c.addOK();
  } else if (sub === 'replybuffer' && argc === 4) {
    // the static reply buffer's resizing (server/client-mem.ts): PEAK-RESET-TIME <never|reset|ms>, RESIZING <0|1>
    const what = argv[2].toLowerCase();
    if (what === 'peak-reset-time') {
      const v = argv[3].toLowerCase();
      if (v === 'never') s.replyBufferPeakResetMs = -1;
      else if (v === 'reset') s.replyBufferPeakResetMs = 5000;
      else {
        const n = parseInt64(argv[3]);
        if (n === null) throw Err.notInteger();
        s.replyBufferPeakResetMs = Number(n);
      }
    } else if (what === 'resizing') {
      s.replyBufferResizing = atoi(argv[3]) !== 0;
    } else {
      throw debugUnknown(argv[1]);
    }
    c.addOK();
  } else {
    throw debugUnknown(argv[1]);
  }
}

/** C's atoi: the leading integer of s, 0 when there is none. */
function atoi(s: string): number {
  const m = /^\s*[+-]?\d+/.exec(s);
  return m === null ? 0 : Number(m[0]);
}

/**
 * DEBUG LOADAOF: the AOF's buffer written, the dataset emptied and the AOF
 * loaded back from disk. Files that cannot be loaded end the process, as in
 * Redis (the dataset is gone by then).
 */
function debugLoadAof(c: Client, s: ServerContext): void {
  const aof = aofOf(s);
  if (aof === undefined) throw Err.raw('ERR');
  try {
    aof.loadFromDisk();
  } catch (e) {
    if (!(e instanceof AofLoadError)) throw e;
    s.log.warning(e.message);
    process.exit(1);
  }
  s.log.warning('Append Only File loaded by DEBUG LOADAOF');
  c.addOK();
}

/** DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save the RDB, empty the dataset, load the file back. */
function debugReload(c: Client, argv: string[], s: ServerContext): void {
  let merge = false;
  let noflush = false;
  let nosave = false;
  for (let j = 2; j < argv.length; j++) {
    const opt = argv[j].toLowerCase();
    if (opt === 'merge') merge = true;
    else if (opt === 'noflush') noflush = true;
    else if (opt === 'nosave') nosave = true;
    else throw Err.raw('ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.');
  }
  const st = rdbStateOf(s);
  if (!nosave && !(st !== undefined ? st.saveNow() : saveRdbSync(s))) throw Err.raw('ERR');
  let img;
  try {
    img = readRdbFile(s);
  } catch (e) {
    s.log.warning(`DEBUG RELOAD: ${(e as Error).message}`);
    throw reloadFailed();
  }
  if (img === null) throw reloadFailed();
  // emptyData: the databases and the libraries
  if (!noflush) {
    for (const db of s.ks.dbs) db.flush();
    s.functions?.flush();
  }
  // the libraries come first in the file: one already loaded fails the reload, unless MERGE (RDBFLAGS_ALLOW_DUP)
  try {
    rdbCreateFunctions(s, img.functions, merge);
  } catch (e) {
    s.log.warning((e as Error).message);
    throw reloadFailed();
  }
  // a key loaded over an existing one replaces it (MERGE); Redis without MERGE would abort the server
  installEntries(s, img.entries);
  s.ks.dirty = 0;
  s.log.notice('DB reloaded by DEBUG RELOAD');
  c.addOK();
}

// ------------------------------------------------------------------ table

export const debugCommands: ServerCommands = [{ name: 'debug', handler: debugCommand }];
