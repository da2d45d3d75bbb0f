/**
 * A minimal RESP2/RESP3 client for tests and scripts: sends commands as
 * multibulk, returns each reply both parsed and as its exact bytes, so that
 * differential tests can compare gKV with Redis byte for byte.
 */
import net from 'node:net';

export type RespValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | RespError
  | RespValue[]
  | { map: [RespValue, RespValue][] }
  | { set: RespValue[] }
  | { push: RespValue[] }
  | { double: string }
  | { verbatim: string };

export class RespError {
  constructor(public message: string) {}
  toString(): string {
    return `ERR(${this.message})`;
  }
}

export interface Reply {
  value: RespValue;
  raw: string; // latin1
}

/** Parses one RESP value from buf at pos; returns null when incomplete. */
export function parseResp(buf: string, pos: number): { value: RespValue; end: number } | null {
  if (pos >= buf.length) return null;
  const t = buf[pos];
  const nl = buf.indexOf('\r\n', pos);
  if (nl === -1) return null;
  const line = buf.slice(pos + 1, nl);
  let p = nl + 2;
  switch (t) {
    case '+':
      return { value: line, end: p };
    case '-':
      return { value: new RespError(line), end: p };
    case ':':
      return { value: Number.isSafeInteger(Number(line)) ? Number(line) : BigInt(line), end: p };
    case '(':
      return { value: BigInt(line), end: p };
    case ',':
      return { value: { double: line }, end: p };
    case '#':
      return { value: line === 't', end: p };
    case '_':
      return { value: null, end: p };
    case '$':
    case '=': {
      const n = Number(line);
      if (n < 0) return { value: null, end: p };
      if (p + n + 2 > buf.length) return null;
      const s = buf.slice(p, p + n);
      return { value: t === '=' ? { verbatim: s } : s, end: p + n + 2 };
    }
    case '*':
    case '~':
    case '>':
    case '%': {
      const n = Number(line);
      if (n < 0) return { value: null, end: p };
      const count = t === '%' ? n * 2 : n;
      const items: RespValue[] = [];
      for (let i = 0; i < count; i++) {
        const r = parseResp(buf, p);
        if (r === null) return null;
        items.push(r.value);
        p = r.end;
      }
      if (t === '%') {
        const pairs: [RespValue, RespValue][] = [];
        for (let i = 0; i < items.length; i += 2) pairs.push([items[i], items[i + 1]]);
        return { value: { map: pairs }, end: p };
      }
      if (t === '~') return { value: { set: items }, end: p };
      if (t === '>') return { value: { push: items }, end: p };
      return { value: items, end: p };
    }
    default:
      throw new Error(`bad RESP type byte ${JSON.stringify(t)} at ${pos}`);
  }
}

export function encodeCommand(args: (string | Buffer | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${args.length}\r\n`, 'latin1')];
  for (const a of args) {
    const b = Buffer.isBuffer(a) ? a : Buffer.from(String(a), 'latin1');
    parts.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(parts);
}

export class RespClient {
  private buf = '';
  private waiters: ((r: Reply) => void)[] = [];
  /** push messages (RESP3 '>' or RESP2 pub/sub arrays when no command is waiting) */
  pushes: Reply[] = [];
  private pushWaiters: ((r: Reply) => void)[] = [];
  closed = false;
  private closeWaiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf += d.toString('latin1');
      this.drain();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.closeWaiters) w();
    });
    socket.on('error', () => {});
  }

  /** Connects through a Unix socket (unixsocket). */
  static connectUnix(path: string): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(path);
      s.once('connect', () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, host);
      s.once('connect', () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }

  /** waiters[head…] are waiting (a moving head: shift() of a 300,000-entry pipeline's waiters was O(n) each) */
  private head = 0;

  private drain(): void {
    let pos = 0;
    for (;;) {
      const r = parseResp(this.buf, pos);
      if (r === null) break;
      const raw = this.buf.slice(pos, r.end);
      pos = r.end;
      const rep = { value: r.value, raw };
      const isPush = typeof r.value === 'object' && r.value !== null && !Array.isArray(r.value) && 'push' in r.value;
      if (!isPush && this.head < this.waiters.length) this.waiters[this.head++](rep);
      else if (this.pushWaiters.length > 0) this.pushWaiters.shift()!(rep);
      else this.pushes.push(rep);
    }
    if (pos !== 0) this.buf = this.buf.slice(pos);
    if (this.head > 1024 && this.head * 2 > this.waiters.length) {
      this.waiters = this.waiters.slice(this.head);
      this.head = 0;
    }
  }

  /** Sends one command and resolves with its reply. */
  call(...args: (string | Buffer | number)[]): Promise<Reply> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.socket.write(encodeCommand(args));
    });
  }

  async cmd(...args: (string | Buffer | number)[]): Promise<RespValue> {
    return (await this.call(...args)).value;
  }

  /** Sends raw bytes; resolves with the next `n` replies. */
  sendRaw(bytes: string | Buffer, n: number): Promise<Reply[]> {
    const ps: Promise<Reply>[] = [];
    for (let i = 0; i < n; i++) ps.push(new Promise((r) => this.waiters.push(r)));
    this.socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
    return Promise.all(ps);
  }

  /** Sends many commands in one write (a pipeline) and resolves with all replies. */
  pipeline(cmds: (string | Buffer | number)[][]): Promise<Reply[]> {
    const ps: Promise<Reply>[] = [];
    for (let i = 0; i < cmds.length; i++) ps.push(new Promise((r) => this.waiters.push(r)));
    this.socket.write(Buffer.concat(cmds.map(encodeCommand)));
    return Promise.all(ps);
  }

  nextPush(): Promise<Reply> {
    if (this.pushes.length > 0) return Promise.resolve(this.pushes.shift()!);
    return new Promise((r) => this.pushWaiters.push(r));
  }

  waitClose(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((r) => this.closeWaiters.push(r));
  }

  close(): void {
    this.socket.destroy();
  }
}
