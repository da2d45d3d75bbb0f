/**
 * MIGRATE's side of the network (Redis's migrateGetSocket and friends in
 * cluster.c): connections to target servers, cached per host:port for 10
 * seconds of disuse (at most 64; INFO's migrate_cached_sockets), each
 * remembering the database it last SELECTed; and the exchange itself — a
 * buffer of commands written in 64 KB pieces, then one reply line read per
 * command, every step within the timeout.
 *
 * The cached connections are asynchronous: the event loop keeps turning
 * while a MIGRATE waits for its target (the command layer stops the other
 * clients' commands meanwhile, as Redis is blocked in it). Inside EXEC the
 * exchange runs at once instead (migrateExchangeSync, a helper process). Failures are reported as
 * Redis's sync connection calls report them: a connection that cannot be
 * made within the timeout is a connect error; one refused at once (Redis's
 * non-blocking connect succeeds) fails at the first write; an expired timer
 * is a timeout (ETIMEDOUT: no retry).
 */
import net from 'node:net';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Redis's MIGRATE_SOCKET_CACHE_ITEMS and MIGRATE_SOCKET_CACHE_TTL (seconds) */
const CACHE_ITEMS = 64;
const CACHE_TTL_S = 10;
const WRITE_CHUNK = 64 * 1024;

/** How a step of the exchange failed: the timeout expired, or the connection broke. */
export type IoFailure = 'timeout' | 'io';

/** A connection to a target server. */
export class MigrateSocket {
  lastDbid = -1;
  lastUse = Math.floor(Date.now() / 1000);
  /** the connection broke (or never connected): every read and write fails */
  broken = false;
  private input = '';
  private wake: (() => void) | null = null;

  constructor(
    readonly name: string,
    readonly socket: net.Socket,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.input += d.toString('latin1');
      this.notify();
    });
    const fail = (): void => {
      this.broken = true;
      this.notify();
    };
    socket.on('error', fail);
    socket.on('close', fail);
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** Resolves on new input or a failure, or after ms; true when the time ran out first. */
  private waitEvent(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve(true);
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve(false);
      };
    });
  }

  /** Writes bytes, each 64 KB piece within the timeout (Redis's connSyncWrite loop). */
  async write(bytes: Buffer, timeoutMs: number): Promise<IoFailure | null> {
    for (let pos = 0; pos < bytes.length; pos += WRITE_CHUNK) {
      if (this.broken) return 'io';
      const piece = bytes.subarray(pos, Math.min(bytes.length, pos + WRITE_CHUNK));
      const r = await new Promise<IoFailure | null>((resolve) => {
        const t = setTimeout(() => resolve('timeout'), timeoutMs);
        this.socket.write(piece, (err) => {
          clearTimeout(t);
          resolve(err ? 'io' : null);
        });
      });
      if (r !== null) return r;
    }
    return this.broken ? 'io' : null;
  }

  /** One reply line without its CRLF (Redis's connSyncReadLine), within the timeout. */
  async readLine(timeoutMs: number): Promise<string | IoFailure> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const nl = this.input.indexOf('\n');
      if (nl !== -1) {
        let line = this.input.slice(0, nl);
        this.input = this.input.slice(nl + 1);
        if (line.endsWith('\r')) line = line.slice(0, -1);
        return line.length > 1023 ? line.slice(0, 1023) : line;
      }
      if (this.broken) return 'io';
      const left = deadline - Date.now();
      if (left <= 0 || (await this.waitEvent(left))) return 'timeout';
    }
  }

  close(): void {
    this.broken = true;
    this.socket.destroy();
  }
}

/**
 * The cached connections (Redis's server.migrate_cached_sockets): at most
 * CACHE_ITEMS, each closed after CACHE_TTL_S idle seconds. One per server
 * (`migrateCache`), closed when the server stops.
 */
export class MigrateCache {
  readonly sockets = new Map<string, MigrateSocket>();
  private timer: NodeJS.Timeout | null = null;

  /** INFO stats' migrate_cached_sockets. */
  get size(): number {
    return this.sockets.size;
  }

  /** Redis's migrateCloseTimedoutSockets, once a second while some are cached. */
  startReaper(): void {
    if (this.timer !== null) return;
    this.timer = setInterval(() => {
      const now = Math.floor(Date.now() / 1000);
      for (const [name, m] of this.sockets) {
        if (now - m.lastUse > CACHE_TTL_S) {
          m.close();
          this.sockets.delete(name);
        }
      }
      if (this.sockets.size === 0 && this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
      }
    }, 1000);
    this.timer.unref();
  }

  /** Every cached connection closed (the server stops). */
  close(): void {
    for (const m of this.sockets.values()) m.close();
    this.sockets.clear();
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

/**
 * Redis's migrateGetSocket: the cached connection to host:port, or a new one
 * within the timeout. Null when none could be made in time (the caller
 * replies "IOERR error or timeout connecting to the client").
 */
export async function migrateGetSocket(cache: MigrateCache, host: string, port: string, timeoutMs: number): Promise<MigrateSocket | null> {
  const name = `${host}:${port}`;
  const cached = cache.sockets.get(name);
  if (cached !== undefined) {
    cached.lastUse = Math.floor(Date.now() / 1000);
    return cached;
  }
  if (cache.sockets.size >= CACHE_ITEMS) {
    // too many: one dropped at random
    const names = [...cache.sockets.keys()];
    const drop = names[Math.floor(Math.random() * names.length)];
    cache.sockets.get(drop)!.close();
    cache.sockets.delete(drop);
  }
  const portNum = Number.parseInt(port, 10);
  const socket = net.connect({ host, port: Number.isFinite(portNum) && portNum >= 0 && portNum < 65536 ? portNum : 0 });
  const outcome = await new Promise<'ok' | 'refused' | 'timeout'>((resolve) => {
    const t = setTimeout(() => resolve('timeout'), timeoutMs);
    socket.once('connect', () => {
      clearTimeout(t);
      resolve('ok');
    });
    socket.once('error', () => {
      clearTimeout(t);
      resolve('refused');
    });
  });
  if (outcome === 'timeout') {
    socket.on('error', () => {});
    socket.destroy();
    return null;
  }
  const m = new MigrateSocket(name, socket);
  // a connection refused at once: Redis's non-blocking connect "succeeds" and the first write fails
  if (outcome === 'refused') m.broken = true;
  cache.sockets.set(name, m);
  cache.startReaper();
  return m;
}

/** Redis's migrateCloseSocket: the cached connection to host:port closed and forgotten. */
export function migrateCloseSocket(cache: MigrateCache, host: string, port: string): void {
  const name = `${host}:${port}`;
  const m = cache.sockets.get(name);
  if (m === undefined) return;
  m.close();
  cache.sockets.delete(name);
}

/**
 * The positions of MIGRATE's credentials (AUTH's password, AUTH2's username
 * and password, among the options before KEYS), which MONITOR and SLOWLOG
 * show redacted, as Redis's redactClientCommandArgument.
 */
export function migrateSecretArgs(argv: readonly string[]): number[] {
  const out: number[] = [];
  for (let j = 6; j < argv.length; j++) {
    const a = argv[j].toLowerCase();
    if (a === 'keys') break;
    if (a === 'auth' && j + 1 < argv.length) out.push(++j);
    else if (a === 'auth2' && j + 2 < argv.length) out.push(++j, ++j);
  }
  return out;
}

const CHILD_JS = fileURLToPath(new URL('./migrate-child.js', import.meta.url));

/** What a blocking exchange gave: the reply lines read, and where it failed (if it did). */
export interface SyncExchange {
  lines: string[];
  /** the step that failed: no connection within the timeout, the write, or a reply line */
  failed: 'connect' | 'write' | 'read' | null;
  failure: IoFailure | null;
}

/**
 * One exchange at once, blocking (MIGRATE inside EXEC, whose reply cannot
 * wait): a helper process (migrate-child.ts) connects to host:port, writes
 * the bytes and reads `replies` lines, each step within the timeout, and
 * reports them. A fresh connection each time: none is cached.
 */
export function migrateExchangeSync(host: string, port: string, timeoutMs: number, bytes: Buffer, replies: number): SyncExchange {
  const r = spawnSync(process.execPath, [CHILD_JS, host, port, String(timeoutMs), String(replies)], {
    input: bytes,
    timeout: timeoutMs * (replies + 2) + 5000,
    maxBuffer: 1 << 20,
  });
  try {
    const out = JSON.parse(r.stdout.toString('latin1')) as SyncExchange;
    if (Array.isArray(out.lines)) return out;
  } catch {
    /* the helper died or was stopped */
  }
  return { lines: [], failed: 'read', failure: 'timeout' };
}
