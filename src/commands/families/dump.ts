/**
 * DUMP, RESTORE and MIGRATE (Redis group "generic", cluster.c): a key's value as a
 * DUMP payload — the RDB encoding of the value (persistence/rdb/encode.ts),
 * the RDB version (2 bytes LE) and a CRC-64 (8 bytes LE) — and back, so that
 * payloads move between gKV and Redis 7.0 in both directions.
 *
 * RESTORE follows restoreCommand's order exactly: options (REPLACE, ABSTTL,
 * IDLETIME, FREQ; IDLETIME and FREQ exclude each other, as a syntax error),
 * then BUSYKEY, then the TTL, then the payload's version and checksum, then
 * the value itself ("Bad data format" when it does not load). A TTL already
 * in the past creates nothing (replying OK); if REPLACE deleted a key for it,
 * the command propagates as DEL. A relative TTL propagates as an absolute one
 * with ABSTTL appended, so replicas and the AOF replay the same expiry.
 * A corrupt payload that Redis accepts unsanitized (sanitize-dump-payload no)
 * but of which gKV can read no element creates nothing in the same way
 * (persistence/rdb/decode.ts, RdbNothingReadableError).
 */
import type { ServerCommands, ServerContext } from '../context.js';
import type { Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { parseInt64 } from '../../util/numbers.js';
import { is } from '../args.js';
import { NOTIFY_GENERIC } from '../../keyspace/notify.js';
import { LRU_CLOCK_MAX } from '../../keyspace/keyspace.js';
import { createDumpPayload } from '../../persistence/rdb/encode.js';
import { RdbEmptyKeyError, RdbError, RdbNothingReadableError, loadDumpPayload, verifyDumpPayload } from '../../persistence/rdb/decode.js';
import { migrateCloseSocket, migrateExchangeSync, migrateGetSocket, type IoFailure, type MigrateSocket } from '../migrate.js';

/** getLongLongFromObjectOrReply, as a bigint. */
function int64Arg(s: string): bigint {
  const v = parseInt64(s);
  if (v === null) throw Err.notInteger();
  return BigInt(v);
}

function dumpCommand(c: Client, argv: string[], s: ServerContext): void {
  const v = c.db.lookupRead(argv[1]);
  if (v === undefined) return c.addNull();
  const payload = createDumpPayload(v, { compress: s.config.getBool('rdbcompression') });
  c.addBulkBuffer(payload, payload.length);
}

/**
 * Redis's objectSetLRUOrLFU for RESTORE (multiplier 1000, clock resolution
 * 1000 ms): the access clock a restored key starts with, or null to keep the
 * new object's. IDLETIME counts only under an LRU policy, FREQ only under an
 * LFU one. The arithmetic is C's: idle*1000 wraps at 64 bits, and the result
 * is cut to the 24-bit lru field, so huge idle times give what Redis gives.
 */
function restoredClock(s: ServerContext, lfuFreq: number, lruIdle: bigint, lruClock: number): number | null {
  if (s.ks.lfu) {
    if (lfuFreq < 0) return null;
    return (((Math.floor(s.ks.now / 60000) & 65535) << 8) | lfuFreq) >>> 0;
  }
  if (lruIdle < 0n) return null;
  const idle = BigInt.asIntN(64, lruIdle * 1000n) / 1000n;
  let abs = BigInt(lruClock) - idle;
  if (abs < 0n) abs += BigInt(LRU_CLOCK_MAX);
  return Number(BigInt.asUintN(24, abs));
}

function restoreCommand(c: Client, argv: string[], s: ServerContext): void {
  let replace = false;
  let absttl = false;
  let lfuFreq = -1;
  let lruIdle = -1n;
  let lruClock = -1;
  for (let j = 4; j < argv.length; j++) {
    const additional = argv.length - j - 1;
    const a = argv[j];
    if (is(a, 'replace')) replace = true;
    else if (is(a, 'absttl')) absttl = true;
    else if (is(a, 'idletime') && additional >= 1 && lfuFreq === -1) {
      lruIdle = int64Arg(argv[j + 1]);
      if (lruIdle < 0n) throw Err.invalidIdletime();
      lruClock = s.ks.lruClock;
      j++;
    } else if (is(a, 'freq') && additional >= 1 && lruIdle === -1n) {
      const f = int64Arg(argv[j + 1]);
      if (f < 0n || f > 255n) throw Err.invalidFreq();
      lfuFreq = Number(f);
      j++;
    } else throw Err.syntax();
  }

  const db = c.db;
  const key = argv[1];
  if (!replace && db.lookupWrite(key) !== undefined) throw Err.busyKey();

  let ttl = int64Arg(argv[2]);
  if (ttl < 0n) throw Err.invalidTtl();

  const payload = Buffer.from(argv[3], 'latin1');
  if (!verifyDumpPayload(payload, s.skipChecksumValidation)) throw Err.dumpPayload();
  let val = null;
  try {
    // sanitize-dump-payload: "yes", or "clients" for a client's RESTORE, is Redis's deep sanitization
    // ("clients" spares the master's and those of an ACL user with skip-sanitize-payload)
    const mode = s.config.get('sanitize-dump-payload');
    const deep = mode === 'yes' || (mode === 'clients' && c.kind !== 'master' && !(c.user?.skipSanitize ?? false));
    val = loadDumpPayload(payload, s.enc, deep);
  } catch (e) {
    if (e instanceof RdbError && !(e instanceof RdbNothingReadableError)) {
      // what Redis's rdbReportCorruptRDB logs in a RESTORE (verbose), before "Bad data format"
      if (!(e instanceof RdbEmptyKeyError)) s.log.verbose(`Internal error in RDB reading offset 0, function at rdb.c:0 -> ${e.message}${e.detail !== '' ? ` (${e.detail})` : ''}`);
      throw Err.badDataFormat();
    }
    // accepted as Redis accepts it, but nothing of it readable: answered as for a TTL already past
    if (!(e instanceof RdbNothingReadableError)) throw e;
  }

  const deleted = replace && db.delete(key);
  const now = BigInt(s.ks.now);
  // C's int64 addition (a huge relative TTL wraps negative: already expired)
  if (ttl !== 0n && !absttl) ttl = BigInt.asIntN(64, ttl + now);
  // (accepted as Redis accepts it, but nothing of it readable: nothing is created either)
  if (val === null || (ttl !== 0n && ttl <= now && !s.ks.noExpireDeletes)) {
    // checkAlreadyExpired: nothing is created
    if (deleted) {
      c.propagateArgv = ['DEL', key];
      db.notify(NOTIFY_GENERIC, 'del', key);
    }
    c.addOK();
    return;
  }

  const slot = db.add(key, val);
  // Redis counts one change for RESTORE, even when REPLACE deleted a key first
  if (deleted) s.ks.dirty--;
  if (ttl !== 0n) {
    db.setExpireSlot(slot, Number(ttl));
    if (!absttl) c.propagateArgv = [argv[0], key, ttl.toString(), ...argv.slice(3), 'ABSTTL'];
  }
  const clock = restoredClock(s, lfuFreq, lruIdle, lruClock);
  if (clock !== null) db.lru[slot] = clock;
  db.notify(NOTIFY_GENERIC, 'restore', key);
  c.addOK();
}

// ------------------------------------------------------------------ MIGRATE

const MIGRATE_KEYS_NOT_EMPTY = 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string';

/** getLongFromObjectOrReply */
function longArg(v: string): number {
  const n = parseInt64(v);
  if (n === null) throw Err.notInteger();
  return Number(n);
}

const bulkOf = (a: string): string => '$' + a.length + '\r\n' + a + '\r\n';

/**
 * MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
 * [AUTH password | AUTH2 username password] [KEYS key …], as Redis 7.0's
 * migrateCommand: the keys that exist are sent to the target as RESTORE
 * commands (with their remaining TTL, and REPLACE), after AUTH and a SELECT
 * when the cached connection last selected another database; those the
 * target acknowledged are deleted here (unless COPY) and propagated as one
 * DEL. +NOKEY when none exists; "Target instance replied with error: …" for
 * the target's first error; IOERR for a connection, write or read that
 * failed or timed out (a broken connection is retried once, a timeout not).
 *
 * Redis blocks in MIGRATE. gKV keeps its event loop turning instead and
 * stops the other clients' commands until the reply (Server.suspendCommands),
 * so, as in Redis, nothing changes the keys between their serialization and
 * their deletion. Inside EXEC, whose reply cannot wait, the exchange blocks
 * as Redis's does, run by a helper process on a fresh connection.
 */
function migrateCommand(c: Client, argv: string[], s: ServerContext): void {
  let copy = false;
  let replace = false;
  let username: string | null = null;
  let password: string | null = null;
  let firstKey = 3;
  let numKeys = 1;
  for (let j = 6; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const a = argv[j];
    if (is(a, 'copy')) copy = true;
    else if (is(a, 'replace')) replace = true;
    else if (is(a, 'auth')) {
      if (more < 1) throw Err.syntax();
      password = argv[++j];
    } else if (is(a, 'auth2')) {
      if (more < 2) throw Err.syntax();
      username = argv[++j];
      password = argv[++j];
    } else if (is(a, 'keys')) {
      if (argv[3].length !== 0) throw Err.raw(MIGRATE_KEYS_NOT_EMPTY);
      firstKey = j + 1;
      numKeys = argv.length - j - 1;
      break;
    } else throw Err.syntax();
  }
  let timeout = longArg(argv[5]);
  const dbid = longArg(argv[4]);
  if (timeout <= 0) timeout = 1000;
  const db = c.db;
  const keys: string[] = [];
  for (let j = 0; j < numKeys; j++) {
    const k = argv[firstKey + j];
    if (db.lookupRead(k) !== undefined) keys.push(k);
  }
  if (keys.length === 0) {
    c.addStatus('NOKEY');
    return;
  }
  const opts = { host: argv[1], port: argv[2], dbid, timeout, copy, replace, username, password };
  if (s.inExec) {
    // EXEC's reply cannot wait: as Redis, the exchange blocks (in a helper process)
    const reply = runMigrateSync(opts, migrateSteps(s, c, keys, opts));
    if (reply !== null) throw Err.raw(reply);
    c.addOK();
    return;
  }
  // nothing else runs until the target answered; this client's reply comes then
  const resume = s.suspendCommands();
  runMigrateAsync(s, opts, migrateSteps(s, c, keys, opts)).then(
    (reply) => finishMigrate(s, c, reply, resume),
    (e) => {
      s.log.warning(`BUG: MIGRATE failed: ${(e as Error)?.stack ?? e}`);
      finishMigrate(s, c, "ERR internal error in 'migrate' command", resume);
    },
  );
}

function finishMigrate(s: ServerContext, c: Client, reply: string | null, resume: () => void): void {
  if (!c.closed) {
    if (reply === null) c.addOK();
    else c.addError(reply);
    s.markPending(c);
  }
  resume();
}

interface MigrateOptions {
  host: string;
  port: string;
  dbid: number;
  timeout: number;
  copy: boolean;
  replace: boolean;
  username: string | null;
  password: string | null;
}

/**
 * What the exchange asks of the network, one step at a time: the connection
 * (its last SELECTed db, or null when none could be made), sending the
 * commands (with how many reply lines will be read), a reply line, dropping
 * the connection, noting the db it selected. The same steps run with the
 * cached asynchronous connections, or at once in a helper process inside EXEC.
 */
type MigrateIo = { op: 'connect' } | { op: 'send'; bytes: Buffer; replies: number } | { op: 'read' } | { op: 'drop' } | { op: 'selected'; dbid: number };

type SendResult = IoFailure | 'connect' | null;

/** MIGRATE's reply when the target cannot be reached or stops answering. */
const CONNECT_FAILED = 'IOERR error or timeout connecting to the client';

/** Redis's migrateCommand after its argument checks (see migrateCommand). Returns null for +OK, or the error to reply. */
function* migrateSteps(s: ServerContext, c: Client, keys: string[], o: MigrateOptions): Generator<MigrateIo, string | null, unknown> {
  const db = c.db;
  let mayRetry = true;
  for (;;) {
    const conn = (yield { op: 'connect' }) as { lastDbid: number } | null;
    if (conn === null) return CONNECT_FAILED;
    let cmd = '';
    if (o.password !== null) {
      cmd += o.username !== null ? '*3\r\n$4\r\nAUTH\r\n' + bulkOf(o.username) : '*2\r\n$4\r\nAUTH\r\n';
      cmd += bulkOf(o.password);
    }
    const select = conn.lastDbid !== o.dbid;
    if (select) cmd += '*2\r\n$6\r\nSELECT\r\n' + bulkOf(String(o.dbid));
    // the keys still there now, with the TTL they have left (one that expired meanwhile is skipped)
    const sent: string[] = [];
    const now = Date.now();
    for (const key of keys) {
      const v = db.peek(key);
      if (v === undefined) continue;
      let ttl = 0;
      const at = db.getExpire(key);
      if (at > 0) {
        ttl = at - now;
        if (ttl < 0) continue;
        if (ttl < 1) ttl = 1;
      }
      sent.push(key);
      cmd += (o.replace ? '*5' : '*4') + '\r\n$7\r\nRESTORE\r\n' + bulkOf(key) + bulkOf(String(ttl));
      cmd += bulkOf(createDumpPayload(v, { compress: s.config.getBool('rdbcompression') }).toString('latin1'));
      if (o.replace) cmd += '$7\r\nREPLACE\r\n';
    }
    const replies = (o.password !== null ? 1 : 0) + (select ? 1 : 0) + sent.length;
    const sendResult = (yield { op: 'send', bytes: Buffer.from(cmd, 'latin1'), replies }) as SendResult;
    if (sendResult === 'connect') return CONNECT_FAILED;
    let writeError = false;
    let failure: IoFailure | null = sendResult;
    let authReply = '';
    let selectReply = '';
    if (failure !== null) writeError = true;
    else if (o.password !== null) {
      const r = (yield { op: 'read' }) as string | IoFailure;
      if (r === 'timeout' || r === 'io') failure = r;
      else authReply = r;
    }
    if (failure === null && select) {
      const r = (yield { op: 'read' }) as string | IoFailure;
      if (r === 'timeout' || r === 'io') failure = r;
      else selectReply = r;
    }
    if (failure !== null) {
      // Redis's socket_err: the connection is dropped, and tried once more unless the time ran out
      yield { op: 'drop' };
      if (failure !== 'timeout' && mayRetry) {
        mayRetry = false;
        continue;
      }
      return `IOERR error or timeout ${writeError ? 'writing' : 'reading'} to target instance`;
    }
    let targetError: string | null = null;
    let socketError: IoFailure | null = null;
    const deleted: string[] = [];
    let j = 0;
    for (; j < sent.length; j++) {
      const line = (yield { op: 'read' }) as string | IoFailure;
      if (line === 'timeout' || line === 'io') {
        socketError = line;
        break;
      }
      const errLine = o.password !== null && authReply[0] === '-' ? authReply : select && selectReply[0] === '-' ? selectReply : line[0] === '-' ? line : null;
      if (errLine !== null) {
        if (targetError === null) {
          yield { op: 'selected', dbid: -1 };
          targetError = `ERR Target instance replied with error: ${errLine.slice(1)}`;
        }
      } else if (!o.copy) {
        // acknowledged: the key goes here, as DEL would remove it
        if (db.delete(sent[j])) {
          db.notify(NOTIFY_GENERIC, 'del', sent[j]);
          deleted.push(sent[j]);
        }
      }
    }
    // nothing acknowledged yet and the connection broke: tried again on a new one
    if (targetError === null && socketError !== null && j === 0 && mayRetry && socketError !== 'timeout') {
      yield { op: 'drop' };
      mayRetry = false;
      continue;
    }
    if (socketError !== null) yield { op: 'drop' };
    // the keys moved are propagated as one DEL (the AOF and replicas lose them too)
    if (deleted.length > 0) {
      const del = ['DEL', ...deleted];
      // inside EXEC this runs within MIGRATE's call(), which propagates it in that form
      if (s.inExec) c.propagateArgv = del;
      else if (s.propagation.emit !== null) s.propagation.emit(db.id, del);
    }
    if (targetError === null && socketError !== null) return 'IOERR error or timeout reading to target instance';
    if (targetError !== null) return targetError;
    yield { op: 'selected', dbid: o.dbid };
    return null;
  }
}

/** Runs the exchange's steps on the cached asynchronous connections. */
async function runMigrateAsync(s: ServerContext, o: MigrateOptions, steps: Generator<MigrateIo, string | null, unknown>): Promise<string | null> {
  let cs: MigrateSocket | null = null;
  let input: unknown;
  for (;;) {
    const r = steps.next(input);
    if (r.done === true) return r.value;
    const io = r.value;
    if (io.op === 'connect') {
      cs = await migrateGetSocket(s.migrateCache, o.host, o.port, o.timeout);
      input = cs === null ? null : { lastDbid: cs.lastDbid };
    } else if (io.op === 'send') input = await cs!.write(io.bytes, o.timeout);
    else if (io.op === 'read') input = await cs!.readLine(o.timeout);
    else if (io.op === 'drop') {
      migrateCloseSocket(s.migrateCache, o.host, o.port);
      input = undefined;
    } else {
      cs!.lastDbid = io.dbid;
      input = undefined;
    }
  }
}

/** Runs the exchange's steps at once: each send, with its replies, is one blocking run of a helper process. */
function runMigrateSync(o: MigrateOptions, steps: Generator<MigrateIo, string | null, unknown>): string | null {
  let lines: (string | IoFailure)[] = [];
  let input: unknown;
  for (;;) {
    const r = steps.next(input);
    if (r.done === true) return r.value;
    const io = r.value;
    input = undefined;
    if (io.op === 'connect')
      input = { lastDbid: -1 }; // a fresh connection each time, made by the helper
    else if (io.op === 'send') {
      const res = migrateExchangeSync(o.host, o.port, o.timeout, io.bytes, io.replies);
      if (res.failed === 'connect' || res.failed === 'write') input = res.failed === 'connect' ? 'connect' : res.failure;
      else {
        lines = [...res.lines];
        if (res.failure !== null) lines.push(res.failure);
        input = null;
      }
    } else if (io.op === 'read') input = lines.shift() ?? 'io';
  }
}

export const dumpCommands: ServerCommands = [
  { name: 'dump', handler: dumpCommand },
  { name: 'restore', handler: restoreCommand },
  { name: 'migrate', handler: migrateCommand },
];
