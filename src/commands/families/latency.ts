/**
 * LATENCY (Redis's latency.c, the command side): LATEST, HISTORY, RESET,
 * GRAPH, DOCTOR (Redis's report, word for word), HISTOGRAM, HELP, and INFO
 * latencystats, which this family registers on the server's INFO registry.
 * The monitor and its time series are server/latency.ts.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '../../server/client.js';
import type { CommandSpec } from '../spec.js';
import type { ServerCommands, ServerContext } from '../context.js';
import { Err } from '../../protocol/errors.js';
import { addHelp } from '../help.js';
import type { HdrHistogram } from '../../util/hdr-histogram.js';
import { LATENCY_TS_LEN, latencyGraph, type LatencyMonitor, type LatencyTimeSeries } from '../../server/latency.js';

interface LatencyStats {
  allTimeHigh: number;
  avg: number;
  min: number;
  max: number;
  mad: number;
  samples: number;
  period: number;
}

/** Redis's analyzeLatencyForEvent. */
function analyze(m: LatencyMonitor, ts: LatencyTimeSeries): LatencyStats {
  const ls: LatencyStats = { allTimeHigh: ts.max, avg: 0, min: 0, max: 0, mad: 0, samples: 0, period: 0 };
  let sum = 0;
  for (const s of ts.samples) {
    if (s.time === 0) continue;
    ls.samples++;
    if (ls.samples === 1) ls.min = ls.max = s.latency;
    else {
      if (ls.min > s.latency) ls.min = s.latency;
      if (ls.max < s.latency) ls.max = s.latency;
    }
    sum += s.latency;
    if (ls.period === 0 || s.time < ls.period) ls.period = s.time;
  }
  if (ls.samples !== 0) {
    ls.avg = Math.floor(sum / ls.samples);
    ls.period = m.now() - ls.period;
    if (ls.period === 0) ls.period = 1;
  }
  sum = 0;
  for (const s of ts.samples) if (s.time !== 0) sum += Math.abs(ls.avg - s.latency);
  if (ls.samples !== 0) ls.mad = Math.floor(sum / ls.samples);
  return ls;
}

/** AnonHugePages of this process (Redis's THPGetAnonHugePagesSize), 0 when unknown. */
function anonHugePages(): number {
  try {
    const m = /^AnonHugePages:\s+(\d+) kB/m.exec(readFileSync('/proc/self/smaps_rollup', 'latin1'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

const ADVICE = {
  betterVm:
    '- If you are using a virtual machine, consider upgrading it with a faster one using a hypervisior that provides less latency during fork() calls. Xen is known to have poor fork() performance. Even in the context of the same VM provider, certain kinds of instances can execute fork faster than others.\n',
  slowlogInspect: '- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n',
  scheduler:
    '- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n' +
    '  1) Lower the system load.\n' +
    '  2) Use a computer / VM just for Redis if you are running other software in the same system.\n' +
    '  3) Check if you have a "noisy neighbour" problem.\n' +
    "  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
    '  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n',
  localDisk: '- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.\n',
  ssd: '- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage and smaller final AOF rewrite buffer flushes). With extremely high write load SSD disks can be a good option. However Redis should perform reasonably with high load using normal disks. Use this advice as a last resort.\n',
  dataWriteback:
    '- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Redis restarts.\n',
  diskContention: '- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Redis instances).\n',
  noAppendfsync:
    "- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n",
  relaxFsync: "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n",
  writeLoadInfo:
    '- Latency during the AOF atomic rename operation or when the final difference is flushed to the AOF file at the end of the rewrite, sometimes is caused by very high write load, causing the AOF buffer to get very large. If possible try to send less commands to accomplish the same work, or use Lua scripts to group multiple operations into a single EVALSHA call.\n',
  hz: "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n",
  largeObjects:
    '- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n',
  massEviction:
    "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n",
  disableThp:
    "- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n",
};

/** Redis's createLatencyReport (LATENCY DOCTOR). */
export function latencyReport(s: ServerContext): string {
  const m = s.latency;
  if (m.events.size === 0 && m.threshold === 0) {
    return "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n";
  }
  const slowlogThreshold = s.config.getInt('slowlog-log-slower-than');
  const adv = new Set<keyof typeof ADVICE | 'slowlogEnabled' | 'slowlogTuning'>();
  let advices = 0;
  const give = (...names: (keyof typeof ADVICE | 'slowlogEnabled' | 'slowlogTuning')[]): void => {
    for (const n of names) adv.add(n);
    advices += names.length;
  };
  let report = '';
  let eventnum = 0;
  for (const [event, ts] of m.events) {
    eventnum++;
    if (eventnum === 1) report += "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n";
    const ls = analyze(m, ts);
    report += `${eventnum}. ${event}: ${ls.samples} latency spikes (average ${ls.avg}ms, mean deviation ${ls.mad}ms, period ${(ls.period / ls.samples).toFixed(2)} sec). Worst all time event ${ts.max}ms.`;
    const e = event.toLowerCase();
    if (e === 'fork') {
      // gKV does not fork: a rate of 0 is Redis's "terrible"
      report += ' Fork rate is 0.00 GB/sec (terrible).';
      give('betterVm');
    }
    if (e === 'command') {
      if (slowlogThreshold < 0) give('slowlogEnabled');
      else if (Math.trunc(slowlogThreshold / 1000) > m.threshold) give('slowlogTuning');
      give('slowlogInspect', 'largeObjects');
    }
    if (e === 'fast-command') give('scheduler');
    if (e === 'aof-write-pending-fsync') give('localDisk', 'diskContention', 'ssd', 'dataWriteback');
    if (e === 'aof-write-active-child') give('noAppendfsync', 'dataWriteback', 'ssd');
    if (e === 'aof-write-alone') give('localDisk', 'dataWriteback', 'ssd');
    if (e === 'aof-fsync-always') give('relaxFsync');
    if (e === 'aof-fstat' || e === 'rdb-unlink-temp-file') give('diskContention', 'localDisk');
    if (e === 'aof-rewrite-diff-write' || e === 'aof-rename') give('writeLoadInfo', 'dataWriteback', 'ssd', 'localDisk');
    if (e === 'expire-cycle') give('hz', 'largeObjects');
    if (e === 'eviction-del') give('largeObjects');
    if (e === 'eviction-cycle') give('massEviction');
    report += '\n';
  }
  if (anonHugePages() > 0) give('disableThp');
  if (eventnum === 0 && advices === 0) {
    return (
      report +
      'Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n'
    );
  }
  if (eventnum > 0 && advices === 0) {
    return report + "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n";
  }
  report += '\nI have a few advices for you:\n\n';
  if (adv.has('betterVm')) report += ADVICE.betterVm;
  if (adv.has('slowlogEnabled')) {
    report += `- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than ${m.threshold * 1000}'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n`;
  }
  if (adv.has('slowlogTuning')) {
    report += `- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than ${m.threshold * 1000}'.\n`;
  }
  if (adv.has('slowlogInspect')) report += ADVICE.slowlogInspect;
  if (adv.has('scheduler')) report += ADVICE.scheduler;
  if (adv.has('localDisk')) report += ADVICE.localDisk;
  if (adv.has('ssd')) report += ADVICE.ssd;
  if (adv.has('dataWriteback')) report += ADVICE.dataWriteback;
  if (adv.has('diskContention')) report += ADVICE.diskContention;
  if (adv.has('noAppendfsync')) report += ADVICE.noAppendfsync;
  if (adv.has('relaxFsync') && s.config.get('appendfsync') === 'always') report += ADVICE.relaxFsync;
  if (adv.has('writeLoadInfo')) report += ADVICE.writeLoadInfo;
  if (adv.has('hz') && s.hz < 100) report += ADVICE.hz;
  if (adv.has('largeObjects')) report += ADVICE.largeObjects;
  if (adv.has('massEviction')) report += ADVICE.massEviction;
  if (adv.has('disableThp')) report += ADVICE.disableThp;
  return report;
}

// ------------------------------------------------------------------ latency histograms

/** "%f" of a percentile with trailing zeros (and a bare dot) removed: Redis's trimDoubleString. */
export function percentileName(p: number): string {
  let s = p.toFixed(6);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s;
}

/** Registers INFO latencystats on s.info. */
export function registerLatencyInfo(s: ServerContext): void {
  s.info.register('latencystats', () => latencystatsFields(s));
}

/** INFO latencystats' lines: latency_percentiles_usec_<cmd>:p50=…,p99=… for every command with a histogram. */
function latencystatsFields(s: ServerContext): [string, string][] {
  if (!s.latencyTracking) return [];
  const out: [string, string][] = [];
  const percentiles = s.latencyPercentiles;
  for (const spec of s.table.all()) {
    const h = spec.stats.hist;
    if (h === null) continue;
    const parts = percentiles.map((p) => `p${percentileName(p)}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`);
    out.push([`latency_percentiles_usec_${spec.fullName}`, parts.join(',')]);
  }
  return out;
}

/** Redis's fillCommandCDF: {calls, histogram_usec: {bucket: cumulative count}}. */
function addCommandCdf(c: Client, h: HdrHistogram): void {
  c.addMapLen(2);
  c.addBulk('calls');
  c.addInt(h.totalCount);
  c.addBulk('histogram_usec');
  const buckets = h.logBuckets(1024, 2);
  c.addMapLen(buckets.length);
  for (const [ns, count] of buckets) {
    c.addInt(Math.floor(ns / 1000));
    c.addInt(count);
  }
}

function addHistogramOf(c: Client, spec: CommandSpec): number {
  const h = spec.stats.hist;
  if (h === null) return 0;
  c.addBulk(spec.fullName);
  addCommandCdf(c, h);
  return 1;
}

// ------------------------------------------------------------------ LATENCY

function latencyHistogramCommand(c: Client, argv: string[], s: ServerContext): void {
  const mark = c.deferLen();
  let n = 0;
  if (argv.length === 2) {
    for (const spec of s.table.all()) n += addHistogramOf(c, spec);
  } else {
    for (let j = 2; j < argv.length; j++) {
      const spec = s.table.lookupFullName(argv[j]);
      if (spec === undefined) continue;
      n += addHistogramOf(c, spec);
      if (spec.subcommands !== null) for (const sub of spec.subcommands.values()) n += addHistogramOf(c, sub);
    }
  }
  c.finishDeferredMap(mark, n);
}

function latencyHistoryCommand(c: Client, argv: string[], s: ServerContext): void {
  const m = s.latency;
  const ts = m.events.get(argv[2]);
  if (ts === undefined) {
    c.addArrayLen(0);
    return;
  }
  const samples = m.samplesOf(ts);
  c.addArrayLen(samples.length);
  for (const x of samples) {
    c.addArrayLen(2);
    c.addInt(x.time);
    c.addInt(x.latency);
  }
}

function latencyLatestCommand(c: Client, _argv: string[], s: ServerContext): void {
  const m = s.latency;
  c.addArrayLen(m.events.size);
  for (const [event, ts] of m.events) {
    const last = ts.samples[(ts.idx + LATENCY_TS_LEN - 1) % LATENCY_TS_LEN];
    c.addArrayLen(4);
    c.addBulk(event);
    c.addInt(last.time);
    c.addInt(last.latency);
    c.addInt(ts.max);
  }
}

function latencyGraphCommand(c: Client, argv: string[], s: ServerContext): void {
  const m = s.latency;
  const graph = latencyGraph(m, argv[2]);
  if (graph === null) throw Err.raw(`ERR No samples available for event '${argv[2]}'`);
  c.addVerbatim(graph);
}

function latencyDoctorCommand(c: Client, _argv: string[], s: ServerContext): void {
  c.addVerbatim(latencyReport(s));
}

function latencyResetCommand(c: Client, argv: string[], s: ServerContext): void {
  const m = s.latency;
  if (argv.length === 2) {
    c.addInt(m.reset(null));
    return;
  }
  let n = 0;
  for (let j = 2; j < argv.length; j++) n += m.reset(argv[j]);
  c.addInt(n);
}

function latencyHelpCommand(c: Client): void {
  addHelp(c, 'LATENCY', [
    'DOCTOR',
    '    Return a human readable latency analysis report.',
    'GRAPH <event>',
    '    Return an ASCII latency graph for the <event> class.',
    'HISTORY <event>',
    '    Return time-latency samples for the <event> class.',
    'LATEST',
    '    Return the latest latency samples for all events.',
    'RESET [<event> ...]',
    '    Reset latency data of one or more <event> classes.',
    '    (default: reset all data for all event classes)',
    'HISTOGRAM [COMMAND ...]',
    '    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.',
    '    If no commands are specified then all histograms are replied.',
  ]);
}

export const latencyCommands: ServerCommands = [
  {
    name: 'latency',
    sub: [
      { name: 'doctor', handler: latencyDoctorCommand },
      { name: 'graph', handler: latencyGraphCommand },
      { name: 'help', handler: latencyHelpCommand },
      { name: 'histogram', handler: latencyHistogramCommand },
      { name: 'history', handler: latencyHistoryCommand },
      { name: 'latest', handler: latencyLatestCommand },
      { name: 'reset', handler: latencyResetCommand },
    ],
  },
];
