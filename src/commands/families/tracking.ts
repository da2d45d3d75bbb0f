/**
 * CLIENT's client-side caching subcommands (Redis's clientCommand in
 * networking.c): TRACKING, CACHING, GETREDIR, TRACKINGINFO. The rows are in
 * the CLIENT family's table (connection.ts); the state and the invalidations
 * are server/tracking.ts's.
 */
import type { ServerContext } from '../context.js';
import type { Client } from '../../server/client.js';
import { Err } from '../../protocol/errors.js';
import { parseInt64 } from '../../util/numbers.js';
import { is } from '../args.js';
import { TRACKING_BCAST, TRACKING_BROKEN_REDIR, TRACKING_CACHING, TRACKING_NOLOOP, TRACKING_ON, TRACKING_OPTIN, TRACKING_OPTOUT } from '../../server/tracking.js';

/** CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP] */
export function clientTrackingCommand(c: Client, argv: string[], s: ServerContext): void {
  let redir = 0;
  let options = 0;
  const prefixes: string[] = [];
  for (let j = 3; j < argv.length; j++) {
    const more = argv.length - 1 - j > 0;
    const a = argv[j];
    if (is(a, 'redirect') && more) {
      j++;
      if (redir !== 0) throw Err.raw('ERR A client can only redirect to a single other client');
      const id = parseInt64(argv[j]);
      if (id === null) throw Err.notInteger();
      // the client must exist now, even if it may leave later (a sanity check, as Redis's)
      if (typeof id !== 'number' || !s.clients.has(id)) throw Err.raw('ERR The client ID you want redirect to does not exist');
      redir = id;
    } else if (is(a, 'bcast')) options |= TRACKING_BCAST;
    else if (is(a, 'optin')) options |= TRACKING_OPTIN;
    else if (is(a, 'optout')) options |= TRACKING_OPTOUT;
    else if (is(a, 'noloop')) options |= TRACKING_NOLOOP;
    else if (is(a, 'prefix') && more) prefixes.push(argv[++j]);
    else throw Err.syntax();
  }
  if (is(argv[2], 'on')) {
    // the options agree with each other and with the client's current mode
    if ((options & TRACKING_BCAST) === 0 && prefixes.length !== 0) throw Err.raw('ERR PREFIX option requires BCAST mode to be enabled');
    if ((c.tracking & TRACKING_ON) !== 0 && (c.tracking & TRACKING_BCAST) !== (options & TRACKING_BCAST)) {
      throw Err.raw("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.");
    }
    if ((options & TRACKING_BCAST) !== 0 && (options & (TRACKING_OPTIN | TRACKING_OPTOUT)) !== 0) throw Err.raw('ERR OPTIN and OPTOUT are not compatible with BCAST');
    if ((options & TRACKING_OPTIN) !== 0 && (options & TRACKING_OPTOUT) !== 0) throw Err.raw("ERR You can't specify both OPTIN mode and OPTOUT mode");
    if (((options & TRACKING_OPTIN) !== 0 && (c.tracking & TRACKING_OPTOUT) !== 0) || ((options & TRACKING_OPTOUT) !== 0 && (c.tracking & TRACKING_OPTIN) !== 0)) {
      throw Err.raw("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.");
    }
    if ((options & TRACKING_BCAST) !== 0) {
      const err = s.tracking.prefixCollision(c, prefixes);
      if (err !== null) throw Err.raw(err);
    }
    s.tracking.enable(c, redir, options, prefixes);
  } else if (is(argv[2], 'off')) s.tracking.disable(c);
  else throw Err.syntax();
  c.addOK();
}

/** CLIENT CACHING YES|NO: the next command (or transaction) is cached (OPTIN) or not (OPTOUT). */
export function clientCachingCommand(c: Client, argv: string[]): void {
  if ((c.tracking & TRACKING_ON) === 0) {
    throw Err.raw('ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled');
  }
  if (is(argv[2], 'yes')) {
    if ((c.tracking & TRACKING_OPTIN) === 0) throw Err.raw('ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.');
  } else if (is(argv[2], 'no')) {
    if ((c.tracking & TRACKING_OPTOUT) === 0) throw Err.raw('ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.');
  } else throw Err.syntax();
  c.tracking |= TRACKING_CACHING;
  c.addOK();
}

/** CLIENT GETREDIR: the redirect client's id, 0 without one, -1 when tracking is off. */
export function clientGetredirCommand(c: Client): void {
  c.addInt((c.tracking & TRACKING_ON) !== 0 ? c.trackingRedirect : -1);
}

/** CLIENT TRACKINGINFO: flags (a set), redirect, prefixes. */
export function clientTrackinginfoCommand(c: Client): void {
  const f = c.tracking;
  const flags = [(f & TRACKING_ON) !== 0 ? 'on' : 'off'];
  if ((f & TRACKING_BCAST) !== 0) flags.push('bcast');
  if ((f & TRACKING_OPTIN) !== 0) {
    flags.push('optin');
    if ((f & TRACKING_CACHING) !== 0) flags.push('caching-yes');
  }
  if ((f & TRACKING_OPTOUT) !== 0) {
    flags.push('optout');
    if ((f & TRACKING_CACHING) !== 0) flags.push('caching-no');
  }
  if ((f & TRACKING_NOLOOP) !== 0) flags.push('noloop');
  if ((f & TRACKING_BROKEN_REDIR) !== 0) flags.push('broken_redirect');
  c.addMapLen(3);
  c.addBulk('flags');
  c.addSetLen(flags.length);
  for (const fl of flags) c.addBulk(fl);
  c.addBulk('redirect');
  c.addInt((f & TRACKING_ON) !== 0 ? c.trackingRedirect : -1);
  c.addBulk('prefixes');
  // in byte order, as Redis's rax gives them
  c.addBulks(c.trackingPrefixes === null ? [] : [...c.trackingPrefixes].sort());
}

/** CLIENT LIST's tracking flags, in Redis's order among the others: t (tracking), R (broken redirect), B (BCAST). */
export function trackingListFlags(c: Client): string {
  const f = c.tracking;
  if (f === 0) return '';
  return ((f & TRACKING_ON) !== 0 ? 't' : '') + ((f & TRACKING_BROKEN_REDIR) !== 0 ? 'R' : '') + ((f & TRACKING_BCAST) !== 0 ? 'B' : '');
}

/** CLIENT LIST's redir=: the redirect client when tracking, -1 otherwise. */
export function trackingRedirField(c: Client): number {
  return (c.tracking & TRACKING_ON) !== 0 ? c.trackingRedirect : -1;
}
