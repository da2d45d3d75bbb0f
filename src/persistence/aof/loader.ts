/**
 * Loading the append-only file (Redis 7.0's loadAppendOnlyFiles and
 * loadSingleAppendOnlyFile): the base file, then every incremental file in the
 * manifest's order, replayed command by command through the command handlers
 * with a fake client, as Redis's loading client does.
 *
 * File format, read as Redis reads it:
 * - a file that starts with "REDIS" is an RDB image (the base written with
 *   aof-use-rdb-preamble yes), handed to the RDB loader; any commands after
 *   the image (the single-file AOF of Redis 4–6 with a preamble) follow;
 * - commands are RESP multibulk: `*<argc>\r\n` then argc times
 *   `$<len>\r\n<bytes>\r\n`; the two bytes after a bulk are skipped, not
 *   checked, as Redis skips them; lines starting with '#' are annotations
 *   (aof-timestamp-enabled's `#TS:`) and are skipped;
 * - an empty file is skipped.
 *
 * Errors, never a silent partial load, with Redis's log lines (plus the
 * byte offset where it helps):
 * - a file that ends inside a command is "truncated": with
 *   aof-load-truncated yes and the file being the last one, it is cut back to
 *   its last complete command (a log line names file and offset) and loading
 *   goes on; otherwise loading stops ("Unexpected end of file reading the
 *   append only file …");
 * - a file that ends inside MULTI … (no EXEC) is handled as truncated at the
 *   MULTI (Redis's "Revert incomplete MULTI/EXEC transaction");
 * - anything else that is not the format ("Bad file format reading the
 *   append only file …"), an unknown command, or a command with the wrong
 *   number of arguments stops loading. As Redis reads headers with fgets, a
 *   last line without its line end is read as it is ("!!!" is a format
 *   error, "*3" a truncation).
 * Loading errors throw AofLoadError, whose message is the log line; the server
 * then refuses to start, and DEBUG LOADAOF exits, as Redis does.
 *
 * Time while loading: nothing expires during a load, as in Redis (keyIsExpired
 * is false while loading; checkAlreadyExpired too): the command clock is
 * frozen at 0 ms, so `SET … PXAT t` and `PEXPIREAT k t` keep their key
 * whatever t is (every expiry in an AOF is absolute: Redis and gKV propagate
 * EXPIRE/SETEX/SET EX as PEXPIREAT/PXAT). After the load the clock is real
 * again, every key's LRU/LFU clock is set to "now" (the keys were just
 * created, as in Redis), and keys whose time has passed expire as usual.
 *
 * The load is a generator that yields every ~50 ms of work: at startup the
 * caller gives the event loop a turn there, so clients that connect
 * meanwhile get -LOADING (server.loading is set by the caller); DEBUG LOADAOF
 * runs it to the end at once (loadAppendOnlyFilesSync), as Redis's does.
 */
import { closeSync, fstatSync, ftruncateSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { ServerContext } from '../../commands/context.js';
import type { Client } from '../../server/client.js';
import type { CommandSpec } from '../../commands/spec.js';
import { RedisError } from '../../protocol/errors.js';
import type { Manifest } from './manifest.js';

export class AofLoadError extends Error {}

/**
 * Loads an RDB image from the start of `data` into the server's keyspace and
 * returns how many bytes it used (the RDB module installs one; null until
 * then). Throws on a malformed image.
 */
export type RdbImageLoader = (s: ServerContext, data: Buffer, fileName: string) => number;

export interface LoadOptions {
  /** aof-load-truncated */
  loadTruncated: boolean;
  /** loads an RDB preamble; null: such a base is refused */
  rdbLoader: RdbImageLoader | null;
}

type FileStatus = 'ok' | 'empty' | 'truncated';

const CHUNK = 1 << 20;
/** a header line longer than this is not the format (Redis reads them with a 128-byte fgets) */
const MAX_HEADER = 128;

/** Sequential reader over a file descriptor with a growing window. */
class Reader {
  buf = Buffer.allocUnsafe(CHUNK);
  pos = 0;
  end = 0;
  /** file offset of buf[0] */
  base: number;
  eof = false;
  private filePos: number;

  constructor(
    private readonly fd: number,
    start: number,
  ) {
    this.base = start;
    this.filePos = start;
  }

  get offset(): number {
    return this.base + this.pos;
  }

  /** Makes n bytes available at pos; false if the file ends first. */
  need(n: number): boolean {
    while (this.end - this.pos < n) {
      if (this.eof) return false;
      this.fill(n);
    }
    return true;
  }

  private fill(n: number): void {
    if (this.pos > 0) {
      this.buf.copy(this.buf, 0, this.pos, this.end);
      this.base += this.pos;
      this.end -= this.pos;
      this.pos = 0;
    }
    if (this.buf.length < n || this.end === this.buf.length) {
      const nb = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2));
      this.buf.copy(nb, 0, 0, this.end);
      this.buf = nb;
    }
    const r = readSync(this.fd, this.buf, this.end, this.buf.length - this.end, this.filePos);
    if (r === 0) this.eof = true;
    this.end += r;
    this.filePos += r;
  }

  /**
   * A header line (`*3`, `$5`) without its line end, as fgets reads it: null
   * at the end of the file, the bytes left when the file ends before a '\n',
   * undefined when no '\n' comes within MAX_HEADER bytes (not the format).
   */
  line(): string | null | undefined {
    for (;;) {
      const avail = this.end - this.pos;
      const nl = this.buf.indexOf(10, this.pos);
      if (nl !== -1 && nl < this.end) {
        let e = nl;
        if (e > this.pos && this.buf[e - 1] === 13) e--;
        const s = this.buf.latin1Slice(this.pos, e);
        this.pos = nl + 1;
        return s;
      }
      if (avail >= MAX_HEADER) return undefined;
      if (this.eof) {
        if (avail === 0) return null;
        const s = this.buf.latin1Slice(this.pos, this.end);
        this.pos = this.end;
        return s;
      }
      this.fill(avail + 1);
    }
  }

  /** n bytes as a latin1 string plus the 2 bytes after them; null when the file ends first. */
  bulk(n: number): string | null {
    if (!this.need(n + 2)) return null;
    const s = this.buf.latin1Slice(this.pos, this.pos + n);
    this.pos += n + 2;
    return s;
  }
}

/** C's atoi/strtol on a header's digits: optional sign, leading digits. */
function leadingInt(s: string, from: number): number {
  let i = from;
  let neg = false;
  if (s[i] === '-' || s[i] === '+') neg = s[i++] === '-';
  let n = 0;
  const start = i;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    n = n * 10 + c;
  }
  if (i === start) return 0;
  return neg ? -n : n;
}

/** Replays commands into the server with a fake client (Redis's loading client). */
class Replayer {
  readonly c: Client;
  /** commands queued after MULTI, run at EXEC */
  queue: { cmd: CommandSpec<ServerContext>; argv: string[] }[] | null = null;
  commands = 0;
  errors = 0;

  constructor(private readonly s: ServerContext) {
    this.c = s.createClient(null);
    this.c.authenticated = true;
  }

  lookup(argv: string[]): CommandSpec<ServerContext> | undefined {
    let cmd = this.s.table.lookup(argv[0]);
    if (cmd !== undefined && cmd.subcommands !== null && argv.length >= 2) cmd = cmd.subcommands.get(argv[1].toLowerCase());
    return cmd;
  }

  run(cmd: CommandSpec<ServerContext>, argv: string[]): void {
    const c = this.c;
    c.propagateArgv = null;
    try {
      cmd.handler!(c, argv, this.s);
    } catch (e) {
      if (!(e instanceof RedisError)) this.s.log.warning(`BUG: unexpected exception in '${cmd.fullName}' while loading the AOF: ${(e as Error)?.stack ?? e}`);
      this.errors++;
    }
    // the loading client's replies go nowhere (Redis's fake client has no connection)
    c.dropSince({ saved: '', at: 0 });
    this.commands++;
  }
}

/** What a load yields at: a point where the event loop may take a turn. */
type LoadSteps<T> = Generator<void, T, void>;

/**
 * Loads one file; returns its status. Throws AofLoadError for what cannot be
 * loaded (see the header).
 */
function* loadFile(s: ServerContext, rp: Replayer, path: string, fileName: string, last: boolean, opts: LoadOptions): LoadSteps<FileStatus> {
  let fd: number;
  try {
    fd = openSync(path, 'r+');
  } catch (e) {
    throw new AofLoadError(`Fatal error: can't open the append log file ${fileName} for reading: ${(e as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return 'empty';
    let start = 0;
    const sig = Buffer.alloc(5);
    readSync(fd, sig, 0, 5, 0);
    if (sig.latin1Slice(0, 5) === 'REDIS') {
      if (opts.rdbLoader === null) throw new AofLoadError(`Error reading the RDB base file ${fileName}, AOF loading aborted: this gKV build cannot load RDB images`);
      s.log.notice('Reading RDB base file on AOF loading...');
      const data = Buffer.allocUnsafe(size);
      let off = 0;
      while (off < size) {
        const r = readSync(fd, data, off, size - off, off);
        if (r === 0) break;
        off += r;
      }
      try {
        start = opts.rdbLoader(s, data.subarray(0, off), fileName);
      } catch (e) {
        throw new AofLoadError(`Error reading the RDB base file ${fileName}, AOF loading aborted: ${(e as Error).message}`);
      }
      if (start >= size) return 'ok';
      s.log.notice('Reading the remaining AOF tail...');
    }
    return yield* replayCommands(s, rp, fd, start, fileName, last, opts);
  } finally {
    closeSync(fd);
  }
}

function* replayCommands(s: ServerContext, rp: Replayer, fd: number, start: number, fileName: string, last: boolean, opts: LoadOptions): LoadSteps<FileStatus> {
  const r = new Reader(fd, start);
  /** offset after the last complete command (-1: none) */
  let validUpTo = start;
  let validBeforeMulti = start;
  let sliceStart = Date.now();
  const fmtErr = (at: number, why: string): AofLoadError =>
    new AofLoadError(`Bad file format reading the append only file ${fileName} at offset ${at} (${why}): make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>`);
  let truncated = false;
  outer: for (;;) {
    const cmdStart = r.offset;
    const head = r.line();
    if (head === null) break; // the end of the file, between commands
    if (head === undefined) throw fmtErr(cmdStart, 'no line end');
    if (head[0] === '#') continue; // annotation
    if (head[0] !== '*') throw fmtErr(cmdStart, 'expected a multibulk');
    if (head.length === 1) {
      truncated = true; // Redis: "*" and nothing more is a read error at the end of the file
      break;
    }
    const argc = leadingInt(head, 1);
    if (argc < 1) throw fmtErr(cmdStart, 'bad argument count');
    const argv: string[] = new Array(argc);
    for (let j = 0; j < argc; j++) {
      const at = r.offset;
      const h = r.line();
      if (h === null) {
        truncated = true;
        break outer;
      }
      if (h === undefined || h[0] !== '$') throw fmtErr(at, 'expected a bulk string');
      const len = leadingInt(h, 1);
      if (len < 0) throw fmtErr(at, 'bad bulk length');
      const a = r.bulk(len);
      if (a === null) {
        truncated = true;
        break outer;
      }
      argv[j] = a;
    }
    const cmd = rp.lookup(argv);
    if (cmd === undefined || cmd.handler === null) {
      // Redis 7.0's line names the file only (a command renamed away since the file was written lands here)
      throw new AofLoadError(`Unknown command '${argv[0]}' reading the append only file ${fileName}`);
    }
    if (!cmd.arityOk(argv.length)) {
      throw new AofLoadError(`Wrong number of arguments for '${cmd.fullName}' reading the append only file ${fileName} at offset ${cmdStart}`);
    }
    const name = cmd.name;
    if (name === 'multi') {
      validBeforeMulti = validUpTo;
      rp.queue = [];
    } else if (name === 'exec') {
      const q = rp.queue;
      rp.queue = null;
      if (q !== null) for (const x of q) rp.run(x.cmd, x.argv);
    } else if (name === 'discard') {
      rp.queue = null;
    } else if (rp.queue !== null) {
      rp.queue.push({ cmd, argv });
    } else {
      rp.run(cmd, argv);
    }
    validUpTo = r.offset;
    if ((rp.commands & 1023) === 0 && Date.now() - sliceStart > 50) {
      // let clients in (they get -LOADING) and timers run
      yield;
      sliceStart = Date.now();
    }
  }
  if (!truncated && rp.queue !== null) {
    // EOF inside MULTI: handled as a short read at the MULTI, as Redis does
    s.log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${fileName}`);
    rp.queue = null;
    validUpTo = validBeforeMulti;
    truncated = true;
  }
  if (!truncated) return 'ok';
  // a transaction cut short is dropped whole
  if (rp.queue !== null) {
    rp.queue = null;
    validUpTo = validBeforeMulti;
  }
  if (opts.loadTruncated && last) {
    s.log.warning(`!!! Warning: short read while loading the AOF file ${fileName}!!!`);
    s.log.warning(`!!! Truncating the AOF ${fileName} at offset ${validUpTo} !!!`);
    try {
      ftruncateSync(fd, validUpTo);
    } catch (e) {
      throw new AofLoadError(`Error truncating the AOF file ${fileName}: ${(e as Error).message}`);
    }
    s.log.warning(`AOF ${fileName} loaded anyway because aof-load-truncated is enabled`);
    return 'truncated';
  }
  if (!last) throw new AofLoadError(`Fatal error: the truncated file ${fileName} is not the last file (it ends inside a command after offset ${validUpTo})`);
  throw new AofLoadError(
    `Unexpected end of file reading the append only file ${fileName} (the last complete command ends at offset ${validUpTo}). You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.`,
  );
}

/**
 * Loads every file the manifest lists (base, then incrementals) from dir into
 * the server. Resolves with the number of commands replayed; throws
 * AofLoadError (message = the log line) when the files cannot be loaded.
 * The caller sets server.loading.
 */
export async function loadAppendOnlyFiles(s: ServerContext, dir: string, m: Manifest, opts: LoadOptions): Promise<number> {
  const steps = loadSteps(s, dir, m, opts);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
    await new Promise<void>((res) => setImmediate(res));
  }
}

/** loadAppendOnlyFiles at once, without turns of the event loop (DEBUG LOADAOF). */
export function loadAppendOnlyFilesSync(s: ServerContext, dir: string, m: Manifest, opts: LoadOptions): number {
  const steps = loadSteps(s, dir, m, opts);
  for (;;) {
    const r = steps.next();
    if (r.done === true) return r.value;
  }
}

function* loadSteps(s: ServerContext, dir: string, m: Manifest, opts: LoadOptions): LoadSteps<number> {
  const files = [...(m.base !== null ? [m.base] : []), ...m.incrs];
  const ks = s.ks;
  const clock = ks.clock;
  ks.clock = () => 0;
  ks.setNow(0);
  s.blocking.denyBlocking++;
  const rp = new Replayer(s);
  const t0 = Date.now();
  try {
    for (let i = 0; i < files.length; i++) {
      const ai = files[i];
      const last = i === files.length - 1;
      const t1 = Date.now();
      const st = yield* loadFile(s, rp, join(dir, ai.fileName), ai.fileName, last, opts);
      if (st !== 'empty') s.log.notice(`DB loaded from ${ai.type === 'b' ? 'base' : 'incr'} file ${ai.fileName}: ${((Date.now() - t1) / 1000).toFixed(3)} seconds`);
    }
  } finally {
    s.blocking.denyBlocking--;
    ks.clock = clock;
    ks.updateClock();
  }
  // the keys were created now (Redis's createObject stamps the current clock)
  const stamp = ks.newObjectClock();
  for (const db of ks.dbs) db.lru.fill(stamp);
  s.log.notice(`DB loaded from append only file: ${((Date.now() - t0) / 1000).toFixed(3)} seconds`);
  if (rp.errors > 0) s.log.warning(`${rp.errors} command(s) in the AOF replied with an error while loading (they changed nothing)`);
  return rp.commands;
}
