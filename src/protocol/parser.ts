/**
 * RequestParser: a streaming RESP request decoder, resumable across chunks.
 *
 * It reads what Redis's processMultibulkBuffer/processInlineBuffer read:
 * - multibulk `*<n>\r\n` followed by n `$<len>\r\n<bytes>\r\n` arguments;
 * - inline commands (any first byte other than '*'), split as sdssplitargs.
 * Arguments come out as latin1 strings (one char per byte: binary safe, and
 * cheaper than Buffers for V8). The parser keeps a partially read command
 * (the arguments read so far and the count still expected), so a command
 * split over many chunks is never re-parsed from its start, and a large bulk
 * (>= 32 KiB) is read into a buffer of its exact size instead of being
 * concatenated chunk by chunk.
 *
 * `next()` returns the next whole command, null when more bytes are needed,
 * and throws ProtocolError (with Redis's exact text) for malformed input;
 * the connection then replies and closes, as Redis does.
 */
import { constants as bufferConstants } from 'node:buffer';
import { ProtocolError } from './errors.js';
import { splitArgs } from './inline.js';
import { latin1 } from '../util/latin1.js';

export const PROTO_INLINE_MAX_SIZE = 64 * 1024;
const PROTO_MBULK_BIG_ARG = 32 * 1024;
const INT_MAX = 2147483647;
/** the longest bulk an unauthenticated client may send (Redis's processMultibulkBuffer) */
const AUTH_MAX_BULK = 16384;
/** A protocol error: the connection is closed after this reply. */
const protocolError = (what: string) => new ProtocolError(`ERR Protocol error: ${what}`);

/**
 * V8's longest string (2^29 - 24 chars) is 24 bytes short of Redis's default
 * proto-max-bulk-len (512 MB), and proto-max-bulk-len may be raised further.
 * A longer bulk comes out as '' in argv with its bytes in `bigArgs` (index →
 * bytes), which the server hands to the few commands that store such values
 * (CommandSpec.takesBigArgs) and refuses for the others.
 */
const MAX_ARG_LEN = bufferConstants.MAX_STRING_LENGTH;

export class RequestParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** arguments of the command being read */
  private argv: string[] | null = null;
  /** arguments still expected for the command being read */
  private remaining = 0;
  /** length of the bulk being read, -1 when its header is still to be read */
  private bulkLen = -1;
  /** exact-size buffer for a big bulk being filled */
  private big: Buffer | null = null;
  private bigFill = 0;
  /** true while the command being read is a multibulk one */
  inMultibulk = false;
  /**
   * The client has not authenticated yet (set before each command): Redis
   * then takes at most 10 arguments of at most 16 KB, so an unauthenticated
   * peer cannot make the server buffer much.
   */
  authRequired = false;
  /** arguments too long for a JS string of the command being read (see MAX_ARG_LEN) */
  private bigArgs: Map<number, Buffer> | null = null;
  /** those of the command next() returned last */
  lastBigArgs: Map<number, Buffer> | null = null;

  constructor(public maxBulkLen = 512 * 1024 * 1024) {}

  /** Length of the bulk argument being read, -1 between arguments (Redis's c->bulklen). */
  get currentBulkLen(): number {
    return this.bulkLen;
  }

  /**
   * The arguments read so far of a multibulk command still arriving (null
   * between commands): Redis's c->argv holds them meanwhile, and CLIENT
   * LIST's argv-mem and tot-mem count them.
   */
  get readingArgv(): readonly string[] | null {
    return this.argv;
  }

  /** Bytes received and not yet consumed (Redis's query buffer length). */
  get pendingBytes(): number {
    return this.buf.length - this.pos + (this.big !== null ? this.bigFill : 0);
  }

  /**
   * The first n bytes received and not yet consumed, as latin1 (the log line
   * of a client over the query buffer limit): of the big bulk being filled
   * when there is one, as Redis's query buffer then holds that bulk alone.
   */
  peekPending(n: number): string {
    if (this.big !== null) return this.big.latin1Slice(0, Math.min(n, this.bigFill));
    return this.buf.latin1Slice(this.pos, Math.min(this.buf.length, this.pos + n));
  }

  /** Appends a chunk read from the socket. */
  feed(chunk: Buffer): void {
    if (this.big !== null) {
      const want = this.big.length - this.bigFill;
      if (chunk.length <= want) {
        chunk.copy(this.big, this.bigFill);
        this.bigFill += chunk.length;
        return;
      }
      chunk.copy(this.big, this.bigFill, 0, want);
      this.bigFill += want;
      chunk = chunk.subarray(want);
    }
    if (this.pos >= this.buf.length) {
      this.buf = chunk;
      this.pos = 0;
    } else {
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk]);
      this.pos = 0;
    }
  }

  /**
   * Stops referencing the chunk last fed: the unconsumed bytes are copied.
   * The server reads every socket into one shared buffer, so it calls this at
   * the end of each read event, before the buffer is reused.
   */
  detach(): void {
    if (this.pos >= this.buf.length) {
      this.buf = EMPTY;
      this.pos = 0;
    } else if (this.pos > 0 || this.buf.buffer === SHARED_READ_BUFFER.buffer) {
      this.buf = Buffer.from(this.buf.subarray(this.pos));
      this.pos = 0;
    }
  }

  /** Resets everything (the connection is closing or being reset). */
  clear(): void {
    this.pushedBack = null;
    this.buf = Buffer.alloc(0);
    this.pos = 0;
    this.argv = null;
    this.remaining = 0;
    this.bulkLen = -1;
    this.big = null;
    this.inMultibulk = false;
    this.bigArgs = null;
    this.lastBigArgs = null;
    this.pushedBackBig = null;
  }

  private pushedBack: string[] | null = null;
  private pushedBackBig: Map<number, Buffer> | null = null;

  /** Puts a command back to be returned by the next call (a paused client), with its big arguments. */
  pushBack(argv: string[], bigArgs: Map<number, Buffer> | null): void {
    this.pushedBack = argv;
    this.pushedBackBig = bigArgs;
  }

  /** The next complete command, or null if more input is needed (lastBigArgs: its long arguments). Throws ProtocolError. */
  next(): string[] | null {
    this.lastBigArgs = null;
    if (this.pushedBack !== null) {
      const a = this.pushedBack;
      this.pushedBack = null;
      this.lastBigArgs = this.pushedBackBig;
      this.pushedBackBig = null;
      return a;
    }
    for (;;) {
      if (this.argv === null) {
        const buf = this.buf;
        if (this.pos >= buf.length) return null;
        if (buf[this.pos] !== 42 /* '*' */) {
          const r = this.inline();
          if (r === null) return null;
          if (r.length === 0) continue; // empty line: skipped, as Redis does
          return r;
        }
        // multibulk header
        if (!this.readLineInt(this.pos + 1, 'too big mbulk count string')) return null;
        const n = this.lineVal;
        if (!Number.isSafeInteger(n) || n > INT_MAX) throw new ProtocolError('ERR Protocol error: invalid multibulk length');
        if (n > 10 && this.authRequired) throw new ProtocolError('ERR Protocol error: unauthenticated multibulk length');
        this.pos = this.lineNext;
        if (n <= 0) continue; // "*0" and "*-1" are skipped
        this.argv = [];
        this.remaining = n;
        this.bulkLen = -1;
        this.inMultibulk = true;
      }
      const r = this.readBulks();
      if (r === null) return null;
      return r;
    }
  }

  private readBulks(): string[] | null {
    const argv = this.argv!;
    const buf = this.buf;
    const len = buf.length;
    const maxLen = this.maxBulkLen;
    let pos = this.pos;
    while (this.remaining > 0) {
      // Fast path: a whole "$<len>\r\n<bytes>\r\n" of a small bulk in the
      // buffer, parsed with locals only. Anything else (split input, big
      // bulks, malformed headers, leading zeros) takes the general path below.
      if (this.bulkLen === -1 && this.big === null && pos + 3 < len && buf[pos] === 36 /* '$' */) {
        let p = pos + 1;
        let c = buf[p];
        let n = c - 48;
        if (n >= 1 && n <= 9) {
          p++;
          while (p < len && (c = buf[p]) >= 48 && c <= 57 && p - pos < 7) {
            n = n * 10 + (c - 48);
            p++;
          }
        } else if (n === 0) p++;
        else n = -1;
        if (n >= 0 && n < PROTO_MBULK_BIG_ARG && n <= maxLen && (n <= AUTH_MAX_BULK || !this.authRequired) && p + 1 < len && buf[p] === 13 && buf[p + 1] === 10) {
          const start = p + 2;
          const end = start + n;
          if (end + 2 <= len) {
            argv.push(latin1(buf, start, end));
            pos = end + 2;
            this.remaining--;
            continue;
          }
        }
      }
      this.pos = pos;
      if (!this.readBulkSlow(argv)) return null;
      pos = this.pos;
    }
    this.pos = pos;
    this.argv = null;
    this.inMultibulk = false;
    if (this.bigArgs !== null) {
      this.lastBigArgs = this.bigArgs;
      this.bigArgs = null;
    }
    if (this.pos >= this.buf.length) {
      // drop the reference to the consumed chunk early
      this.buf = EMPTY;
      this.pos = 0;
    }
    return argv;
  }

  /**
   * Reads one bulk argument with every rule (resumable header, leading-zero
   * and length errors, big bulks into an exact-size buffer). Returns false
   * when more input is needed.
   */
  private readBulkSlow(argv: string[]): boolean {
    if (this.big !== null) {
      if (this.bigFill < this.big.length) return false;
      const n = this.big.length - 2;
      if (n <= MAX_ARG_LEN) argv.push(this.big.latin1Slice(0, n));
      else {
        (this.bigArgs ??= new Map()).set(argv.length, this.big.subarray(0, n));
        argv.push('');
      }
      this.big = null;
      this.bigFill = 0;
      this.bulkLen = -1;
      this.remaining--;
      return true;
    }
    const buf = this.buf;
    if (this.bulkLen === -1) {
      if (this.pos >= buf.length) return false;
      if (buf[this.pos] !== 36 /* '$' */) {
        // Redis reports the offending byte as a character
        if (this.findCR(this.pos) === -1 && buf.length - this.pos <= PROTO_INLINE_MAX_SIZE) return false;
        throw new ProtocolError(`ERR Protocol error: expected '$', got '${String.fromCharCode(buf[this.pos])}'`);
      }
      if (!this.readLineInt(this.pos + 1, 'too big bulk count string')) return false;
      const n = this.lineVal;
      if (!Number.isSafeInteger(n) || n < 0 || n > this.maxBulkLen) throw new ProtocolError('ERR Protocol error: invalid bulk length');
      if (n > AUTH_MAX_BULK && this.authRequired) throw new ProtocolError('ERR Protocol error: unauthenticated bulk length');
      this.pos = this.lineNext;
      this.bulkLen = n;
      const avail = buf.length - this.pos;
      if (this.bulkLen >= PROTO_MBULK_BIG_ARG && avail < this.bulkLen + 2) {
        this.big = Buffer.allocUnsafe(this.bulkLen + 2);
        buf.copy(this.big, 0, this.pos);
        this.bigFill = avail;
        this.buf = EMPTY;
        this.pos = 0;
        return false;
      }
    }
    const end = this.pos + this.bulkLen;
    if (end + 2 > buf.length) return false;
    if (this.bulkLen <= MAX_ARG_LEN) argv.push(latin1(buf, this.pos, end));
    else {
      // arrived whole (input kept while the client was blocked or paused)
      (this.bigArgs ??= new Map()).set(argv.length, Buffer.from(buf.subarray(this.pos, end)));
      argv.push('');
    }
    this.pos = end + 2;
    this.bulkLen = -1;
    this.remaining--;
    return true;
  }

  private findCR(from: number): number {
    return this.buf.indexOf(13, from);
  }

  /**
   * Reads a decimal integer terminated by \r\n starting at `start` (after the
   * '*' or '$'), with string2ll's rules. Returns null when the line is not
   * complete yet.
   */
  /** result of readLineInt: the value (NaN when malformed) and the offset after the line */
  private lineVal = 0;
  private lineNext = 0;

  private readLineInt(start: number, tooBig: string): boolean {
    const buf = this.buf;
    const len = buf.length;
    let i = start;
    let neg = false;
    let v = 0;
    let digits = 0;
    let bad = false;
    if (i < len && buf[i] === 45) {
      neg = true;
      i++;
    }
    for (; i < len; i++) {
      const c = buf[i];
      if (c >= 48 && c <= 57) {
        if (digits === 0 && c === 48 && i + 1 < len && buf[i + 1] !== 13) bad = true; // leading zero
        v = v * 10 + (c - 48);
        digits++;
      } else break;
    }
    if (i >= len || buf[i] !== 13) {
      // not at CR: either more bytes needed, or garbage before the CR
      const cr = i < len ? buf.indexOf(13, i) : -1;
      if (cr === -1) {
        if (len - this.pos > PROTO_INLINE_MAX_SIZE) throw protocolError(tooBig);
        return false;
      }
      bad = true;
      i = cr;
    }
    if (i + 1 >= len) {
      if (len - this.pos > PROTO_INLINE_MAX_SIZE) throw protocolError(tooBig);
      return false; // wait for \n
    }
    if (digits === 0 || digits > 19) bad = true;
    if (neg && v === 0) bad = true;
    this.lineVal = bad ? NaN : neg ? -v : v;
    this.lineNext = i + 2;
    return true;
  }

  private inline(): string[] | null {
    const buf = this.buf;
    const nl = buf.indexOf(10, this.pos);
    if (nl === -1) {
      if (buf.length - this.pos > PROTO_INLINE_MAX_SIZE) throw new ProtocolError('ERR Protocol error: too big inline request');
      return null;
    }
    let end = nl;
    if (end > this.pos && buf[end - 1] === 13) end--;
    const line = buf.latin1Slice(this.pos, end);
    this.pos = nl + 1;
    const args = splitArgs(line);
    if (args === null) throw new ProtocolError('ERR Protocol error: unbalanced quotes in request');
    return args;
  }
}

const EMPTY = Buffer.alloc(0);

/**
 * The one buffer every socket is read into (net.Socket's `onread` option):
 * no allocation per read and no stream machinery between the socket and the
 * parser. Its contents are valid only during the read callback; parsers
 * detach() from it before the callback returns.
 */
export const SHARED_READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
