/**
 * RDB files: the whole dataset in Redis 7.0's format (RDB version 10), for
 * SAVE, BGSAVE, save points, shutdown, startup loading, and the AOF's RDB
 * preamble. The values' encoding is rdb/encode.ts and rdb/decode.ts; this file
 * adds the file structure Redis's rdbSaveRio writes:
 *
 *   "REDIS0010"
 *   AUX redis-ver 7.0.15, redis-bits 64, ctime, used-mem, aof-base 0|1
 *   per non-empty database: SELECTDB n, RESIZEDB size expires,
 *     per key: [EXPIRETIME_MS t] [IDLE s | FREQ f] type key value
 *   EOF, CRC-64 of everything before it (0 with rdbchecksum no)
 *
 * Writing reads the dataset through a fork-less Snapshot (snapshot.ts): SAVE
 * walks it at once; BGSAVE in slices of the event loop while the server keeps
 * serving, so the file holds the data as of the moment BGSAVE started. Bytes
 * go to `temp-<pid>.rdb` (written as they come), which is fsynced and renamed
 * over the target only when complete, so a crash mid-save never damages the
 * previous file.
 *
 * Loading parses the whole image (RDB versions 1–11 as far as the value
 * encodings are known, checksum verified), keeps the keys whose TTL has not
 * passed, and installs them; entries are applied in slices so that a large
 * file lets clients see -LOADING rather than a frozen server.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync, existsSync, readFileSync, unlinkSync } from 'node:fs';
import { fsync, close } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Server } from '../server/server.js';
import type { Db } from '../keyspace/keyspace.js';
import type { Value } from '../keyspace/value.js';
import { Snapshot } from './snapshot.js';
import { RdbWriter, RDB_VERSION, rdbObjectType, rdbSaveObject, type SaveOptions } from './rdb/encode.js';
import { RdbError, RdbReader, isObjectType, rdbLoadObject, type LoadLimits } from './rdb/decode.js';
import { Crc64 } from './rdb/crc64.js';
import { REDIS_VERSION } from '../commands/families/server.js';

const RDB_OPCODE_FUNCTION2 = 245;
const RDB_OPCODE_FUNCTION = 246;
const RDB_OPCODE_MODULE_AUX = 247;
const RDB_OPCODE_IDLE = 248;
const RDB_OPCODE_FREQ = 249;
const RDB_OPCODE_AUX = 250;
const RDB_OPCODE_RESIZEDB = 251;
const RDB_OPCODE_EXPIRETIME_MS = 252;
const RDB_OPCODE_EXPIRETIME = 253;
const RDB_OPCODE_SELECTDB = 254;
const RDB_OPCODE_EOF = 255;

/** event-loop time a BGSAVE slice may take */
const SLICE_MS = 2;
/** buffered bytes that trigger a write to the file */
const WRITE_CHUNK = 1 << 20;

export interface RdbSaveOptions {
  /** the aof-base aux field: this image is an AOF's RDB preamble */
  aofBase: boolean;
}

type KeyPolicy = 'none' | 'lru' | 'lfu';

function keyPolicy(s: Server): KeyPolicy {
  const p = s.config.get('maxmemory-policy');
  return p.endsWith('-lru') ? 'lru' : p.endsWith('-lfu') ? 'lfu' : 'none';
}

/**
 * An RDB image being produced: the snapshot's sink. Encoded chunks are
 * buffered and handed to `out` in order; the CRC runs over every byte.
 */
export class RdbImage {
  private readonly crc = new Crc64();
  private readonly parts: Buffer[] = [];
  private buffered = 0;
  size = 0;
  private readonly so: SaveOptions;
  private readonly checksum: boolean;
  private readonly policy: KeyPolicy;

  constructor(private readonly s: Server, private readonly out: (b: Buffer) => void, o: RdbSaveOptions) {
    this.so = { compress: s.config.getBool('rdbcompression') };
    this.checksum = s.config.getBool('rdbchecksum');
    this.policy = keyPolicy(s);
    const w = new RdbWriter(256);
    w.latin1(`REDIS${String(RDB_VERSION).padStart(4, '0')}`);
    const aux = (k: string, v: string): void => {
      w.u8(RDB_OPCODE_AUX);
      w.saveString(k, this.so);
      w.saveString(v, this.so);
    };
    aux('redis-ver', REDIS_VERSION);
    aux('redis-bits', '64');
    aux('ctime', String(Math.floor(Date.now() / 1000)));
    aux('used-mem', String(process.memoryUsage().heapUsed));
    aux('aof-base', o.aofBase ? '1' : '0');
    this.push(Buffer.from(w.result()));
  }

  private push(b: Buffer): void {
    if (this.checksum) this.crc.update(b);
    this.parts.push(b);
    this.buffered += b.length;
    this.size += b.length;
    if (this.buffered >= WRITE_CHUNK) this.drain();
  }

  /** Hands the buffered bytes to the output. */
  drain(): void {
    if (this.parts.length === 0) return;
    this.out(this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts));
    this.parts.length = 0;
    this.buffered = 0;
  }

  // the snapshot sink
  encode = (key: string, value: Value, expireAt: number, lru: number): Buffer => {
    const w = new RdbWriter(64);
    if (expireAt !== 0) {
      w.u8(RDB_OPCODE_EXPIRETIME_MS);
      w.saveMillisecondTime(expireAt);
    }
    if (this.policy === 'lru') {
      w.u8(RDB_OPCODE_IDLE);
      w.saveLen(this.s.ks.idleSecondsOf(lru));
    } else if (this.policy === 'lfu') {
      w.u8(RDB_OPCODE_FREQ);
      w.u8(this.s.ks.lfuDecr(lru));
    }
    w.saveType(rdbObjectType(value));
    w.saveString(key, this.so);
    rdbSaveObject(w, value, this.so);
    return Buffer.from(w.result());
  };

  beginDb = (dbIndex: number, size: number, expires: number): void => {
    if (size === 0) return; // Redis writes no section for an empty database
    const w = new RdbWriter(16);
    w.u8(RDB_OPCODE_SELECTDB);
    w.saveLen(dbIndex);
    w.u8(RDB_OPCODE_RESIZEDB);
    w.saveLen(size);
    w.saveLen(expires);
    this.push(Buffer.from(w.result()));
  };

  write = (chunk: Buffer): void => this.push(chunk);

  /** EOF and the checksum. */
  end(): void {
    const b = Buffer.alloc(9);
    b[0] = RDB_OPCODE_EOF;
    if (this.checksum) {
      this.crc.update(b, 0, 1);
      this.crc.writeLE(b, 1);
    }
    this.parts.push(b);
    this.size += b.length;
    this.drain();
  }
}

/** Writes a whole RDB image of the dataset to fd at once (SAVE, shutdown, AOF preamble). Returns its size. */
export function writeRdbToFd(s: Server, fd: number, o: RdbSaveOptions): number {
  const img = new RdbImage(s, (b) => writeAll(fd, b), o);
  const snap = new Snapshot<Buffer>(s.ks, img);
  try {
    snap.step(Infinity);
  } finally {
    snap.finish();
  }
  img.end();
  return img.size;
}

function writeAll(fd: number, b: Buffer): void {
  let off = 0;
  while (off < b.length) off += writeSync(fd, b, off, b.length - off);
}

/** The configured RDB path (dir + dbfilename). */
export function rdbPath(s: Server): string {
  return resolve(s.config.get('dir'), s.config.get('dbfilename'));
}

/** Writes the file at once: temp file, fsync, rename (Redis's rdbSave). Throws on I/O errors. */
export function saveRdbSync(s: Server, path = rdbPath(s)): number {
  const tmp = join(dirname(path), `temp-${process.pid}.rdb`);
  const fd = openSync(tmp, 'w');
  let size: number;
  try {
    size = writeRdbToFd(s, fd, { aofBase: false });
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  return size;
}

/**
 * A background save: the snapshot walked in event-loop slices, bytes written
 * as they come, then fsync (off the loop) and rename. `done` gets null on
 * success or the error.
 */
export class BackgroundSave {
  private readonly snap: Snapshot<Buffer>;
  private readonly img: RdbImage;
  private readonly fd: number;
  private readonly tmp: string;
  private aborted = false;
  readonly startedAt = Date.now();

  constructor(private readonly s: Server, private readonly path: string, private readonly done: (err: Error | null, size: number) => void) {
    this.tmp = join(dirname(path), `temp-bg-${process.pid}.rdb`);
    let fd = -1;
    let openError: Error | null = null;
    try {
      fd = openSync(this.tmp, 'w');
    } catch (e) {
      openError = e as Error;
    }
    this.fd = fd;
    this.img = new RdbImage(s, (b) => writeAll(this.fd, b), { aofBase: false });
    this.snap = new Snapshot<Buffer>(s.ks, this.img);
    if (openError !== null) {
      // as a forked child that cannot open its file: the save started, then failed
      this.snap.finish();
      const err = openError;
      setImmediate(() => this.done(err, 0));
      return;
    }
    setImmediate(() => this.slice());
  }

  private slice(): void {
    if (this.aborted) return;
    // replies produced since the last slice leave first, not after it
    this.s.flushPending();
    let finished: boolean;
    try {
      finished = this.snap.step(SLICE_MS);
      this.img.drain();
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    if (!finished) {
      setImmediate(() => this.slice());
      return;
    }
    try {
      this.img.end();
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    fsync(this.fd, (err) => {
      close(this.fd, () => {
        if (this.aborted) return;
        if (err) return this.finishWith(err);
        try {
          renameSync(this.tmp, this.path);
        } catch (e) {
          return this.finishWith(e as Error);
        }
        this.done(null, this.img.size);
      });
    });
  }

  private fail(e: Error): void {
    this.snap.finish();
    try {
      closeSync(this.fd);
    } catch {
      /* closed */
    }
    this.finishWith(e);
  }

  private finishWith(e: Error): void {
    try {
      unlinkSync(this.tmp);
    } catch {
      /* already gone */
    }
    this.done(e, 0);
  }

  /** Stops the save (shutdown, FLUSHALL …): the temporary file is removed, `done` is not called. */
  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.snap.finish();
    try {
      closeSync(this.fd);
    } catch {
      /* closed or in flight */
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      /* gone */
    }
  }
}

// ------------------------------------------------------------------ loading

export interface LoadedEntry {
  db: number;
  key: string;
  value: Value;
  expireAt: number;
  idle: number;
  freq: number;
}

export interface RdbLoadResult {
  entries: LoadedEntry[];
  version: number;
  aux: Map<string, string>;
  /** bytes of the image (up to and including the checksum) */
  size: number;
}

function loadLimits(s: Server): LoadLimits {
  return s.enc;
}

/**
 * Parses an RDB image from data[start…]. Throws RdbError naming what is
 * wrong and where (bad magic, unsupported version, unknown opcode or type,
 * truncation, checksum mismatch).
 */
export function parseRdb(s: Server, data: Buffer, start = 0): RdbLoadResult {
  if (data.length - start < 9 || data.latin1Slice(start, start + 5) !== 'REDIS') throw new RdbError('Wrong signature trying to load DB from file');
  const version = Number(data.latin1Slice(start + 5, start + 9));
  if (!Number.isInteger(version) || version < 1 || version > 11) throw new RdbError(`Can't handle RDB format version ${data.latin1Slice(start + 5, start + 9)}`);
  const r = new RdbReader(data, start + 9);
  const lim = loadLimits(s);
  const entries: LoadedEntry[] = [];
  const aux = new Map<string, string>();
  let db = 0;
  let expireAt = 0;
  let idle = -1;
  let freq = -1;
  for (;;) {
    const at = r.pos;
    const type = r.loadType();
    if (type === RDB_OPCODE_EXPIRETIME) {
      expireAt = readUInt32LE(r) * 1000;
      continue;
    }
    if (type === RDB_OPCODE_EXPIRETIME_MS) {
      expireAt = r.loadMillisecondTime();
      continue;
    }
    if (type === RDB_OPCODE_FREQ) {
      freq = r.u8();
      continue;
    }
    if (type === RDB_OPCODE_IDLE) {
      idle = r.loadLen();
      continue;
    }
    if (type === RDB_OPCODE_EOF) break;
    if (type === RDB_OPCODE_SELECTDB) {
      db = r.loadLen();
      if (db >= s.ks.dbs.length) throw new RdbError(`FATAL: Data file was created with a Redis server configured to handle more than ${s.ks.dbs.length} databases. Exiting`);
      continue;
    }
    if (type === RDB_OPCODE_RESIZEDB) {
      r.loadLen();
      r.loadLen();
      continue;
    }
    if (type === RDB_OPCODE_AUX) {
      const k = r.loadString();
      const v = r.loadString();
      aux.set(k, v);
      continue;
    }
    if (type === RDB_OPCODE_MODULE_AUX || type === RDB_OPCODE_FUNCTION || type === RDB_OPCODE_FUNCTION2) {
      throw new RdbError(`RDB at offset ${at - start}: ${type === RDB_OPCODE_MODULE_AUX ? 'module data' : 'functions'} cannot be loaded by gKV`);
    }
    if (!isObjectType(type)) throw new RdbError(`Unknown RDB opcode or type ${type} at offset ${at - start}`);
    const key = r.loadString();
    let value: Value;
    try {
      value = rdbLoadObject(type, r, lim);
    } catch (e) {
      if (e instanceof RdbError) throw new RdbError(`${e.message} (key '${key}' at offset ${at - start})`);
      throw e;
    }
    entries.push({ db, key, value, expireAt, idle, freq });
    expireAt = 0;
    idle = -1;
    freq = -1;
  }
  const end = r.pos;
  if (version >= 5) {
    if (data.length < end + 8) throw new RdbError('Short read or OOM loading DB. Unrecoverable error, aborting now.');
    const stored = data.subarray(end, end + 8);
    const zero = stored.every((b) => b === 0);
    if (!zero && s.config.getBool('rdbchecksum')) {
      const crc = new Crc64().update(data, start, end);
      if (!crc.equalsLE(data, end)) throw new RdbError('Wrong RDB checksum. Aborting now.');
    }
    return { entries, version, aux, size: end + 8 - start };
  }
  return { entries, version, aux, size: end - start };
}

function readUInt32LE(r: RdbReader): number {
  const b = r.bytes(4);
  return b.readUInt32LE(0);
}

/**
 * Installs parsed entries into the (empty or flushed) keyspace. Keys already
 * expired are dropped, as a master does (unless `keepExpired`: an AOF's RDB
 * base). Returns [loaded, expired].
 */
export function installEntries(s: Server, entries: LoadedEntry[], from = 0, to = entries.length, keepExpired = false): [number, number] {
  const now = keepExpired ? -Infinity : Date.now();
  let loaded = 0;
  let expired = 0;
  for (let i = from; i < to; i++) {
    const e = entries[i];
    if (e.expireAt !== 0 && e.expireAt <= now) {
      expired++;
      continue;
    }
    const db: Db = s.ks.dbs[e.db];
    // a key seen twice (a damaged or hand-made file): the last one wins, as setKey would
    if (db.findSlot(e.key) !== -1) db.setKey(e.key, e.value);
    else db.add(e.key, e.value);
    if (e.expireAt !== 0) db.setExpire(e.key, e.expireAt);
    if (e.idle >= 0 || e.freq >= 0) s.ks.restoreClock(db, e.key, e.idle, e.freq);
    loaded++;
  }
  return [loaded, expired];
}

/**
 * Loads an RDB image held in memory into the keyspace (the AOF's preamble
 * loader). Keys whose TTL has passed are kept, as Redis keeps them when
 * loading an AOF's RDB base (a later command in the incremental file may
 * touch them). Returns the image's size.
 */
export function loadRdbImage(s: Server, data: Buffer): number {
  const r = parseRdb(s, data);
  installEntries(s, r.entries, 0, r.entries.length, true);
  return r.size;
}

/** Reads and parses the RDB file at path, or returns null when there is none. */
export function readRdbFile(s: Server, path = rdbPath(s)): RdbLoadResult | null {
  if (!existsSync(path)) return null;
  return parseRdb(s, readFileSync(path));
}
