/**
 * TCP listening sockets bound synchronously, as Redis's listenToPort binds
 * them: CONFIG SET port and CONFIG SET bind must know at once whether the new
 * address can be had (and answer "Unable to listen on this port" / "Failed to
 * bind to specified addresses." while keeping the old ones), and net.Server's
 * own listen() only reports that on a later tick (it even resolves IP literals
 * through dns.lookup). Node's TCP handle binds and listens synchronously; the
 * bound handle is then given to net.Server.listen(handle), which accepts on it
 * as on any other.
 *
 * Redis's rules: no bind address means no TCP listener at all; "*" is every
 * IPv4 address and "::*" every IPv6 one; an address with a ':' is IPv6 (bound
 * IPv6-only); a leading '-' makes an address optional; an address that is not
 * available or a family the host lacks is skipped, any other failure undoes
 * what was bound and fails the whole. The Unix socket (unixsocket) is bound
 * the same way, on a pipe handle.
 */
import net from 'node:net';
import { chmodSync, statSync, unlinkSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { strerror } from '../util/strerror.js';
import { constants as os } from 'node:os';

interface TcpHandle {
  bind(addr: string, port: number): number;
  bind6(addr: string, port: number, flags: number): number;
  listen(backlog: number): number;
  getsockname(out: Record<string, unknown>): number;
  close(): void;
}

const pipeBinding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding('pipe_wrap') as {
  Pipe: new (type: number) => TcpHandle;
  constants: { SERVER: number };
};

const binding = (process as unknown as { binding(name: string): Record<string, unknown> }).binding('tcp_wrap') as {
  TCP: new (type: number) => TcpHandle;
  constants: { SERVER: number };
};
/** libuv's UV_TCP_IPV6ONLY */
const IPV6_ONLY = 1;

/** errno values (libuv reports them negated) that only skip an address, as listenToPort skips them */
const SKIPPED = new Set([os.errno.ENOPROTOOPT, os.errno.EPROTONOSUPPORT, 94 /* ESOCKTNOSUPPORT */, 96 /* EPFNOSUPPORT */, os.errno.EAFNOSUPPORT, os.errno.EADDRNOTAVAIL]);

/** A bind failure: the address and the system's reason, for the log. */
export class BindError extends Error {
  /** it was the TLS port's ("Failed listening on port N (TLS), aborting.") */
  tls = false;
  constructor(
    readonly addr: string,
    readonly port: number,
    readonly errno: number,
  ) {
    super(`Could not create server TCP listening socket ${addr}:${port}: ${errnoText(errno)}`);
  }
}

function errnoText(errno: number): string {
  const names: Record<number, string> = {
    [os.errno.EADDRINUSE]: 'bind: Address already in use',
    [os.errno.EADDRNOTAVAIL]: 'bind: Cannot assign requested address',
    [os.errno.EACCES]: 'bind: Permission denied',
    [os.errno.EINVAL]: 'Name or service not known',
    [os.errno.EAFNOSUPPORT]: 'socket: Address family not supported by protocol',
  };
  return names[errno] ?? `errno ${errno}`;
}

/** One bound, listening handle and what it is bound to. */
export interface BoundHandle {
  handle: TcpHandle;
  host: string;
  port: number;
}

/** Binds and listens on one address; returns the handle, or the (positive) errno. */
function bindOne(addr: string, port: number, backlog: number): BoundHandle | number {
  const v6 = addr.includes(':');
  let host = addr;
  if (host === '*') host = '0.0.0.0';
  else if (host === '::*') host = '::';
  else if (host === 'localhost') host = '127.0.0.1';
  if (net.isIP(host) === 0) return os.errno.EINVAL; // Redis would ask the resolver; gKV binds addresses
  const h = new binding.TCP(binding.constants.SERVER);
  let err = v6 ? h.bind6(host, port, IPV6_ONLY) : h.bind(host, port);
  if (err === 0) err = h.listen(backlog);
  if (err !== 0) {
    h.close();
    return -err;
  }
  const out: Record<string, unknown> = {};
  h.getsockname(out);
  return { handle: h, host, port: Number(out.port) };
}

/**
 * Redis's listenToPort: binds port on every bind address (port 0: the first
 * address picks a free port, the others share it). Returns the handles
 * (none for an empty bind list). Throws BindError after closing what it
 * bound; `skipped` receives the addresses skipped, for the log.
 */
export function listenToPort(port: number, binds: string[], backlog: number, skipped: (e: BindError) => void = () => {}): BoundHandle[] {
  const out: BoundHandle[] = [];
  for (const b of binds) {
    const optional = b.startsWith('-');
    const addr = optional ? b.slice(1) : b;
    const r = bindOne(addr, port, backlog);
    if (typeof r === 'number') {
      const e = new BindError(addr, port, r);
      if (SKIPPED.has(r)) {
        skipped(e);
        continue;
      }
      for (const x of out) x.handle.close();
      throw e;
    }
    if (port === 0) port = r.port;
    out.push(r);
  }
  return out;
}

/**
 * Redis's anetUnixServer: listens on a Unix socket at path (a file left
 * there by a previous run is removed first), with the permissions perm when
 * not 0. Throws Error with the system's reason.
 */
export function listenUnix(path: string, perm: number): BoundHandle {
  try {
    unlinkSync(path);
  } catch {
    /* not there: fine */
  }
  const h = new pipeBinding.Pipe(pipeBinding.constants.SERVER);
  // bound here, listened on by net.Server.listen(handle) (a pipe refuses a second listen)
  const err = (h as unknown as { bind(p: string): number }).bind(path);
  if (err !== 0) {
    h.close();
    throw new Error(`bind: ${unixBindErrorText(path, -err)}`);
  }
  if (perm !== 0) chmodSync(path, perm);
  return { handle: h, host: path, port: 0 };
}

/**
 * bind()'s strerror for a Unix socket path. libuv reports a missing
 * directory as EACCES (for Windows' sake); Redis's bind() says "No such file
 * or directory", so the directory is looked at.
 */
function unixBindErrorText(path: string, errno: number): string {
  if (errno === os.errno.EACCES) {
    try {
      statSync(dirname(resolve(path)));
    } catch (e) {
      return strerror(e);
    }
  }
  const code = Object.entries(os.errno).find(([, n]) => n === errno)?.[0] ?? `errno ${errno}`;
  return strerror(Object.assign(new Error(code), { code }));
}

/** A net.Server accepting on a bound handle. */
export function serverOnHandle(h: BoundHandle, onConnection: (s: net.Socket) => void, onError: (e: Error) => void): net.Server {
  const srv = net.createServer({ noDelay: true, pauseOnConnect: true }, onConnection);
  srv.on('error', onError);
  srv.listen(h.handle as unknown as net.ListenOptions);
  return srv;
}
