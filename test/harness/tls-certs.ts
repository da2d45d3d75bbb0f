/**
 * Test certificates for TLS tests, made with openssl by
 * scripts/gen-test-certs.sh (the files Redis's suite uses: ca, redis, server,
 * client, redis.dh), plus what some tests need beside them: the server key
 * encrypted with a passphrase, and a self-signed client pair no CA vouches for.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './programs.js';

export interface TestCerts {
  dir: string;
  /** a file of the directory */
  path(name: string): string;
  /** a file's contents */
  read(name: string): Buffer;
  /** server.key encrypted with aes256 (server.key.enc) and its passphrase */
  encryptedKeyPass: string;
}

let made: TestCerts | null = null;

/** Makes the certificates once per test process (a few seconds: RSA keys). */
export function testCerts(): TestCerts {
  if (made !== null) return made;
  const dir = mkdtempSync(join(tmpdir(), 'gkv-tls-'));
  execFileSync('bash', [join(repoRoot, 'scripts', 'gen-test-certs.sh'), dir], { stdio: 'ignore' });
  const pass = 'p4ss-w0rd';
  execFileSync('openssl', ['rsa', '-in', join(dir, 'server.key'), '-out', join(dir, 'server.key.enc'), '-aes256', '-passout', `pass:${pass}`], { stdio: 'ignore' });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'untrusted.key'), '-out', join(dir, 'untrusted.crt'), '-subj', '/CN=untrusted', '-days', '2'], {
    stdio: 'ignore',
  });
  made = { dir, path: (n) => join(dir, n), read: (n) => readFileSync(join(dir, n)), encryptedKeyPass: pass };
  return made;
}

/** The tls-* options of a server on the suite's server pair with the CA (what Redis's suite sets with --tls). */
export function tlsServerOptions(c: TestCerts, tlsPort: number): Record<string, string | number> {
  return {
    'tls-port': tlsPort,
    'tls-cert-file': c.path('server.crt'),
    'tls-key-file': c.path('server.key'),
    'tls-ca-cert-file': c.path('ca.crt'),
    'tls-dh-params-file': c.path('redis.dh'),
  };
}
