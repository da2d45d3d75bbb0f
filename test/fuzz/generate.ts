/**
 * The fuzzer's inputs: command argument lists built from every command's
 * documented argument structure (COMMAND DOCS, as kept in
 * src/commands/meta/redis-7.0-commands.json: key, string, integer, double,
 * pattern, unix-time, pure-token, oneof, block; optional, multiple,
 * multiple_token), filled with extreme values (0, -1, ±2^63 and past it,
 * nan, inf, empty, binary, 1 MB strings, wrong types), perturbed (arguments
 * dropped, repeated, swapped, of the wrong type, options repeated), against
 * fixture keys of every type and encoding; and protocol frames built from
 * them: RESP multibulk, inline, and mutated or malformed frames.
 *
 * Everything comes from a seeded PRNG (mulberry32), so one seed gives one
 * sequence of batches. Commands that would stop the server, reach other
 * hosts, or lock the canary out (SHUTDOWN, DEBUG, CLIENT KILL/PAUSE,
 * MIGRATE, REPLICAOF, MODULE, ACL SETUSER …, most of CONFIG SET) are left
 * out: they are not requests a server must survive from any client.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------- PRNG

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** mulberry32: a float in [0, 1) */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
}

// ---------------------------------------------------------------- the command table

interface DocArg {
  name: string;
  type: string;
  token?: string;
  flags?: string[];
  arguments?: DocArg[];
}

export interface FuzzCommand {
  /** the words before the arguments: ['get'] or ['config', 'get'] */
  words: string[];
  args: DocArg[];
  /** every token of its arguments (repeated options) */
  tokens: string[];
}

/** Whole commands and subcommands the fuzzer does not send (see the header). */
const EXCLUDED = new Set([
  'shutdown',
  'debug',
  'monitor',
  'migrate',
  'replicaof',
  'slaveof',
  'failover',
  'module',
  'sync',
  'psync',
  'client|kill',
  'client|pause',
  'config|set',
  'acl|setuser',
  'acl|deluser',
  'acl|load',
  'acl|save',
  'cluster|reset',
  'cluster|meet',
  'cluster|failover',
  // the campaign reads INFO commandstats at the end to name slow commands
  'config|resetstat',
  // ten million HLL additions by design: a second of CPU per call, no input to vary
  'pfselftest',
]);

/** CONFIG SET parameters the fuzzer may change (harmless to the canary and the machine). */
const CONFIG_SET_ALLOWED = [
  'hash-max-listpack-entries',
  'hash-max-listpack-value',
  'zset-max-listpack-entries',
  'zset-max-listpack-value',
  'set-max-intset-entries',
  'list-max-listpack-size',
  'list-compress-depth',
  'notify-keyspace-events',
  'slowlog-log-slower-than',
  'slowlog-max-len',
  'latency-monitor-threshold',
  'hz',
  'maxmemory-policy',
  'lfu-log-factor',
  'lfu-decay-time',
  'lazyfree-lazy-user-del',
  'lazyfree-lazy-user-flush',
  'activerehashing',
  'stream-node-max-bytes',
  'stream-node-max-entries',
  'hll-sparse-max-bytes',
  'active-expire-effort',
];

function collectTokens(args: DocArg[] | undefined, out: string[]): string[] {
  for (const a of args ?? []) {
    if (a.token !== undefined) out.push(a.token);
    collectTokens(a.arguments, out);
  }
  return out;
}

let cached: FuzzCommand[] | null = null;

/** Every command and subcommand of Redis 7.0's table the fuzzer sends. */
export function fuzzCommands(): FuzzCommand[] {
  if (cached !== null) return cached;
  const path = fileURLToPath(new URL('../../../src/commands/meta/redis-7.0-commands.json', import.meta.url));
  const meta = JSON.parse(readFileSync(path, 'utf8')) as { commands: Record<string, { docs: { arguments?: DocArg[]; subcommands?: Record<string, { arguments?: DocArg[] }> } | null }> };
  const out: FuzzCommand[] = [];
  for (const [name, m] of Object.entries(meta.commands)) {
    if (EXCLUDED.has(name)) continue;
    const subs = m.docs?.subcommands;
    if (subs !== undefined && Object.keys(subs).length > 0) {
      for (const [full, d] of Object.entries(subs)) {
        if (EXCLUDED.has(full)) continue;
        out.push({ words: full.split('|'), args: d.arguments ?? [], tokens: collectTokens(d.arguments, []) });
      }
    } else out.push({ words: [name], args: m.docs?.arguments ?? [], tokens: collectTokens(m.docs?.arguments, []) });
  }
  cached = out;
  return out;
}

// ---------------------------------------------------------------- values

const MB = 1024 * 1024;
const LONG_1K = 'v'.repeat(1024);
const LONG_1M = 'w'.repeat(MB);

export const INTEGERS = [
  '0',
  '1',
  '-1',
  '2',
  '3',
  '5',
  '10',
  '100',
  '-100',
  '1000',
  '1000000',
  '2147483647',
  '2147483648',
  '-2147483648',
  '-2147483649',
  '4294967295',
  '4294967296',
  '9007199254740993',
  '9223372036854775807',
  '9223372036854775808',
  '-9223372036854775807',
  '-9223372036854775808',
  '-9223372036854775809',
  '18446744073709551615',
  '99999999999999999999999',
  '4611686018427387903',
  '4611686018427387904',
  '-4611686018427387904',
  '536870911',
  '536870912',
  '1.5',
  'abc',
  '',
  '+1',
  ' 1',
  '0x10',
  '1e3',
  '-0',
  '00',
  '01',
];

export const DOUBLES = [
  '0',
  '1',
  '-1',
  '1.5',
  '-2.5',
  '3',
  'inf',
  '-inf',
  '+inf',
  'nan',
  'NaN',
  '1e308',
  '1e309',
  '-1e309',
  '0.1',
  '(1',
  '(-inf',
  '(+inf',
  '[a',
  '(a',
  '-',
  '+',
  '1e-320',
  'abc',
  '',
  '9223372036854775808',
  '1.7976931348623157e308',
  '0x1p3',
  '  1',
  '1 ',
  '5e-324',
  '-0',
];

export const STRINGS = [
  '',
  'a',
  'b',
  'foo',
  'bar',
  'm1',
  'm2',
  'f1',
  'f2',
  'e1',
  '0',
  '-1',
  '1.5',
  'nan',
  'x'.repeat(64),
  'y'.repeat(65),
  LONG_1K,
  '\x00\r\n\xff',
  'héllo',
  '*',
  '-',
  '+',
  '[a',
  '(a',
  '$',
  'OK',
  'COUNT',
  'WITHSCORES',
  'LIMIT',
];

export const PATTERNS = ['*', '?', 'a*', '[abc]', '[^a]', '\\*', '[', '*[', 'k*', '{t}*', '*:*', '[a-', '\\', '***********x'];

function unixTimes(): string[] {
  const s = Math.floor(Date.now() / 1000);
  return ['0', '1', '-1', String(s - 10), String(s + 100), String(s * 1000 + 5000), '9223372036854775807', '1e10', String(s)];
}

// ---------------------------------------------------------------- fixture keys

/** DUMP of a stream of 11 entries (one deleted) with groups g1 (5 pending for alice and bob) and g2 (consumer carol, none pending). */
const STREAM_GROUPS_PAYLOAD =
  '13011000000000000000010000000000000000c340ac40cd07cd00000051000b0140000781660200010201002001048276310304200b0001600b0032200b8019000240240b82763303816e0203010801032001402d00342021010201402502827635200b020001052003a02d0036402d0006202d02020106201502827637202102020107600b0038200b0000201be0002d0039402d00092011020201092015048376313004402e000a800c0031200c0200010b2003605d201e013204208c000c203000ff0b0c00010004000c02026731060081ffffffffffffffff05000000000000000100000000000000000068e5cf8b01000003000000000000000200000000000000000068e5cf8b01000001000000000000000300000000000000000068e5cf8b01000001000000000000000500000000000000000068e5cf8b01000002000000000000000600000000000000009a185650a2010000010205616c6963659a185650a201000002000000000000000200000000000000000000000000000003000000000000000003626f629a185650a2010000030000000000000001000000000000000000000000000000050000000000000000000000000000000600000000000000000267320c0081ffffffffffffffff0001056361726f6c9a185650a2010000000a00f4aec23dd1aa417b';

/** The keys the fuzzer's commands name, with how each is (re)built: one per type and encoding. */
export function fixtureCommands(): string[][] {
  const list = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i));
  return [
    ['SET', 'str:int', '12345'],
    ['SET', 'str:emb', 'hello'],
    ['SET', 'str:raw', 'r'.repeat(100)],
    ['SET', 'str:float', '3.14'],
    ['SETBIT', 'str:bits', '100', '1'],
    ['APPEND', 'str:app', 'abc'],
    ['RPUSH', 'list:small', 'a', 'b', 'c', '1', '2'],
    ['RPUSH', 'list:big', ...list(300, (i) => (i % 50 === 0 ? 'L'.repeat(5000) : `e${i}`))],
    ['RPUSH', '{t}list', 'x', 'y'],
    ['HSET', 'hash:small', 'f1', 'v1', 'f2', '2', 'f3', '1.5'],
    ['HSET', 'hash:big', ...list(1200, (i) => (i % 2 === 0 ? `f${i / 2}` : `v${i}`))],
    ['SADD', 'set:int', '1', '2', '3', '-5', '100'],
    ['SADD', 'set:str', 'a', 'b', 'm1', 'm2'],
    ['SADD', 'set:big', ...list(700, (i) => `s${i}`)],
    ['SADD', '{t}set', 'a', 'c'],
    ['ZADD', 'zset:small', '1', 'm1', '2', 'm2', '2', 'a', '-inf', 'b'],
    ['ZADD', 'zset:big', ...list(400, (i) => (i % 2 === 0 ? String(i) : `z${i}`))],
    ['ZADD', '{t}zset', '1', 'a', '3', 'c'],
    ['PFADD', 'hll:sparse', 'a', 'b', 'c'],
    ['PFADD', 'hll:dense', ...list(200, (i) => `h${i}`)],
    ['PFDEBUG', 'TODENSE', 'hll:dense'],
    // a sparse code two registers short
    ['SET', 'hll:bad', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfd'],
    ['XADD', 'stream:small', '1-1', 'f', 'v', 'n', '5'],
    ['XADD', 'stream:small', '2-0', 'f', 'w'],
    ['XADD', 'stream:small', '3-0', 'x', 'y'],
    ['XDEL', 'stream:small', '2-0'],
    // a stream with two groups, pending entries and a consumer without any (made by Redis 7.0's DUMP)
    ['RESTORE', 'stream:groups', '0', Buffer.from(STREAM_GROUPS_PAYLOAD, 'hex').toString('latin1')],
    ['PEXPIRE', 'str:emb', '100000000'],
    ['EXPIRE', 'hash:small', '100000'],
  ];
}

const FIXTURE_KEYS = [
  'str:int',
  'str:emb',
  'str:raw',
  'str:float',
  'str:bits',
  'str:app',
  'list:small',
  'list:big',
  '{t}list',
  'hash:small',
  'hash:big',
  'set:int',
  'set:str',
  'set:big',
  '{t}set',
  'zset:small',
  'zset:big',
  '{t}zset',
  'hll:sparse',
  'hll:dense',
  'hll:bad',
  'stream:small',
  'stream:groups',
  'missing',
  '{t}missing',
];

/** The keys a fuzz run touches (to delete and rebuild). */
export const FUZZ_KEYS = FIXTURE_KEYS;

// ---------------------------------------------------------------- argument lists

export class CommandGen {
  private readonly cmds = fuzzCommands();
  private readonly times = unixTimes();
  constructor(readonly rng: Rng) {}

  key(): string {
    const r = this.rng;
    const p = r.next();
    if (p < 0.8) return r.pick(FIXTURE_KEYS);
    if (p < 0.95) return `k${r.int(20)}`;
    return r.pick(['', '\x00', 'k'.repeat(300), '{t}' + r.int(5), 'key with spaces']);
  }

  private anyValue(): string {
    const r = this.rng;
    switch (r.int(5)) {
      case 0:
        return r.pick(INTEGERS);
      case 1:
        return r.pick(DOUBLES);
      case 2:
        return r.pick(PATTERNS);
      case 3:
        return this.key();
      default:
        return this.str();
    }
  }

  private str(): string {
    const r = this.rng;
    if (r.chance(0.002)) return LONG_1M;
    return r.pick(STRINGS);
  }

  private value(type: string): string {
    const r = this.rng;
    // a value of another type now and then
    if (r.chance(0.05)) return this.anyValue();
    switch (type) {
      case 'key':
        return this.key();
      case 'integer':
        return r.pick(INTEGERS);
      case 'double':
        return r.pick(DOUBLES);
      case 'pattern':
        return r.pick(PATTERNS);
      case 'unix-time':
        return r.pick(this.times);
      default:
        return this.str();
    }
  }

  private token(t: string): string {
    const r = this.rng;
    return r.chance(0.2) ? t.toLowerCase() : t;
  }

  /** The words of one documented argument. */
  private arg(a: DocArg, out: string[]): void {
    const r = this.rng;
    const flags = a.flags ?? [];
    if (flags.includes('optional') && r.chance(0.5)) return;
    let times = 1;
    if (flags.includes('multiple')) times = r.chance(0.05) ? r.int(40) : 1 + r.int(4);
    const multipleToken = flags.includes('multiple_token');
    for (let i = 0; i < times; i++) {
      if (a.token !== undefined && a.type !== 'pure-token' && (i === 0 || multipleToken)) out.push(this.token(a.token));
      switch (a.type) {
        case 'pure-token':
          out.push(this.token(a.token ?? a.name));
          break;
        case 'oneof':
          if (a.arguments && a.arguments.length > 0) this.arg({ ...r.pick(a.arguments), flags: [] }, out);
          break;
        case 'block':
          for (const sub of a.arguments ?? []) this.arg(sub, out);
          break;
        default:
          out.push(this.value(a.type));
      }
    }
  }

  /** One command: its words, arguments after its documented structure, maybe perturbed. */
  command(): string[] {
    const r = this.rng;
    const c = r.pick(this.cmds);
    const out = c.words.map((w) => (r.chance(0.1) ? w.toUpperCase() : w));
    for (const a of c.args) this.arg(a, out);
    if (r.chance(0.2)) this.perturb(out, c.words.length, c.tokens);
    return out;
  }

  /** CONFIG SET of a parameter the fuzzer may change, with a value right or wrong. */
  configSet(): string[] {
    const r = this.rng;
    return ['CONFIG', 'SET', r.pick(CONFIG_SET_ALLOWED), r.chance(0.5) ? r.pick(INTEGERS) : this.anyValue()];
  }

  private perturb(argv: string[], fixed: number, tokens: string[]): void {
    const r = this.rng;
    const n = 1 + r.int(3);
    for (let k = 0; k < n; k++) {
      const i = fixed + r.int(Math.max(1, argv.length - fixed + 1));
      switch (r.int(6)) {
        case 0:
          if (argv.length > fixed) argv.splice(Math.min(i, argv.length - 1), 1);
          break;
        case 1:
          if (argv.length > fixed) argv.splice(i, 0, argv[Math.min(i, argv.length - 1)]);
          break;
        case 2:
          argv.splice(i, 0, this.anyValue());
          break;
        case 3:
          if (i < argv.length) argv[i] = this.anyValue();
          break;
        case 4:
          if (tokens.length > 0) argv.splice(i, 0, r.pick(tokens), this.anyValue());
          break;
        default: {
          const j = fixed + r.int(Math.max(1, argv.length - fixed));
          if (i < argv.length && j < argv.length) [argv[i], argv[j]] = [argv[j], argv[i]];
        }
      }
    }
  }
}

// ---------------------------------------------------------------- frames

/** RESP multibulk of argv. */
export function multibulk(argv: string[]): string {
  let s = '*' + argv.length + '\r\n';
  for (const a of argv) s += '$' + a.length + '\r\n' + a + '\r\n';
  return s;
}

/** An inline command line for argv (quoted where needed, as sdssplitargs reads it). */
export function inline(argv: string[], rng: Rng): string {
  const parts = argv.map((a) => {
    if (a.length > 0 && /^[\x21-\x7e]+$/.test(a) && !/["'\\]/.test(a)) return a;
    let q = '"';
    for (const ch of a) {
      const c = ch.charCodeAt(0);
      if (ch === '"' || ch === '\\') q += '\\' + ch;
      else if (ch === '\n') q += '\\n';
      else if (ch === '\r') q += '\\r';
      else if (c < 32 || c > 126) q += '\\x' + c.toString(16).padStart(2, '0');
      else q += ch;
    }
    return q + '"';
  });
  return parts.join(rng.chance(0.1) ? '   ' : ' ') + (rng.chance(0.2) ? '\n' : '\r\n');
}

/** Frames that end a connection or leave it waiting (sent last in a batch). */
const FATAL = [
  '*2147483648\r\n',
  '*-2\r\n$1\r\na\r\n',
  '*1\r\n$-1\r\n',
  '*1\r\n$x\r\n',
  '*1\r\n$01\r\na\r\n',
  '*1\r\n$1\r\nab\r\n',
  '*1\r\n$99999999999\r\n',
  '*3\r\n$3\r\nSET\r\n',
  '*1\r\n$100\r\nshort',
  '*1\r\n+PING\r\n',
  '*a\r\n',
  '"unbalanced\r\n',
  "'also unbalanced\r\n",
  '*1\r\n$4\r\nPING',
  '*' + '9'.repeat(30) + '\r\n',
  '$5\r\nhello\r\n',
  '*1\r\n$' + '1'.repeat(70000),
  'x'.repeat(70000),
  '*1\r\n' + '$'.repeat(100) + '\r\n',
];

/** Odd but legal frames (the connection goes on). */
const ODD = ['*0\r\n', '*-1\r\n', '\r\n', '\n', '*1\r\n$0\r\n\r\n', '   \r\n', 'PING\r\n', 'ping "a" \'b\'\r\n', '*1\r\n$4\r\nping\r\n'];

/** Applies 1-3 byte-level mutations to a frame. */
export function mutate(frame: string, rng: Rng): string {
  let s = frame;
  const n = 1 + rng.int(3);
  for (let k = 0; k < n; k++) {
    const i = rng.int(s.length + 1);
    switch (rng.int(6)) {
      case 0:
        s = s.slice(0, i) + String.fromCharCode(rng.int(256)) + s.slice(i + 1);
        break;
      case 1:
        s = s.slice(0, i) + s.slice(i + 1);
        break;
      case 2:
        s = s.slice(0, i) + String.fromCharCode(rng.int(256)) + s.slice(i);
        break;
      case 3:
        s = s.slice(0, i);
        break;
      case 4:
        s = s.slice(0, i) + rng.pick(['\r\n', '*', '$', '-', '0', '9', '\0']) + s.slice(i);
        break;
      default:
        s = s.slice(0, i) + s.slice(i, i + rng.int(20)) + s.slice(i);
    }
  }
  return s;
}

/** One batch of frames for one connection: legal ones, maybe one that ends it last. Returns the bytes and the frame count. */
export function frameBatch(gen: CommandGen, size: number): { bytes: string; frames: number } {
  const r = gen.rng;
  let bytes = r.chance(0.3) ? multibulk(['HELLO', '3']) : '';
  let frames = bytes === '' ? 0 : 1;
  for (let i = 0; i < size; i++) {
    const p = r.next();
    if (p < 0.7) bytes += multibulk(gen.command());
    else if (p < 0.9) bytes += inline(gen.command(), r);
    else bytes += r.pick(ODD);
    frames++;
  }
  if (r.chance(0.5)) {
    bytes += r.chance(0.5) ? r.pick(FATAL) : mutate(r.chance(0.5) ? multibulk(gen.command()) : inline(gen.command(), r), r);
    frames++;
  }
  return { bytes, frames };
}

/** One batch of commands (argument lists) for one connection, RESP2 or RESP3. */
export function commandBatch(gen: CommandGen, size: number): { bytes: string; commands: number } {
  const r = gen.rng;
  let bytes = r.chance(0.3) ? multibulk(['HELLO', '3']) : '';
  for (let i = 0; i < size; i++) bytes += multibulk(r.chance(0.01) ? gen.configSet() : gen.command());
  return { bytes, commands: size };
}
