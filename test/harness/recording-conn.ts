/**
 * A test connection that records every byte it receives, for tests that
 * compare everything a connection is sent (replies, pub/sub messages, pushes)
 * rather than one reply per command. `barrier` sends PING <token> and returns
 * every frame up to its answer.
 */
import net from 'node:net';
import { encodeCommand, parseResp, type RespValue } from './resp.js';
import { WAIT_CEILING_MS } from './servers.js';

export class RecordingConn {
  private buf = '';
  private waiter: (() => void) | null = null;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d) => {
      this.buf += d.toString('latin1');
      this.waiter?.();
    });
    socket.on('error', () => {});
  }
  static open(port: number): Promise<RecordingConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve(new RecordingConn(s)));
      s.once('error', reject);
    });
  }
  send(argv: string[]): void {
    this.socket.write(encodeCommand(argv));
  }
  /**
   * Sends PING <token> and resolves with every frame received up to and
   * including its answer. Inside MULTI the PING is queued instead: then the
   * answer is the `want`-th frame, a +QUEUED.
   */
  async barrier(token: string, inMulti = false, want = 1): Promise<{ value: RespValue; raw: string }[]> {
    this.send(['PING', token]);
    return this.until(token, inMulti, want);
  }

  /** Resolves with every frame received up to and including the first one holding token (nothing is sent). */
  async until(token: string, inMulti = false, want = 1): Promise<{ value: RespValue; raw: string }[]> {
    const deadline = Date.now() + WAIT_CEILING_MS;
    for (;;) {
      const frames: { value: RespValue; raw: string }[] = [];
      let pos = 0;
      let done = false;
      for (;;) {
        const r = parseResp(this.buf, pos);
        if (r === null) break;
        const raw = this.buf.slice(pos, r.end);
        frames.push({ value: r.value, raw });
        pos = r.end;
        if (raw.includes(token) || (inMulti && frames.length >= want && raw === '+QUEUED\r\n')) {
          done = true;
          break;
        }
      }
      if (done) {
        this.buf = this.buf.slice(pos);
        return frames;
      }
      if (Date.now() > deadline) throw new Error(`no answer to PING ${token}; received ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => {
        this.waiter = r;
        setTimeout(r, 50);
      });
      this.waiter = null;
    }
  }
  close(): void {
    this.socket.destroy();
  }
}

