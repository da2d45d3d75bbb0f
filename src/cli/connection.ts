/**
 * One connection to the server for gkv-cli: send a command, await replies in
 * order. Errors carry the texts hiredis gives (strerror-style), which
 * redis-cli prints.
 */
import net from 'node:net';
import { encodeCommand, ProtocolError, ReplyParser, type Reply } from './resp.js';
import { strerror } from '../util/strerror.js';

/** The strerror()-style text hiredis gives for a connection error, which redis-cli prints. */
export function errorText(e: unknown): string {
  return strerror(e);
}

/** Why reading failed: 'eof' and 'reset' are the cases redis-cli's REPL survives. */
export type ConnErrorKind = 'eof' | 'reset' | 'protocol' | 'other';

export class ConnError extends Error {
  constructor(
    message: string,
    public kind: ConnErrorKind,
  ) {
    super(message);
  }
}

export interface Endpoint {
  host: string;
  port: number;
  socket: string | null;
}

export class Connection {
  private parser = new ReplyParser();
  private replies: Reply[] = [];
  private waiter: { resolve: (r: Reply) => void; reject: (e: ConnError) => void } | null = null;
  private failure: ConnError | null = null;

  private constructor(private sock: net.Socket) {
    sock.on('data', (chunk: Buffer) => {
      if (this.failure) return;
      let got: Reply[];
      try {
        got = this.parser.feed(chunk);
      } catch (e) {
        this.fail(new ConnError(e instanceof ProtocolError ? e.message : String(e), 'protocol'));
        sock.destroy();
        return;
      }
      for (const r of got) this.replies.push(r);
      this.wake();
    });
    sock.on('error', (e: NodeJS.ErrnoException) => {
      const kind = e.code === 'ECONNRESET' || e.code === 'EPIPE' ? 'reset' : 'other';
      this.fail(new ConnError(errorText(e), kind));
    });
    sock.on('close', () => this.fail(new ConnError('Server closed the connection', 'eof')));
  }

  /** Connects; rejects with the error text redis-cli shows after "Could not connect to Redis at ...: ". */
  static open(ep: Endpoint): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const sock = ep.socket ? net.connect({ path: ep.socket }) : net.connect({ host: ep.host, port: ep.port });
      const onError = (e: Error) => {
        sock.destroy();
        reject(new Error(errorText(e)));
      };
      sock.once('error', onError);
      sock.once('connect', () => {
        sock.off('error', onError);
        sock.setNoDelay(true);
        sock.setKeepAlive(true, 15000);
        resolve(new Connection(sock));
      });
    });
  }

  get alive(): boolean {
    return this.failure === null;
  }

  send(args: string[]): void {
    if (this.failure) return;
    this.sock.write(encodeCommand(args));
  }

  /** The next reply; rejects with ConnError when the connection fails first. */
  next(): Promise<Reply> {
    const r = this.replies.shift();
    if (r) return Promise.resolve(r);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  close(): void {
    this.fail(new ConnError('Server closed the connection', 'eof'));
    this.sock.destroy();
  }

  /**
   * Hands the socket over for a mode that speaks to it directly (--pipe,
   * --rdb), after AUTH/SELECT were done here, with every reply read (nothing
   * is in flight, so no bytes are left behind). This connection is unusable after.
   */
  takeSocket(): net.Socket {
    this.sock.removeAllListeners('data');
    this.sock.removeAllListeners('error');
    this.sock.removeAllListeners('close');
    this.failure = new ConnError('socket handed over', 'other');
    return this.sock;
  }

  private fail(e: ConnError): void {
    if (!this.failure) this.failure = e;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    const r = this.replies.shift();
    if (r) {
      this.waiter = null;
      w.resolve(r);
    } else if (this.failure) {
      this.waiter = null;
      w.reject(this.failure);
    }
  }
}
