/**
 * A minimal RESP2/RESP3 client for tests and scripts: sends commands as
 * multibulk, returns each reply both parsed and as its exact bytes, so that
 * differential tests can compare gKV with Redis byte for byte. Replies are
 * read by gkv-cli's parser (src/cli/resp.ts): one RESP reader for both.
 */
import net from 'node:net';
import { ReplyParser, type Reply as ParsedReply } from '../../src/cli/resp.js';

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

/** A reply from the shared parser (src/cli/resp.ts, gkv-cli's) as the tests' RespValue. */
export function toRespValue(r: ParsedReply): RespValue {
  switch (r.t) {
    case 'status':
    case 'string':
      return r.s;
    case 'error':
      return new RespError(r.s);
    case 'integer':
      return Number.isSafeInteger(Number(r.s)) ? Number(r.s) : BigInt(r.s);
    case 'bignum':
      return BigInt(r.s);
    case 'double':
      return { double: r.s };
    case 'verb':
      return { verbatim: `${r.fmt}:${r.s}` };
    case 'bool':
      return r.v;
    case 'nil':
      return null;
    case 'array':
      return r.items.map(toRespValue);
    case 'set':
      return { set: r.items.map(toRespValue) };
    case 'push':
      return { push: r.items.map(toRespValue) };
    case 'map': {
      const pairs: [RespValue, RespValue][] = [];
      for (let i = 0; i < r.items.length; i += 2) pairs.push([toRespValue(r.items[i]), toRespValue(r.items[i + 1])]);
      return { map: pairs };
    }
  }
}

/**
 * Parses one RESP value from buf (latin1) at pos, with the shared parser;
 * returns null when incomplete.
 */
export function parseResp(buf: string, pos: number): { value: RespValue; end: number } | null {
  const [first] = new ReplyParser(true).feedRaw(Buffer.from(buf.slice(pos), 'latin1'), 1);
  return first === undefined ? null : { value: toRespValue(first.reply), end: pos + first.raw.length };
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
  private readonly parser = new ReplyParser(true);
  private waiters: ((r: Reply) => void)[] = [];
  /** push messages (RESP3 '>' or RESP2 pub/sub arrays when no command is waiting) */
  pushes: Reply[] = [];
  private pushWaiters: ((r: Reply) => void)[] = [];
  closed = false;
  private closeWaiters: (() => void)[] = [];

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => this.drain(d));
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

  /** Connects over TCP; `localAddress` picks the client's own address (127.0.0.2: a loopback peer that is not "local" to Redis). */
  static connect(port: number, host = '127.0.0.1', localAddress?: string): Promise<RespClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ port, host, localAddress });
      s.once('connect', () => resolve(new RespClient(s)));
      s.once('error', reject);
    });
  }

  /** waiters[head…] are waiting (a moving head: shift() of a 300,000-entry pipeline's waiters was O(n) each) */
  private head = 0;

  private drain(chunk: Buffer): void {
    for (const { reply, raw } of this.parser.feedRaw(chunk)) {
      const rep = { value: toRespValue(reply), raw };
      if (reply.t !== 'push' && this.head < this.waiters.length) this.waiters[this.head++](rep);
      else if (this.pushWaiters.length > 0) this.pushWaiters.shift()!(rep);
      else this.pushes.push(rep);
    }
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
