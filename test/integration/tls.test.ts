/**
 * TLS end to end: certificates made by openssl (scripts/gen-test-certs.sh),
 * gKV serving a plain and a TLS port at once, reached by redis-cli --tls,
 * ioredis and node-redis with their TLS options and by node:tls directly;
 * tls-auth-clients yes/no/optional, certificates and settings changed by
 * CONFIG SET (and refused with Redis's reply and log lines when they cannot
 * be applied), tls-protocols, tls-ciphers, tls-prefer-server-ciphers,
 * tls-key-file-pass, tls-ca-cert-dir, session resumption, and startup's
 * failures as gkv-server logs them.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import { constants } from 'node:crypto';
import { mkdtempSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createClient } from 'redis';
import { Redis } from 'ioredis';
import { createServer, type GkvServer } from '../../src/index.js';
import { freePort } from '../harness/servers.js';
import { testCerts, tlsServerOptions } from '../harness/tls-certs.js';
import { gkvServerBin, maskLog, runProgram } from '../harness/programs.js';
import { TlsSessionCache, parseProtocolsConfig } from '../../src/server/tls.js';
import { Logger } from '../../src/server/log.js';

const certs = testCerts();
const logs: string[] = [];
let srv: GkvServer;

async function start(extra: Record<string, string | number> = {}): Promise<GkvServer> {
  const s = await createServer({ port: 0, ...tlsServerOptions(certs, await freePort()), log: (_l, line) => logs.push(line), ...extra });
  return s;
}

after(async () => {
  await srv?.close({ nosave: true });
});

/** A RESP command over node:tls with the given client options: the first reply line, or the error/close that came instead. */
function tlsCommand(port: number, opts: tls.ConnectionOptions, cmd: string[]): Promise<string> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca: certs.read('ca.crt'), servername: 'localhost', checkServerIdentity: () => undefined, ...opts }, () => {
      s.write(`*${cmd.length}\r\n${cmd.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
    let done = false;
    const finish = (v: string) => {
      if (done) return;
      done = true;
      s.destroy();
      resolve(v);
    };
    let buf = '';
    s.on('data', (d) => {
      buf += d.toString('latin1');
      const i = buf.indexOf('\r\n');
      if (i >= 0) finish(buf.slice(0, i));
    });
    s.on('error', (e) => finish(`error: ${e.message}`));
    s.on('close', () => finish('closed'));
  });
}

const clientPair = () => ({ cert: certs.read('client.crt'), key: certs.read('client.key') });

/** A command as a plain RESP client sees it on the plain port. */
async function plain(cmd: string[]): Promise<string> {
  const r = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  await r.connect();
  try {
    return String(await r.call(cmd[0], ...cmd.slice(1)));
  } catch (e) {
    return `ERR: ${(e as Error).message}`;
  } finally {
    r.disconnect();
  }
}

/** Log lines since the mark, waiting a moment for those a handshake's end writes. */
async function logSince(mark: number, re: RegExp): Promise<string[]> {
  for (let i = 0; i < 200 && !logs.slice(mark).some((l) => re.test(l)); i++) await new Promise((r) => setTimeout(r, 10));
  return logs.slice(mark).filter((l) => re.test(l));
}

test('a plain and a TLS port at once: the same dataset, each port speaking its own protocol', async () => {
  srv = await start();
  assert.ok(srv.tlsPort > 0 && srv.tlsPort !== srv.port);
  assert.equal(await plain(['SET', 'k', 'v']), 'OK');
  assert.equal(await tlsCommand(srv.tlsPort, clientPair(), ['GET', 'k']), '$1');
  // a plain client on the TLS port gets nothing and is dropped; the log says why, as Redis's
  const mark = logs.length;
  const r = new Redis({ port: srv.tlsPort, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 5000 });
  r.on('error', () => {});
  await assert.rejects(r.connect().then(() => r.ping()));
  r.disconnect();
  assert.deepEqual(await logSince(mark, /Error accepting/), ['Error accepting a client connection: error:0A00010B:SSL routines::wrong version number']);
  assert.equal(await plain(['CONFIG', 'GET', 'tls-port']), `tls-port,${srv.tlsPort}`);
});

test('redis-cli --tls: PING, SET/GET and CLIENT LIST over TLS; without a client certificate refused', {
  skip: spawnSync('redis-cli', ['--version']).status !== 0 && 'redis-cli not installed',
}, async () => {
  const cli = (args: string[], withCert = true) =>
    runProgram('redis-cli', [
      '-p',
      String(srv.tlsPort),
      '--tls',
      '--cacert',
      certs.path('ca.crt'),
      ...(withCert ? ['--cert', certs.path('client.crt'), '--key', certs.path('client.key')] : []),
      ...args,
    ]);
  assert.equal((await cli(['PING'])).stdout, 'PONG\n');
  assert.equal((await cli(['SET', 'cli', 'over tls'])).stdout, 'OK\n');
  assert.equal((await cli(['GET', 'cli'])).stdout, 'over tls\n');
  const list = (await cli(['CLIENT', 'LIST'])).stdout;
  assert.match(list, new RegExp(`laddr=127\\.0\\.0\\.1:${srv.tlsPort} fd=\\d+ `));
  const mark = logs.length;
  const refused = await cli(['PING'], false);
  assert.notEqual(refused.stdout, 'PONG\n');
  assert.deepEqual(await logSince(mark, /Error accepting/), ['Error accepting a client connection: error:0A0000C7:SSL routines::peer did not return a certificate']);
});

test('ioredis and node-redis connect with their TLS options (RESP2 and RESP3)', async () => {
  const io = new Redis({ port: srv.tlsPort, host: '127.0.0.1', tls: { ca: certs.read('ca.crt'), ...clientPair(), checkServerIdentity: () => undefined } });
  try {
    assert.equal(await io.set('io', '1'), 'OK');
    assert.equal(await io.incr('io'), 2);
    const p = await io.pipeline().set('a', 'x').get('a').exec();
    assert.deepEqual(p, [
      [null, 'OK'],
      [null, 'x'],
    ]);
  } finally {
    io.disconnect();
  }
  for (const RESP of [2, 3] as const) {
    const nr = createClient({ RESP, socket: { host: '127.0.0.1', port: srv.tlsPort, tls: true, ca: certs.read('ca.crt'), ...clientPair(), checkServerIdentity: () => undefined } });
    nr.on('error', () => {});
    await nr.connect();
    try {
      assert.equal(await nr.hSet('h', { f: 'v' }), RESP === 2 ? 1 : 0);
      assert.deepEqual({ ...(await nr.hGetAll('h')) }, { f: 'v' });
      // a big reply crosses many TLS records
      await nr.set('big', 'x'.repeat(1 << 20));
      assert.equal((await nr.get('big'))?.length, 1 << 20);
    } finally {
      await nr.quit();
    }
  }
});

test('tls-auth-clients: yes needs a trusted certificate, optional takes none but not an untrusted one, no asks for none', async () => {
  const none = {};
  const untrusted = { cert: certs.read('untrusted.crt'), key: certs.read('untrusted.key') };
  const ping = (o: tls.ConnectionOptions) => tlsCommand(srv.tlsPort, o, ['PING']);
  assert.equal(await ping(clientPair()), '+PONG');
  assert.notEqual(await ping(none), '+PONG');
  let mark = logs.length;
  assert.notEqual(await ping(untrusted), '+PONG');
  assert.deepEqual(await logSince(mark, /Error accepting/), ['Error accepting a client connection: error:0A000086:SSL routines::certificate verify failed']);
  assert.equal(await plain(['CONFIG', 'SET', 'tls-auth-clients', 'optional']), 'OK');
  assert.equal(await ping(none), '+PONG');
  assert.equal(await ping(clientPair()), '+PONG');
  mark = logs.length;
  assert.notEqual(await ping(untrusted), '+PONG');
  assert.deepEqual(await logSince(mark, /Error accepting/), ['Error accepting a client connection: error:0A000086:SSL routines::certificate verify failed']);
  assert.equal(await plain(['CONFIG', 'SET', 'tls-auth-clients', 'no']), 'OK');
  assert.equal(await ping(none), '+PONG');
  assert.equal(await ping(untrusted), '+PONG');
  assert.equal(await plain(['CONFIG', 'SET', 'tls-auth-clients', 'yes']), 'OK');
  assert.notEqual(await ping(none), '+PONG');
});

/** The subject CN of the certificate the server presents to a new connection. */
function serverCN(): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port: srv.tlsPort, ca: certs.read('ca.crt'), ...clientPair(), checkServerIdentity: () => undefined }, () => {
      const cn = s.getPeerCertificate().subject.CN;
      s.end();
      resolve(String(cn));
    });
    s.on('error', reject);
  });
}

test('CONFIG SET reloads certificates for new connections; one that cannot load is refused with Redis texts, the old context kept', async () => {
  assert.equal(await serverCN(), 'Server-only');
  const kept = tls.connect({ host: '127.0.0.1', port: srv.tlsPort, ca: certs.read('ca.crt'), ...clientPair(), checkServerIdentity: () => undefined });
  await new Promise((r) => kept.once('secureConnect', r));
  // both files at once: applied with both new values
  assert.equal(await plain(['CONFIG', 'SET', 'tls-cert-file', certs.path('redis.crt'), 'tls-key-file', certs.path('redis.key')]), 'OK');
  assert.equal(await serverCN(), 'Generic-cert');
  // a connection made before the change carries on
  kept.write('*1\r\n$4\r\nPING\r\n');
  assert.equal(await new Promise((r) => kept.once('data', (d) => r(d.toString()))), '+PONG\r\n');
  kept.end();
  const cases: [string, string, RegExp][] = [
    ['tls-cert-file', '/nonexistent/x.crt', /^Failed to load certificate: \/nonexistent\/x\.crt: error:80000002:system library::No such file or directory$/],
    ['tls-key-file', certs.path('client.key'), /^Failed to load private key: .*client\.key: error:05800074:x509 certificate routines::key values mismatch$/],
    ['tls-protocols', 'TLSv1.5', /^Invalid tls-protocols specified\. Use a combination of 'TLSv1', 'TLSv1\.1', 'TLSv1\.2' and 'TLSv1\.3'\.$/],
    ['tls-ciphers', 'NO-SUCH-CIPHER', /^Failed to configure ciphers: NO-SUCH-CIPHER$/],
    ['tls-ciphersuites', 'NO_SUCH_SUITE', /^Failed to configure ciphersuites: NO_SUCH_SUITE$/],
    ['tls-ca-cert-file', '/nonexistent/ca.crt', /^Failed to configure CA certificate\(s\) file\/directory: error:80000002:system library::No such file or directory$/],
    ['tls-dh-params-file', '/nonexistent/dh', /^Failed to load \/nonexistent\/dh: No such file or directory$/],
    ['tls-dh-params-file', certs.path('ca.crt'), /ca\.crt: failed to read DH params\.$/],
  ];
  for (const [name, value, line] of cases) {
    const mark = logs.length;
    assert.equal(await plain(['CONFIG', 'SET', name, value]), `ERR: ERR CONFIG SET failed (possibly related to argument '${name}') - Unable to update TLS configuration. Check server logs.`, name);
    const got = logs.slice(mark);
    assert.match(got[0], line, name);
    assert.equal(got[1], `Failed applying new configuration. Possibly related to new ${name} setting. Restoring previous settings.`);
    assert.notEqual(await plain(['CONFIG', 'GET', name]), `${name},${value}`);
  }
  assert.equal(await serverCN(), 'Generic-cert');
  assert.equal(await plain(['CONFIG', 'SET', 'tls-cert-file', certs.path('server.crt'), 'tls-key-file', certs.path('server.key')]), 'OK');
});

test('tls-key-file-pass opens an encrypted key; without it the key is refused', async () => {
  const mark = logs.length;
  assert.match(await plain(['CONFIG', 'SET', 'tls-key-file', certs.path('server.key.enc')]), /Unable to update TLS configuration/);
  assert.match(logs[mark], /^Failed to load private key: .*server\.key\.enc: error:/);
  assert.equal(await plain(['CONFIG', 'SET', 'tls-key-file-pass', certs.encryptedKeyPass, 'tls-key-file', certs.path('server.key.enc')]), 'OK');
  assert.equal(await tlsCommand(srv.tlsPort, clientPair(), ['PING']), '+PONG');
});

test('tls-ca-cert-dir trusts the certificates of a directory in place of tls-ca-cert-file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gkv-ca-'));
  copyFileSync(certs.path('ca.crt'), join(dir, 'ca.pem'));
  assert.equal(await plain(['CONFIG', 'SET', 'tls-ca-cert-file', '', 'tls-ca-cert-dir', dir]), 'OK');
  assert.equal(await tlsCommand(srv.tlsPort, clientPair(), ['PING']), '+PONG');
  const empty = mkdtempSync(join(tmpdir(), 'gkv-ca-'));
  assert.equal(await plain(['CONFIG', 'SET', 'tls-ca-cert-dir', empty]), 'OK');
  assert.notEqual(await tlsCommand(srv.tlsPort, clientPair(), ['PING']), '+PONG');
  const mark = logs.length;
  assert.match(await plain(['CONFIG', 'SET', 'tls-ca-cert-dir', '']), /Unable to update TLS configuration/);
  assert.equal(logs[mark], 'Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!');
  assert.equal(await plain(['CONFIG', 'SET', 'tls-ca-cert-file', certs.path('ca.crt'), 'tls-ca-cert-dir', '']), 'OK');
});

test('tls-protocols, tls-ciphers and tls-prefer-server-ciphers decide the handshake as in Redis', async () => {
  const ping = (o: tls.ConnectionOptions) => tlsCommand(srv.tlsPort, { ...clientPair(), ...o }, ['PING']);
  assert.equal(await plain(['CONFIG', 'SET', 'tls-protocols', 'TLSv1.2']), 'OK');
  assert.notEqual(await ping({ minVersion: 'TLSv1.3' }), '+PONG');
  assert.equal(await ping({ maxVersion: 'TLSv1.2' }), '+PONG');
  assert.equal(await plain(['CONFIG', 'SET', 'tls-ciphers', 'DEFAULT:-AES128-SHA256']), 'OK');
  assert.notEqual(await ping({ ciphers: 'AES128-SHA256' }), '+PONG');
  assert.equal(await ping({ ciphers: 'AES256-SHA256' }), '+PONG');
  const cipherOf = (o: tls.ConnectionOptions) =>
    new Promise<string>((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: srv.tlsPort, ca: certs.read('ca.crt'), ...clientPair(), checkServerIdentity: () => undefined, ...o }, () => {
        resolve(s.getCipher().name);
        s.end();
      });
      s.on('error', reject);
    });
  assert.equal(await plain(['CONFIG', 'SET', 'tls-ciphers', 'AES128-SHA256:AES256-SHA256']), 'OK');
  assert.equal(await cipherOf({ ciphers: 'AES256-SHA256:AES128-SHA256', honorCipherOrder: false }), 'AES256-SHA256');
  assert.equal(await plain(['CONFIG', 'SET', 'tls-prefer-server-ciphers', 'yes']), 'OK');
  assert.equal(await cipherOf({ ciphers: 'AES256-SHA256:AES128-SHA256' }), 'AES128-SHA256');
  // TLS 1.3 back, and its ciphersuites chosen by tls-ciphersuites
  assert.equal(await plain(['CONFIG', 'SET', 'tls-protocols', '', 'tls-ciphers', '', 'tls-prefer-server-ciphers', 'no', 'tls-ciphersuites', 'TLS_CHACHA20_POLY1305_SHA256']), 'OK');
  assert.equal(await cipherOf({}), 'TLS_CHACHA20_POLY1305_SHA256');
  assert.equal(await plain(['CONFIG', 'SET', 'tls-ciphersuites', '']), 'OK');
});

test('tls-session-caching: a TLS 1.2 client without tickets resumes its session by id from the server cache; with caching off it cannot', async () => {
  const connect = (session?: Buffer) =>
    new Promise<{ reused: boolean; session: Buffer | undefined }>((resolve, reject) => {
      // no session tickets (SSL_OP_NO_TICKET): resumption can only come from the server's session cache
      const opts = {
        host: '127.0.0.1',
        port: srv.tlsPort,
        ca: certs.read('ca.crt'),
        ...clientPair(),
        checkServerIdentity: () => undefined,
        session,
        maxVersion: 'TLSv1.2' as const,
        secureOptions: constants.SSL_OP_NO_TICKET,
      };
      const s = tls.connect(opts, () => {
        s.write('*1\r\n$4\r\nPING\r\n');
        s.once('data', () => {
          const out = { reused: s.isSessionReused(), session: s.getSession() };
          s.end();
          resolve(out);
        });
      });
      s.on('error', reject);
    });
  const first = await connect();
  assert.equal(first.reused, false);
  assert.equal((await connect(first.session)).reused, true);
  assert.ok((srv.server.tls?.sessions?.count ?? 0) >= 1);
  assert.equal(await plain(['CONFIG', 'SET', 'tls-session-caching', 'no']), 'OK');
  const again = await connect();
  assert.equal((await connect(again.session)).reused, false);
  assert.equal(await plain(['CONFIG', 'SET', 'tls-session-caching', 'yes']), 'OK');
});

test('TlsSessionCache keeps at most tls-session-cache-size sessions, none past tls-session-cache-timeout', () => {
  const c = new TlsSessionCache(2, 1000);
  c.add('a', Buffer.from('A'), 0);
  c.add('b', Buffer.from('B'), 10);
  c.add('c', Buffer.from('C'), 20);
  assert.equal(c.count, 2);
  assert.equal(c.get('a', 30), null);
  assert.equal(c.get('b', 30)?.toString(), 'B');
  assert.equal(c.get('c', 2000), null);
  const unbounded = new TlsSessionCache(0, 1000);
  for (let i = 0; i < 100; i++) unbounded.add(String(i), Buffer.alloc(1), i);
  assert.equal(unbounded.count, 100);
});

test('tls-protocols is parsed as Redis parses it: names in any case, an unknown one refused with its log line', () => {
  const log = new Logger();
  const lines: string[] = [];
  log.sink = (_l, m) => lines.push(m);
  assert.deepEqual([...parseProtocolsConfig('tlsv1.2  TLSv1.3', log)!], ['TLSv1.2', 'TLSv1.3']);
  assert.deepEqual([...parseProtocolsConfig('', log)!], ['TLSv1.2', 'TLSv1.3']);
  assert.equal(parseProtocolsConfig('TLSv1.2 SSLv3', log), null);
  assert.deepEqual(lines, ["Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'."]);
});

test('CONFIG SET tls-port moves the TLS port; port 0 and tls-port swap the protocols on one port number', async () => {
  const p = await freePort();
  assert.equal(await plain(['CONFIG', 'SET', 'tls-port', String(p)]), 'OK');
  assert.equal(srv.server.tlsPort, p);
  assert.equal(await tlsCommand(p, clientPair(), ['PING']), '+PONG');
  // the port in use by the plain listener: refused, the TLS port kept
  const mark = logs.length;
  assert.equal(
    await plain(['CONFIG', 'SET', 'tls-port', String(srv.port)]),
    `ERR: ERR CONFIG SET failed (possibly related to argument 'tls-port') - Unable to listen on this port. Check server logs.`,
  );
  assert.match(logs[mark], new RegExp(`^Warning: Could not create server TCP listening socket 127\\.0\\.0\\.1:${srv.port}: bind: Address already in use$`));
  assert.equal(await tlsCommand(p, clientPair(), ['PING']), '+PONG');
  // CONFIG SET bind moves the TLS listeners too
  assert.equal(await plain(['CONFIG', 'SET', 'bind', '127.0.0.1 -::1']), 'OK');
  assert.equal(await tlsCommand(p, clientPair(), ['PING']), '+PONG');
  assert.equal(await plain(['CONFIG', 'SET', 'tls-port', '0']), 'OK');
  assert.match(await tlsCommand(p, clientPair(), ['PING']), /ECONNREFUSED/);
  assert.equal(await plain(['CONFIG', 'SET', 'tls-port', String(p)]), 'OK');
});

test('protected mode over TLS: a peer that is not local (127.0.0.2) is told after the handshake and closed', async () => {
  // (tls.connect hands localAddress to the TCP connect, though its options' type does not list it)
  assert.match(
    await tlsCommand(srv.server.tlsPort, { ...clientPair(), localAddress: '127.0.0.2' } as tls.ConnectionOptions, ['PING']),
    /^-DENIED Redis is running in protected mode because protected mode is enabled/,
  );
  assert.equal(await tlsCommand(srv.server.tlsPort, clientPair(), ['PING']), '+PONG');
});

test('gkv-server with TLS: serves both ports; a configuration TLS cannot use stops the start with Redis lines', async () => {
  const bad = await runProgram(gkvServerBin, [
    '--port',
    '0',
    '--tls-port',
    String(await freePort()),
    '--tls-cert-file',
    certs.path('server.crt'),
    '--tls-key-file',
    certs.path('server.key'),
    '--save',
    '',
  ]);
  assert.equal(bad.code, 1);
  assert.deepEqual(
    maskLog(bad.stdout)
      .split('\n')
      .filter((l) => l.startsWith('<pid>:M')),
    [
      '<pid>:M <time> # Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!',
      '<pid>:M <time> # Failed to configure TLS. Check logs for more info.',
    ],
  );
  const busy = await runProgram(gkvServerBin, [
    '--port',
    '0',
    '--tls-port',
    String(srv.port),
    ...Object.entries(tlsServerOptions(certs, 0)).flatMap(([k, v]) => (k === 'tls-port' ? [] : [`--${k}`, String(v)])),
    '--save',
    '',
  ]);
  assert.equal(busy.code, 1);
  assert.match(busy.stdout, new RegExp(`# Failed listening on port ${srv.port} \\(TLS\\), aborting\\.`));
});
