/**
 * The AOF rewrite's base file in command form (aof-use-rdb-preamble no):
 * Redis 7.0's rewriteAppendOnlyFileRio. The libraries first, a `FUNCTION
 * LOAD <code>` each (rewriteFunctions, written by bgrewrite.ts); for each non-empty database a
 * `SELECT n`, then for each key the commands that rebuild it:
 *   string  SET key value
 *   list    RPUSH key e1 … (at most 64 elements per command, AOF_REWRITE_ITEMS_PER_CMD)
 *   set     SADD key m1 …  (64 per command)
 *   zset    ZADD key s1 m1 … (64 pairs per command, lowest score first, scores in %.17g)
 *   hash    HMSET key f1 v1 … (64 pairs per command)
 *   stream  XADD per entry, XSETID, XGROUP CREATE / CREATECONSUMER, XCLAIM (rewriteStreamObject)
 * followed by `PEXPIREAT key ms` for a key with a TTL. Keys whose TTL has
 * passed but that are still in memory are written too, with their TTL, as
 * Redis does (they expire again once loaded).
 *
 * The dataset is read through the fork-less snapshot (persistence/snapshot.ts):
 * CommandSink is its sink — each key is encoded as one string of commands
 * (pure, so the snapshot may encode a key early, right before a write touches
 * it) and output goes through a Sink that writes ~1 MB at a time. The caller
 * walks the snapshot in time slices (bgrewrite.ts), or all at once where Redis
 * writes the base in the foreground (a new directory at startup).
 * A single huge value is encoded in one piece: that pause is proportional to
 * its size. A string longer than PART_CHARS (it may be longer than a JS
 * string can be, see keyspace/value.ts) is written as SET of its first part
 * and APPENDs of the rest, which loads to the same value.
 */
import type { SnapshotSink } from '../snapshot.js';
import { RawString, type Value } from '../../keyspace/value.js';
import { assertNever } from '../../util/assert.js';
import { formatDouble } from '../../util/numbers.js';
import { STREAM_ID_MAX, STREAM_ID_MIN, type Stream, formatStreamID, streamIDToString } from '../../datatypes/stream.js';

/** Redis's AOF_REWRITE_ITEMS_PER_CMD */
export const ITEMS_PER_CMD = 64;

const FLUSH_AT = 1 << 20;

/** Buffers latin1 text and hands it to `out` in ~1 MB pieces; counts the bytes. */
export class Sink {
  private s = '';
  bytes = 0;
  constructor(private readonly out: (b: Buffer) => void) {}

  push(text: string): void {
    this.s += text;
    if (this.s.length >= FLUSH_AT) this.flush();
  }

  flush(): void {
    if (this.s.length === 0) return;
    const buf = Buffer.from(this.s, 'latin1');
    this.s = '';
    this.out(buf);
    this.bytes += buf.length;
  }
}

const bulk = (s: string): string => '$' + s.length + '\r\n' + s + '\r\n';

/** One command in RESP multibulk form. */
export function respCommand(argv: readonly string[]): string {
  let s = '*' + argv.length + '\r\n';
  for (const a of argv) s += '$' + a.length + '\r\n' + a + '\r\n';
  return s;
}

/**
 * Builds `NAME key items…` commands of at most ITEMS_PER_CMD items each, each
 * item being `width` bulk strings (Redis counts the items left to size the
 * last command).
 */
class Batcher {
  text = '';
  private head = '';
  private width = 1;
  private remaining = 0;
  private count = 0;
  private body = '';
  constructor(private readonly key: string) {}

  start(name: string, width: number, items: number): void {
    this.head = name + this.key;
    this.width = width;
    this.remaining = items;
  }

  add(item: string): void {
    this.body += item;
    this.count++;
    this.remaining--;
    if (this.count === ITEMS_PER_CMD || this.remaining === 0) {
      this.text += '*' + (2 + this.count * this.width) + '\r\n' + this.head + this.body;
      this.body = '';
      this.count = 0;
    }
  }
}

/** Strings longer than this are written in parts (SET, then APPENDs). */
const PART_CHARS = 64 * 1024 * 1024;

/** SET key of the first part of a long string's bytes, APPEND key of each further part. */
function encodeLongString(k: string, b: Buffer): string[] {
  const cmds: string[] = [];
  for (let at = 0; at < b.length; at += PART_CHARS) {
    const part = b.latin1Slice(at, Math.min(b.length, at + PART_CHARS));
    cmds.push((at === 0 ? '*3\r\n$3\r\nSET\r\n' : '*3\r\n$6\r\nAPPEND\r\n') + k + bulk(part));
  }
  return cmds;
}

/** The commands that rebuild key holding v (several strings for a long string value). */
export function encodeKey(key: string, v: Value): string | string[] {
  const k = bulk(key);
  if (typeof v === 'string') return '*3\r\n$3\r\nSET\r\n' + k + bulk(v);
  if (v instanceof RawString) {
    if (v.length > PART_CHARS && v.inBuffer) return encodeLongString(k, v.bytes());
    return '*3\r\n$3\r\nSET\r\n' + k + bulk(v.s);
  }
  const out = new Batcher(k);
  switch (v.type) {
    case 'list': {
      out.start('$5\r\nRPUSH\r\n', 1, v.length);
      v.walk(true, (e) => {
        out.add(bulk(e));
        return true;
      });
      return out.text;
    }
    case 'set': {
      out.start('$4\r\nSADD\r\n', 1, v.size);
      v.forEach((m) => out.add(bulk(m)));
      return out.text;
    }
    case 'zset': {
      out.start('$4\r\nZADD\r\n', 2, v.length);
      v.forEach((m, score) => out.add(bulk(formatDouble(score)) + bulk(m)));
      return out.text;
    }
    case 'hash': {
      out.start('$5\r\nHMSET\r\n', 2, v.size);
      v.forEach((f, val) => out.add(bulk(f) + bulk(val)));
      return out.text;
    }
    case 'stream':
      return rewriteStreamObject(k, v);
    default:
      return assertNever(v);
  }
}

/**
 * rewriteStreamObject (Redis 7.0's forms, so that Redis replays our AOF and we
 * replay its): XADD key id f v … per live entry (an empty stream: XADD key
 * MAXLEN 0 0-1 x y, which leaves it empty), XSETID key last-id ENTRIESADDED n
 * MAXDELETEDID id, then per group (in name order) XGROUP CREATE key group
 * last-id ENTRIESREAD n and per consumer (in name order) either XGROUP
 * CREATECONSUMER key group consumer (nothing pending) or, per pending entry,
 * XCLAIM key group consumer 0 id TIME ms RETRYCOUNT n JUSTID FORCE.
 */
function rewriteStreamObject(k: string, s: Stream): string {
  let out = '';
  if (s.length > 0) {
    const it = s.iterator(STREAM_ID_MIN, STREAM_ID_MAX);
    while (it.next()) {
      const fv = it.fieldsValues();
      out += '*' + (3 + fv.length) + '\r\n$4\r\nXADD\r\n' + k + bulk(formatStreamID(it.ms, it.seq));
      for (const x of fv) out += bulk(x);
    }
  } else {
    out += '*7\r\n$4\r\nXADD\r\n' + k + '$6\r\nMAXLEN\r\n$1\r\n0\r\n$3\r\n0-1\r\n$1\r\nx\r\n$1\r\ny\r\n';
  }
  out +=
    '*7\r\n$6\r\nXSETID\r\n' +
    k +
    bulk(streamIDToString(s.lastId)) +
    '$12\r\nENTRIESADDED\r\n' +
    bulk(String(s.entriesAdded)) +
    '$12\r\nMAXDELETEDID\r\n' +
    bulk(streamIDToString(s.maxDeletedEntryId));
  s.cgroups?.forEach((group, cg) => {
    const g = bulk(group);
    out += '*7\r\n$6\r\nXGROUP\r\n$6\r\nCREATE\r\n' + k + g + bulk(streamIDToString(cg.lastId)) + '$11\r\nENTRIESREAD\r\n' + bulk(String(cg.entriesRead));
    cg.consumers.forEach((name, consumer) => {
      const c = bulk(name);
      if (consumer.pel.size === 0) {
        out += '*5\r\n$6\r\nXGROUP\r\n$14\r\nCREATECONSUMER\r\n' + k + g + c;
        return;
      }
      consumer.pel.forEach((id, nack) => {
        out +=
          '*12\r\n$6\r\nXCLAIM\r\n' +
          k +
          g +
          c +
          '$1\r\n0\r\n' +
          bulk(streamIDToString(id)) +
          '$4\r\nTIME\r\n' +
          bulk(String(nack.deliveryTime)) +
          '$10\r\nRETRYCOUNT\r\n' +
          bulk(String(nack.deliveryCount)) +
          '$6\r\nJUSTID\r\n$5\r\nFORCE\r\n';
      });
    });
  });
  return out;
}

/** The snapshot sink producing the command-form base (see the header). */
export class CommandSink implements SnapshotSink<string | string[]> {
  keys = 0;
  constructor(private readonly out: Sink) {}

  encode(key: string, value: Value, expireAt: number): string | string[] {
    const s = encodeKey(key, value);
    if (expireAt === 0) return s;
    const pexpireat = '*3\r\n$9\r\nPEXPIREAT\r\n' + bulk(key) + bulk(String(expireAt));
    if (typeof s === 'string') return s + pexpireat;
    s.push(pexpireat);
    return s;
  }

  beginDb(dbIndex: number, size: number): void {
    // Redis writes SELECT only for a database with keys
    if (size > 0) this.out.push(respCommand(['SELECT', String(dbIndex)]));
  }

  write(chunk: string | string[]): void {
    this.keys++;
    if (typeof chunk === 'string') this.out.push(chunk);
    else for (const part of chunk) this.out.push(part);
  }
}
