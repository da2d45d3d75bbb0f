/**
 * A test connection that records every byte it receives, for tests that
 * compare everything a connection is sent (replies, pub/sub messages, pushes)
 * rather than one reply per command. `barrier` sends PING <token> and returns
 * every frame up to its answer.
 */
import net from 'node:net';
import { ReplyParser } from '../../src/cli/resp.js';
import { encodeCommand, toRespValue, type RespValue } from './resp.js';
import { WAIT_CEILING_MS } from './servers.js';

export class RecordingConn {
  private readonly parser = new ReplyParser(true);
  /** frames received and not yet returned by barrier/until */
  private frames: { value: RespValue; raw: string }[] = [];
  private waiter: (() => void) | null = null;
  private constructor(readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      for (const { reply, raw } of this.parser.feedRaw(d)) this.frames.push({ value: toRespValue(reply), raw });
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
      const i = this.frames.findIndex((f, n) => f.raw.includes(token) || (inMulti && n + 1 >= want && f.raw === '+QUEUED\r\n'));
      if (i >= 0) return this.frames.splice(0, i + 1);
      if (Date.now() > deadline) throw new Error(`no answer to PING ${token}; received ${JSON.stringify(this.frames.map((f) => f.raw).join(''))}`);
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
