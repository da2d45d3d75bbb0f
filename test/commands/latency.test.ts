import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errText, withServer } from '../harness/commands.js';
import { waitFor } from '../harness/servers.js';
import { LatencyMonitor, latencyGraph } from '../../src/server/latency.js';

/** INFO latencystats as field → value */
async function latencystats(c: { cmd: (...a: string[]) => Promise<unknown> }): Promise<Map<string, string>> {
  const text = (await c.cmd('INFO', 'latencystats')) as string;
  const m = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 1));
  }
  return m;
}

test('INFO latencystats shows the configured percentiles per command, subcommands by full name', async () => {
  await withServer(async (c) => {
    await c.cmd('CONFIG', 'RESETSTAT');
    await c.cmd('SET', 'a', 'b');
    await c.cmd('CLIENT', 'ID');
    let st = await latencystats(c);
    assert.match(st.get('latency_percentiles_usec_set')!, /^p50=\d+\.\d{3},p99=\d+\.\d{3},p99\.9=\d+\.\d{3}$/);
    assert.ok(st.has('latency_percentiles_usec_client|id'));
    assert.ok(st.has('latency_percentiles_usec_config|resetstat'));
    await c.cmd('CONFIG', 'SET', 'latency-tracking-info-percentiles', '0.0 50.0 100.0');
    assert.deepEqual(await c.cmd('CONFIG', 'GET', 'latency-tracking-info-percentiles'), ['latency-tracking-info-percentiles', '0 50 100']);
    st = await latencystats(c);
    assert.match(st.get('latency_percentiles_usec_set')!, /^p0=[\d.]+,p50=[\d.]+,p100=[\d.]+$/);
    // CONFIG RESETSTAT drops the histograms
    await c.cmd('CONFIG', 'RESETSTAT');
    assert.equal((await latencystats(c)).has('latency_percentiles_usec_set'), false);
  });
});

test('latency-tracking no hides the section and records nothing; bad percentiles are refused', async () => {
  await withServer(async (c) => {
    await c.cmd('CONFIG', 'RESETSTAT');
    await c.cmd('CONFIG', 'SET', 'latency-tracking', 'no');
    await c.cmd('SET', 'a', 'b');
    assert.equal((await latencystats(c)).size, 0);
    await c.cmd('CONFIG', 'SET', 'latency-tracking', 'yes');
    assert.equal((await latencystats(c)).has('latency_percentiles_usec_set'), false);
    await c.cmd('SET', 'a', 'b');
    assert.ok((await latencystats(c)).has('latency_percentiles_usec_set'));
    assert.match(errText(await c.cmd('CONFIG', 'SET', 'latency-tracking-info-percentiles', '10.0 50.0 a')), /^ERR CONFIG SET failed/);
    assert.match(errText(await c.cmd('CONFIG', 'SET', 'latency-tracking-info-percentiles', '10.0 101.0')), /^ERR CONFIG SET failed/);
  });
});

test('a blocking command is recorded when it is served, with its whole duration', async () => {
  await withServer(async (c, srv) => {
    const { RespClient } = await import('../harness/resp.js');
    const b = await RespClient.connect(srv.port);
    try {
      await c.cmd('CONFIG', 'RESETSTAT');
      const pending = b.cmd('BLPOP', 'q', '0');
      await waitFor(() => srv.server.blocking.blockedCount === 1, 'BLPOP blocked');
      assert.equal((await latencystats(c)).has('latency_percentiles_usec_blpop'), false);
      await c.cmd('LPUSH', 'q', 'x');
      assert.deepEqual(await pending, ['q', 'x']);
      assert.ok((await latencystats(c)).has('latency_percentiles_usec_blpop'));
    } finally {
      b.close();
    }
  });
});

test('LATENCY HISTOGRAM: all commands, named ones with their subcommands, unknown names skipped', async () => {
  await withServer(async (c) => {
    await c.cmd('CONFIG', 'RESETSTAT');
    await c.cmd('SET', 'a', 'b');
    await c.cmd('SET', 'c', 'd');
    await c.cmd('CLIENT', 'ID');
    const all = (await c.cmd('LATENCY', 'HISTOGRAM')) as unknown[];
    const names = all.filter((_, i) => i % 2 === 0);
    assert.deepEqual([...names].sort(), ['client|id', 'config|resetstat', 'set']);
    const set = all[names.indexOf('set') * 2 + 1] as unknown[];
    assert.equal(set[0], 'calls');
    assert.equal(set[1], 2);
    assert.equal(set[2], 'histogram_usec');
    const buckets = set[3] as number[];
    assert.equal(buckets[buckets.length - 1], 2); // cumulative
    assert.deepEqual(((await c.cmd('LATENCY', 'HISTOGRAM', 'client')) as unknown[])[0], 'client|id');
    assert.deepEqual(await c.cmd('LATENCY', 'HISTOGRAM', 'blabla', 'get'), []);
    assert.equal(((await c.cmd('LATENCY', 'HISTOGRAM', 'blabla', 'SET', 'client|ID')) as unknown[]).length, 4);
  });
});

test('the latency monitor records events over the threshold: LATEST, HISTORY, RESET, DOCTOR', async () => {
  await withServer({ 'enable-debug-command': 'yes' }, async (c) => {
    assert.match((await c.cmd('LATENCY', 'DOCTOR')) as string, /^I'm sorry, Dave, I can't do that\. Latency monitoring is disabled/);
    await c.cmd('CONFIG', 'SET', 'latency-monitor-threshold', '10');
    await c.cmd('DEBUG', 'SLEEP', '0');
    assert.deepEqual(await c.cmd('LATENCY', 'LATEST'), []);
    await c.cmd('DEBUG', 'SLEEP', '0.03');
    const latest = (await c.cmd('LATENCY', 'LATEST')) as [string, number, number, number][];
    assert.equal(latest.length, 1);
    assert.equal(latest[0][0], 'command');
    assert.ok(latest[0][2] >= 30 && latest[0][3] === latest[0][2]);
    const hist = (await c.cmd('LATENCY', 'HISTORY', 'command')) as number[][];
    assert.equal(hist.length, 1);
    assert.deepEqual(await c.cmd('LATENCY', 'HISTORY', 'blabla'), []);
    assert.equal(errText(await c.cmd('LATENCY', 'GRAPH', 'blabla')), "ERR No samples available for event 'blabla'");
    assert.match((await c.cmd('LATENCY', 'GRAPH', 'command')) as string, /^command - high \d+ ms, low \d+ ms \(all time high \d+ ms\)\n-{80}\n/);
    assert.match(
      (await c.cmd('LATENCY', 'DOCTOR')) as string,
      /^Dave, I have observed latency spikes.*\n\n1\. command: 1 latency spikes \(average \d+ms, mean deviation 0ms, period 1\.00 sec\)\. Worst all time event \d+ms\.\n/s,
    );
    assert.equal(await c.cmd('LATENCY', 'RESET', 'blabla'), 0);
    assert.equal(await c.cmd('LATENCY', 'RESET'), 1);
    assert.deepEqual(await c.cmd('LATENCY', 'LATEST'), []);
    assert.equal(errText(await c.cmd('LATENCY', 'HELP', 'xxx')), "ERR wrong number of arguments for 'latency|help' command");
  });
});

test('one sample per second per event: a second one in the same second only raises it', () => {
  const m = new LatencyMonitor();
  let now = 1000;
  m.now = () => now;
  m.threshold = 5;
  m.addSampleIfNeeded('command', 4);
  assert.equal(m.events.size, 0);
  m.addSampleIfNeeded('command', 10);
  m.addSampleIfNeeded('command', 7);
  m.addSampleIfNeeded('command', 12);
  now++;
  m.addSampleIfNeeded('command', 6);
  const ts = m.events.get('command')!;
  assert.deepEqual(
    m.samplesOf(ts).map((s) => [s.time, s.latency]),
    [
      [1000, 12],
      [1001, 6],
    ],
  );
  assert.equal(ts.max, 12);
  for (let i = 0; i < 200; i++) {
    now++;
    m.addSampleIfNeeded('command', 5);
  }
  assert.equal(m.samplesOf(ts).length, 160);
});

test("LATENCY GRAPH draws Redis's sparkline (output of Redis 7.0.15 for the same samples)", () => {
  const m = new LatencyMonitor();
  let now = 0;
  m.now = () => now;
  for (const [t, ms] of [
    [1796621939, 62],
    [1796621940, 20],
    [1796621941, 15],
    [1796621942, 40],
    [1796621943, 30],
    [1796621945, 101],
  ]) {
    now = t;
    m.addSample('command', ms);
  }
  now = 1796621945;
  assert.equal(
    latencyGraph(m, 'command'),
    'command - high 101 ms, low 15 ms (all time high 101 ms)\n' + '-'.repeat(80) + '\n' + '     #\n' + '_    |\n' + '|  _ |\n' + '|__|#|\n' + '      \n' + '654320\n' + 'ssssss\n',
  );
});

test('LATENCY HELP lists the subcommands as Redis 7.0 does', async () => {
  await withServer(async (c) => {
    const help = (await c.cmd('LATENCY', 'HELP')) as string[];
    assert.equal(help[0], 'LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:');
    assert.deepEqual(
      help.filter((l) => !l.startsWith(' ')),
      [help[0], 'DOCTOR', 'GRAPH <event>', 'HISTORY <event>', 'LATEST', 'RESET [<event> ...]', 'HISTOGRAM [COMMAND ...]', 'HELP'],
    );
    assert.equal(help.length, 17);
    assert.equal(help[13], '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.');
  });
});
