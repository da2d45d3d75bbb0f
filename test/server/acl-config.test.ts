/**
 * ACL users from the configuration, side by side with redis-server: `user`
 * lines in the config file (and CONFIG REWRITE writing them back), an
 * `aclfile` (ACL SAVE, ACL LOAD, a broken file refused whole, the clients
 * of the replaced users disconnected), and the startup refusals (a user
 * declared twice, users in both places) with Redis's texts.
 *
 * Redis describes single commands in a random order (its command dict's),
 * so user lines are compared as sorted words.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RespClient } from '../harness/resp.js';
import { connectWhenListening, freePort, oracleSkip } from '../harness/servers.js';
import { gkvServerBin, runProgram, startProgram, type Program } from '../harness/programs.js';

const skip = oracleSkip();
const PROGRAMS = ['redis-server', gkvServerBin] as const;

/** a user line as sorted words, selectors (in parentheses) each sorted on their own */
function lineWords(line: string): string {
  const sort = (s: string) => s.split(' ').filter(Boolean).sort().join(' ');
  const groups = [...line.matchAll(/\(([^)]*)\)/g)].map((m) => `(${sort(m[1])})`);
  return [sort(line.replace(/ ?\([^)]*\)/g, '')), ...groups].join(' ');
}

/** every program started: killed after the last test, also when one timed out before its stop() */
const started: Program[] = [];
after(() => {
  for (const p of started) if (p.proc.exitCode === null) p.proc.kill('SIGKILL');
});

/**
 * A server started in its own directory with a config file; stopped by
 * stop(). The port comes from freePort(), which another test may take
 * first: the server answering must be ours (INFO's process_id), else the
 * test fails here instead of talking to someone else's server.
 */
async function start(program: string, conf: string, extra: string[] = []): Promise<{ p: Program; c: RespClient; dir: string; port: number; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-acl-'));
  writeFileSync(join(dir, 'server.conf'), conf);
  const port = await freePort();
  const p = startProgram(program, [join(dir, 'server.conf'), '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', ...extra], { cwd: dir });
  started.push(p);
  const c = await connectWhenListening(port);
  const info = String(await c.cmd('INFO', 'server'));
  assert.equal(/process_id:(\d+)/.exec(info)?.[1], String(p.proc.pid), `port ${port} is another server's`);
  return {
    p,
    c,
    dir,
    port,
    async stop() {
      c.close();
      p.proc.kill('SIGKILL');
      await p.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

test('user lines of the config file: the users, their NOPERM, and CONFIG REWRITE writing them back as Redis', { skip, timeout: 120_000 }, async () => {
  const conf = 'user default on nopass ~* &* +@all -flushdb\nuser alice on >pw ~a* +get +set (%R~r* +mget)\n';
  const out: { list: string[]; flushdb: string; rewritten: string[]; alice: string }[] = [];
  for (const program of PROGRAMS) {
    const s = await start(program, conf);
    try {
      const list = ((await s.c.cmd('ACL', 'LIST')) as string[]).map(String).map(lineWords);
      const flushdb = (await s.c.call('FLUSHDB')).raw;
      await s.c.cmd('ACL', 'SETUSER', 'bob', 'on', 'nopass', '+@read', '-@dangerous');
      assert.equal(await s.c.cmd('CONFIG', 'REWRITE'), 'OK');
      const rewritten = readFileSync(join(s.dir, 'server.conf'), 'latin1')
        .split('\n')
        .filter((l) => l.startsWith('user '))
        .map(lineWords);
      const a = await RespClient.connect(s.port);
      await a.cmd('AUTH', 'alice', 'pw');
      const alice = [(await a.call('GET', 'a1')).raw, (await a.call('GET', 'b1')).raw, (await a.call('MGET', 'r1')).raw, (await a.call('MGET', 'a1')).raw].join('');
      a.close();
      out.push({ list, flushdb, rewritten, alice });
    } finally {
      await s.stop();
    }
  }
  const [r, g] = out;
  assert.deepEqual(g, r);
  assert.match(g.flushdb, /^-NOPERM this user has no permissions to run the 'flushdb' command/);
  assert.equal(g.rewritten.length, 3, g.rewritten.join('\n'));
});

test('an aclfile: loaded at startup, ACL SAVE writes it, ACL LOAD refuses a broken one whole and disconnects replaced users’ clients', { skip, timeout: 120_000 }, async () => {
  const acl = 'user alice on allcommands allkeys &* >alice\nuser bob on -@all +@set +acl ~set* &* >bob\nuser default on nopass ~* &* +@all\n';
  const seen: string[][] = [];
  for (const program of PROGRAMS) {
    const dir = mkdtempSync(join(tmpdir(), 'gkv-aclfile-'));
    writeFileSync(join(dir, 'users.acl'), acl);
    const s = await start(program, `aclfile ${join(dir, 'users.acl')}\nacl-pubsub-default allchannels\n`);
    const rec: string[] = [];
    try {
      rec.push(...((await s.c.cmd('ACL', 'LIST')) as string[]).map(String).map(lineWords));
      const bob = await RespClient.connect(s.port);
      rec.push((await bob.call('AUTH', 'bob', 'bob')).raw, (await bob.call('SADD', 'set1', 'x')).raw, (await bob.call('GET', 'set1')).raw);
      await s.c.cmd('ACL', 'SETUSER', 'carol', 'on', '>c', '+@hash', '~h*');
      rec.push((await s.c.call('ACL', 'SAVE')).raw);
      rec.push(...readFileSync(join(dir, 'users.acl'), 'latin1').split('\n').filter(Boolean).map(lineWords));
      // a duplicate user: nothing changes
      appendFileSync(join(dir, 'users.acl'), 'user alice on nopass ~* -@all\n');
      rec.push((await s.c.call('ACL', 'LOAD')).raw);
      rec.push((await s.c.call('ACL', 'USERS')).raw);
      rec.push((await bob.call('PING')).raw);
      // a good file replaces every user: bob's connection goes
      writeFileSync(join(dir, 'users.acl'), 'user bob on nopass +@all ~*\n');
      rec.push((await s.c.call('ACL', 'LOAD')).raw);
      rec.push((await s.c.call('ACL', 'USERS')).raw);
      rec.push(...((await s.c.cmd('ACL', 'LIST')) as string[]).map(String).map(lineWords));
      // bob's connection is gone (its user was replaced): no client of bob's is listed any more
      const bobs = String(await s.c.cmd('CLIENT', 'LIST'))
        .split('\n')
        .filter((l) => / user=bob /.test(l)).length;
      rec.push(bobs === 0 ? 'closed' : `${bobs} of bob's clients left`);
      bob.close();
      writeFileSync(join(dir, 'users.acl'), 'user x on +nosuch\nuser y\nnotauser\n');
      rec.push((await s.c.call('ACL', 'LOAD')).raw.replaceAll(dir, '<dir>'));
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
    seen.push(rec);
  }
  assert.deepEqual(seen[1], seen[0]);
  assert.ok(seen[1].includes('closed'), seen[1].join('\n'));
});

test('startup refusals: a user declared twice, users in the config and an aclfile, a broken aclfile', { skip, timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-aclstart-'));
  try {
    writeFileSync(join(dir, 'bad.acl'), 'user alice on +nosuch\n');
    for (const args of [
      ['--user', 'foo', '--user', 'foo'],
      ['--user', 'default', '--user', 'default'],
      ['--user', 'foo', '~*', '~x'],
    ]) {
      const [r, g] = await Promise.all(PROGRAMS.map((p) => runProgram(p, ['--port', '0', ...args], { cwd: dir })));
      assert.equal(g.code, r.code, args.join(' '));
      assert.equal(g.stderr + g.stdout, r.stderr + r.stdout, args.join(' '));
    }
    for (const args of [
      ['--user', 'foo', '+nosuch'],
      ['--user', 'foo', '--aclfile', join(dir, 'bad.acl')],
      ['--aclfile', join(dir, 'bad.acl')],
      ['--aclfile', join(dir, 'missing.acl')],
    ]) {
      const [r, g] = await Promise.all(PROGRAMS.map(async (p) => runProgram(p, ['--port', String(await freePort()), '--bind', '127.0.0.1', ...args], { cwd: dir })));
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(g.code, 1, `${args.join(' ')}: ${g.stdout}${g.stderr}`);
      const why = (t: string) => (/(Configuring Redis with users|Aborting Redis startup because of ACL errors: .*|Error loading ACL rule .*)/.exec(t)?.[0] ?? t).replace(/\s+$/, '');
      assert.equal(why(g.stderr + g.stdout), why(r.stderr + r.stdout), args.join(' '));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
