/**
 * Connection commands (Redis group "connection"): PING ECHO QUIT RESET
 * SELECT HELLO AUTH and CLIENT.
 *
 * Authentication is Redis 7.0's against the ACL users (server/acl.ts): AUTH
 * <password> is the default user's (requirepass sets its password), failures
 * are logged in ACL LOG with reason "auth".
 */
import type { ServerCommands, ServerContext } from '../context.js';
import type { Client } from '../../server/client.js';
import { argvLength, clientMemoryUsage, outputFigures } from '../../server/client-mem.js';
import { Err } from '../../protocol/errors.js';
import { parseInt64 } from '../../util/numbers.js';
import { intRangeArg, is } from '../args.js';
import { discardTransaction } from '../../server/multi.js';
import { addHelp } from '../help.js';
import { stopMonitoring } from '../../server/monitor.js';
import { REDIS_VERSION } from '../../version.js';
import { clientCachingCommand, clientGetredirCommand, clientTrackingCommand, clientTrackinginfoCommand, trackingListFlags, trackingRedirField } from './tracking.js';
import { ACL_DENIED_AUTH, type AclUser } from '../../server/acl.js';

function pingCommand(c: Client, argv: string[]): void {
  if (argv.length > 2) throw Err.wrongArity('ping');
  // RESP2 subscribed clients get the pub/sub form
  if (c.resp === 2 && c.inPubSub) {
    c.addArrayLen(2);
    c.addBulk('pong');
    c.addBulk(argv.length === 2 ? argv[1] : '');
    return;
  }
  if (argv.length === 2) c.addBulk(argv[1]);
  else c.addRaw('+PONG\r\n');
}

function echoCommand(c: Client, argv: string[]): void {
  c.addBulk(argv[1]);
}

function quitCommand(c: Client): void {
  c.addOK();
  c.closeAfterReply = true;
}

function selectCommand(c: Client, argv: string[], s: ServerContext): void {
  const v = intRangeArg(argv[1]);
  if (v < 0 || v >= s.ks.dbs.length) throw Err.dbIndexOutOfRange();
  c.db = s.ks.dbs[v];
  c.addOK();
}

/** ACLAuthenticateUser: the client is now `user`'s, or the failure goes to ACL LOG. */
function authenticate(c: Client, argv: string[], s: ServerContext, user: string, pass: string): boolean {
  const u = s.acl.checkCredentials(user, pass);
  if (u !== null) {
    c.authenticated = true;
    c.user = u;
    return true;
  }
  s.aclLogDenial(c, ACL_DENIED_AUTH, c.inMulti ? 'multi' : 'toplevel', null, argv, 0, user);
  return false;
}

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

function authCommand(c: Client, argv: string[], s: ServerContext): void {
  if (argv.length > 3) throw Err.syntax();
  let user = 'default';
  let pass: string;
  if (argv.length === 2) {
    if (s.acl.defaultUser.nopass) {
      throw Err.raw('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?');
    }
    pass = argv[1];
  } else {
    user = argv[1];
    pass = argv[2];
  }
  if (authenticate(c, argv, s, user, pass)) c.addOK();
  else c.addError(WRONGPASS);
}

/** Redis's clientSetName validation: printable ASCII without spaces. */
function validClientName(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name.charCodeAt(i);
    if (ch < 33 || ch > 126) return false;
  }
  return true;
}

const BAD_NAME = 'ERR Client names cannot contain spaces, newlines or special characters.';

function helloCommand(c: Client, argv: string[], s: ServerContext): void {
  let ver = 0;
  let next = 1;
  if (argv.length >= 2) {
    const v = parseInt64(argv[next++]);
    if (v === null) throw Err.raw('ERR Protocol version is not an integer or out of range');
    if (v < 2 || v > 3) throw Err.raw('NOPROTO unsupported protocol version');
    ver = Number(v);
  }
  let user: string | null = null;
  let pass: string | null = null;
  let name: string | null = null;
  for (let j = next; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    if (is(argv[j], 'auth') && more >= 2) {
      user = argv[j + 1];
      pass = argv[j + 2];
      j += 2;
    } else if (is(argv[j], 'setname') && more >= 1) {
      name = argv[j + 1];
      j++;
    } else throw Err.raw(`ERR Syntax error in HELLO option '${argv[j]}'`);
  }
  if (user !== null && pass !== null && !authenticate(c, argv, s, user, pass)) {
    c.addError(WRONGPASS);
    return;
  }
  if (!c.authenticated) {
    throw Err.raw(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (name !== null) {
    if (!validClientName(name)) throw Err.raw(BAD_NAME);
    c.name = name;
  }
  if (ver !== 0) c.resp = ver as 2 | 3;
  c.addMapLen(7);
  c.addBulk('server');
  c.addBulk('redis');
  c.addBulk('version');
  c.addBulk(REDIS_VERSION);
  c.addBulk('proto');
  c.addInt(c.resp);
  c.addBulk('id');
  c.addInt(c.id);
  c.addBulk('mode');
  c.addBulk('standalone');
  c.addBulk('role');
  c.addBulk('master');
  c.addBulk('modules');
  c.addArrayLen(0);
}

/** clearClientConnectionState, as RESET does. */
export function resetClient(c: Client, s: ServerContext): void {
  c.db = s.ks.dbs[0];
  c.resp = 2;
  c.name = '';
  if (c.inMulti) discardTransaction(c, s.watch);
  // Redis's clearClientConnectionState: unwatch, unsubscribe everything, end MONITOR
  s.watch.unwatchAllKeys(c);
  s.pubsub.unsubscribeAll(c);
  stopMonitoring(c, s);
  s.tracking.disable(c);
  c.channels = null;
  c.patterns = null;
  c.shardChannels = null;
  c.replyMode = 'on';
  c.noEvict = false;
  // clientSetDefaultAuth: the default user, authenticated when it needs no password
  c.user = s.acl.defaultUser;
  c.authenticated = !s.acl.authRequired;
}

function resetCommand(c: Client, _argv: string[], s: ServerContext): void {
  resetClient(c, s);
  c.addStatus('RESET');
}

// ---------------------------------------------------------------- CLIENT

function clientFlags(c: Client): string {
  let f = '';
  if (c.monitor) f += 'O';
  if (c.kind === 'replica') f += 'S';
  if (c.kind === 'master') f += 'M';
  if (c.inPubSub) f += 'P';
  if (c.inMulti) f += 'x';
  if (c.blocked || c.paused) f += 'b';
  f += trackingListFlags(c);
  if (c.dirtyCas) f += 'd';
  if (c.closeAfterReply) f += 'c';
  if (c.unixSocket) f += 'U';
  if (c.noEvict) f += 'e';
  return f === '' ? 'N' : f;
}

/**
 * One CLIENT LIST line, with Redis 7.0's fields in Redis's order; the buffer
 * figures (qbuf, qbuf-free, argv-mem, multi-mem, rbs, rbp, obl, oll, omem,
 * tot-mem) are Redis's accounting of them (server/client-mem.ts).
 */
export function clientInfoLine(c: Client, s: ServerContext): string {
  const now = Date.now();
  const m = c.mem;
  const unsent = s.unsentOutput(c);
  const o = outputFigures(m, unsent);
  const events = c.socket !== null && c.socket.writableLength > 0 ? 'rw' : 'r';
  return (
    `id=${c.id} addr=${c.addr} laddr=${c.laddr} fd=${c.fd} name=${c.name} age=${Math.floor((now - c.createdAt) / 1000)} ` +
    `idle=${Math.floor((now - c.lastInteraction) / 1000)} flags=${clientFlags(c)} db=${c.db.id} ` +
    `sub=${c.channels ? c.channels.size : 0} psub=${c.patterns ? c.patterns.size : 0} ssub=${c.shardChannels ? c.shardChannels.size : 0} ` +
    `multi=${c.inMulti ? c.multiQueue.length : -1} qbuf=${m.qbLen} qbuf-free=${Math.max(0, m.qbAlloc - m.qbLen)} argv-mem=${argvLength(c.memArgv)} ` +
    `multi-mem=${c.multiArgvMem} rbs=${m.bufUsable} rbp=${m.bufPeak} obl=${o.obl} oll=${o.oll} omem=${o.omem} tot-mem=${clientMemoryUsage(c, o.omem)} events=${events} ` +
    `cmd=${c.lastCmd} user=${c.user === null ? '(superuser)' : c.user.name} redir=${trackingRedirField(c)} resp=${c.resp}`
  );
}

type ClientType = 'normal' | 'replica' | 'master' | 'pubsub';
function clientTypeOf(c: Client): ClientType {
  if (c.kind !== 'normal') return c.kind;
  return c.inPubSub ? 'pubsub' : 'normal';
}
function parseClientType(name: string): ClientType | null {
  const n = name.toLowerCase();
  if (n === 'normal' || n === 'master' || n === 'pubsub') return n;
  if (n === 'replica' || n === 'slave') return 'replica';
  return null;
}

/** CLIENT LIST TYPE and CLIENT KILL TYPE: a type that is not normal, master, replica, slave or pubsub. */
const unknownClientType = (t: string) => Err.raw(`ERR Unknown client type '${t}'`);

function clientListCommand(c: Client, argv: string[], s: ServerContext): void {
  let type: ClientType | null = null;
  let ids: Set<number> | null = null;
  if (argv.length === 4 && is(argv[2], 'type')) {
    type = parseClientType(argv[3]);
    if (type === null) throw unknownClientType(argv[3]);
  } else if (argv.length >= 4 && is(argv[2], 'id')) {
    ids = new Set();
    for (let j = 3; j < argv.length; j++) {
      const v = parseInt64(argv[j]);
      if (typeof v !== 'number' || v < 1) throw Err.raw('ERR Invalid client ID');
      ids.add(v);
    }
  } else if (argv.length !== 2) throw Err.syntax();
  let out = '';
  for (const cl of s.clients.values()) {
    if (type !== null && clientTypeOf(cl) !== type) continue;
    if (ids !== null && !ids.has(cl.id)) continue;
    out += clientInfoLine(cl, s) + '\n';
  }
  c.addVerbatim(out);
}

function clientInfoCommand(c: Client, _argv: string[], s: ServerContext): void {
  c.addVerbatim(clientInfoLine(c, s) + '\n');
}

function clientIdCommand(c: Client): void {
  c.addInt(c.id);
}

function clientSetnameCommand(c: Client, argv: string[]): void {
  if (!validClientName(argv[2])) throw Err.raw(BAD_NAME);
  c.name = argv[2];
  c.addOK();
}

function clientGetnameCommand(c: Client): void {
  if (c.name === '') c.addNull();
  else c.addBulk(c.name);
}

function clientReplyCommand(c: Client, argv: string[]): void {
  const m = argv[2].toLowerCase();
  if (m === 'on') {
    c.replyMode = 'on';
    c.addOK();
  } else if (m === 'off') c.replyMode = 'off';
  else if (m === 'skip') {
    if (c.replyMode !== 'off') c.replyMode = 'skipnext';
  } else throw Err.syntax();
}

/** CLIENT NO-EVICT: the client leaves the eviction buckets, or is measured and enters them again. */
function clientNoEvictCommand(c: Client, argv: string[], s: ServerContext): void {
  const m = argv[2].toLowerCase();
  if (m === 'on') {
    c.noEvict = true;
    s.clientEviction.removeFromBucket(c);
  } else if (m === 'off') {
    c.noEvict = false;
    s.clientEviction.updateAndBucket(c);
  } else throw Err.syntax();
  c.addOK();
}

function clientKillCommand(c: Client, argv: string[], s: ServerContext): void {
  let addr: string | null = null;
  let laddr: string | null = null;
  let id = 0;
  let type: ClientType | null = null;
  let user: AclUser | null = null;
  let skipme = true;
  const oldForm = argv.length === 3;
  if (oldForm) {
    addr = argv[2];
    skipme = false; // with the old form you can kill yourself
  } else if (argv.length > 3 && argv.length % 2 === 0) {
    for (let i = 2; i < argv.length; i += 2) {
      const opt = argv[i].toLowerCase();
      const val = argv[i + 1];
      if (opt === 'id') {
        const v = parseInt64(val);
        if (v === null || v < 1) throw Err.raw('ERR client-id should be greater than 0');
        id = Number(v); // beyond 2^53 no client has it either
      } else if (opt === 'type') {
        type = parseClientType(val);
        if (type === null) throw unknownClientType(val);
      } else if (opt === 'addr') addr = val;
      else if (opt === 'laddr') laddr = val;
      else if (opt === 'user') {
        const u = s.acl.getUser(val);
        if (u === undefined) throw Err.raw(`ERR No such user '${val}'`);
        user = u;
      } else if (opt === 'skipme') {
        if (is(val, 'yes')) skipme = true;
        else if (is(val, 'no')) skipme = false;
        else throw Err.syntax();
      } else throw Err.syntax();
    }
  } else throw Err.syntax();
  let killed = 0;
  let closeSelf = false;
  for (const cl of [...s.clients.values()]) {
    if (addr !== null && cl.addr !== addr) continue;
    if (laddr !== null && cl.laddr !== laddr) continue;
    if (type !== null && clientTypeOf(cl) !== type) continue;
    if (id !== 0 && cl.id !== id) continue;
    if (user !== null && cl.user !== user) continue;
    if (cl === c && skipme) continue;
    if (cl === c) closeSelf = true;
    else s.freeClient(cl);
    killed++;
  }
  if (oldForm) {
    if (killed === 0) throw Err.raw('ERR No such client');
    c.addOK();
  } else c.addInt(killed);
  if (closeSelf) c.closeAfterReply = true;
}

function clientPauseCommand(c: Client, argv: string[], s: ServerContext): void {
  const v = parseInt64(argv[2]);
  if (typeof v !== 'number') throw Err.timeoutNotInteger();
  if (v < 0) throw Err.timeoutNegative();
  let all = true;
  if (argv.length === 4) {
    if (is(argv[3], 'write')) all = false;
    else if (!is(argv[3], 'all')) throw Err.raw('ERR CLIENT PAUSE mode must be WRITE or ALL');
  } else if (argv.length > 4) throw Err.syntax();
  s.pause(Date.now() + v, all);
  c.addOK();
}

function clientUnpauseCommand(c: Client, _argv: string[], s: ServerContext): void {
  s.unpause();
  c.addOK();
}

/**
 * CLIENT UNBLOCK id [TIMEOUT|ERROR] (Redis checks the reason before the id):
 * a client blocked on keys gets its timeout reply, or -UNBLOCKED; see server/blocking.ts.
 */
function clientUnblockCommand(c: Client, argv: string[], s: ServerContext): void {
  if (argv.length > 4) throw Err.subcommandSyntax(argv[1], 'CLIENT');
  let error = false;
  if (argv.length === 4) {
    if (is(argv[3], 'error')) error = true;
    else if (!is(argv[3], 'timeout')) throw Err.raw('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = parseInt64(argv[2]);
  if (id === null) throw Err.notInteger();
  const target = s.clients.get(Number(id));
  c.addInt(target !== undefined && s.blocking.unblockByRequest(target, error) ? 1 : 0);
}

function clientHelpCommand(c: Client): void {
  addHelp(c, 'CLIENT', [
    'CACHING (YES|NO)',
    '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.',
    'GETREDIR',
    '    Return the client ID we are redirecting to when tracking is enabled.',
    'GETNAME',
    '    Return the name of the current connection.',
    'ID',
    '    Return the ID of the current connection.',
    'INFO',
    '    Return information about the current client connection.',
    'KILL <ip:port>',
    '    Kill connection made from <ip:port>.',
    'KILL <option> <value> [<option> <value> [...]]',
    '    Kill connections. Options are:',
    '    * ADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made from the specified address',
    '    * LADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made to specified local address',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Kill connections by type.',
    '    * USER <username>',
    '      Kill connections authenticated by <username>.',
    '    * SKIPME (YES|NO)',
    '      Skip killing current connection (default: yes).',
    'LIST [options ...]',
    '    Return information about client connections. Options:',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Return clients of specified type.',
    'UNPAUSE',
    '    Stop the current client pause, resuming traffic.',
    'PAUSE <timeout> [WRITE|ALL]',
    '    Suspend all, or just write, clients for <timeout> milliseconds.',
    'REPLY (ON|OFF|SKIP)',
    '    Control the replies sent to the current connection.',
    'SETNAME <name>',
    '    Assign the name <name> to the current connection.',
    'UNBLOCK <clientid> [TIMEOUT|ERROR]',
    '    Unblock the specified blocked client.',
    'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
    '         [OPTIN] [OPTOUT] [NOLOOP]',
    '    Control server assisted client side caching.',
    'TRACKINGINFO',
    '    Report tracking status for the current connection.',
    'NO-EVICT (ON|OFF)',
    '    Protect current client connection from eviction.',
  ]);
}

export const connectionCommands: ServerCommands = [
  { name: 'auth', handler: authCommand },
  {
    name: 'client',
    sub: [
      { name: 'getname', handler: clientGetnameCommand },
      { name: 'caching', handler: clientCachingCommand },
      { name: 'getredir', handler: clientGetredirCommand },
      { name: 'help', handler: clientHelpCommand },
      { name: 'id', handler: clientIdCommand },
      { name: 'info', handler: clientInfoCommand },
      { name: 'kill', handler: clientKillCommand },
      { name: 'list', handler: clientListCommand },
      { name: 'no-evict', handler: clientNoEvictCommand },
      { name: 'pause', handler: clientPauseCommand },
      { name: 'reply', handler: clientReplyCommand },
      { name: 'setname', handler: clientSetnameCommand },
      { name: 'tracking', handler: clientTrackingCommand },
      { name: 'trackinginfo', handler: clientTrackinginfoCommand },
      { name: 'unblock', handler: clientUnblockCommand },
      { name: 'unpause', handler: clientUnpauseCommand },
    ],
  },
  { name: 'echo', handler: echoCommand },
  { name: 'hello', handler: helloCommand },
  { name: 'ping', handler: pingCommand },
  { name: 'quit', handler: quitCommand },
  { name: 'reset', handler: resetCommand },
  { name: 'select', handler: selectCommand },
];
