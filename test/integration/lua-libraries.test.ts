/**
 * Real Lua-using libraries, run unchanged: BullMQ (every job state change is
 * an EVALSHA of one of its scripts, which use cmsgpack and cjson), with
 * ioredis and with node-redis; rate-limiter-flexible's RateLimiterRedis with
 * ioredis (defineCommand → EVALSHA, NOSCRIPT → EVAL) and with node-redis
 * (EVAL); redlock 5 (EVALSHA with an EVAL fallback) with ioredis.
 *
 * The same scenarios run against a real redis-server (the oracle: proof that
 * each test asserts what Redis does; skipped loudly without redis-server) and
 * against gKV in-process. Timings are asserted only as bounds.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Redis as IORedis } from 'ioredis';
import { createClient } from 'redis';
import { Queue, Worker, QueueEvents, FlowProducer, createNodeRedisClient, type Job } from 'bullmq';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
// redlock 5's package.json "exports" give no types (its d.ts sits at dist/index.d.ts, which NodeNext
// resolution cannot reach through "exports"): the module is typed from that file by path.
// @ts-expect-error TS7016, see above
import * as redlockModule from 'redlock';
import type * as RedlockTypes from '../../node_modules/redlock/dist/index.js';
import { oracleSkip, startGkv, startRedis, waitFor } from '../harness/servers.js';

interface Target {
  name: 'redis' | 'gkv';
  skip: string | false;
  start(): Promise<{ port: number; stop(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'redis',
    skip: oracleSkip(),
    async start() {
      const r = await startRedis();
      return { port: r.port, stop: () => r.stop() };
    },
  },
  {
    name: 'gkv',
    skip: false,
    async start() {
      const s = await startGkv();
      return { port: s.port, stop: () => s.close() };
    },
  },
];

const { default: Redlock, ExecutionError } = redlockModule as typeof RedlockTypes;

/** BullMQ's own Lua scripts (includes inlined), as it sends them: its package does not export them, so by file. */
const require = createRequire(import.meta.url);
const bullmqScripts = Object.values(require(join(dirname(require.resolve('bullmq')), 'scripts/index.js')) as Record<string, { name: string; content: string }>);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const target of targets) {
  describe(`Lua-using libraries on ${target.name}`, { skip: target.skip }, () => {
    let port = 0;
    let stop: () => Promise<void> = async () => {};
    const made: { quit(): Promise<unknown> }[] = [];
    before(async () => {
      ({ port, stop } = await target.start());
    });
    after(async () => {
      await Promise.all(made.map((c) => c.quit().catch(() => {})));
      await stop();
    });

    /** A BullMQ-ready ioredis connection (workers need maxRetriesPerRequest: null). */
    const ioredis = (): IORedis => {
      const c = new IORedis({ port, host: '127.0.0.1', maxRetriesPerRequest: null });
      c.on('error', () => {});
      made.push(c);
      return c;
    };
    const nodeRedis = async (RESP: 2 | 3 = 2) => {
      const c = createClient({ socket: { port, host: '127.0.0.1' }, RESP });
      c.on('error', () => {});
      await c.connect();
      made.push(c);
      return c;
    };

    test(`BullMQ's ${bullmqScripts.length} Lua scripts all compile: SCRIPT LOAD answers each one's SHA1`, async () => {
      assert.ok(bullmqScripts.length >= 60, `found ${bullmqScripts.length} scripts`);
      const c = await nodeRedis();
      const failed: string[] = [];
      for (const { name, content } of bullmqScripts) {
        const sha = createHash('sha1').update(content).digest('hex');
        const got = await c.scriptLoad(content).catch((e: Error) => `error: ${e.message}`);
        if (got !== sha) failed.push(`${name}: ${got}`);
      }
      assert.deepEqual(failed, []);
    });

    test('BullMQ: prioritised jobs run in priority order, then results, counts and removeOnComplete', async () => {
      const connection = ioredis();
      const queue = new Queue('prio', { connection });
      try {
        // added while no worker runs: a job without priority first, then by priority (1 is highest), FIFO within one
        await queue.add('p5', { n: 1 }, { priority: 5 });
        await queue.add('p1a', { n: 2 }, { priority: 1 });
        await queue.add('none', { n: 3 });
        await queue.add('p3', { n: 4 }, { priority: 3 });
        await queue.add('p1b', { n: 5 }, { priority: 1 });
        await queue.add('gone', { n: 6 }, { priority: 9, removeOnComplete: true });
        const counts = await queue.getJobCounts('wait', 'prioritized', 'active', 'completed');
        assert.deepEqual(counts, { wait: 1, prioritized: 5, active: 0, completed: 0 });
        const order: string[] = [];
        const worker = new Worker(
          'prio',
          async (job: Job) => {
            order.push(job.name);
            return { doubled: job.data.n * 2 };
          },
          { connection: ioredis(), concurrency: 1 },
        );
        try {
          await waitFor(async () => order.length === 6 && (await queue.getCompletedCount()) === 5, 'six jobs processed');
        } finally {
          await worker.close();
        }
        assert.deepEqual(order, ['none', 'p1a', 'p1b', 'p3', 'p5', 'gone']);
        const done = await queue.getCompleted();
        assert.equal(done.length, 5);
        const byName = new Map(done.map((j) => [j.name, j]));
        assert.deepEqual(byName.get('p3')?.returnvalue, { doubled: 8 });
        assert.equal(byName.get('p3')?.attemptsMade, 1);
        assert.ok(!byName.has('gone'), 'removeOnComplete removed the job');
        const gone = (await queue.getJobs(['completed', 'wait', 'prioritized'])).find((j) => j.name === 'gone');
        assert.equal(gone, undefined);
        assert.deepEqual(await queue.getJobCounts('wait', 'prioritized', 'active', 'completed', 'failed'), { wait: 0, prioritized: 0, active: 0, completed: 5, failed: 0 });
      } finally {
        await queue.obliterate({ force: true });
        await queue.close();
      }
    });

    test('BullMQ: a worker with concurrency 4 runs jobs in parallel; QueueEvents reports each completion with its result', async () => {
      const queue = new Queue('conc', { connection: ioredis() });
      const events = new QueueEvents('conc', { connection: ioredis() });
      await events.waitUntilReady();
      const completed = new Map<string, unknown>();
      events.on('completed', ({ jobId, returnvalue }) => completed.set(jobId, returnvalue));
      let running = 0;
      let maxRunning = 0;
      const worker = new Worker(
        'conc',
        async (job: Job) => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await sleep(40);
          running--;
          return `r${job.data.i}`;
        },
        { connection: ioredis(), concurrency: 4 },
      );
      try {
        const jobs = await queue.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'j', data: { i } })));
        await waitFor(() => completed.size === 20, 'twenty completed events');
        assert.ok(maxRunning > 1 && maxRunning <= 4, `at most 4 and more than 1 at once, saw ${maxRunning}`);
        for (const j of jobs) assert.equal(completed.get(j.id as string), `r${j.data.i}`);
        // waitUntilFinished resolves with the job's return value
        const one = await queue.add('j', { i: 99 });
        assert.equal(await one.waitUntilFinished(events, 30_000), 'r99');
        assert.equal(await queue.getCompletedCount(), 21);
      } finally {
        await worker.close();
        await events.close();
        await queue.obliterate({ force: true });
        await queue.close();
      }
    });

    test('BullMQ: a delayed job waits at least its delay, then runs', async () => {
      const queue = new Queue('delay', { connection: ioredis() });
      let ranAt = 0;
      const worker = new Worker(
        'delay',
        async () => {
          ranAt = Date.now();
          return 'late';
        },
        { connection: ioredis() },
      );
      try {
        const added = Date.now();
        const job = await queue.add('d', {}, { delay: 400 });
        assert.equal(await job.getState(), 'delayed');
        assert.equal(await queue.getDelayedCount(), 1);
        await waitFor(() => ranAt > 0, 'the delayed job ran');
        assert.ok(ranAt - added >= 400, `ran after ${ranAt - added} ms`);
        await waitFor(async () => (await queue.getCompletedCount()) === 1, 'completed');
        assert.equal((await queue.getJob(job.id as string))?.returnvalue, 'late');
      } finally {
        await worker.close();
        await queue.obliterate({ force: true });
        await queue.close();
      }
    });

    test('BullMQ: retries with fixed and exponential backoff, and a job failing for good reaches QueueEvents failed', async () => {
      const queue = new Queue('retry', { connection: ioredis() });
      const events = new QueueEvents('retry', { connection: ioredis() });
      await events.waitUntilReady();
      const failedEvents: { jobId: string; failedReason: string }[] = [];
      events.on('failed', (e) => failedEvents.push(e));
      const tries = new Map<string, number[]>();
      const worker = new Worker(
        'retry',
        async (job: Job) => {
          const t = tries.get(job.name) ?? [];
          t.push(Date.now());
          tries.set(job.name, t);
          if (job.name === 'doomed' || t.length < 3) throw new Error(`boom ${job.name} #${t.length}`);
          return `ok after ${t.length}`;
        },
        { connection: ioredis(), concurrency: 2 },
      );
      try {
        const fixed = await queue.add('fixed', {}, { attempts: 3, backoff: { type: 'fixed', delay: 150 } });
        const expo = await queue.add('expo', {}, { attempts: 4, backoff: { type: 'exponential', delay: 100 } });
        const doomed = await queue.add('doomed', {}, { attempts: 2, backoff: 50 });
        await waitFor(async () => (await queue.getCompletedCount()) === 2 && (await queue.getFailedCount()) === 1, 'two completed, one failed');
        const f = await queue.getJob(fixed.id as string);
        assert.equal(f?.returnvalue, 'ok after 3');
        assert.equal(f?.attemptsMade, 3);
        const ft = tries.get('fixed') ?? [];
        assert.ok(ft[1] - ft[0] >= 150 && ft[2] - ft[1] >= 150, `fixed backoff gaps ${ft[1] - ft[0]}, ${ft[2] - ft[1]}`);
        const et = tries.get('expo') ?? [];
        assert.equal(et.length, 3);
        // exponential: 2^(attempt-1) * delay → 100 ms, then 200 ms
        assert.ok(et[1] - et[0] >= 100 && et[2] - et[1] >= 200, `exponential backoff gaps ${et[1] - et[0]}, ${et[2] - et[1]}`);
        assert.equal((await queue.getJob(expo.id as string))?.returnvalue, 'ok after 3');
        const d = await queue.getJob(doomed.id as string);
        assert.equal(await d?.getState(), 'failed');
        assert.equal(d?.attemptsMade, 2);
        assert.equal(d?.failedReason, 'boom doomed #2');
        assert.equal(tries.get('doomed')?.length, 2);
        await waitFor(() => failedEvents.some((e) => e.jobId === doomed.id), 'the failed event');
        assert.deepEqual(
          failedEvents.filter((e) => e.jobId === doomed.id).map((e) => e.failedReason),
          ['boom doomed #2'],
        );
      } finally {
        await worker.close();
        await events.close();
        await queue.obliterate({ force: true });
        await queue.close();
      }
    });

    test('BullMQ: a FlowProducer parent runs after its children and reads their results', async () => {
      const flow = new FlowProducer({ connection: ioredis() });
      const seen: string[] = [];
      const childWorker = new Worker('flow-child', async (job: Job) => (seen.push(job.name), job.data.v * 10), { connection: ioredis(), concurrency: 2 });
      let parentGot: Record<string, number> | undefined;
      const parentWorker = new Worker(
        'flow-parent',
        async (job: Job) => {
          seen.push(job.name);
          parentGot = await job.getChildrenValues();
          return Object.values(parentGot).reduce((a, b) => a + b, 0);
        },
        { connection: ioredis() },
      );
      const parentQueue = new Queue('flow-parent', { connection: ioredis() });
      const childQueue = new Queue('flow-child', { connection: ioredis() });
      try {
        const tree = await flow.add({
          name: 'parent',
          queueName: 'flow-parent',
          children: [
            { name: 'c1', queueName: 'flow-child', data: { v: 1 } },
            { name: 'c2', queueName: 'flow-child', data: { v: 2 } },
          ],
        });
        await waitFor(async () => (await parentQueue.getCompletedCount()) === 1, 'the parent completed');
        assert.equal(seen[seen.length - 1], 'parent');
        assert.deepEqual(seen.slice(0, 2).sort(), ['c1', 'c2']);
        assert.deepEqual(Object.values(parentGot ?? {}).sort(), [10, 20]);
        assert.equal((await parentQueue.getJob(tree.job.id as string))?.returnvalue, 30);
      } finally {
        await childWorker.close();
        await parentWorker.close();
        await flow.close();
        await parentQueue.obliterate({ force: true });
        await childQueue.obliterate({ force: true });
        await parentQueue.close();
        await childQueue.close();
      }
    });

    test('BullMQ: progress and its event, logs, updateData, deduplication, pause and resume', async () => {
      const queue = new Queue('misc', { connection: ioredis() });
      const events = new QueueEvents('misc', { connection: ioredis() });
      await events.waitUntilReady();
      const progress: unknown[] = [];
      events.on('progress', ({ data }) => progress.push(data));
      try {
        // deduplication: a second add with the same id while the first is pending is the same job
        const first = await queue.add('dedup', { v: 'héllo ✓' }, { deduplication: { id: 'same' } });
        const second = await queue.add('dedup', { v: 'other' }, { deduplication: { id: 'same' } });
        assert.equal(second.id, first.id);
        assert.equal(await queue.getWaitingCount(), 1);
        await queue.pause();
        assert.equal(await queue.isPaused(), true);
        const paused = await queue.add('while-paused', { v: 'p' });
        let processed = 0;
        const worker = new Worker(
          'misc',
          async (job: Job) => {
            processed++;
            await job.updateProgress(50);
            await job.log(`half of ${job.name}`);
            await job.updateData({ ...job.data, touched: true });
            await job.updateProgress({ done: 1 });
            return job.data.v;
          },
          { connection: ioredis() },
        );
        try {
          await sleep(300);
          assert.equal(processed, 0, 'a paused queue hands out no job');
          assert.equal(await paused.getState(), 'waiting');
          await queue.resume();
          assert.equal(await queue.isPaused(), false);
          await waitFor(async () => (await queue.getCompletedCount()) === 2, 'both jobs completed');
        } finally {
          await worker.close();
        }
        const done = await queue.getJob(first.id as string);
        assert.equal(done?.returnvalue, 'héllo ✓');
        assert.deepEqual(done?.data, { v: 'héllo ✓', touched: true });
        assert.deepEqual(done?.progress, { done: 1 });
        assert.deepEqual((await queue.getJobLogs(first.id as string)).logs, ['half of dedup']);
        await waitFor(() => progress.length === 4, 'four progress events');
        assert.deepEqual(progress.filter((p) => p === 50).length, 2);
        // once the job is done, the same deduplication id makes a new job
        const third = await queue.add('dedup', { v: 'again' }, { deduplication: { id: 'same' } });
        assert.notEqual(third.id, first.id);
      } finally {
        await events.close();
        await queue.obliterate({ force: true });
        await queue.close();
      }
    });

    test('BullMQ: a job scheduler repeats every 200 ms; a worker rate limit of 2 jobs per 500 ms spaces jobs out', async () => {
      const queue = new Queue('sched', { connection: ioredis() });
      const ticks: number[] = [];
      const worker = new Worker('sched', async (job: Job) => (job.name === 'tick' ? ticks.push(Date.now()) : 0), { connection: ioredis() });
      try {
        await queue.upsertJobScheduler('ticker', { every: 200 }, { name: 'tick', data: { n: 1 } });
        assert.equal((await queue.getJobSchedulers()).length, 1);
        await waitFor(() => ticks.length >= 3, 'three ticks');
        assert.equal(await queue.removeJobScheduler('ticker'), true);
        assert.equal((await queue.getJobSchedulers()).length, 0);
        assert.ok(ticks[2] - ticks[0] >= 200, `three ticks within ${ticks[2] - ticks[0]} ms`);
        const after = ticks.length;
        await sleep(500);
        assert.ok(ticks.length <= after + 1, 'the scheduler stopped');
      } finally {
        await worker.close();
        await queue.obliterate({ force: true });
        await queue.close();
      }
      const limited = new Queue('limited', { connection: ioredis() });
      const starts: number[] = [];
      const lw = new Worker(
        'limited',
        async (job: Job) => {
          // processedOn: moveToActive's own timestamp (a processor may start later, e.g. after a first compile)
          starts.push(job.processedOn ?? 0);
        },
        { connection: ioredis(), concurrency: 4, limiter: { max: 2, duration: 500 } },
      );
      try {
        await limited.addBulk(Array.from({ length: 6 }, (_, i) => ({ name: 'l', data: { i } })));
        await waitFor(async () => (await limited.getCompletedCount()) === 6, 'six rate-limited jobs');
        starts.sort((a, b) => a - b);
        // three windows of two jobs: the fifth starts a full 2 windows after the first
        assert.ok(starts[4] - starts[0] >= 900, `jobs 1 and 5 started ${starts[4] - starts[0]} ms apart`);
        assert.ok(starts[2] - starts[0] >= 400, `jobs 1 and 3 started ${starts[2] - starts[0]} ms apart`);
      } finally {
        await lw.close();
        await limited.obliterate({ force: true });
        await limited.close();
      }
    });

    for (const RESP of [2, 3] as const) {
      test(`BullMQ with node-redis (RESP${RESP}): add, process with concurrency 2, results`, async () => {
        const queue = new Queue(`nr${RESP}`, { connection: createNodeRedisClient(await nodeRedis(RESP)) });
        const worker = new Worker(`nr${RESP}`, async (job: Job) => `${job.name}:${job.data.x + 1}`, {
          connection: createNodeRedisClient(await nodeRedis(RESP)),
          concurrency: 2,
        });
        try {
          const jobs = await queue.addBulk(Array.from({ length: 10 }, (_, x) => ({ name: `n${x}`, data: { x } })));
          await waitFor(async () => (await queue.getCompletedCount()) === 10, 'ten completed');
          for (const j of jobs) assert.equal((await queue.getJob(j.id as string))?.returnvalue, `${j.name}:${j.data.x + 1}`);
        } finally {
          await worker.close();
          await queue.obliterate({ force: true });
          await queue.close();
        }
      });
    }

    test('after SCRIPT FLUSH the libraries recover through NOSCRIPT: BullMQ over ioredis and node-redis, rate-limiter-flexible, redlock', async () => {
      const admin = await nodeRedis();
      const io = ioredis();
      const queues = [new Queue('flush-io', { connection: io }), new Queue('flush-nr', { connection: createNodeRedisClient(await nodeRedis()) })];
      const limiter = new RateLimiterRedis({ storeClient: io, keyPrefix: 'rl-flush', points: 10, duration: 10 });
      const redlock = new Redlock([io], { retryCount: 0 });
      try {
        const round = async (n: number) => {
          for (const q of queues) assert.equal((await q.add('x', { n })).data.n, n);
          assert.equal((await limiter.consume('k')).consumedPoints, n);
          await (await redlock.acquire([`flush:lock`], 1000)).release();
        };
        await round(1);
        const addSha = createHash('sha1')
          .update(bullmqScripts.find((x) => x.name === 'addStandardJob')?.content ?? '')
          .digest('hex');
        assert.deepEqual(await admin.sendCommand(['SCRIPT', 'EXISTS', addSha]), [1]);
        assert.equal(await admin.scriptFlush(), 'OK');
        await assert.rejects(admin.evalSha(createHash('sha1').update('return 1').digest('hex')), { message: 'NOSCRIPT No matching script. Please use EVAL.' });
        assert.deepEqual(await admin.sendCommand(['SCRIPT', 'EXISTS', addSha]), [0]);
        await round(2);
        // the scripts were sent again: ioredis and BullMQ's node-redis client fell back to EVAL
        assert.deepEqual(await admin.sendCommand(['SCRIPT', 'EXISTS', addSha]), [1]);
        for (const q of queues) assert.equal(await q.getWaitingCount(), 2);
      } finally {
        for (const q of queues) {
          await q.obliterate({ force: true });
          await q.close();
        }
      }
    });

    for (const lib of ['ioredis', 'node-redis', 'node-redis RESP3'] as const) {
      test(`rate-limiter-flexible with ${lib}: consume until blocked, blockDuration, reward, penalty, get, delete`, async () => {
        const storeClient = lib === 'ioredis' ? ioredis() : await nodeRedis(lib === 'node-redis' ? 2 : 3);
        const limiter = new RateLimiterRedis({
          storeClient,
          useRedisPackage: lib !== 'ioredis',
          keyPrefix: `rl-${lib}`,
          points: 5,
          duration: 10,
          blockDuration: 3,
        });
        for (let i = 1; i <= 5; i++) {
          const r = await limiter.consume('user');
          assert.equal(r.consumedPoints, i);
          assert.equal(r.remainingPoints, 5 - i);
          assert.ok(r.msBeforeNext > 9000 && r.msBeforeNext <= 10_000, `msBeforeNext ${r.msBeforeNext}`);
        }
        // the sixth is refused and blocks the key for blockDuration (3 s) instead of the window's rest
        const refused = await limiter.consume('user').then(
          () => assert.fail('the sixth consume passed'),
          (e: unknown) => e,
        );
        assert.ok(refused instanceof RateLimiterRes);
        assert.equal(refused.remainingPoints, 0);
        assert.equal(refused.consumedPoints, 6);
        assert.ok(refused.msBeforeNext > 2000 && refused.msBeforeNext <= 3000, `blocked for ${refused.msBeforeNext} ms`);
        const blocked = await limiter.get('user');
        assert.ok(blocked && blocked.msBeforeNext <= 3000 && blocked.msBeforeNext > 2000, `get while blocked: ${blocked?.msBeforeNext}`);
        await assert.rejects(limiter.consume('user'));
        // another key is untouched
        assert.equal((await limiter.consume('other', 2)).remainingPoints, 3);
        // penalty and reward move the counter without consuming
        assert.equal((await limiter.penalty('other', 2)).consumedPoints, 4);
        assert.equal((await limiter.reward('other', 3)).consumedPoints, 1);
        const g = await limiter.get('other');
        assert.equal(g?.consumedPoints, 1);
        assert.equal(g?.remainingPoints, 4);
        assert.ok((g?.msBeforeNext ?? 0) > 5000, `other's window ${g?.msBeforeNext}`);
        assert.equal(await limiter.get('nobody'), null);
        // delete lifts the block at once
        assert.equal(await limiter.delete('user'), true);
        assert.equal(await limiter.delete('user'), false);
        assert.equal((await limiter.consume('user')).consumedPoints, 1);
        // a short window: after it passes, points are back (ttl set by the script's SET … EX NX)
        const quick = new RateLimiterRedis({ storeClient, useRedisPackage: lib !== 'ioredis', keyPrefix: `rlq-${lib}`, points: 2, duration: 1 });
        await quick.consume('k', 2);
        await assert.rejects(quick.consume('k'));
        await sleep(1100);
        assert.equal((await quick.consume('k')).consumedPoints, 1);
      });
    }

    test('redlock with ioredis: acquire, contention between two holders, extend, release', async () => {
      const a = new Redlock([ioredis()], { retryCount: 0 });
      const b = new Redlock([ioredis()], { retryCount: 3, retryDelay: 50, retryJitter: 0 });
      const check = ioredis();
      const lock = await a.acquire(['lock:res'], 2000);
      assert.equal(await check.get('lock:res'), lock.value);
      const pttl = await check.pttl('lock:res');
      assert.ok(pttl > 1000 && pttl <= 2000, `pttl ${pttl}`);
      // b cannot take it while a holds it
      const err = await b.acquire(['lock:res'], 2000).then(
        () => assert.fail('b acquired a held lock'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ExecutionError, String(err));
      assert.equal(err.attempts.length, 4);
      // extend: a new expiry, same value
      const longer = await lock.extend(5000);
      assert.equal(longer.value, lock.value);
      assert.ok((await check.pttl('lock:res')) > 4000);
      // release by a: the key is gone, and b gets the lock
      await longer.release();
      assert.equal(await check.exists('lock:res'), 0);
      const lockB = await b.acquire(['lock:res'], 1000);
      assert.notEqual(lockB.value, lock.value);
      // a stale release by a (its value no longer matches) fails and leaves b's lock alone
      await assert.rejects(longer.release(), ExecutionError);
      assert.equal(await check.get('lock:res'), lockB.value);
      // a multi-resource lock is all or nothing: one of its keys held → refused, nothing set
      await assert.rejects(a.acquire(['lock:x', 'lock:res'], 1000), ExecutionError);
      assert.equal(await check.exists('lock:x'), 0);
      await lockB.release();
      // using(): the routine runs under the lock, which is released afterwards
      const inside = await a.using(['lock:u1', 'lock:u2'], 1000, async (signal) => {
        assert.equal(signal.aborted, false);
        return check.mget('lock:u1', 'lock:u2');
      });
      assert.ok(inside[0] && inside[0] === inside[1]);
      assert.equal(await check.exists('lock:u1', 'lock:u2'), 0);
      await a.quit();
      await b.quit();
    });
  });
}
