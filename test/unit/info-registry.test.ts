/**
 * INFO's section registry (src/server/info.ts) alone: Redis's section order
 * and headers whatever the order owners registered in, the default / all /
 * everything / module_list names, a section registered again replacing the
 * first, a section nobody registered left out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InfoRegistry } from '../../src/server/info.js';

function registry(): InfoRegistry {
  const r = new InfoRegistry();
  r.register('keyspace', () => [['db0', 'keys=1,expires=0,avg_ttl=0']]);
  r.register('commandstats', () => [['cmdstat_get', 'calls=1']]);
  r.register('server', () => [
    ['redis_version', '7.0.15'],
    ['hz', 10],
  ]);
  r.register('modules', () => []);
  return r;
}

test('sections come in Redis order with their headers, a blank line between them', () => {
  assert.equal(registry().genInfoString(['keyspace', 'SERVER']), '# Server\r\nredis_version:7.0.15\r\nhz:10\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n');
});

test('default leaves out commandstats; all and everything take every registered section; module_list is modules', () => {
  const r = registry();
  assert.equal(r.genInfoString([]), r.genInfoString(['default']));
  assert.ok(!r.genInfoString([]).includes('Commandstats'));
  assert.equal(r.genInfoString([]), '# Server\r\nredis_version:7.0.15\r\nhz:10\r\n\r\n# Modules\r\n\r\n# Keyspace\r\ndb0:keys=1,expires=0,avg_ttl=0\r\n');
  assert.ok(r.genInfoString(['all']).includes('# Commandstats\r\ncmdstat_get:calls=1\r\n'));
  assert.equal(r.genInfoString(['everything']), r.genInfoString(['all']));
  assert.equal(r.genInfoString(['module_list']), '# Modules\r\n');
});

test('a section registered again replaces the first; unknown and unregistered names add nothing', () => {
  const r = registry();
  r.register('keyspace', () => []);
  assert.equal(r.genInfoString(['keyspace']), '# Keyspace\r\n');
  assert.equal(r.genInfoString(['persistence', 'nosuch']), '');
});
