/**
 * Checking replies too large to hold in a test: the bytes a socket receives
 * are compared, as they arrive, with an expected stream described as pieces
 * repeated (`[{ bytes, times }]`), without keeping them. For replies of
 * hundreds of megabytes (longer than a JS string can be).
 */
import net from 'node:net';

export interface Piece {
  bytes: Buffer;
  times: number;
}

/** What a raw connection received, checked against expected pieces as it arrived. */
export interface StreamResult {
  /** bytes received in all */
  received: number;
  /** offset of the first byte that differed from the expected stream, -1 when none did */
  firstMismatch: number;
  /** whether the server closed the connection */
  closed: boolean;
}

/**
 * Sends `request` on a new connection and compares what comes back with the
 * pieces, until `expectedTotal` bytes arrived (then resolves), the peer
 * closes, or nothing arrives for `idleMs`.
 */
export function sendAndCheck(port: number, request: Buffer, given: Piece[], idleMs = 30000): Promise<StreamResult> {
  const pieces = given.flatMap(widen);
  const expectedTotal = pieces.reduce((n, p) => n + p.bytes.length * p.times, 0);
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let received = 0;
    let firstMismatch = -1;
    let piece = 0;
    let rep = 0;
    let off = 0;
    let timer: NodeJS.Timeout | null = null;
    let settled = false;
    const finish = (closed: boolean): void => {
      if (settled) return;
      settled = true;
      if (timer !== null) clearTimeout(timer);
      sock.destroy();
      resolve({ received, firstMismatch, closed });
    };
    const arm = (): void => {
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(() => finish(false), idleMs);
    };
    sock.on('connect', () => {
      sock.write(request);
      arm();
    });
    sock.on('data', (d: Buffer) => {
      arm();
      // runs of the chunk against runs of the current piece, compared natively
      for (let i = 0; i < d.length; ) {
        if (piece >= pieces.length) {
          if (firstMismatch === -1) firstMismatch = received + i;
          break;
        }
        const p = pieces[piece];
        const n = Math.min(d.length - i, p.bytes.length - off);
        if (firstMismatch === -1 && d.compare(p.bytes, off, off + n, i, i + n) !== 0) {
          let k = 0;
          while (d[i + k] === p.bytes[off + k]) k++;
          firstMismatch = received + i + k;
        }
        i += n;
        off += n;
        if (off === p.bytes.length) {
          off = 0;
          if (++rep === p.times) {
            rep = 0;
            piece++;
          }
        }
      }
      received += d.length;
      if (received >= expectedTotal) finish(false);
    });
    sock.on('close', () => finish(true));
    sock.on('error', (e) => {
      if (!settled) reject(e);
    });
  });
}

/** A short piece repeated many times as a block of ~64 KB repeated fewer times (fewer, longer compares). */
function widen(p: Piece): Piece[] {
  const k = Math.min(p.times, Math.floor(65536 / p.bytes.length));
  if (k <= 1) return [p];
  const block = Buffer.concat(Array<Buffer>(k).fill(p.bytes));
  const out: Piece[] = [{ bytes: block, times: Math.floor(p.times / k) }];
  if (p.times % k !== 0) out.push({ bytes: p.bytes, times: p.times % k });
  return out;
}

/** A deterministic value of n bytes (every byte value occurs). */
export function patternBytes(n: number, seed = 7): Buffer {
  const period = Buffer.allocUnsafe(256);
  for (let i = 0; i < 256; i++) period[i] = (i * 31 + seed) & 255;
  const b = Buffer.allocUnsafe(n);
  b.fill(period);
  return b;
}

/** The RESP bulk of bytes, as bytes. */
export function bulkBytes(b: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`$${b.length}\r\n`), b, Buffer.from('\r\n')]);
}
