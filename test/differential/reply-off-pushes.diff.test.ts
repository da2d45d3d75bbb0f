/**
 * CLIENT REPLY OFF|SKIP against Redis: pub/sub frames — subscription
 * confirmations, messages, pattern messages, shard messages, keyspace
 * events — are pushes (Redis's CLIENT_PUSHING) and reach the client while its
 * replies are silenced, in RESP2 as in RESP3, including a message a client
 * publishes to itself and a SUBSCRIBE inside EXEC. Everything the silenced
 * connection receives is compared byte for byte with Redis's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingConn } from '../harness/recording-conn.js';
import { waitFor } from '../harness/servers.js';
import { sharedServers } from './runner.js';

const servers = sharedServers({ 'enable-debug-command': 'yes' });

/**
 * A step: connection 0 (the silenced one) or 1 (another client); `wait`: a
 * name the step's push carries, to wait for; `poll`: connection 1 repeats the
 * command until its reply contains this.
 */
interface Step {
  c: 0 | 1;
  argv: string[];
  wait?: string;
  poll?: string;
}

const scenarios: Record<string, Step[]> = {
  'RESP3 subscribe, publish, unsubscribe under REPLY OFF': [
    { c: 0, argv: ['HELLO', '3'], wait: 'proto' },
    { c: 0, argv: ['CLIENT', 'REPLY', 'OFF'] },
    { c: 0, argv: ['SUBSCRIBE', 'ch1'], wait: 'ch1' },
    { c: 0, argv: ['PSUBSCRIBE', 'ch*'], wait: 'ch*' },
    { c: 0, argv: ['SSUBSCRIBE', 'sh1'], wait: 'sh1' },
    { c: 1, argv: ['PUBLISH', 'ch1', 'hello'] },
    { c: 1, argv: ['SPUBLISH', 'sh1', 'shard'] },
    { c: 0, argv: ['GET', 'k'] },
    { c: 0, argv: ['UNSUBSCRIBE', 'ch1'], wait: 'ch1' },
    { c: 0, argv: ['PUNSUBSCRIBE'], wait: 'ch*' },
    { c: 0, argv: ['SUNSUBSCRIBE', 'sh1'], wait: 'sh1' },
  ],
  'RESP2 subscribe and messages under REPLY OFF': [
    { c: 0, argv: ['CLIENT', 'REPLY', 'OFF'] },
    { c: 0, argv: ['SUBSCRIBE', 'ch2', 'ch3'], wait: 'ch3' },
    { c: 1, argv: ['PUBLISH', 'ch2', 'hello'] },
    { c: 0, argv: ['PSUBSCRIBE', 'x*'], wait: 'x*' },
  ],
  'REPLY SKIP silences the next reply, not its pushes': [
    { c: 0, argv: ['HELLO', '3'], wait: 'proto' },
    { c: 0, argv: ['CLIENT', 'REPLY', 'SKIP'] },
    { c: 0, argv: ['SUBSCRIBE', 'ch4'], wait: 'ch4' },
    { c: 0, argv: ['CLIENT', 'REPLY', 'SKIP'] },
    { c: 0, argv: ['PING', 'skipped'] },
    { c: 0, argv: ['PING', 'answered'], wait: 'answered' },
    { c: 1, argv: ['PUBLISH', 'ch4', 'hi'] },
  ],
  'a silenced RESP3 client publishing to itself, and subscribing inside EXEC': [
    { c: 0, argv: ['HELLO', '3'], wait: 'proto' },
    { c: 0, argv: ['CLIENT', 'REPLY', 'OFF'] },
    { c: 0, argv: ['SUBSCRIBE', 'me'], wait: 'me' },
    { c: 0, argv: ['PUBLISH', 'me', 'self'] },
    { c: 0, argv: ['MULTI'] },
    { c: 0, argv: ['SET', 'k', 'v'] },
    { c: 0, argv: ['SUBSCRIBE', 'inexec'] },
    { c: 0, argv: ['PUBLISH', 'me', 'from-exec'] },
    { c: 0, argv: ['EXEC'], wait: 'from-exec' },
    { c: 0, argv: ['DEBUG', 'PROTOCOL', 'push'], wait: 'server-cpu-usage' },
  ],
  'rejections and +QUEUED are silenced too; SKIP is spent by the next command, queued or rejected': [
    { c: 0, argv: ['CLIENT', 'REPLY', 'OFF'] },
    { c: 0, argv: ['NOSUCHCOMMAND'] },
    { c: 0, argv: ['GET'] },
    { c: 0, argv: ['MULTI'] },
    { c: 0, argv: ['SET', 'a', 'b'] },
    { c: 0, argv: ['NOSUCHCOMMAND'] },
    { c: 0, argv: ['EXEC'] },
    { c: 0, argv: ['CLIENT', 'REPLY', 'ON'] },
    { c: 0, argv: ['CLIENT', 'REPLY', 'SKIP'] },
    { c: 0, argv: ['NOSUCHCOMMAND'] },
    { c: 0, argv: ['PING', 'x'] },
    { c: 0, argv: ['CLIENT', 'REPLY', 'SKIP'] },
    { c: 0, argv: ['MULTI'] },
    { c: 0, argv: ['PING', 'q'] },
    { c: 0, argv: ['EXEC'], wait: 'q' },
  ],
  'a blocked command under SKIP has its reply dropped when served': [
    { c: 1, argv: ['DEL', 'bl'] },
    { c: 0, argv: ['CLIENT', 'REPLY', 'SKIP'] },
    { c: 0, argv: ['BLPOP', 'bl', '0'] },
    { c: 1, argv: ['INFO', 'clients'], poll: 'blocked_clients:1' },
    { c: 1, argv: ['RPUSH', 'bl', 'x'] },
    { c: 0, argv: ['PING', 'after'], wait: 'after' },
  ],
  'keyspace events reach a silenced subscriber': [
    { c: 1, argv: ['CONFIG', 'SET', 'notify-keyspace-events', 'KEA'] },
    { c: 0, argv: ['CLIENT', 'REPLY', 'OFF'] },
    { c: 0, argv: ['PSUBSCRIBE', '__key*__:*'], wait: '__key*__:*' },
    { c: 1, argv: ['SET', 'foo', 'bar'] },
    { c: 1, argv: ['DEL', 'foo'] },
    { c: 1, argv: ['CONFIG', 'SET', 'notify-keyspace-events', ''] },
  ],
};

async function run(port: number, steps: Step[]): Promise<string> {
  const [a, b] = await Promise.all([RecordingConn.open(port), RecordingConn.open(port)]);
  try {
    let got = '';
    for (const st of steps) {
      if (st.c === 1) {
        await waitFor(
          async () => {
            b.send(st.argv);
            const frames = await b.barrier('sync');
            return st.poll === undefined || frames.some((f) => f.raw.includes(st.poll!));
          },
          `${st.argv.join(' ')} showing ${st.poll}`,
        );
        continue;
      }
      a.send(st.argv);
      if (st.wait === undefined) continue;
      const frames = await a.until(st.wait);
      // HELLO's reply names the server and the connection: not compared
      if (st.argv[0] !== 'HELLO') for (const f of frames) got += f.raw;
    }
    // RESET turns replies back on: its answer and a PING's close the transcript
    a.send(['RESET']);
    for (const f of await a.barrier('end-of-transcript')) got += f.raw;
    return got;
  } finally {
    a.close();
    b.close();
  }
}

for (const [name, steps] of Object.entries(scenarios)) {
  test(`CLIENT REPLY and pushes as Redis: ${name}`, { skip: servers.skip }, async () => {
    const [g, r] = [await run(servers.gkv.port, steps), await run(servers.redis.port, steps)];
    assert.equal(g, r);
  });
}
