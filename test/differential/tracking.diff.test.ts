/**
 * Client-side caching against Redis: three connections — 0 the tracking
 * client, 1 another client writing, 2 a redirect target — run the same
 * scenario on gKV and on redis-server, and everything connections 0 and 2
 * receive (replies, invalidation pushes, `__redis__:invalidate` messages,
 * tracking-redir-broken, nulls after flushes, error texts, TRACKINGINFO,
 * CLIENT INFO's flags and redir, INFO's tracking fields) is compared byte for
 * byte, client ids masked. Each step of 0 and 2 is followed by a PING
 * barrier, so pushes are recorded in the order they arrive among replies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingConn } from '../harness/recording-conn.js';
import { sharedServers } from './runner.js';

const servers = sharedServers();

/** A step of connection c; `$R` in argv is connection 2's id; `sleep` waits that many ms first. */
interface Step {
  c: 0 | 1 | 2;
  argv: string[];
  sleep?: number;
  /** only CLIENT INFO's flags= and redir= fields are recorded */
  fields?: boolean;
  /** only these INFO fields are recorded */
  info?: string[];
}

const s = (c: 0 | 1 | 2, ...argv: string[]): Step => ({ c, argv });

const scenarios: Record<string, Step[]> = {
  'RESP3: a key read is invalidated once, by writes of any client, deletes and its own writes after its reply': [
    s(0, 'HELLO', '3'),
    s(0, 'CLIENT', 'TRACKING', 'on'),
    s(1, 'MSET', 'a', '1', 'b', '2', 'h', 'x'),
    s(0, 'MGET', 'a', 'b', 'c'),
    s(1, 'INCR', 'a'),
    s(1, 'INCR', 'a'),
    s(1, 'DEL', 'b', 'c'),
    s(0, 'GET', 'a'),
    s(0, 'SET', 'a', 'mine'),
    s(1, 'HSET', 'hh', 'f', 'v'),
    s(0, 'HGET', 'hh', 'f'),
    s(0, 'HDEL', 'hh', 'f'),
    s(0, 'GET', 'a'),
    s(0, 'MULTI'),
    s(0, 'INCR', 'x'),
    s(0, 'GET', 'a'),
    s(0, 'APPEND', 'a', '!'),
    s(0, 'EXEC'),
    { c: 0, argv: ['CLIENT', 'INFO'], fields: true },
    { c: 0, argv: ['INFO'], info: ['tracking_clients', 'tracking_total_keys', 'tracking_total_items', 'tracking_total_prefixes'] },
  ],
  'RESP2 redirect: messages on __redis__:invalidate to a subscribed client; flushes send a null': [
    s(2, 'SUBSCRIBE', '__redis__:invalidate'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '$R'),
    s(0, 'CLIENT', 'GETREDIR'),
    s(1, 'SET', 'k1', 'v'),
    s(0, 'GET', 'k1'),
    s(0, 'GET', 'k2'),
    s(1, 'SET', 'k1', 'w'),
    s(0, 'SET', 'k2', 'mine'),
    s(0, 'GET', 'k1'),
    s(1, 'FLUSHDB'),
    s(2, 'PING'),
    s(0, 'FLUSHALL'),
    s(2, 'PING'),
    { c: 0, argv: ['CLIENT', 'INFO'], fields: true },
    s(0, 'CLIENT', 'TRACKINGINFO'),
  ],
  'a RESP3 client redirected to a RESP2 one: its null keeps the RESP3 form; a RESP2 target not subscribed gets nothing': [
    s(0, 'HELLO', '3'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '$R'),
    s(0, 'GET', 'k'),
    s(1, 'SET', 'k', '1'),
    s(2, 'PING'),
    s(2, 'SUBSCRIBE', 'other'),
    s(0, 'GET', 'k'),
    s(1, 'SET', 'k', '2'),
    s(1, 'FLUSHALL'),
    s(2, 'PING'),
  ],
  "BCAST with prefixes, one array per prefix, NOLOOP leaving out the own writes (not a script's)": [
    s(0, 'HELLO', '3'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'b:', 'PREFIX', 'a:', 'NOLOOP'),
    s(1, 'MSET', 'a:1', '1', 'b:1', '1', 'c:1', '1', 'a:2', '2'),
    s(0, 'PING'),
    s(0, 'SET', 'a:3', 'mine'),
    s(0, 'PING'),
    s(0, 'MULTI'),
    s(0, 'SET', 'a:4', 'mine'),
    s(0, 'SET', 'b:9', 'mine'),
    s(0, 'EXEC'),
    s(1, 'SET', 'a:4', 'theirs'),
    // a script's writes are its own client's, not the caller's: NOLOOP does not leave them out
    s(0, 'EVAL', "redis.call('SET', 'a:5', 's') return 1", '0'),
    s(0, 'PING'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'c'),
    s(1, 'SET', 'c:2', 'x'),
    s(0, 'CLIENT', 'TRACKINGINFO'),
    { c: 0, argv: ['CLIENT', 'INFO'], fields: true },
    { c: 0, argv: ['INFO'], info: ['tracking_clients', 'tracking_total_keys', 'tracking_total_items', 'tracking_total_prefixes'] },
    s(0, 'CLIENT', 'TRACKING', 'off'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'BCAST'),
    s(1, 'SET', 'zz', '1'),
    s(0, 'CLIENT', 'TRACKINGINFO'),
  ],
  'OPTIN and OPTOUT with CLIENT CACHING, for one command or one transaction': [
    s(0, 'HELLO', '3'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'OPTIN'),
    s(0, 'GET', 'o1'),
    s(1, 'SET', 'o1', '1'),
    s(0, 'CLIENT', 'CACHING', 'yes'),
    s(0, 'CLIENT', 'TRACKINGINFO'),
    s(0, 'GET', 'o2'),
    s(0, 'CLIENT', 'TRACKINGINFO'),
    s(0, 'GET', 'o3'),
    s(1, 'MSET', 'o2', '1', 'o3', '1'),
    s(0, 'CLIENT', 'CACHING', 'yes'),
    s(0, 'MULTI'),
    s(0, 'GET', 'o4'),
    s(0, 'GET', 'o5'),
    s(0, 'EXEC'),
    s(1, 'MSET', 'o4', '1', 'o5', '1'),
    s(0, 'CLIENT', 'TRACKING', 'off'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'OPTOUT'),
    s(0, 'CLIENT', 'CACHING', 'no'),
    s(0, 'CLIENT', 'TRACKINGINFO'),
    s(0, 'GET', 'p1'),
    s(0, 'GET', 'p2'),
    s(1, 'MSET', 'p1', '1', 'p2', '1'),
  ],
  'scripts: a script that reads remembers its declared keys, EVAL_RO through what it runs': [
    s(0, 'HELLO', '3'),
    s(0, 'CLIENT', 'TRACKING', 'on'),
    s(0, 'EVAL', "redis.call('set', 'k3', 'bar')", '2', 'k1', 'k2'),
    s(1, 'MSET', 'k1', '1', 'k2', '1'),
    s(0, 'EVAL', "return redis.call('get', 'k3')", '2', 'k1', 'k2'),
    s(1, 'MSET', 'k2', '2', 'k1', '2', 'k3', '2'),
    s(0, 'EVAL_RO', "return redis.call('ping')", '1', 'k1'),
    s(1, 'SET', 'k1', '3'),
    s(0, 'EVAL_RO', "return redis.call('get', 'k2')", '1', 'k1'),
    s(1, 'MSET', 'k1', '4', 'k2', '4'),
  ],
  'a redirect client that left: tracking-redir-broken to a RESP3 client, broken_redirect in its flags': [
    s(0, 'HELLO', '3'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '$R'),
    s(0, 'GET', 'r1'),
    s(2, 'QUIT'),
    s(1, 'SET', 'r1', 'x'),
    s(0, 'PING'),
    s(0, 'CLIENT', 'TRACKINGINFO'),
    { c: 0, argv: ['CLIENT', 'INFO'], fields: true },
    s(0, 'CLIENT', 'GETREDIR'),
    s(0, 'CLIENT', 'TRACKING', 'off'),
    s(0, 'CLIENT', 'GETREDIR'),
  ],
  'expired keys are invalidated, to the redirect target': [
    s(2, 'HELLO', '3'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '$R'),
    s(1, 'SET', 'e1', 'v', 'PX', '30'),
    s(0, 'GET', 'e1'),
    { c: 1, argv: ['GET', 'e1'], sleep: 80 },
    s(2, 'PING'),
  ],
  'option errors, as Redis words them': [
    s(0, 'CLIENT', 'TRACKING', 'maybe'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'NOSUCH'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', 'abc'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '999999'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'REDIRECT', '$R', 'REDIRECT', '$R'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'PREFIX', 'a'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'OPTIN'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'OPTIN', 'OPTOUT'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'FOOBAR', 'PREFIX', 'FOO'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'FOO', 'PREFIX', 'BAR'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'FO'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'BCAST', 'PREFIX', 'BARB'),
    s(0, 'CLIENT', 'TRACKING', 'on'),
    s(0, 'CLIENT', 'CACHING', 'yes'),
    s(0, 'CLIENT', 'TRACKING', 'off'),
    s(0, 'CLIENT', 'CACHING', 'yes'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'OPTIN'),
    s(0, 'CLIENT', 'TRACKING', 'on', 'OPTOUT'),
    s(0, 'CLIENT', 'CACHING', 'no'),
    s(0, 'CLIENT', 'CACHING', 'maybe'),
    s(0, 'CLIENT', 'TRACKINGINFO'),
    s(0, 'RESET'),
    s(0, 'CLIENT', 'TRACKINGINFO'),
  ],
};

async function run(port: number, steps: Step[]): Promise<string> {
  const conns = await Promise.all([RecordingConn.open(port), RecordingConn.open(port), RecordingConn.open(port)]);
  try {
    conns[2].send(['CLIENT', 'ID']);
    const id = String((await conns[2].until(':'))[0].value);
    const mask = (raw: string): string => raw.split(`:${id}\r\n`).join(':<R>\r\n').split(`redir=${id}`).join('redir=<R>');
    let got = '';
    let n = 0;
    for (const st of steps) {
      if (st.sleep !== undefined) await new Promise((r) => setTimeout(r, st.sleep));
      const conn = conns[st.c];
      conn.send(st.argv.map((a) => (a === '$R' ? id : a)));
      if (st.argv[0] === 'QUIT') {
        // the server closes the connection after its +OK
        await new Promise((r) => conn.socket.once('close', r));
        continue;
      }
      // inside MULTI the barrier is queued too: the step's +QUEUED, then the PING's
      const queued = st.c === 0 && inMulti(steps, st);
      const frames = await conn.barrier(`barrier-${n++}`, queued, queued ? 2 : 1);
      if (st.c === 1) continue;
      if (st.argv[0] === 'HELLO') {
        got += `${st.c}> HELLO\n`;
        continue;
      }
      for (const f of frames) {
        let raw = f.raw;
        if (st.fields === true && raw.includes('flags=')) raw = /flags=\S+/.exec(raw)![0] + ' ' + /redir=\S+/.exec(raw)![0];
        else if (st.info !== undefined && raw.includes('tracking_clients')) raw = st.info.map((k) => new RegExp(`${k}:\\d+`).exec(raw)![0]).join(' ');
        got += `${st.c}> ${mask(raw)}`;
      }
      got += '\n';
    }
    return got;
  } finally {
    for (const c of conns) c.close();
  }
}

/** Whether connection 0 is inside MULTI when st is sent (its PING barrier is then queued). */
function inMulti(steps: Step[], st: Step): boolean {
  let multi = false;
  for (const x of steps) {
    if (x.c === 0 && x.argv[0] === 'MULTI') multi = true;
    if (x === st) return multi && x.argv[0] !== 'EXEC';
    if (x.c === 0 && (x.argv[0] === 'EXEC' || x.argv[0] === 'DISCARD')) multi = false;
  }
  return false;
}

for (const [name, steps] of Object.entries(scenarios)) {
  test(`client-side caching as Redis: ${name}`, { skip: servers.skip }, async () => {
    // one scenario at a time against fresh data on both
    for (const port of [servers.gkv.port, servers.redis.port]) {
      const c = await RecordingConn.open(port);
      c.send(['FLUSHALL']);
      await c.barrier('flushed');
      c.close();
    }
    const g = await run(servers.gkv.port, steps);
    const r = await run(servers.redis.port, steps);
    assert.equal(g, r);
  });
}
