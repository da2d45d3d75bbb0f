/**
 * Geo commands in-process: what GEOADD stores and propagates (Redis's ZADD
 * rewrite), the replies of every command in RESP2 and RESP3, searches with
 * their options and orders, the store forms, and the errors in Redis's order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errText, raw, recordPropagation, withServer, WRONGTYPE } from '../harness/commands.js';

const SICILY = ['13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'];

test('GEOADD stores the 52-bit geohash as the score and propagates the ZADD Redis rewrites it into', async () => {
  await withServer(async (c, srv) => {
    const log = recordPropagation(srv);
    assert.equal(await c.cmd('GEOADD', 'Sicily', ...SICILY), 2);
    assert.deepEqual(await c.cmd('ZRANGE', 'Sicily', '0', '-1', 'WITHSCORES'), ['Palermo', '3479099956230698', 'Catania', '3479447370796909']);
    assert.equal(await c.cmd('TYPE', 'Sicily'), 'zset');
    assert.equal(await c.cmd('OBJECT', 'ENCODING', 'Sicily'), 'listpack');
    assert.equal(await c.cmd('GEOADD', 'Sicily', 'CH', 'XX', '13.5', '38.2', 'Palermo', '1', '1', 'Nowhere'), 1);
    assert.equal(await c.cmd('GEOADD', 'Sicily', 'NX', '13.5', '38.2', 'Palermo'), 0, 'changes nothing: not propagated');
    assert.deepEqual(log, [
      ['zadd', 'Sicily', '3479099956230698', 'Palermo', '3479447370796909', 'Catania'],
      ['zadd', 'Sicily', 'CH', 'XX', '3479101704338477', 'Palermo', '3377822707026402', 'Nowhere'],
    ]);
  });
});

test('GEOADD options and errors are as Redis 7.0 gives them', async () => {
  await withServer(async (c) => {
    const bad = async (...args: string[]) => errText(await c.cmd(...args).catch((e: unknown) => e));
    assert.equal(await bad('GEOADD', 'k', 'xx', 'nx', '1', '2', 'm'), 'ERR syntax error');
    assert.equal(await bad('GEOADD', 'k', 'ch', 'xx', 'foo', '1', '2', 'm'), 'ERR syntax error');
    assert.equal(await bad('GEOADD', 'k', '1', '2'), "ERR wrong number of arguments for 'geoadd' command");
    assert.equal(await bad('GEOADD', 'k', '1', '2', 'm', 'foo', 'bar', 'n'), 'ERR value is not a valid float');
    assert.equal(await bad('GEOADD', 'k', '200', '100', 'm'), 'ERR invalid longitude,latitude pair 200.000000,100.000000');
    assert.equal(await bad('GEOADD', 'k', '-0', '85.0511288', 'm'), 'ERR invalid longitude,latitude pair -0.000000,85.051129');
    assert.equal(await bad('GEOADD', 'k', '1e300', '0', 'm'), `ERR invalid longitude,latitude pair ${BigInt(1e300)}.000000,0.000000`);
    assert.equal(await bad('GEOADD', 'k', 'inf', '0', 'm'), 'ERR invalid longitude,latitude pair inf,0.000000');
    assert.equal(await bad('GEOADD', 'k', 'nx', 'ch', 'ch'), 'ERR syntax error', "ZADD's own check: no element");
    assert.equal(await c.cmd('EXISTS', 'k'), 0, 'nothing was added');
    await c.cmd('SET', 's', 'x');
    assert.equal(await bad('GEOADD', 's', '1', '2', 'm'), WRONGTYPE);
  });
});

test('GEOPOS, GEOHASH and GEODIST answer from the decoded cell centre, with nulls for missing members', async () => {
  await withServer(async (c) => {
    await c.cmd('GEOADD', 'Sicily', ...SICILY);
    assert.equal(await raw(c, 'GEOPOS', 'Sicily', 'Palermo', 'nope'), '*2\r\n*2\r\n$20\r\n13.36138933897018433\r\n$20\r\n38.11555639549629859\r\n*-1\r\n');
    assert.equal(await raw(c, 'GEOPOS', 'none', 'a'), '*1\r\n*-1\r\n');
    assert.deepEqual(await c.cmd('GEOHASH', 'Sicily', 'Palermo', 'Catania', 'nope'), ['sqc8b49rny0', 'sqdtr74hyu0', null]);
    assert.deepEqual(await c.cmd('GEOHASH', 'none', 'a'), [null]);
    assert.equal(await c.cmd('GEODIST', 'Sicily', 'Palermo', 'Catania'), '166274.1516');
    assert.equal(await c.cmd('GEODIST', 'Sicily', 'Palermo', 'Catania', 'km'), '166.2742');
    assert.equal(await c.cmd('GEODIST', 'Sicily', 'Palermo', 'Catania', 'MI'), '103.3182');
    assert.equal(await c.cmd('GEODIST', 'Sicily', 'Palermo', 'Catania', 'ft'), '545518.8700');
    assert.equal(await c.cmd('GEODIST', 'Sicily', 'Palermo', 'Palermo'), '0.0000');
    assert.equal(await c.cmd('GEODIST', 'Sicily', 'Palermo', 'nope'), null);
    assert.equal(await c.cmd('GEODIST', 'none', 'a', 'b'), null);
    const bad = async (...args: string[]) => errText(await c.cmd(...args).catch((e: unknown) => e));
    assert.equal(await bad('GEODIST', 'Sicily', 'a', 'b', 'yd'), 'ERR unsupported unit provided. please use M, KM, FT, MI');
    assert.equal(await bad('GEODIST', 'Sicily', 'a', 'b', 'km', 'x'), 'ERR syntax error');
    // RESP3: coordinates are doubles, distances stay bulk strings
    await c.cmd('HELLO', '3');
    assert.equal(await raw(c, 'GEOPOS', 'Sicily', 'Catania', 'nope'), '*2\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n_\r\n');
    assert.equal(await raw(c, 'GEODIST', 'Sicily', 'Palermo', 'Catania', 'km'), '$8\r\n166.2742\r\n');
    assert.equal(await raw(c, 'GEOHASH', 'Sicily', 'nope'), '*1\r\n_\r\n');
  });
});

test('searches by radius and box give the matches with their options, in distance order when asked', async () => {
  await withServer(async (c) => {
    await c.cmd('GEOADD', 'Sicily', ...SICILY, '12.758489', '38.788135', 'edge1', '17.241510', '38.788135', 'edge2');
    assert.deepEqual(await c.cmd('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'ASC'), ['Catania', 'Palermo']);
    assert.deepEqual(await c.cmd('GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', 'DESC'), ['Palermo', 'Catania']);
    assert.deepEqual(await c.cmd('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYBOX', '400', '400', 'km', 'ASC'), ['Catania', 'Palermo', 'edge2', 'edge1']);
    assert.deepEqual(await c.cmd('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '100', 'km'), ['Palermo', 'edge1']);
    assert.deepEqual(await c.cmd('GEORADIUSBYMEMBER', 'Sicily', 'Palermo', '200', 'km', 'COUNT', '2'), ['Palermo', 'edge1']);
    assert.deepEqual(await c.cmd('GEORADIUSBYMEMBER_RO', 'Sicily', 'Palermo', '200', 'km', 'WITHDIST', 'ASC'), [
      ['Palermo', '0.0000'],
      ['edge1', '91.4007'],
      ['Catania', '166.2742'],
    ]);
    assert.deepEqual(await c.cmd('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'ASC', 'WITHCOORD', 'WITHDIST', 'WITHHASH', 'COUNT', '1'), [
      ['Catania', '56.4413', 3479447370796909, ['15.08726745843887329', '37.50266842333162032']],
    ]);
    assert.deepEqual(await c.cmd('GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'COUNT', '1', 'ANY'), ['Palermo'], 'ANY: the first match found, unsorted');
    assert.deepEqual(await c.cmd('GEOSEARCH', 'none', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'm'), []);
    assert.deepEqual(await c.cmd('GEORADIUS', 'Sicily', '0', '0', '1', 'km'), []);
    await c.cmd('HELLO', '3');
    assert.equal(
      await raw(c, 'GEOSEARCH', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '100', 'km', 'WITHCOORD', 'WITHHASH'),
      '*1\r\n*3\r\n$7\r\nCatania\r\n:3479447370796909\r\n*2\r\n,15.08726745843887329\r\n,37.50266842333162032\r\n',
    );
  });
});

test('the store forms write a sorted set of scores or distances, delete the destination when nothing matches, and propagate as sent', async () => {
  await withServer(async (c, srv) => {
    await c.cmd('GEOADD', 'Sicily', ...SICILY);
    const log = recordPropagation(srv);
    assert.equal(await c.cmd('GEOSEARCHSTORE', 'dst', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '200', 'km', 'ASC', 'COUNT', '1', 'STOREDIST'), 1);
    assert.deepEqual(await c.cmd('ZRANGE', 'dst', '0', '-1', 'WITHSCORES'), ['Catania', '56.441257870158204']);
    assert.equal(await c.cmd('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'dst'), 2);
    assert.deepEqual(await c.cmd('ZRANGE', 'dst', '0', '-1', 'WITHSCORES'), ['Palermo', '3479099956230698', 'Catania', '3479447370796909']);
    assert.equal(await c.cmd('GEORADIUSBYMEMBER', 'Sicily', 'Catania', '500', 'km', 'STOREDIST', 'dst'), 2);
    assert.deepEqual(await c.cmd('ZRANGE', 'dst', '0', '-1'), ['Catania', 'Palermo']);
    assert.equal(await c.cmd('GEORADIUS', 'Sicily', '0', '0', '1', 'km', 'STORE', 'dst'), 0);
    assert.equal(await c.cmd('EXISTS', 'dst'), 0);
    assert.equal(await c.cmd('GEOSEARCHSTORE', 'dst', 'none', 'FROMMEMBER', 'x', 'BYRADIUS', '1', 'm'), 0);
    assert.deepEqual(
      log.map((a) => a[0]),
      ['GEOSEARCHSTORE', 'GEORADIUS', 'GEORADIUSBYMEMBER', 'GEORADIUS'],
    );
  });
});

test("search arguments are checked in Redis's order, with Redis's texts", async () => {
  await withServer(async (c) => {
    await c.cmd('GEOADD', 'Sicily', ...SICILY);
    await c.cmd('SET', 's', 'x');
    const bad = async (...args: string[]) => errText(await c.cmd(...args).catch((e: unknown) => e));
    assert.equal(await bad('GEOSEARCH', 's', 'FOO', 'x', 'y', 'z', 'w'), WRONGTYPE, 'the key type first');
    assert.equal(await bad('GEORADIUS', 'Sicily', 'x', '1', '1', 'km'), 'ERR value is not a valid float');
    assert.equal(await bad('GEORADIUS', 'none', '1', '1', 'x', 'km'), 'ERR need numeric radius');
    assert.equal(await bad('GEORADIUS', 'Sicily', '1', '1', '-1', 'km'), 'ERR radius cannot be negative');
    assert.equal(await bad('GEORADIUS', 'Sicily', '1', '1', '1', 'yd'), 'ERR unsupported unit provided. please use M, KM, FT, MI');
    assert.equal(await bad('GEORADIUSBYMEMBER', 'Sicily', 'nope', 'x', 'km'), 'ERR could not decode requested zset member');
    assert.deepEqual(await c.cmd('GEORADIUSBYMEMBER', 'none', 'nope', 'x', 'km'), [], 'no key: the radius is not read');
    assert.equal(await bad('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT'), 'ERR syntax error');
    assert.equal(await bad('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', '0'), 'ERR COUNT must be > 0');
    assert.equal(await bad('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'COUNT', 'x'), 'ERR value is not an integer or out of range');
    assert.equal(await bad('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'ANY'), 'ERR the ANY argument requires COUNT argument');
    assert.equal(await bad('GEORADIUS', 'Sicily', '15', '37', '200', 'km', 'STORE', 'd', 'WITHDIST'), 'ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options');
    assert.equal(await bad('GEORADIUS_RO', 'Sicily', '15', '37', '200', 'km', 'STORE', 'd'), 'ERR syntax error');
    assert.equal(
      await bad('GEOSEARCHSTORE', 'd', 'Sicily', 'FROMLONLAT', '15', '37', 'BYRADIUS', '1', 'km', 'WITHHASH'),
      'ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options',
    );
    assert.equal(await bad('geosearch', 'Sicily', 'BYBOX', '1', '1', 'km', 'ASC'), 'ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for geosearch');
    assert.equal(await bad('GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'ASC', 'DESC'), 'ERR exactly one of BYRADIUS and BYBOX can be specified for GEOSEARCH');
    assert.equal(await bad('GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'), 'ERR syntax error');
    assert.equal(await bad('GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'BYBOX', '1', '1', 'km'), 'ERR syntax error');
    assert.equal(await bad('GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYBOX', 'x', '1', 'km'), 'ERR need numeric width');
    assert.equal(await bad('GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYBOX', '1', 'x', 'km'), 'ERR need numeric height');
    assert.equal(await bad('GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYBOX', '1', '-1', 'km'), 'ERR height or width cannot be negative');
    assert.equal(await bad('GEOSEARCH', 'Sicily', 'FROMMEMBER', 'nope', 'BYBOX', '1', '1', 'km'), 'ERR could not decode requested zset member');
    assert.equal(await bad('GEOSEARCH', 'Sicily', 'FROMLONLAT', '1', '1', 'BYRADIUS', '1', 'km', 'STOREDIST'), 'ERR syntax error');
  });
});
