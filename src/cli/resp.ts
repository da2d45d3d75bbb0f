/**
 * gkv-cli's own RESP2/RESP3 codec: a command encoder and a streaming reply
 * parser. Strings are latin1 JS strings (one char per byte), so any binary
 * value round-trips.
 *
 * The parser is incremental: it keeps a stack of open aggregates and commits
 * each complete element as it arrives, so a huge array that comes in many
 * chunks is never re-parsed from its start; a bulk string still incomplete
 * holds its chunks aside and joins them once, when all of it is there.
 *
 * The test harness reads replies with this parser too (test/harness/resp.ts),
 * asking for each top-level reply's exact bytes as well (`keepRaw`), so that
 * replies can be compared byte for byte.
 */

export type Reply =
  | { t: 'status' | 'error' | 'string' | 'double' | 'bignum' | 'integer'; s: string }
  | { t: 'verb'; s: string; fmt: string }
  | { t: 'nil' }
  | { t: 'bool'; v: boolean }
  | { t: 'array' | 'set' | 'push' | 'map'; items: Reply[] };

export type AggReply = Extract<Reply, { items: Reply[] }>;

export class ProtocolError extends Error {}

/** Encodes one command as a RESP multibulk (args are latin1 byte strings). */
export function encodeCommand(args: string[]): Buffer {
  let s = `*${args.length}\r\n`;
  for (const a of args) s += `$${a.length}\r\n${a}\r\n`;
  return Buffer.from(s, 'latin1');
}

function byteRepr(b: number): string {
  return b >= 0x20 && b <= 0x7e ? `"${String.fromCharCode(b)}"` : `"\\x${b.toString(16).padStart(2, '0')}"`;
}

interface Frame {
  agg: AggReply;
  need: number;
}

/** A top-level reply with its exact bytes (latin1), from a parser that keeps them. */
export interface RawReply {
  reply: Reply;
  raw: string;
}

export class ReplyParser {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  private stack: Frame[] = [];
  /** chunks received while an incomplete bulk string waits for `want` bytes from pos, not yet joined to buf */
  private held: Buffer[] = [];
  private heldBytes = 0;
  private want = 0;
  /** keepRaw: where the top-level reply being read starts in buf, and its bytes already dropped from buf */
  private start = 0;
  private rawHead = '';

  /** keepRaw: feedRaw may be used, giving each reply's bytes (what the CLI never needs, so it costs nothing there). */
  constructor(private readonly keepRaw = false) {}

  /** Feeds bytes; returns the top-level replies completed by them. Throws ProtocolError. */
  feed(chunk: Buffer): Reply[] {
    return this.read(chunk, null, Infinity);
  }

  /** As feed, each reply with its exact bytes; at most max replies (the rest of the bytes stay buffered). */
  feedRaw(chunk: Buffer, max = Infinity): RawReply[] {
    if (!this.keepRaw) throw new Error('ReplyParser: feedRaw needs a parser made with keepRaw');
    const raws: string[] = [];
    return this.read(chunk, raws, max).map((reply, i) => ({ reply, raw: raws[i] }));
  }

  private read(chunk: Buffer, raws: string[] | null, max: number): Reply[] {
    if (this.want > 0 && this.buf.length - this.pos + this.heldBytes + chunk.length < this.want) {
      this.held.push(chunk);
      this.heldBytes += chunk.length;
      return [];
    }
    if (this.keepRaw && this.stack.length > 0) this.rawHead += this.buf.toString('latin1', this.start, this.pos);
    if (this.pos >= this.buf.length && this.held.length === 0) this.buf = chunk;
    else this.buf = Buffer.concat([this.buf.subarray(this.pos), ...this.held, chunk]);
    this.pos = 0;
    this.start = 0;
    this.held = [];
    this.heldBytes = 0;
    this.want = 0;
    const out: Reply[] = [];
    while (out.length < max) {
      if (this.stack.length === 0) this.start = this.pos;
      const el = this.parseOne();
      if (el === undefined) break;
      if (el === null) continue; // an aggregate was opened
      this.deliver(el, out, raws);
    }
    return out;
  }

  private deliver(el: Reply, out: Reply[], raws: string[] | null): void {
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (!top) {
        out.push(el);
        if (this.keepRaw) {
          raws?.push(this.rawHead + this.buf.toString('latin1', this.start, this.pos));
          this.rawHead = '';
        }
        return;
      }
      top.agg.items.push(el);
      if (--top.need > 0) return;
      this.stack.pop();
      el = top.agg;
    }
  }

  /** One element: a Reply, null when an aggregate was opened, undefined when more bytes are needed. */
  private parseOne(): Reply | null | undefined {
    const buf = this.buf;
    const p = this.pos;
    if (p >= buf.length) return undefined;
    const type = buf[p];
    const nl = buf.indexOf('\r\n', p, 'latin1');
    if (nl < 0) return undefined;
    const line = buf.toString('latin1', p + 1, nl);
    const next = nl + 2;
    switch (type) {
      case 0x2b: // +
        this.pos = next;
        return { t: 'status', s: line };
      case 0x2d: // -
        this.pos = next;
        return { t: 'error', s: line };
      case 0x3a: // :
        if (!/^-?\d+$/.test(line)) throw new ProtocolError('Bad integer value');
        this.pos = next;
        return { t: 'integer', s: line };
      case 0x2c: // ,
        this.pos = next;
        return { t: 'double', s: line };
      case 0x28: // (
        this.pos = next;
        return { t: 'bignum', s: line };
      case 0x23: // #
        if (line !== 't' && line !== 'f') throw new ProtocolError('Bad bool value');
        this.pos = next;
        return { t: 'bool', v: line === 't' };
      case 0x5f: // _
        this.pos = next;
        return { t: 'nil' };
      case 0x24: // $
      case 0x3d: // =
      case 0x21: {
        // ! blob error
        const len = parseLen(line);
        if (len < 0) {
          this.pos = next;
          return { t: 'nil' };
        }
        if (next + len + 2 > buf.length) {
          this.want = next + len + 2 - p;
          return undefined;
        }
        const s = buf.toString('latin1', next, next + len);
        this.pos = next + len + 2;
        if (type === 0x24) return { t: 'string', s };
        if (type === 0x21) return { t: 'error', s };
        if (s.length < 4 || s[3] !== ':') {
          throw new ProtocolError('Verbatim string 4 bytes of content type are missing or incorrectly encoded.');
        }
        return { t: 'verb', fmt: s.slice(0, 3), s: s.slice(4) };
      }
      case 0x2a: // *
      case 0x7e: // ~
      case 0x25: // %
      case 0x3e: {
        // >
        const n = parseLen(line);
        this.pos = next;
        if (n < 0) return { t: 'nil' };
        const t = type === 0x2a ? 'array' : type === 0x7e ? 'set' : type === 0x25 ? 'map' : 'push';
        const agg: AggReply = { t, items: [] };
        const need = t === 'map' ? n * 2 : n;
        if (need === 0) return agg;
        this.stack.push({ agg, need });
        return null;
      }
      default:
        throw new ProtocolError(`Protocol error, got ${byteRepr(type)} as reply type byte`);
    }
  }
}

function parseLen(line: string): number {
  if (!/^-?\d+$/.test(line)) throw new ProtocolError('Bad multi-bulk length');
  const n = Number(line);
  if (n < -1) throw new ProtocolError('Bad multi-bulk length');
  return n;
}
