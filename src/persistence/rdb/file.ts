/**
 * RDB files: the whole dataset in Redis 7.0's format (RDB version 10), for
 * SAVE, BGSAVE, save points, shutdown, startup loading, and the AOF's RDB
 * preamble. The values' encoding is encode.ts and decode.ts; this file
 * adds the file structure Redis's rdbSaveRio writes:
 *
 *   "REDIS0010"
 *   AUX redis-ver 7.0.15, redis-bits 64, ctime, used-mem, aof-base 0|1
 *   per library: FUNCTION2 code (./functions.ts)
 *   per non-empty database: SELECTDB n, RESIZEDB size expires,
 *     per key: [EXPIRETIME_MS t] [IDLE s | FREQ f] type key value
 *   EOF, CRC-64 of everything before it (0 with rdbchecksum no)
 *
 * Writing reads the dataset through a fork-less Snapshot (../snapshot.ts), so
 * the file holds the data as of the moment the save started. SAVE and DEBUG
 * RELOAD walk it at once (rdbSaveSteps, blocking, as Redis's rdbSave); the
 * shutdown save walks the same steps in slices, so a second SIGINT is still
 * seen. Both write `temp-<pid>.rdb`, fsync it and rename it over the target
 * only when complete, so a failed or interrupted save never damages the
 * previous file; failures log Redis's lines ("Failed opening the temp RDB
 * file…", "Write error saving DB on disk…", "Error moving temp DB file…").
 * BGSAVE streams the walk to a child process (../child.ts) that writes
 * `temp-<childpid>.rdb` and renames it (startRdbChild).
 *
 * Loading is RdbLoader, Redis's rdbLoadRio as a walk that stops and
 * resumes (RDB versions 1–11 as far as the value encodings are known,
 * checksum computed as the bytes are read and verified at the end unless
 * DEBUG SET-SKIP-CHECKSUM-VALIDATION, the aux fields logged as Redis logs
 * them): each key goes to a callback as soon as it is read. At startup
 * (index.ts) that callback installs it, so the file is loaded in slices that
 * give the event loop back (clients see -LOADING and INFO's progress) and no
 * list of the file's entries is ever built: 3,000,000 keys loaded in 2.3 s of
 * CPU and 389 MiB resident after (Redis: 2.1 s, 310 MiB), against 7.2 s and
 * 660-736 MiB when the file was parsed whole first (bench/rdb-load.js). A
 * file is read through a 4 MB window (RdbLoader.fromFile). parseRdb still collects
 * the entries for the loaders that must see a whole good image before
 * touching the dataset (DEBUG RELOAD, the AOF's preamble).
 */
import { closeSync, fsyncSync, openSync, readSync, renameSync, writeSync, existsSync, readFileSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { ServerContext } from '../../commands/context.js';
import type { Db } from '../../keyspace/keyspace.js';
import type { Value } from '../../keyspace/value.js';
import { Snapshot } from '../snapshot.js';
import { RdbWriter, RDB_VERSION, rdbObjectType, rdbSaveObject, type SaveOptions } from './encode.js';
import { RdbEmptyKeyError, RdbError, RdbNothingReadableError, RdbReader, isObjectType, rdbLoadObject, type LoadLimits } from './decode.js';
import { Crc64 } from './crc64.js';
import { REDIS_VERSION } from '../../version.js';
import { ChildSave, type ChildResult } from '../child.js';
import { strerror } from '../../util/strerror.js';
import { sleepBlocking } from '../../util/sleep.js';
import { RDB_OPCODE_FUNCTION, RDB_OPCODE_FUNCTION2, rdbCreateFunctions, rdbLoadFunctionPayload, rdbSaveFunctions } from './functions.js';

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

function keyPolicy(s: ServerContext): KeyPolicy {
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

  constructor(
    private readonly s: ServerContext,
    private readonly out: (b: Buffer) => void,
    o: RdbSaveOptions,
  ) {
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
    // the libraries, as they are when the save starts (rdbSaveFunctions)
    if (s.functions !== null) rdbSaveFunctions(w, s.functions.codes(), this.so);
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
export function writeRdbToFd(s: ServerContext, fd: number, o: RdbSaveOptions): number {
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
export function rdbPath(s: ServerContext): string {
  return resolve(s.config.get('dir'), s.config.get('dbfilename'));
}

/** Redis's "server root dir" in its log lines: the directory, or "unknown" when it is gone (getcwd fails). */
function rootDir(dir: string): string {
  return existsSync(dir) ? resolve(dir) : 'unknown';
}

/**
 * Redis's rdbSave in steps: the dataset written to temp-<pid>.rdb next to
 * the target, fsynced and renamed over it, so a failure never damages the
 * previous file. Between slices it yields the milliseconds to wait (0: a
 * turn of the event loop; rdb-key-save-delay's per-key delay otherwise).
 * Returns false after logging Redis's line when opening, writing or renaming
 * fails (the temporary file is removed). The caller updates dirty/lastsave.
 */
export function* rdbSaveSteps(s: ServerContext, path = rdbPath(s)): Generator<number, boolean, void> {
  const dir = dirname(path);
  const tmpName = `temp-${process.pid}.rdb`;
  const tmp = join(dir, tmpName);
  let fd: number;
  try {
    fd = openSync(tmp, 'w');
  } catch (e) {
    s.log.warning(`Failed opening the temp RDB file ${tmpName} (in server root dir ${rootDir(dir)}) for saving: ${strerror(e)}`);
    return false;
  }
  const img = new RdbImage(s, (b) => writeAll(fd, b), { aofBase: false });
  const snap = new Snapshot<Buffer>(s.ks, img);
  try {
    for (;;) {
      const delayUs = s.config.getInt('rdb-key-save-delay');
      // with a delay, one key at a time and its delay after it (Redis sleeps per key)
      const done = snap.step(SLICE_MS, delayUs > 0 ? 1 : Infinity);
      img.drain();
      if (done) break;
      yield delayUs > 0 ? delayUs / 1000 : 0;
    }
    img.end();
    fsyncSync(fd);
    closeSync(fd);
  } catch (e) {
    s.log.warning(`Write error saving DB on disk: ${strerror(e)}`);
    try {
      closeSync(fd);
    } catch {
      /* closed */
    }
    unlinkQuiet(tmp);
    return false;
  } finally {
    snap.finish();
  }
  try {
    renameSync(tmp, path);
  } catch (e) {
    s.log.warning(`Error moving temp DB file ${tmpName} on the final destination ${basename(path)} (in server root dir ${rootDir(dir)}): ${strerror(e)}`);
    unlinkQuiet(tmp);
    return false;
  }
  s.log.notice('DB saved on disk');
  return true;
}

/** rdbSaveSteps at once, blocking (SAVE, DEBUG RELOAD): true when saved. */
export function saveRdbSync(s: ServerContext, path = rdbPath(s)): boolean {
  const steps = rdbSaveSteps(s, path);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
    sleepBlocking(r.value);
  }
}

/** Redis's rdbRemoveTempFile: the foreground save's temp-<pid>.rdb is removed (a forced exit). */
export function rdbRemoveTempFile(s: ServerContext, pid = process.pid): void {
  unlinkQuiet(join(dirname(rdbPath(s)), `temp-${pid}.rdb`));
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* never created, or gone */
  }
}

/**
 * BGSAVE: the dataset written by a child process (persistence/child.ts) to
 * temp-<childpid>.rdb and renamed over the target by it. `done` gets the
 * child's result.
 */
export function startRdbChild(s: ServerContext, path: string, done: (r: ChildResult, job: ChildSave) => void): ChildSave {
  return new ChildSave(s, {
    type: 'rdb',
    dir: dirname(path),
    tempName: 'temp-%d.rdb',
    finalPath: path,
    output: (send) => {
      const img = new RdbImage(s, send, { aofBase: false });
      return { sink: img, drain: () => img.drain(), end: () => img.end(), size: () => img.size };
    },
    done,
  });
}

/** The log line of a child's failure, as Redis's child logs it (the parent then logs "Background saving error"). */
export function rdbChildError(s: ServerContext, job: ChildSave, r: Extract<ChildResult, { ok: false }>): string {
  const dir = dirname(rdbPath(s));
  const tmpName = basename(job.tempPath);
  if (r.op === 'open') return `Failed opening the temp RDB file ${tmpName} (in server root dir ${rootDir(dir)}) for saving: ${r.error}`;
  if (r.op === 'rename') return `Error moving temp DB file ${tmpName} on the final destination ${basename(rdbPath(s))} (in server root dir ${rootDir(dir)}): ${r.error}`;
  return `Write error saving DB on disk: ${r.error}`;
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
  /** empty keys found in the file and left out */
  emptySkipped: number;
  /** the libraries' payloads (FUNCTION2 records), to be created by the loader (rdbCreateFunctions) */
  functions: string[];
}

/** Where a value of the file failed to load (for the report redis-check-rdb would print). */
export interface RdbLoadContext {
  key: string;
  type: number;
  offset: number;
  keysRead: number;
}

/** A value of an RDB file that cannot be loaded: Redis's reason, and where. */
export class RdbLoadError extends RdbError {
  constructor(
    reason: string,
    detail: string,
    readonly at: RdbLoadContext,
  ) {
    super(reason, detail);
  }
}

/** What an RdbLoader does with each key it reads (Redis's rdbLoadRio hands them to dbAddRDBLoad). */
export type RdbKeySink = (db: number, key: string, value: Value, expireAt: number, idle: number, freq: number) => void;

/** Bytes read from a file at a time (the window grows past it for a record that is longer). */
const LOAD_WINDOW = 4 << 20;

/** An open RDB file read through a window (RdbLoader.fromFile). */
interface FileSource {
  fd: number;
  size: number;
}

/**
 * Redis's rdbLoadRio as a walk that can stop and resume: the image read
 * record by record, each key handed to `onKey` as soon as it is read (no
 * list of the whole file's entries is built), RESIZEDB's counts to
 * `onResize` (the loader sizes the tables once, as Redis's dictExpand),
 * the libraries' payloads to `onFunction`. `step(bytes)` reads about that
 * many more bytes of the image — a whole record at least — so a caller can
 * give the event loop back between steps; the CRC-64 is computed over the
 * bytes as they are read (Redis's rio checksum), and checked at the end.
 *
 * The image is a buffer (data[start…]) or a file read LOAD_WINDOW bytes at a
 * time (fromFile), as Redis reads through its rio buffer: the whole file is
 * never in memory at once (78 MB for 3,000,000 keys). A record that runs
 * past the window is read again from its start in a window twice as large;
 * nothing it read is kept (every decoded value copies its bytes), and its
 * callbacks run only once it is read whole.
 *
 * Throws RdbError naming what is wrong and where (bad magic, unsupported
 * version, unknown opcode or type, truncation, checksum mismatch;
 * RdbLoadError for a value, with its key and offset). The aux fields are
 * logged with Redis's lines as they are read.
 */
export class RdbLoader {
  readonly version: number;
  readonly aux = new Map<string, string>();
  /** keys handed to onKey */
  keysRead = 0;
  /** empty keys found in the file and left out */
  emptySkipped = 0;
  private unreadableSkipped = 0;
  /** bytes of the image, once read to its end (up to and including the checksum) */
  size = 0;
  done = false;
  /** the bytes in hand: the whole image, or a window of the file */
  private data: Buffer;
  /** the buffer a file is read into (data is its first bytes) */
  private window: Buffer = Buffer.alloc(0);
  /** the file offset of data[0] (0 for a buffer) */
  private base = 0;
  /** offset in data of the image's first byte */
  private readonly start: number;
  private r: RdbReader;
  private readonly file: FileSource | null;
  private readonly lim: LoadLimits;
  private readonly deep: boolean;
  private readonly crc: Crc64 | null;
  /** offset in data up to which the CRC has been computed */
  private crcAt: number;
  /** the record being read has been read whole: its callbacks run, it is not read again */
  private committed = false;
  private db = 0;
  private expireAt = 0;
  private idle = -1;
  private freq = -1;
  onResize: ((db: number, size: number, expires: number) => void) | null = null;
  onFunction: ((payload: string) => void) | null = null;

  constructor(
    private readonly s: ServerContext,
    data: Buffer,
    start: number,
    private readonly onKey: RdbKeySink,
    file: FileSource | null = null,
  ) {
    this.data = data;
    this.start = start;
    this.file = file;
    if (data.length - start < 9 || data.latin1Slice(start, start + 5) !== 'REDIS') throw new RdbError('Wrong signature trying to load DB from file');
    const version = Number(data.latin1Slice(start + 5, start + 9));
    if (!Number.isInteger(version) || version < 1 || version > 11) throw new RdbError(`Can't handle RDB format version ${data.latin1Slice(start + 5, start + 9)}`);
    this.version = version;
    this.r = new RdbReader(data, start + 9);
    this.lim = s.enc;
    // loading a file is sanitized deeply only with sanitize-dump-payload yes ("clients" spares files)
    this.deep = s.config.get('sanitize-dump-payload') === 'yes';
    // the checksum is computed only when it will be checked (a file saved without one stores 0: seen at the end)
    this.crc = version >= 5 && s.config.getBool('rdbchecksum') && !s.skipChecksumValidation ? new Crc64() : null;
    this.crcAt = start;
  }

  /** A loader reading the open file fd (of `size` bytes) through a window. */
  static fromFile(s: ServerContext, fd: number, size: number, onKey: RdbKeySink): RdbLoader {
    const window = Buffer.allocUnsafe(Math.min(size, LOAD_WINDOW));
    const got = readInto(fd, window, 0, window.length, 0);
    const l = new RdbLoader(s, window.subarray(0, got), 0, onKey, { fd, size });
    l.window = window;
    return l;
  }

  /** Bytes of the image read so far. */
  get loadedBytes(): number {
    return this.base + this.r.pos - this.start;
  }

  /** True when bytes of the file lie beyond the window. */
  private get moreInFile(): boolean {
    return this.file !== null && this.base + this.data.length < this.file.size;
  }

  /**
   * Moves the window to start at data[from] (the record being read), at
   * least `min` bytes long, reading what follows from the file into the
   * same buffer (a larger one only for a record longer than it). One buffer
   * for the whole load: a new 4 MB one per slide, freed in turn, raises
   * glibc's mmap threshold and leaves the malloc heap fragmented (measured:
   * 424 MiB resident after a full GC against 385). Nothing decoded keeps a
   * view into it (every value copies its bytes). The bytes before `from`
   * are done with: the CRC takes them first.
   */
  private slide(from: number, min: number): void {
    const file = this.file!;
    if (this.crc !== null) this.crc.update(this.data, this.crcAt, from);
    const kept = this.data.length - from;
    const fileAt = this.base + this.data.length;
    let buf = this.window;
    const want = Math.max(LOAD_WINDOW, min);
    if (buf.length < want) {
      buf = Buffer.allocUnsafe(want);
      this.data.copy(buf, 0, from);
      this.window = buf;
    } else buf.copyWithin(0, from, this.data.length);
    const got = kept + readInto(file.fd, buf, kept, Math.min(want, buf.length) - kept, fileAt);
    this.base += from;
    this.data = got < buf.length ? buf.subarray(0, got) : buf;
    this.crcAt = 0;
    this.r = new RdbReader(this.data, 0);
  }

  /**
   * Reads records until about `bytes` more bytes of the image are read, or
   * the clock (performance.now()) passes `deadline`, or the end. Returns
   * true once the whole image is read and its checksum verified.
   */
  step(bytes = Infinity, deadline = Infinity): boolean {
    if (this.done) return true;
    const until = this.loadedBytes + bytes;
    for (let n = 1; this.loadedBytes < until; n++) {
      // the clock is read every 64 records
      if ((n & 63) === 0 && deadline !== Infinity && performance.now() >= deadline) break;
      let at = this.r.pos;
      // a window running low is moved on before a record starts
      if (this.data.length - at < LOAD_WINDOW >> 2 && this.moreInFile) {
        this.slide(at, 0);
        at = 0;
      }
      this.committed = false;
      try {
        if (this.record(at)) return true;
      } catch (e) {
        // the record runs past the window: read it again in a larger one (errors of a record read whole are real)
        if (!(e instanceof RdbError) || this.committed || !this.r.short || !this.moreInFile) throw e;
        this.slide(at, (this.data.length - at) * 2);
      }
    }
    if (this.crc !== null) {
      this.crc.update(this.data, this.crcAt, this.r.pos);
      this.crcAt = this.r.pos;
    }
    return false;
  }

  /** Reads the record at data[at]; returns true at the end of the image. */
  private record(at: number): boolean {
    const r = this.r;
    const s = this.s;
    const offset = (): number => this.base + at - this.start;
    const type = r.loadType();
    if (type === RDB_OPCODE_EXPIRETIME) {
      this.expireAt = r.loadTime() * 1000;
      return false;
    }
    if (type === RDB_OPCODE_EXPIRETIME_MS) {
      this.expireAt = r.loadMillisecondTime();
      return false;
    }
    if (type === RDB_OPCODE_FREQ) {
      this.freq = r.u8();
      return false;
    }
    if (type === RDB_OPCODE_IDLE) {
      this.idle = r.loadLen();
      return false;
    }
    if (type === RDB_OPCODE_EOF) {
      this.finish();
      return true;
    }
    if (type === RDB_OPCODE_SELECTDB) {
      const db = r.loadLen();
      if (db >= s.ks.dbs.length) throw new RdbError(`FATAL: Data file was created with a Redis server configured to handle more than ${s.ks.dbs.length} databases. Exiting`);
      this.db = db;
      return false;
    }
    if (type === RDB_OPCODE_RESIZEDB) {
      // counts from the file: no more keys than the bytes left could hold (3 each at least), so a corrupt one sizes nothing huge
      const left = this.file !== null ? this.file.size - this.base - r.pos : r.end - r.pos;
      const most = Math.floor(left / 3);
      const size = Math.min(r.loadLen(), most);
      const expires = Math.min(r.loadLen(), most);
      this.committed = true;
      this.onResize?.(this.db, size, expires);
      return false;
    }
    if (type === RDB_OPCODE_AUX) {
      const k = r.loadString();
      const v = r.loadString();
      this.committed = true;
      this.aux.set(k, v);
      // the lines Redis's rdbLoadRio logs for these fields
      if (k === 'redis-ver') s.log.notice(`Loading RDB produced by version ${v}`);
      else if (k === 'ctime') s.log.notice(`RDB age ${Math.max(0, Math.floor(Date.now() / 1000) - (Number.parseInt(v, 10) || 0))} seconds`);
      else if (k === 'used-mem') s.log.notice(`RDB memory usage when created ${((Number.parseInt(v, 10) || 0) / (1024 * 1024)).toFixed(2)} Mb`);
      return false;
    }
    if (type === RDB_OPCODE_FUNCTION || type === RDB_OPCODE_FUNCTION2) {
      const payload = rdbLoadFunctionPayload(r, type);
      this.committed = true;
      this.onFunction?.(payload);
      return false;
    }
    if (type === RDB_OPCODE_MODULE_AUX) throw new RdbError(`RDB at offset ${offset()}: module data cannot be loaded by gKV`);
    if (!isObjectType(type)) throw new RdbError(`Unknown RDB opcode or type ${type} at offset ${offset()}`);
    const key = r.loadString();
    let value: Value;
    try {
      value = rdbLoadObject(type, r, this.lim, this.deep);
    } catch (e) {
      // a value cut by the window's end: read again (step); its errors are reported once it is read whole
      if (e instanceof RdbError && r.short && this.moreInFile) throw e;
      if (e instanceof RdbEmptyKeyError) {
        // Redis skips empty keys in a file (old versions could write them) rather than refuse it
        this.committed = true;
        if (this.emptySkipped++ < 10) s.log.warning(`rdbLoadObject skipping empty key: ${key}`);
        this.clearKeyState();
        return false;
      }
      if (e instanceof RdbNothingReadableError) {
        // not sanitized, Redis loads this corrupt value as it is; gKV could read none of its elements (rdb/decode.ts)
        this.committed = true;
        if (this.unreadableSkipped++ < 10) s.log.warning(`rdbLoadObject skipping key ${key}: corrupt value, no element readable (sanitize-dump-payload no)`);
        this.clearKeyState();
        return false;
      }
      if (e instanceof RdbError) throw new RdbLoadError(e.message, e.detail, { key, type, offset: this.base + r.pos - this.start, keysRead: this.keysRead + 1 });
      throw e;
    }
    this.committed = true;
    this.keysRead++;
    this.onKey(this.db, key, value, this.expireAt, this.idle, this.freq);
    this.clearKeyState();
    return false;
  }

  private clearKeyState(): void {
    this.expireAt = 0;
    this.idle = -1;
    this.freq = -1;
  }

  /** The EOF opcode was read: the checksum that follows it. */
  private finish(): void {
    const s = this.s;
    let end = this.r.pos;
    if (this.version >= 5 && this.data.length - end < 8 && this.moreInFile) {
      this.slide(end, 8);
      end = 0;
    }
    const data = this.data;
    this.committed = true;
    this.done = true;
    if (this.version < 5) {
      this.size = this.base + end - this.start;
      return;
    }
    if (data.length < end + 8) throw new RdbError('Short read or OOM loading DB. Unrecoverable error, aborting now.');
    this.size = this.base + end + 8 - this.start;
    let zero = true;
    for (let i = end; i < end + 8; i++) if (data[i] !== 0) zero = false;
    if (zero) {
      s.log.notice('RDB file was saved with checksum disabled: no check performed.');
      return;
    }
    if (this.crc === null) return;
    this.crc.update(data, this.crcAt, end);
    this.crcAt = end;
    if (!this.crc.equalsLE(data, end)) {
      const hex = (v: bigint): string => v.toString(16).padStart(16, '0');
      throw new RdbCrcError(`Wrong RDB checksum expected: (${hex(this.crc.value())}) but got (${hex(data.readBigUInt64LE(end))}). Aborting now.`);
    }
  }
}

/** Reads up to n bytes of the file fd at `offset` into b[at…]; returns how many (fewer at the end of the file). */
function readInto(fd: number, b: Buffer, at: number, n: number, offset: number): number {
  let got = 0;
  while (got < n) {
    const k = readSync(fd, b, at + got, n - got, offset + got);
    if (k === 0) break;
    got += k;
  }
  return got;
}

/**
 * Parses a whole RDB image from data[start…] into a list of entries (DEBUG
 * RELOAD and the AOF's RDB preamble: nothing is installed until the whole
 * image is known to be good). Throws as RdbLoader.
 */
export function parseRdb(s: ServerContext, data: Buffer, start = 0): RdbLoadResult {
  const entries: LoadedEntry[] = [];
  const functions: string[] = [];
  const l = new RdbLoader(s, data, start, (db, key, value, expireAt, idle, freq) => void entries.push({ db, key, value, expireAt, idle, freq }));
  l.onFunction = (p) => void functions.push(p);
  l.step();
  return { entries, version: l.version, aux: l.aux, size: l.size, emptySkipped: l.emptySkipped, functions };
}

/** A file whose CRC-64 does not match (Redis reports it as "RDB CRC error"). */
export class RdbCrcError extends RdbError {}

/**
 * Installs parsed entries into the (empty or flushed) keyspace. Keys already
 * expired are dropped, as a master does (unless `keepExpired`: an AOF's RDB
 * base). Returns [loaded, expired].
 */
export function installEntries(s: ServerContext, entries: LoadedEntry[], from = 0, to = entries.length, keepExpired = false): [number, number] {
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
export function loadRdbImage(s: ServerContext, data: Buffer): number {
  const r = parseRdb(s, data);
  rdbCreateFunctions(s, r.functions, false);
  installEntries(s, r.entries, 0, r.entries.length, true);
  return r.size;
}

/** Reads and parses the RDB file at path, or returns null when there is none. */
export function readRdbFile(s: ServerContext, path = rdbPath(s)): RdbLoadResult | null {
  if (!existsSync(path)) return null;
  return parseRdb(s, readFileSync(path));
}
