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
import { clientInfoLine } from '../commands/families/connection.js';

declare module '../commands/context.js' {
  interface ServerContext {
    /** the master side of replication, a typed field set by installReplication (null until installed) */
    repl: ReplicationMaster | null;
  }
}

/** a server composed without replication (composeServer always installs it) */
const noReplication = () => Err.raw('ERR replication is not available on this server');

/** SYNC / PSYNC replid offset (syncCommand). */
function syncCommand(c: Client, argv: string[], s: ServerContext): void {
  if (s.repl === null) throw noReplication();
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

/**
 * ROLE: a master's ["master", master_repl_offset, [[ip, port, acked offset]
 * for each online replica]], or a replica's ["slave", host, port, link
 * state, offset applied (-1 without a link)].
 */
function roleCommand(c: Client, _argv: string[], s: ServerContext): void {
  const r = s.repl;
  const u = r?.upstream ?? null;
  if (u !== null) {
    c.addArrayLen(5);
    c.addBulk('slave');
    c.addBulk(u.host);
    c.addInt(u.port);
    c.addBulk(u.state);
    c.addInt(u.appliedOffset());
    return;
  }
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

/** REPLICAOF host port | NO ONE (replicaofCommand); SLAVEOF is the same command. */
function replicaofCommand(c: Client, argv: string[], s: ServerContext): void {
  const r = s.repl;
  if (r === null) throw noReplication();
  if (argv[1].toLowerCase() === 'no' && argv[2].toLowerCase() === 'one') {
    if (r.upstream !== null) r.unsetMaster(clientInfoLine(c, s));
    c.addOK();
    return;
  }
  if (c.kind === 'replica') throw Err.raw('ERR Command is not valid when client is a replica.');
  const port = parseInt64(argv[2]);
  if (port === null || typeof port !== 'number') throw Err.notInteger();
  const u = r.upstream;
  if (u !== null && u.host.toLowerCase() === argv[1].toLowerCase() && u.port === port) {
    s.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
    c.addStatus('OK Already connected to specified master');
    return;
  }
  r.setMaster(argv[1], port, clientInfoLine(c, s));
  c.addOK();
}

export const replicationCommands: ServerCommands = [
  { name: 'replicaof', handler: replicaofCommand },
  { name: 'slaveof', handler: replicaofCommand },
  { name: 'sync', handler: syncCommand },
  { name: 'psync', handler: syncCommand },
  { name: 'replconf', handler: replconfCommand },
  { name: 'role', handler: roleCommand },
  { name: 'wait', handler: waitCommand },
];
