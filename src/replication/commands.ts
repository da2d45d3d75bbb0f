/**
 * The replication commands a master answers (Redis's replication.c and
 * server.c): SYNC, PSYNC, REPLCONF, ROLE and WAIT. They read the server's
 * ReplicationMaster (`s.repl`, set by installReplication); without one —
 * a server built without replication — ROLE and WAIT answer for a master
 * with no replica, and SYNC/PSYNC refuse.
 */
import type { Client } from '../server/client.js';
import type { ServerCommands, ServerContext } from '../commands/context.js';
import { Err } from '../protocol/errors.js';
import { parseInt64 } from '../util/numbers.js';
import type { ReplicationMaster } from './master.js';

declare module '../commands/context.js' {
  interface ServerContext {
    /** the master side of replication, a typed field set by installReplication (null until installed) */
    repl: ReplicationMaster | null;
  }
}

/** SYNC / PSYNC replid offset (syncCommand). */
function syncCommand(c: Client, argv: string[], s: ServerContext): void {
  if (s.repl === null) throw Err.raw('ERR replication is not available on this server');
  s.repl.sync(c, argv);
}

/** REPLCONF <option> <value> ... (replconfCommand). */
function replconfCommand(c: Client, argv: string[], s: ServerContext): void {
  if (s.repl === null) {
    c.addOK();
    return;
  }
  s.repl.replconf(c, argv);
}

/** ROLE of a master: ["master", master_repl_offset, [[ip, port, acked offset] for each online replica]]. */
function roleCommand(c: Client, _argv: string[], s: ServerContext): void {
  const r = s.repl;
  const replicas = r === null ? [] : r.describe().filter((d) => d.online);
  c.addArrayLen(3);
  c.addBulk('master');
  c.addInt(r === null ? 0 : r.offset);
  c.addArrayLen(replicas.length);
  for (const d of replicas) {
    c.addArrayLen(3);
    c.addBulk(d.ip);
    c.addBulk(String(d.port));
    c.addBulk(String(d.offset));
  }
}

/**
 * WAIT numreplicas timeout (waitCommand): the number of replicas that
 * acknowledged this client's last write — at once when enough already did
 * (or inside EXEC / a script, which cannot block), else when the
 * acknowledgements come (a REPLCONF GETACK goes down the stream at once),
 * after the timeout in ms (0 = forever), or on CLIENT UNBLOCK.
 */
function waitCommand(c: Client, argv: string[], s: ServerContext): void {
  const numreplicas = parseInt64(argv[1]);
  if (numreplicas === null) throw Err.notInteger();
  const t = parseInt64(argv[2]);
  if (t === null) throw Err.timeoutNotInteger();
  if (t < 0) throw Err.timeoutNegative();
  const r = s.repl;
  const target = c.woff;
  const acked = r === null ? 0 : r.countAcked(target);
  if (acked >= numreplicas || !s.blocking.mayBlock()) {
    c.addInt(acked);
    return;
  }
  const ms = Number(t);
  const timeout = ms === 0 || ms > Number.MAX_SAFE_INTEGER - s.ks.now ? 0 : s.ks.now + ms;
  const count = (): number => (r === null ? 0 : r.countAcked(target));
  const done = (bc: Client): void => {
    r?.waiting.delete(bc);
    bc.addInt(count());
  };
  s.blocking.block(c, {
    type: 'string',
    keys: [],
    timeout,
    serve: (bc) => {
      if (count() < numreplicas) return false;
      done(bc);
      return true;
    },
    onTimeout: done,
  });
  if (r !== null) {
    r.waiting.add(c);
    r.requestAcks();
  }
}

export const replicationCommands: ServerCommands = [
  { name: 'sync', handler: syncCommand },
  { name: 'psync', handler: syncCommand },
  { name: 'replconf', handler: replconfCommand },
  { name: 'role', handler: roleCommand },
  { name: 'wait', handler: waitCommand },
];
