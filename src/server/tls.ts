/**
 * TLS, as Redis 7.0's tls.c configures and accepts it, on node:tls.
 *
 * tlsConfigure (Redis's tlsConfigure) reads the tls-* settings and their
 * files and builds the server side: a tls.Server that never listens itself
 * — the TLS port's sockets are bound by listeners.ts like the plain ones and
 * each accepted connection is handed to it ('connection'), so the handshake,
 * the certificate checks and session resumption are node:tls's. It checks the
 * settings in Redis's order and logs Redis's line for the first problem
 * (the cert, the key, the CA file or directory, ciphers, ciphersuites, DH
 * parameters), returning null so the caller refuses the change ("Unable to
 * update TLS configuration. Check server logs.") or the start ("Failed to
 * configure TLS. Check logs for more info."): a failed reconfiguration
 * leaves the previous context serving, as Redis's is atomic.
 *
 * How each setting maps onto node:tls:
 * - tls-protocols: minVersion/maxVersion, and SSL_OP_NO_TLSv1_x for a hole
 *   in the set ("TLSv1.1 TLSv1.3"); default TLSv1.2 + TLSv1.3, as Redis.
 * - tls-ciphers (TLSv1.2 and below) and tls-ciphersuites (TLSv1.3): Node
 *   takes both in one `ciphers` string and tells them apart by the TLS_
 *   prefix; an unset one is OpenSSL's default (Redis leaves it to OpenSSL),
 *   never Node's own list — and never empty, which would make Node turn a
 *   protocol off.
 * - tls-prefer-server-ciphers: honorCipherOrder (SSL_OP_CIPHER_SERVER_PREFERENCE).
 * - tls-session-caching, -cache-size, -cache-timeout: OpenSSL's internal
 *   cache is off in Node (SSL_SESS_CACHE_NO_INTERNAL): the server keeps the
 *   sessions itself (TlsSessionCache, the tls.Server's newSession /
 *   resumeSession events), bounded by the size (0: no bound, as
 *   SSL_CTX_sess_set_cache_size) and the timeout (sessionTimeout, which
 *   OpenSSL checks when a session is offered). Session tickets stay on as
 *   OpenSSL leaves them.
 * - tls-key-file-pass: the key's passphrase. tls-ca-cert-dir: every
 *   certificate file in the directory (OpenSSL's CApath looks them up by
 *   hashed name; reading them all trusts the same set). tls-dh-params-file:
 *   dhparam, else 'auto' (Redis's SSL_CTX_set_dh_auto with OpenSSL 3).
 * - tls-auth-clients (yes/no/optional) is read per connection, as Redis
 *   sets SSL_set_verify on each accepted connection: yes asks for a
 *   certificate and fails the handshake without one; optional asks and
 *   accepts none, but a certificate that does not verify fails (OpenSSL's
 *   SSL_VERIFY_PEER); no does not ask.
 * - tls-client-cert-file / -key-file (-pass): the certificate gKV presents
 *   when it connects out (replication, cluster); loaded and checked here as
 *   Redis builds its client context, kept in `clientOptions`.
 * - tls-replication, tls-cluster: settings only — they make TLS be
 *   configured (and the CA required) as in Redis, and take effect once gKV
 *   has replication (issue 14) and cluster (issue 15).
 */
import tls from 'node:tls';
import { constants as cryptoConstants, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { strerror } from '../util/strerror.js';

/** OpenSSL 3's default TLSv1.3 ciphersuites (what Redis serves when tls-ciphersuites is unset) */
const OPENSSL_DEFAULT_CIPHERSUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';
/** OpenSSL's default cipher list for TLSv1.2 and below */
const OPENSSL_DEFAULT_CIPHERS = 'DEFAULT';

const PROTOCOLS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
type Protocol = (typeof PROTOCOLS)[number];
const NO_PROTOCOL_OPTION: Record<Protocol, number> = {
  TLSv1: cryptoConstants.SSL_OP_NO_TLSv1,
  'TLSv1.1': cryptoConstants.SSL_OP_NO_TLSv1_1,
  'TLSv1.2': cryptoConstants.SSL_OP_NO_TLSv1_2,
  'TLSv1.3': cryptoConstants.SSL_OP_NO_TLSv1_3,
};

/**
 * Redis's parseProtocolsConfig: space-separated protocol names, any case;
 * "" is the default (TLSv1.2 and TLSv1.3). Returns the set, or null after
 * logging Redis's line.
 */
export function parseProtocolsConfig(str: string, log: Logger): Set<Protocol> | null {
  if (str === '') return new Set(['TLSv1.2', 'TLSv1.3']);
  const out = new Set<Protocol>();
  for (const tok of str.split(' ')) {
    if (tok === '') continue;
    const p = PROTOCOLS.find((x) => x.toLowerCase() === tok.toLowerCase());
    if (p === undefined) {
      log.warning("Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', 'TLSv1.2' and 'TLSv1.3'.");
      return null;
    }
    out.add(p);
  }
  return out;
}

/** node:tls's version bounds and SSL_OP_NO_* options for a set of protocols. */
function protocolOptions(set: Set<Protocol>): Pick<tls.SecureContextOptions, 'minVersion' | 'maxVersion' | 'secureOptions'> {
  const on = PROTOCOLS.filter((p) => set.has(p));
  if (on.length === 0) {
    // Redis would configure a context that no handshake can use; so does this
    let no = 0;
    for (const p of PROTOCOLS) no |= NO_PROTOCOL_OPTION[p];
    return { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', secureOptions: no };
  }
  let secureOptions = 0;
  const lo = PROTOCOLS.indexOf(on[0]);
  const hi = PROTOCOLS.indexOf(on[on.length - 1]);
  for (let i = lo; i <= hi; i++) if (!set.has(PROTOCOLS[i])) secureOptions |= NO_PROTOCOL_OPTION[PROTOCOLS[i]];
  return { minVersion: PROTOCOLS[lo], maxVersion: PROTOCOLS[hi], secureOptions };
}

/**
 * OpenSSL's text for a failed file read: a system error as ERR_error_string
 * prints it ("error:80000002:system library::No such file or directory").
 */
function systemErrorText(e: unknown): string {
  const errno = Math.abs(Number((e as { errno?: number }).errno ?? 0));
  const code = (0x80000000 + errno).toString(16).toUpperCase().padStart(8, '0');
  return `error:${code}:system library::${strerror(e)}`;
}

/**
 * An OpenSSL error as Redis logs it (ERR_error_string_n: "error:CODE:LIB::REASON"),
 * from the error node:tls throws or reports (its message carries the function
 * name and the source position too).
 */
export function opensslErrorText(e: unknown): string {
  const msg = String((e as Error)?.message ?? e);
  const m = /error:([0-9A-F]{8}):([^:]*):[^:]*:([^:]*)/.exec(msg);
  if (m !== null) return `error:${m[1]}:${m[2]}::${m[3]}`;
  return msg;
}

/** Reads a PEM file; on failure logs `${what}: ${file}: <OpenSSL's system error>` and returns null. */
function readPem(file: string, what: string, log: Logger): Buffer | null {
  try {
    return readFileSync(file);
  } catch (e) {
    log.warning(`${what}: ${file}: ${systemErrorText(e)}`);
    return null;
  }
}

/**
 * The CA certificates of tls-ca-cert-file and tls-ca-cert-dir, as
 * SSL_CTX_load_verify_locations trusts them. Returns null after logging
 * Redis's line when the file or directory cannot be read or holds nothing
 * OpenSSL would take.
 */
function loadVerifyLocations(file: string, dir: string, log: Logger): Buffer[] | null {
  const fail = (why: string) => {
    log.warning(`Failed to configure CA certificate(s) file/directory: ${why}`);
    return null;
  };
  const out: Buffer[] = [];
  if (file !== '') {
    let pem: Buffer;
    try {
      pem = readFileSync(file);
    } catch (e) {
      return fail(systemErrorText(e));
    }
    if (!pem.includes('-----BEGIN')) return fail('error:05880009:x509 certificate routines::PEM lib');
    out.push(pem);
  }
  if (dir !== '') {
    let names: string[];
    try {
      if (!statSync(dir).isDirectory()) return fail(systemErrorText(Object.assign(new Error(), { errno: 20, code: 'ENOTDIR' })));
      names = readdirSync(dir);
    } catch (e) {
      return fail(systemErrorText(e));
    }
    for (const n of names.sort()) {
      try {
        const pem = readFileSync(join(dir, n));
        new X509Certificate(pem); // OpenSSL's lookup skips what is not a certificate
        out.push(pem);
      } catch {
        /* not a certificate: not trusted */
      }
    }
  }
  return out;
}

/** What a context is built from (the tls.Server's options), kept for the client side too. */
type ContextOptions = tls.TlsOptions & { dhparam?: string | Buffer };

/** The configured TLS: the tls.Server that takes accepted connections, and the outgoing side's options. */
export interface TlsContext {
  server: tls.Server;
  /** what a connection out (replication, cluster) presents: tls-client-cert-file/-key-file, else the server's pair */
  clientOptions: tls.ConnectionOptions;
  sessions: TlsSessionCache | null;
}

/**
 * Redis's createSSLContext, checked step by step so the failing setting is
 * the one logged: the certificate chain, the private key (and its match
 * with the certificate), the CA locations, the ciphers, the ciphersuites.
 * Returns the context's options, or null after logging.
 */
function createContextOptions(cfg: Config, protocols: Set<Protocol>, client: boolean, log: Logger): ContextOptions | null {
  const certFile = cfg.get(client ? 'tls-client-cert-file' : 'tls-cert-file');
  const keyFile = cfg.get(client ? 'tls-client-key-file' : 'tls-key-file');
  const pass = cfg.get(client ? 'tls-client-key-file-pass' : 'tls-key-file-pass');
  const cert = readPem(certFile, 'Failed to load certificate', log);
  if (cert === null) return null;
  try {
    tls.createSecureContext({ cert });
  } catch (e) {
    log.warning(`Failed to load certificate: ${certFile}: ${opensslErrorText(e)}`);
    return null;
  }
  const key = readPem(keyFile, 'Failed to load private key', log);
  if (key === null) return null;
  try {
    tls.createSecureContext({ cert, key, passphrase: pass === '' ? undefined : pass });
  } catch (e) {
    log.warning(`Failed to load private key: ${keyFile}: ${opensslErrorText(e)}`);
    return null;
  }
  const caFile = cfg.get('tls-ca-cert-file');
  const caDir = cfg.get('tls-ca-cert-dir');
  let ca: Buffer[] | undefined;
  if (caFile !== '' || caDir !== '') {
    const loaded = loadVerifyLocations(caFile, caDir, log);
    if (loaded === null) return null;
    try {
      if (loaded.length > 0) tls.createSecureContext({ ca: loaded });
    } catch (e) {
      log.warning(`Failed to configure CA certificate(s) file/directory: ${opensslErrorText(e)}`);
      return null;
    }
    ca = loaded;
  }
  const cipherList = cfg.get('tls-ciphers');
  const suites = cfg.get('tls-ciphersuites');
  // Node sends entries named TLS_* to SSL_CTX_set_ciphersuites, the others to set_cipher_list
  if (cipherList !== '' && !validCiphers(`${OPENSSL_DEFAULT_CIPHERSUITES}:${cipherList}`, cipherList.split(':'))) {
    log.warning(`Failed to configure ciphers: ${cipherList}`);
    return null;
  }
  if (suites !== '' && (!suites.split(':').every((s) => s.startsWith('TLS_')) || !validCiphers(`${suites}:${OPENSSL_DEFAULT_CIPHERS}`, []))) {
    log.warning(`Failed to configure ciphersuites: ${suites}`);
    return null;
  }
  return {
    cert,
    key,
    passphrase: pass === '' ? undefined : pass,
    ca,
    ciphers: `${suites || OPENSSL_DEFAULT_CIPHERSUITES}:${cipherList || OPENSSL_DEFAULT_CIPHERS}`,
    ...protocolOptions(protocols),
  };
}

/**
 * Whether OpenSSL takes a cipher string: a context builds with it and,
 * when `list` names TLSv1.2 ciphers, at least one of them is known
 * (SSL_CTX_set_cipher_list fails when nothing in the list matches).
 */
function validCiphers(ciphers: string, list: string[]): boolean {
  try {
    tls.createSecureContext({ ciphers, minVersion: 'TLSv1', maxVersion: 'TLSv1.3' });
  } catch {
    return false;
  }
  if (list.length === 0) return true;
  // "FOO" alone: OpenSSL's set_cipher_list fails; Node's context takes the
  // TLS 1.3 suites and lets it pass, so try the list on its own
  try {
    tls.createSecureContext({ ciphers: list.join(':'), minVersion: 'TLSv1', maxVersion: 'TLSv1.2' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Redis's tlsConfigure: builds the TLS context from the tls-* settings, in
 * Redis's order of checks, logging its line for the first failure. Returns
 * the new context, or null (the caller keeps the previous one).
 */
export function tlsConfigure(cfg: Config, log: Logger, hooks: TlsAcceptHooks): TlsContext | null {
  if (cfg.get('tls-cert-file') === '') {
    log.warning('No tls-cert-file configured!');
    return null;
  }
  if (cfg.get('tls-key-file') === '') {
    log.warning('No tls-key-file configured!');
    return null;
  }
  const needCa = cfg.get('tls-auth-clients') !== 'no' || cfg.getBool('tls-cluster') || cfg.getBool('tls-replication');
  if (needCa && cfg.get('tls-ca-cert-file') === '' && cfg.get('tls-ca-cert-dir') === '') {
    log.warning('Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-cluster, tls-replication or tls-auth-clients are enabled!');
    return null;
  }
  const protocols = parseProtocolsConfig(cfg.get('tls-protocols'), log);
  if (protocols === null) return null;
  const opts = createContextOptions(cfg, protocols, false, log);
  if (opts === null) return null;
  const caching = cfg.getBool('tls-session-caching');
  const timeout = cfg.getInt('tls-session-cache-timeout');
  const dhFile = cfg.get('tls-dh-params-file');
  let dhparam: string | Buffer = 'auto';
  if (dhFile !== '') {
    try {
      dhparam = readFileSync(dhFile);
    } catch (e) {
      log.warning(`Failed to load ${dhFile}: ${strerror(e)}`);
      return null;
    }
    // Redis decodes PKCS#3 "DH PARAMETERS" only (X9.42 ones, openssl dhparam -dsaparam's, fail there too)
    if (!dhparam.includes('-----BEGIN DH PARAMETERS-----')) {
      log.warning(`${dhFile}: failed to read DH params.`);
      return null;
    }
    try {
      tls.createSecureContext({ dhparam });
    } catch (e) {
      log.warning(`Failed to load DH params file: ${dhFile}: ${opensslErrorText(e)}`);
      return null;
    }
  }
  // the client side (connections out): its own pair when both are set, as Redis's client context
  let clientOptions: tls.ConnectionOptions = { cert: opts.cert, key: opts.key, passphrase: opts.passphrase, ca: opts.ca, ciphers: opts.ciphers, ...protocolOptions(protocols) };
  if (cfg.get('tls-client-cert-file') !== '' && cfg.get('tls-client-key-file') !== '') {
    const c = createContextOptions(cfg, protocols, true, log);
    if (c === null) return null;
    clientOptions = c as tls.ConnectionOptions;
  }
  const auth = cfg.get('tls-auth-clients');
  const server = tls.createServer({
    ...opts,
    dhparam,
    honorCipherOrder: cfg.getBool('tls-prefer-server-ciphers'),
    // Redis's SSL_CTX_set_session_id_context(ctx, "redis", 5)
    sessionIdContext: 'redis',
    sessionTimeout: caching ? timeout : undefined,
    requestCert: auth !== 'no',
    rejectUnauthorized: auth === 'yes',
  });
  wireAccept(server, hooks);
  let sessions: TlsSessionCache | null = null;
  if (caching) {
    sessions = new TlsSessionCache(cfg.getInt('tls-session-cache-size'), timeout * 1000);
    sessions.attach(server);
  }
  return { server, clientOptions, sessions };
}

/** tls-auth-clients for the connections accepted from now on (Redis reads it per connection). */
export function setAuthClients(ctx: TlsContext, mode: string): void {
  // the tls.Server's own fields, which its connection listener reads for each new TLSSocket
  const srv = ctx.server as unknown as VerifyFields;
  srv.requestCert = mode !== 'no';
  srv.rejectUnauthorized = mode === 'yes';
}

/** The client-certificate fields of a tls.Server (set by its options, read per connection). */
interface VerifyFields {
  requestCert: boolean;
  rejectUnauthorized: boolean;
}

/**
 * The server's session cache (Redis: SSL_SESS_CACHE_SERVER with
 * tls-session-cache-size and -timeout): sessions by id, the oldest dropped
 * past the size (0: unbounded), an expired one never resumed.
 */
export class TlsSessionCache {
  private readonly sessions = new Map<string, { data: Buffer; at: number }>();
  constructor(
    readonly size: number,
    readonly timeoutMs: number,
  ) {}

  get count(): number {
    return this.sessions.size;
  }

  attach(server: EventEmitter): void {
    server.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      this.add(id.toString('hex'), data, Date.now());
      done();
    });
    server.on('resumeSession', (id: Buffer, done: (err: Error | null, data: Buffer | null) => void) => {
      done(null, this.get(id.toString('hex'), Date.now()));
    });
  }

  add(id: string, data: Buffer, now: number): void {
    this.sessions.delete(id);
    this.sessions.set(id, { data, at: now });
    if (this.size > 0) {
      for (const k of this.sessions.keys()) {
        if (this.sessions.size <= this.size) break;
        this.sessions.delete(k);
      }
    }
  }

  get(id: string, now: number): Buffer | null {
    const s = this.sessions.get(id);
    if (s === undefined) return null;
    if (now - s.at > this.timeoutMs) {
      this.sessions.delete(id);
      return null;
    }
    return s.data;
  }
}

/** What the server does with a connection once its handshake ended (tlsConfigure wires them to the tls.Server's events). */
export interface TlsAcceptHooks {
  /** the handshake succeeded and the client certificate passed tls-auth-clients' check */
  ready(s: tls.TLSSocket): void;
  /** the handshake failed: why, as Redis logs it after "Error accepting a client connection: " */
  failed(why: string): void;
}

/**
 * The accepted connections' outcome, from the tls.Server's events:
 * 'secureConnection' (node:tls already closed one whose certificate failed
 * tls-auth-clients yes) and 'tlsClientError'.
 */
function wireAccept(server: tls.Server, hooks: TlsAcceptHooks): void {
  server.on('secureConnection', (s: tls.TLSSocket) => {
    // optional: no certificate is fine, one that does not verify is not (OpenSSL's SSL_VERIFY_PEER)
    if ((server as unknown as VerifyFields).requestCert && !s.authorized && Object.keys(s.getPeerCertificate()).length > 0) {
      hooks.failed('error:0A000086:SSL routines::certificate verify failed');
      s.destroy();
      return;
    }
    hooks.ready(s);
  });
  server.on('tlsClientError', (e: Error & { code?: string }, s: tls.TLSSocket) => {
    // a certificate node:tls rejected after the handshake (tls-auth-clients yes) ends as a hang-up
    if (e.code === 'ECONNRESET' && s.authorizationError !== undefined && s.authorizationError !== null) hooks.failed('error:0A000086:SSL routines::certificate verify failed');
    else hooks.failed(opensslErrorText(e));
    s.destroy();
  });
}

/** Starts the handshake of an accepted TCP connection on the TLS port; the outcome goes to the hooks. */
export function tlsAccept(ctx: TlsContext, raw: net.Socket): void {
  ctx.server.emit('connection', raw);
}
