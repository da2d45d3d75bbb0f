import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expandTemplate, validateProcTitleTemplate } from '../../src/server/proc-title.js';
import { connectWhenListening, freePort } from '../harness/servers.js';
import { errText } from '../harness/commands.js';

const bin = join(fileURLToPath(new URL('../../../', import.meta.url)), 'bin', 'gkv-server');

test('templates as sdstemplate: {name} replaced, {{ a brace, unknown names and unclosed braces invalid', () => {
  const v = (n: string) => (n === 'a' ? 'A' : n === 'b' ? '' : null);
  assert.equal(expandTemplate('x {a} {b}y {{ }', v), 'x A y { }');
  assert.equal(expandTemplate('{c}', v), null);
  assert.equal(expandTemplate('x {a', v), null);
  assert.equal(expandTemplate('x {', v), null);
  assert.throws(() => validateProcTitleTemplate('{title}'), /template format is invalid or contains unknown variables/);
  assert.throws(() => validateProcTitleTemplate('{invalid-var}'), /template format is invalid/);
  assert.equal(validateProcTitleTemplate('a {{ b }'), 'a {{ b }');
});

test('gkv-server shows proc-title-template as its process title, and CONFIG SET changes it', async () => {
  const port = await freePort();
  const p = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], { stdio: 'ignore' });
  try {
    const c = await connectWhenListening(port);
    // the kernel accepts the connection once the port is bound, before the server's
    // JS has set the title in the same turn: a reply means that turn is over
    assert.equal(await c.cmd('PING'), 'PONG');
    const title = () => readFileSync(`/proc/${p.pid}/cmdline`, 'latin1').replace(/\0+$/, '');
    assert.equal(title(), `${bin} 127.0.0.1:${port}`);
    assert.equal(await c.cmd('CONFIG', 'SET', 'proc-title-template', 'T {port} {config-file}'), 'OK');
    assert.equal(title(), `T ${port} -`);
    assert.match(errText(await c.cmd('CONFIG', 'SET', 'proc-title-template', '{nope}')), /template format is invalid or contains unknown variables$/);
    c.close();
  } finally {
    p.kill('SIGKILL');
  }
});
