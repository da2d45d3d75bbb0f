/**
 * Server commands (Redis group "server"): COMMAND, INFO, CONFIG, SHUTDOWN,
 * SLOWLOG, MEMORY (DEBUG is in debug.ts).
 *
 * COMMAND INFO/DOCS/LIST/COUNT/GETKEYS read the command table, which carries
 * Redis 7.0's metadata (see commands/spec.ts): only what gKV registered is
 * visible, so a client probing COMMAND INFO learns what gKV really serves.
 * The reply shapes reproduce Redis 7.0's exactly, RESP2 and RESP3 (flags, ACL
 * categories, tips and key-spec flags are sets of status strings in RESP3;
 * key specs are a set of maps; a command without subcommands has an empty
 * set where one with subcommands has an array).
 *
 * INFO builds Redis 7.0's sections with the same field names and order, and
 * the process's real figures. A subsystem (persistence, replication...) can
 * replace a section's fields with registerInfoSection().
 */
import { resolve } from 'node:path';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { newCommandStats, type CommandRow, type CommandSpec, type KeySpec } from '../spec.js';
import type { Client } from '../../server/client.js';
import type { Server } from '../../server/server.js';
import { Err } from '../../protocol/errors.js';
import { intArg, is } from '../args.js';
import { parseInt64 } from '../../util/numbers.js';
import { globMatch } from '../../util/glob.js';
import { monitorCommand } from '../../server/monitor.js';
import { rewriteConfigFile } from '../../server/config-rewrite.js';
import { clientMemoryUsage, outputBufferMemory } from '../../server/client-mem.js';
import { latencystatsFields } from '../../server/latency.js';
import { encodingOf, type Value } from '../../keyspace/value.js';
import { assertNever } from '../../util/assert.js';
import { LRU_CLOCK_MAX } from '../../keyspace/keyspace.js';
import { SHUTDOWN_FAILED, type ShutdownFlags } from '../../server/server.js';
import { aofOf } from '../../persistence/aof/index.js';
import { rdbStateOf } from '../../persistence/rdb-install.js';
import { childInfoFields, forkStatsOf } from '../../persistence/child.js';
import { migrateCachedSockets } from '../migrate.js';
import { usedMemory } from '../../server/memory.js';

export { REDIS_VERSION } from '../../version.js';
import { REDIS_VERSION } from '../../version.js';

// ------------------------------------------------------------------ helpers

/** Redis's addReplyHelp: the header line, the given lines, then HELP. */
export function addHelp(c: Client, cmd: string, lines: string[]): void {
  const all = [`${cmd} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:`, ...lines, 'HELP', '    Prints this help.'];
  c.addArrayLen(all.length);
  for (const l of all) c.addStatus(l);
}

/** printf("%.<d>f"): like toFixed, but exact ties round to even as glibc does. */
export function fixed(x: number, d: number): string {
  const m = 10 ** d;
  const scaled = x * m;
  const fl = Math.floor(scaled);
  if (scaled - fl === 0.5 && scaled / m === x && fl % 2 === 0) return (fl / m).toFixed(d);
  return x.toFixed(d);
}

/** Redis's bytesToHuman: "991.41K", "6.85M", "200B". */
export function bytesToHuman(n: number): string {
  const units = ['K', 'M', 'G', 'T', 'P'];
  if (n < 1024) return `${n}B`;
  let d = n / 1024;
  for (const u of units) {
    if (d < 1024 || u === 'P') return `${fixed(d, 2)}${u}`;
    d /= 1024;
  }
  return `${n}B`;
}

// ------------------------------------------------------------------ COMMAND INFO / DOCS

function addKeySpec(c: Client, ks: KeySpec): void {
  c.addMapLen(ks.notes !== undefined ? 4 : 3);
  if (ks.notes !== undefined) {
    c.addBulk('notes');
    c.addBulk(ks.notes);
  }
  c.addBulk('flags');
  c.addSetLen(ks.flags.length);
  for (const f of ks.flags) c.addStatus(f);
  for (const [label, part] of [['begin_search', ks.begin_search], ['find_keys', ks.find_keys]] as const) {
    c.addBulk(label);
    c.addMapLen(2);
    c.addBulk('type');
    c.addBulk(part.type);
    c.addBulk('spec');
    const entries = Object.entries(part.spec as Record<string, unknown>);
    c.addMapLen(entries.length);
    for (const [k, v] of entries) {
      c.addBulk(k);
      if (typeof v === 'number') c.addInt(v);
      else c.addBulk(String(v));
    }
  }
}

/** One command's COMMAND INFO entry (Redis's addReplyCommandInfo). */
export function addCommandInfo(c: Client, spec: CommandSpec): void {
  const i = spec.info;
  c.addArrayLen(10);
  c.addBulk(spec.fullName);
  c.addInt(i.arity);
  c.addSetLen(i.flags.length);
  for (const f of i.flags) c.addStatus(f);
  c.addInt(i.firstKey);
  c.addInt(i.lastKey);
  c.addInt(i.step);
  c.addSetLen(i.acl.length);
  for (const a of i.acl) c.addStatus(a);
  c.addSetLen(i.tips.length);
  for (const t of i.tips) c.addBulk(t);
  c.addSetLen(i.keySpecs.length);
  for (const ks of i.keySpecs) addKeySpec(c, ks);
  const subs = registeredSubs(spec);
  if (subs === null) c.addSetLen(0);
  else {
    c.addArrayLen(subs.length);
    for (const sub of subs) addCommandInfo(c, sub);
  }
}

/** The registered subcommands of spec in Redis's order (the snapshot's), or null when it has none. */
function registeredSubs(spec: CommandSpec): CommandSpec[] | null {
  if (spec.subcommands === null) return null;
  const order = spec.info.subcommands.map((x) => x.name);
  return [...spec.subcommands.values()].sort((a, b) => order.indexOf(a.fullName) - order.indexOf(b.fullName));
}

type Arg = Record<string, unknown>;

function addDocArgs(c: Client, args: Arg[]): void {
  c.addArrayLen(args.length);
  for (const a of args) {
    const keys = Object.keys(a);
    c.addMapLen(keys.length);
    for (const k of keys) {
      const v = a[k];
      c.addBulk(k);
      if (k === 'flags') {
        const fl = v as string[];
        c.addSetLen(fl.length);
        for (const f of fl) c.addStatus(f);
      } else if (k === 'arguments') addDocArgs(c, v as Arg[]);
      else if (typeof v === 'number') c.addInt(v);
      else c.addBulk(String(v));
    }
  }
}

/** One command's COMMAND DOCS map (the fields the snapshot holds, in Redis's order). */
export function addCommandDocs(c: Client, spec: CommandSpec): void {
  const d = (spec.docs ?? {}) as Record<string, unknown>;
  const subs = registeredSubs(spec);
  let n = 1; // group is always there
  for (const k of ['since', 'doc_flags', 'deprecated_since', 'replaced_by', 'arguments']) if (d[k] !== undefined) n++;
  if (subs !== null) n++;
  c.addMapLen(n);
  if (d.since !== undefined) {
    c.addBulk('since');
    c.addBulk(String(d.since));
  }
  c.addBulk('group');
  c.addBulk(String(d.group ?? 'generic'));
  if (d.doc_flags !== undefined) {
    const fl = d.doc_flags as string[];
    c.addBulk('doc_flags');
    c.addSetLen(fl.length);
    for (const f of fl) c.addStatus(f);
  }
  for (const k of ['deprecated_since', 'replaced_by']) {
    if (d[k] !== undefined) {
      c.addBulk(k);
      c.addBulk(String(d[k]));
    }
  }
  if (d.arguments !== undefined) {
    c.addBulk('arguments');
    addDocArgs(c, d.arguments as Arg[]);
  }
  if (subs !== null) {
    c.addBulk('subcommands');
    c.addMapLen(subs.length);
    for (const sub of subs) {
      c.addBulk(sub.fullName);
      addCommandDocs(c, sub);
    }
  }
}

function commandCommand(c: Client, _argv: string[], s: Server): void {
  c.addArrayLen(s.table.commands.size);
  for (const spec of s.table.commands.values()) addCommandInfo(c, spec);
}

function commandCountCommand(c: Client, _argv: string[], s: Server): void {
  c.addInt(s.table.commands.size);
}

function commandInfoCommand(c: Client, argv: string[], s: Server): void {
  if (argv.length === 2) {
    commandCommand(c, argv, s);
    return;
  }
  c.addArrayLen(argv.length - 2);
  for (let i = 2; i < argv.length; i++) {
    const spec = s.table.lookupFullName(argv[i]);
    if (spec === undefined) c.addNull();
    else addCommandInfo(c, spec);
  }
}

function commandDocsCommand(c: Client, argv: string[], s: Server): void {
  const specs: CommandSpec[] = [];
  if (argv.length === 2) specs.push(...s.table.commands.values());
  else {
    for (let i = 2; i < argv.length; i++) {
      const spec = s.table.lookupFullName(argv[i]);
      if (spec !== undefined) specs.push(spec);
    }
  }
  c.addMapLen(specs.length);
  for (const spec of specs) {
    c.addBulk(spec.fullName);
    addCommandDocs(c, spec);
  }
}

function commandListCommand(c: Client, argv: string[], s: Server): void {
  let filter: ((spec: CommandSpec) => boolean) | null = null;
  if (argv.length === 5 && is(argv[2], 'filterby')) {
    const arg = argv[4];
    if (is(argv[3], 'module')) filter = () => false; // gKV has no modules
    else if (is(argv[3], 'aclcat')) {
      const cat = arg.toLowerCase();
      filter = (spec) => spec.aclCategories.includes(cat);
    } else if (is(argv[3], 'pattern')) filter = (spec) => globMatch(arg, spec.fullName, true);
    else throw Err.syntax();
  } else if (argv.length !== 2) {
    throw Err.syntax();
  }
  const names: string[] = [];
  for (const spec of s.table.all()) if (filter === null || filter(spec)) names.push(spec.fullName);
  c.addBulks(names);
}

// ------------------------------------------------------------------ GETKEYS

interface KeyRef {
  pos: number;
  flags: string[];
}

const RW_ACCESS_UPDATE = ['RW', 'access', 'update'];

/** Keys found by the key specs (Redis's getKeysUsingKeySpecs), or null for an invalid/incomplete spec. */
export function keysFromSpecs(spec: CommandSpec, argv: string[]): KeyRef[] | null {
  const argc = argv.length;
  const out: KeyRef[] = [];
  for (const ks of spec.info.keySpecs) {
    if (ks.flags.includes('not_key')) continue;
    let first = 0;
    const bs = ks.begin_search;
    if (bs.type === 'index') first = bs.spec.index!;
    else if (bs.type === 'keyword') {
      const from = bs.spec.startfrom!;
      const kw = bs.spec.keyword!.toLowerCase();
      const start = from > 0 ? from : argc + from;
      const end = from > 0 ? argc - 1 : 1;
      for (let i = start; i !== end; i = start <= end ? i + 1 : i - 1) {
        if (i >= argc || i < 1) break;
        if (argv[i].toLowerCase() === kw) {
          first = i + 1;
          break;
        }
      }
      if (first === 0) continue;
    } else return null;
    let last: number;
    let step: number;
    const fk = ks.find_keys;
    if (fk.type === 'range') {
      step = fk.spec.keystep!;
      const lastkey = fk.spec.lastkey!;
      const limit = fk.spec.limit!;
      if (lastkey >= 0) last = first + lastkey;
      else if (!limit) last = argc + lastkey;
      else last = first + (Math.trunc((argc - first) / limit) + lastkey);
    } else if (fk.type === 'keynum') {
      step = fk.spec.keystep!;
      const idx = fk.spec.keynumidx!;
      if (idx >= argc - first) {
        if (spec.arity < 0) continue;
        return null;
      }
      const nk = parseInt64(argv[first + idx]);
      if (nk === null || nk < 0) return null;
      first += fk.spec.firstkey!;
      last = first + Number(nk) - 1;
    } else return null;
    if (last >= argc || last < first || first >= argc) return null;
    for (let i = first; i <= last; i += step) out.push({ pos: i, flags: ks.flags });
    if (ks.flags.includes('incomplete')) return null;
  }
  return out;
}

/** Redis's native getkeys procs for the commands whose key specs cannot say everything. */
function keysFromProc(spec: CommandSpec, argv: string[]): KeyRef[] {
  const argc = argv.length;
  switch (spec.fullName) {
    case 'set': {
      for (let i = 3; i < argc; i++) if (is(argv[i], 'get')) return [{ pos: 1, flags: RW_ACCESS_UPDATE }];
      return [{ pos: 1, flags: ['OW', 'update'] }];
    }
    case 'bitfield': {
      let readonly = true;
      for (let i = 2; i < argc; i++) {
        const rem = argc - i - 1;
        if (is(argv[i], 'get') && rem >= 2) i += 2;
        else if ((is(argv[i], 'set') || is(argv[i], 'incrby')) && rem >= 3) {
          readonly = false;
          break;
        } else if (is(argv[i], 'overflow') && rem >= 1) i += 1;
        else {
          readonly = false;
          break;
        }
      }
      return [{ pos: 1, flags: readonly ? ['RO', 'access'] : RW_ACCESS_UPDATE }];
    }
    case 'sort': {
      const keys: KeyRef[] = [{ pos: 1, flags: ['RO', 'access'] }];
      let store: KeyRef | null = null;
      const skip: Record<string, number> = { limit: 2, get: 1, by: 1 };
      for (let i = 2; i < argc; i++) {
        const a = argv[i].toLowerCase();
        if (skip[a] !== undefined) i += skip[a];
        else if (a === 'store' && i + 1 < argc) store = { pos: i + 1, flags: ['OW', 'update'] };
      }
      if (store !== null) keys.push(store);
      return keys;
    }
    case 'sort_ro':
      return [{ pos: 1, flags: ['RO', 'access'] }];
    case 'migrate': {
      let first = 3;
      let num = 1;
      if (argc > 6) {
        const skip: Record<string, number> = { copy: 0, replace: 0, auth: 1, auth2: 2 };
        for (let i = 6; i < argc; i++) {
          const a = argv[i].toLowerCase();
          if (a === 'keys') {
            if (argv[3].length > 0) return [];
            first = i + 1;
            num = argc - first;
            break;
          }
          if (skip[a] !== undefined) i += skip[a];
        }
      }
      const out: KeyRef[] = [];
      for (let i = 0; i < num; i++) out.push({ pos: first + i, flags: ['RW', 'access', 'delete'] });
      return out;
    }
    default:
      // the other native procs agree with the specs when those are valid, and find no keys otherwise
      return [];
  }
}

/** Redis's getKeysFromCommandWithSpecs. */
export function commandKeys(spec: CommandSpec, argv: string[]): KeyRef[] {
  const varFlags = spec.info.keySpecs.some((k) => k.flags.includes('variable_flags'));
  if (!varFlags) {
    const r = keysFromSpecs(spec, argv);
    if (r !== null) return r;
  }
  return keysFromProc(spec, argv);
}

function getKeysSubcommand(c: Client, argv: string[], s: Server, withFlags: boolean): void {
  const cargv = argv.slice(2);
  let spec = s.table.lookup(cargv[0]);
  if (spec !== undefined && spec.subcommands !== null && cargv.length >= 2) spec = spec.subcommands.get(cargv[1].toLowerCase());
  if (spec === undefined) throw Err.raw('ERR Invalid command specified');
  const hasKeys = spec.info.keySpecs.some((k) => !k.flags.includes('not_key'));
  if (!hasKeys) throw Err.raw('ERR The command has no key arguments');
  if (!spec.arityOk(cargv.length)) throw Err.raw('ERR Invalid number of arguments specified for command');
  const keys = commandKeys(spec, cargv);
  if (keys.length === 0) {
    if (spec.flagSet.has('no_mandatory_keys')) c.addArrayLen(0);
    else throw Err.raw('ERR Invalid arguments specified for command');
    return;
  }
  c.addArrayLen(keys.length);
  for (const k of keys) {
    if (!withFlags) c.addBulk(cargv[k.pos]);
    else {
      c.addArrayLen(2);
      c.addBulk(cargv[k.pos]);
      c.addSetLen(k.flags.length);
      for (const f of k.flags) c.addStatus(f);
    }
  }
}

function commandHelpCommand(c: Client): void {
  addHelp(c, 'COMMAND', [
    '(no subcommand)',
    '    Return details about all Redis commands.',
    'COUNT',
    '    Return the total number of commands in this Redis server.',
    'LIST',
    '    Return a list of all commands in this Redis server.',
    'INFO [<command-name> ...]',
    '    Return details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'DOCS [<command-name> ...]',
    '    Return documentation details about multiple Redis commands.',
    '    If no command names are given, documentation details for all',
    '    commands are returned.',
    'GETKEYS <full-command>',
    '    Return the keys from a full Redis command.',
    'GETKEYSANDFLAGS <full-command>',
    '    Return the keys and the access flags from a full Redis command.',
  ]);
}

// ------------------------------------------------------------------ INFO

type InfoFields = [string, string | number][];
type InfoProvider = (s: Server) => InfoFields;

/** Sections in Redis 7.0's order, with their headers. */
const SECTIONS: [key: string, title: string][] = [
  ['server', 'Server'],
  ['clients', 'Clients'],
  ['memory', 'Memory'],
  ['persistence', 'Persistence'],
  ['stats', 'Stats'],
  ['replication', 'Replication'],
  ['cpu', 'CPU'],
  ['modules', 'Modules'],
  ['commandstats', 'Commandstats'],
  ['errorstats', 'Errorstats'],
  ['latencystats', 'Latencystats'],
  ['cluster', 'Cluster'],
  ['keyspace', 'Keyspace'],
];
const DEFAULT_SECTIONS = ['server', 'clients', 'memory', 'persistence', 'stats', 'replication', 'cpu', 'modules', 'errorstats', 'cluster', 'keyspace'];

const providers = new Map<string, InfoProvider>();

/**
 * Lets a subsystem supply a section's fields (e.g. persistence the
 * rdb_ and aof_ figures, replication the role and offsets).
 */
export function registerInfoSection(name: string, fn: InfoProvider): void {
  providers.set(name, fn);
}

/** Per-server figures INFO needs that the core does not keep. */
interface InfoState {
  peakMemory: number;
  startupMemory: number;
  replId: string;
}
const infoStates = new WeakMap<Server, InfoState>();
function infoState(s: Server): InfoState {
  let st = infoStates.get(s);
  if (st === undefined) {
    st = { peakMemory: 0, startupMemory: STARTUP_MEMORY, replId: randomReplId() };
    infoStates.set(s, st);
  }
  return st;
}

/** Redis's changeReplicationId (DEBUG CHANGE-REPL-ID): a new random master_replid. */
export function changeReplicationId(s: Server): void {
  infoState(s).replId = randomReplId();
}

function randomReplId(): string {
  const hex = '0123456789abcdef';
  let id = '';
  for (let i = 0; i < 40; i++) id += hex[Math.floor(Math.random() * 16)];
  return id;
}

/** INFO's aof_ fields for a server without an AOF installed */
const AOF_OFF_FIELDS: InfoFields = [
  ['aof_enabled', 0], ['aof_rewrite_in_progress', 0], ['aof_rewrite_scheduled', 0], ['aof_last_rewrite_time_sec', -1],
  ['aof_current_rewrite_time_sec', -1], ['aof_last_bgrewrite_status', 'ok'], ['aof_rewrites', 0],
  ['aof_rewrites_consecutive_failures', 0], ['aof_last_write_status', 'ok'], ['aof_last_cow_size', 0],
];

/** used_memory when this module was loaded, before any client or key: used_memory_startup */
const STARTUP_MEMORY = usedMemory();


function serverFields(s: Server): InfoFields {
  const now = Date.now();
  const uptime = Math.floor((now - s.startTime) / 1000);
  const cf = s.config.configFile;
  return [
    ['redis_version', REDIS_VERSION],
    ['redis_git_sha1', '00000000'],
    ['redis_git_dirty', 0],
    ['redis_build_id', '0'],
    ['redis_mode', 'standalone'],
    ['os', `${os.type()} ${os.release()} ${os.machine()}`],
    ['arch_bits', process.arch.endsWith('64') ? 64 : 32],
    ['monotonic_clock', 'POSIX clock_gettime'],
    ['multiplexing_api', process.platform === 'linux' ? 'epoll' : process.platform === 'darwin' ? 'kqueue' : 'select'],
    ['atomicvar_api', 'c11-builtin'],
    ['gcc_version', '0.0.0'],
    ['process_id', process.pid],
    ['process_supervised', 'no'],
    ['run_id', s.runId],
    ['tcp_port', s.port],
    ['server_time_usec', now * 1000],
    ['uptime_in_seconds', uptime],
    ['uptime_in_days', Math.floor(uptime / 86400)],
    ['hz', s.hz],
    ['configured_hz', s.config.get('hz')],
    ['lru_clock', Math.floor(now / 1000) & LRU_CLOCK_MAX],
    ['executable', resolve(process.argv[1] ?? process.execPath)],
    ['config_file', cf ? resolve(cf) : ''],
    ['io_threads_active', 0],
  ];
}

function clientsFields(s: Server): InfoFields {
  let blocked = 0;
  let normal = 0;
  for (const c of s.clients.values()) {
    if (c.kind === 'replica') continue;
    normal++;
    // Redis counts clients blocked on keys and clients whose command waits for a CLIENT PAUSE
    if (c.blocked || c.paused) blocked++;
  }
  const [maxIn, maxOut] = s.expansiveClients();
  return [
    ['connected_clients', normal],
    ['cluster_connections', 0],
    ['maxclients', s.maxClients],
    ['client_recent_max_input_buffer', maxIn],
    ['client_recent_max_output_buffer', maxOut],
    ['blocked_clients', blocked],
    ['tracking_clients', 0],
    ['clients_in_timeout_table', s.blocking.timeoutCount], // blocked clients with a timeout (server/blocking.ts)
  ];
}

interface MemFigures {
  used: number;
  rss: number;
  peak: number;
  startup: number;
  clientBufs: number;
  overhead: number;
  dataset: number;
  netUsed: number;
  allocated: number;
  active: number;
  resident: number;
}

/** The memory figures INFO memory and MEMORY STATS report, from process.memoryUsage(). */
function memFigures(s: Server): MemFigures {
  const st = infoState(s);
  const m = process.memoryUsage();
  const used = usedMemory();
  if (used > st.peakMemory) st.peakMemory = used;
  const startup = Math.min(st.startupMemory, used);
  let clientBufs = 0;
  // Redis's mem_clients_normal: every client's memory as CLIENT LIST tot-mem counts it
  for (const c of s.clients.values()) clientBufs += clientMemoryUsage(c, outputBufferMemory(c.mem, s.unsentOutput(c)));
  const overhead = Math.min(used, startup + clientBufs);
  return {
    used,
    rss: m.rss,
    peak: st.peakMemory,
    startup,
    clientBufs,
    overhead,
    dataset: used - overhead,
    netUsed: used - startup,
    allocated: used,
    active: m.heapTotal + m.external + m.arrayBuffers,
    resident: m.rss,
  };
}

function memoryFields(s: Server): InfoFields {
  const { used, rss, peak, startup, clientBufs, overhead, dataset, netUsed, allocated, active, resident } = memFigures(s);
  const m = { rss };
  const maxmemory = Number(s.config.get('maxmemory'));
  const total = os.totalmem();
  const r2 = (a: number, b: number) => fixed(b === 0 ? 0 : a / b, 2);
  return [
    ['used_memory', used],
    ['used_memory_human', bytesToHuman(used)],
    ['used_memory_rss', m.rss],
    ['used_memory_rss_human', bytesToHuman(m.rss)],
    ['used_memory_peak', peak],
    ['used_memory_peak_human', bytesToHuman(peak)],
    ['used_memory_peak_perc', `${fixed(peak === 0 ? 0 : (used * 100) / peak, 2)}%`],
    ['used_memory_overhead', overhead],
    ['used_memory_startup', startup],
    ['used_memory_dataset', dataset],
    ['used_memory_dataset_perc', `${fixed(netUsed <= 0 ? 0 : (dataset * 100) / netUsed, 2)}%`],
    ['allocator_allocated', allocated],
    ['allocator_active', active],
    ['allocator_resident', resident],
    ['total_system_memory', total],
    ['total_system_memory_human', bytesToHuman(total)],
    ['used_memory_lua', 0],
    ['used_memory_vm_eval', 0],
    ['used_memory_lua_human', '0B'],
    ['used_memory_scripts_eval', 0],
    ['number_of_cached_scripts', 0],
    ['number_of_functions', 0],
    ['number_of_libraries', 0],
    ['used_memory_vm_functions', 0],
    ['used_memory_vm_total', 0],
    ['used_memory_vm_total_human', '0B'],
    ['used_memory_functions', 0],
    ['used_memory_scripts', 0],
    ['used_memory_scripts_human', '0B'],
    ['maxmemory', maxmemory],
    ['maxmemory_human', bytesToHuman(maxmemory)],
    ['maxmemory_policy', s.config.get('maxmemory-policy')],
    ['allocator_frag_ratio', r2(active, allocated)],
    ['allocator_frag_bytes', active - allocated],
    ['allocator_rss_ratio', r2(resident, active)],
    ['allocator_rss_bytes', resident - active],
    ['rss_overhead_ratio', r2(m.rss, resident)],
    ['rss_overhead_bytes', m.rss - resident],
    ['mem_fragmentation_ratio', r2(m.rss, used)],
    ['mem_fragmentation_bytes', m.rss - used],
    ['mem_not_counted_for_evict', 0],
    ['mem_replication_backlog', 0],
    ['mem_total_replication_buffers', 0],
    ['mem_clients_slaves', 0],
    ['mem_clients_normal', clientBufs],
    ['mem_cluster_links', 0],
    ['mem_aof_buffer', 0],
    ['mem_allocator', 'libc'],
    ['active_defrag_running', 0],
    ['lazyfree_pending_objects', s.lazyfree.pending],
    ['lazyfreed_objects', s.lazyfree.freed],
  ];
}

/** INFO's loading_* fields, present only while a load whose size is known runs (as Redis). */
function loadingFields(s: Server): InfoFields {
  const l = s.loadingInfo;
  if (!s.loading || l === null) return [];
  const elapsed = Math.max(0, Date.now() / 1000 - l.start);
  const perc = l.totalBytes === 0 ? 0 : (l.loadedBytes / l.totalBytes) * 100;
  const eta = l.loadedBytes === 0 ? 1 : Math.round(((l.totalBytes - l.loadedBytes) / (l.loadedBytes / Math.max(elapsed, 0.001))));
  return [
    ['loading_start_time', l.start],
    ['loading_total_bytes', l.totalBytes],
    ['loading_rdb_used_mem', 0],
    ['loading_loaded_bytes', l.loadedBytes],
    ['loading_loaded_perc', fixed(perc, 2)],
    ['loading_eta_seconds', eta],
  ];
}

function persistenceFields(s: Server): InfoFields {
  // the aof_ fields come from the AOF (persistence/aof/writer.ts); aof.tail only while it is on
  const aof = aofOf(s)?.infoFields() ?? { head: AOF_OFF_FIELDS, tail: [] };
  return [
    ['loading', s.loading ? 1 : 0],
    ['async_loading', 0],
    ...childInfoFields(s),
    ...(rdbStateOf(s)?.infoFields() ?? [
      ['rdb_changes_since_last_save', s.ks.dirty], ['rdb_bgsave_in_progress', 0],
      ['rdb_last_save_time', Math.floor(s.startTime / 1000)], ['rdb_last_bgsave_status', 'ok'],
      ['rdb_last_bgsave_time_sec', -1], ['rdb_current_bgsave_time_sec', -1], ['rdb_saves', 0],
      ['rdb_last_cow_size', 0], ['rdb_last_load_keys_expired', 0], ['rdb_last_load_keys_loaded', 0],
    ] as InfoFields),
    ...aof.head,
    ['module_fork_in_progress', 0],
    ['module_fork_last_cow_size', 0],
    ...aof.tail,
    ...loadingFields(s),
  ];
}

function statsFields(s: Server): InfoFields {
  const st = s.stats;
  const ks = s.ks.stats;
  const { channels, shardChannels: shard } = s.pubsub;
  const patterns = s.pubsub.patterns.size;
  return [
    ['total_connections_received', st.totalConnections],
    ['total_commands_processed', st.numCommands],
    ['instantaneous_ops_per_sec', st.instOps],
    ['total_net_input_bytes', st.netInput],
    ['total_net_output_bytes', st.netOutput],
    ['total_net_repl_input_bytes', 0],
    ['total_net_repl_output_bytes', 0],
    ['instantaneous_input_kbps', fixed(st.instIn, 2)],
    ['instantaneous_output_kbps', fixed(st.instOut, 2)],
    ['instantaneous_input_repl_kbps', '0.00'],
    ['instantaneous_output_repl_kbps', '0.00'],
    ['rejected_connections', st.rejectedConnections],
    ['sync_full', 0],
    ['sync_partial_ok', 0],
    ['sync_partial_err', 0],
    ['expired_keys', ks.expiredKeys],
    ['expired_stale_perc', fixed(ks.expiredStalePerc * 100, 2)],
    ['expired_time_cap_reached_count', ks.expiredTimeCapReachedCount],
    ['expire_cycle_cpu_milliseconds', ks.expireCycleCpuMs],
    ['evicted_keys', ks.evictedKeys],
    ['evicted_clients', 0],
    ['total_eviction_exceeded_time', 0],
    ['current_eviction_exceeded_time', 0],
    ['keyspace_hits', ks.keyspaceHits],
    ['keyspace_misses', ks.keyspaceMisses],
    ['pubsub_channels', channels.size],
    ['pubsub_patterns', patterns],
    ['pubsubshard_channels', shard.size],
    ['latest_fork_usec', forkStatsOf(s).latestUsec],
    ['total_forks', forkStatsOf(s).total],
    ['migrate_cached_sockets', migrateCachedSockets(s)],
    ['slave_expires_tracked_keys', 0],
    ['active_defrag_hits', 0],
    ['active_defrag_misses', 0],
    ['active_defrag_key_hits', 0],
    ['active_defrag_key_misses', 0],
    ['total_active_defrag_time', 0],
    ['current_active_defrag_time', 0],
    ['tracking_total_keys', 0],
    ['tracking_total_items', 0],
    ['tracking_total_prefixes', 0],
    ['unexpected_error_replies', 0],
    ['total_error_replies', st.totalErrorReplies],
    ['dump_payload_sanitizations', 0],
    ['total_reads_processed', st.readsProcessed],
    ['total_writes_processed', st.writesProcessed],
    ['io_threaded_reads_processed', 0],
    ['io_threaded_writes_processed', 0],
    ['reply_buffer_shrinks', s.replyBufferStats.shrinks],
    ['reply_buffer_expands', s.replyBufferStats.expands],
  ];
}

function replicationFields(s: Server): InfoFields {
  return [
    ['role', 'master'],
    ['connected_slaves', 0],
    ['master_failover_state', 'no-failover'],
    ['master_replid', infoState(s).replId],
    ['master_replid2', '0000000000000000000000000000000000000000'],
    ['master_repl_offset', 0],
    ['second_repl_offset', -1],
    ['repl_backlog_active', 0],
    ['repl_backlog_size', Number(s.config.get('repl-backlog-size'))],
    ['repl_backlog_first_byte_offset', 0],
    ['repl_backlog_histlen', 0],
  ];
}

function cpuFields(): InfoFields {
  const u = process.cpuUsage();
  const secs = (us: number) => `${Math.floor(us / 1e6)}.${String(us % 1e6).padStart(6, '0')}`;
  return [
    ['used_cpu_sys', secs(u.system)],
    ['used_cpu_user', secs(u.user)],
    ['used_cpu_sys_children', '0.000000'],
    ['used_cpu_user_children', '0.000000'],
    ['used_cpu_sys_main_thread', secs(u.system)],
    ['used_cpu_user_main_thread', secs(u.user)],
  ];
}

function commandstatsFields(s: Server): InfoFields {
  const out: InfoFields = [];
  for (const spec of s.table.all()) {
    const st = spec.stats;
    if (st.calls === 0 && st.failed === 0 && st.rejected === 0) continue;
    const usec = Math.round(st.usec);
    out.push([
      `cmdstat_${spec.fullName}`,
      `calls=${st.calls},usec=${usec},usec_per_call=${fixed(st.calls === 0 ? 0 : usec / st.calls, 2)},rejected_calls=${st.rejected},failed_calls=${st.failed}`,
    ]);
  }
  return out;
}

function errorstatsFields(s: Server): InfoFields {
  return [...s.stats.errorCounts.keys()].sort().map((k) => [`errorstat_${k}`, `count=${s.stats.errorCounts.get(k)}`]);
}

function keyspaceFields(s: Server): InfoFields {
  const out: InfoFields = [];
  for (const db of s.ks.dbs) {
    const keys = db.size;
    const expires = db.expiresCount;
    if (keys === 0 && expires === 0) continue;
    out.push([`db${db.id}`, `keys=${keys},expires=${expires},avg_ttl=${Math.round(db.avgTtl)}`]);
  }
  return out;
}

const BUILTIN: Record<string, InfoProvider> = {
  server: serverFields,
  clients: clientsFields,
  memory: memoryFields,
  persistence: persistenceFields,
  stats: statsFields,
  replication: replicationFields,
  cpu: cpuFields,
  modules: () => [],
  commandstats: commandstatsFields,
  errorstats: errorstatsFields,
  latencystats: latencystatsFields,
  cluster: () => [['cluster_enabled', 0]],
  keyspace: keyspaceFields,
};

/** Redis's genRedisInfoString for the requested section names ([] = default). */
export function genInfoString(s: Server, names: string[]): string {
  const want = new Set<string>();
  if (names.length === 0) for (const n of DEFAULT_SECTIONS) want.add(n);
  for (const raw of names) {
    const n = raw.toLowerCase();
    if (n === 'default') for (const x of DEFAULT_SECTIONS) want.add(x);
    else if (n === 'all' || n === 'everything') for (const [x] of SECTIONS) want.add(x);
    else if (n === 'module_list') want.add('modules');
    else want.add(n);
  }
  let out = '';
  let count = 0;
  for (const [key, title] of SECTIONS) {
    if (!want.has(key)) continue;
    const fields = (providers.get(key) ?? BUILTIN[key])(s);
    if (count++ > 0) out += '\r\n';
    out += `# ${title}\r\n`;
    for (const [k, v] of fields) out += `${k}:${v}\r\n`;
  }
  return out;
}

function infoCommand(c: Client, argv: string[], s: Server): void {
  c.addVerbatim(genInfoString(s, argv.slice(1)));
}

// ------------------------------------------------------------------ CONFIG

function configGetCommand(c: Client, argv: string[], s: Server): void {
  const pairs = s.config.getMatching(argv.slice(2));
  c.addMapLen(pairs.length);
  for (const [k, v] of pairs) {
    c.addBulk(k);
    c.addBulk(v);
  }
}

/** Redis's islocalClient: connected from 127.0.0.1 or ::1 (or no socket: scripts, AOF). */
export function isLocalClient(c: Client): boolean {
  return c.socket === null || c.addr.startsWith('127.0.0.1:') || c.addr.startsWith('[::1]:') || c.addr === '';
}

function configSetCommand(c: Client, argv: string[], s: Server): void {
  // Redis 7.0 answers an odd number of arguments with a plain syntax error
  if (argv.length < 4 || argv.length % 2 !== 0) throw Err.syntax();
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i], argv[i + 1]]);
  const protectedOk = s.config.get('enable-protected-configs');
  s.config.setMany(pairs, protectedOk === 'yes' || (protectedOk === 'local' && isLocalClient(c)), s.loading);
  c.addOK();
}

/** Redis's resetServerStats + resetCommandTableStats + resetErrorTableStats. */
export function resetStats(s: Server): void {
  const st = s.stats;
  st.numCommands = 0;
  st.totalConnections = 0;
  st.rejectedConnections = 0;
  st.netInput = 0;
  st.netOutput = 0;
  st.totalErrorReplies = 0;
  st.errorCounts.clear();
  st.instOps = 0;
  st.instIn = 0;
  st.instOut = 0;
  st.readsProcessed = 0;
  st.writesProcessed = 0;
  s.lazyfree.freed = 0;
  s.replyBufferStats.shrinks = 0;
  s.replyBufferStats.expands = 0;
  const ks = s.ks.stats;
  ks.expiredKeys = 0;
  ks.expiredStalePerc = 0;
  ks.expiredTimeCapReachedCount = 0;
  ks.expireCycleCpuMs = 0;
  ks.evictedKeys = 0;
  ks.keyspaceHits = 0;
  ks.keyspaceMisses = 0;
  for (const spec of s.table.all()) spec.stats = newCommandStats();
}

function configResetstatCommand(c: Client, _argv: string[], s: Server): void {
  resetStats(s);
  c.addOK();
}

function configRewriteCommand(c: Client, _argv: string[], s: Server): void {
  const file = s.config.configFile;
  if (file === null) throw Err.raw('ERR The server is running without a config file');
  try {
    rewriteConfigFile(s.config, file);
  } catch (e) {
    s.log.warning(`CONFIG REWRITE failed: ${(e as Error).message}`);
    throw Err.raw(`ERR Rewriting config file: ${(e as Error).message}`);
  }
  s.log.notice('CONFIG REWRITE executed with success.');
  c.addOK();
}

function configHelpCommand(c: Client): void {
  addHelp(c, 'CONFIG', [
    'GET <pattern>',
    '    Return parameters matching the glob-like <pattern> and their values.',
    'SET <directive> <value>',
    '    Set the configuration <directive> to <value>.',
    'RESETSTAT',
    '    Reset statistics reported by the INFO command.',
    'REWRITE',
    '    Rewrite the configuration file.',
  ]);
}

// ------------------------------------------------------------------ SHUTDOWN

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] | SHUTDOWN ABORT, as Redis 7.0's
 * shutdownCommand: the steps run (Server.prepareForShutdown); the client
 * gets no reply when the server stops, and "Errors trying to SHUTDOWN" when a
 * step failed without FORCE (the server then stays up). ABORT cancels a
 * shutdown a signal asked for that has not started.
 */
function shutdownCommand(c: Client, argv: string[], s: Server): void {
  const flags: ShutdownFlags = { save: false, nosave: false, now: false, force: false };
  let abort = false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i].toLowerCase();
    if (a === 'nosave') flags.nosave = true;
    else if (a === 'save') flags.save = true;
    else if (a === 'now') flags.now = true;
    else if (a === 'force') flags.force = true;
    else if (a === 'abort') abort = true;
    else throw Err.syntax();
  }
  const any = flags.save || flags.nosave || flags.now || flags.force;
  if ((abort && any) || (flags.save && flags.nosave)) throw Err.syntax();
  if (abort) {
    if (!s.abortShutdown()) throw Err.raw('ERR No shutdown in progress.');
    c.addOK();
    return;
  }
  if (!flags.now && s.inExec) throw Err.raw("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client");
  if (s.inExec) {
    // inside EXEC the outcome is this command's reply: the steps run at once
    if (s.prepareForShutdown(flags, true) === false) throw Err.raw(SHUTDOWN_FAILED);
    return;
  }
  // no reply: the connection closes as the server goes away, or the error comes when it stays up
  s.shutdownFrom(c, flags);
}

// ---------------------------------------------------------------- ROLE, WAIT (no replication yet: a master without replicas)

/** ROLE of a master with no replicas: ["master", master_repl_offset, []]. */
function roleCommand(c: Client): void {
  c.addArrayLen(3);
  c.addBulk('master');
  c.addInt(0);
  c.addArrayLen(0);
}

/**
 * WAIT numreplicas timeout: no replica acknowledges anything, so the count is
 * 0 — at once when 0 is enough (or inside EXEC), else after the timeout in
 * ms (0 = forever), or when CLIENT UNBLOCK ends the wait, as Redis 7.0 does.
 */
function waitCommand(c: Client, argv: string[], s: Server): void {
  const numreplicas = parseInt64(argv[1]);
  if (numreplicas === null) throw Err.notInteger();
  const t = parseInt64(argv[2]);
  if (t === null) throw Err.raw('ERR timeout is not an integer or out of range');
  if (t < 0) throw Err.timeoutNegative();
  const acked = 0;
  if (acked >= numreplicas || !s.blocking.mayBlock()) {
    c.addInt(acked);
    return;
  }
  const ms = Number(t);
  const timeout = ms === 0 || ms > Number.MAX_SAFE_INTEGER - s.ks.now ? 0 : s.ks.now + ms;
  s.blocking.block(c, { type: 'string', keys: [], timeout, serve: () => false, onTimeout: (bc) => bc.addInt(acked) });
}

// ------------------------------------------------------------------ SLOWLOG

function slowlogGetCommand(c: Client, argv: string[], s: Server): void {
  let count = 10;
  if (argv.length === 3) {
    const n = parseInt64(argv[2]);
    if (n === null || n < -1) throw Err.raw('ERR count should be greater than or equal to -1');
    count = n === -1 ? Infinity : Number(n);
  } else if (argv.length > 3) throw Err.syntax();
  const st = s.slowlog;
  const list = st.entries.slice(0, Math.min(count, st.entries.length));
  c.addArrayLen(list.length);
  for (const e of list) {
    c.addArrayLen(6);
    c.addInt(e.id);
    c.addInt(e.time);
    c.addInt(e.usec);
    c.addBulks(e.argv);
    c.addBulk(e.peer);
    c.addBulk(e.name);
  }
}

function slowlogLenCommand(c: Client, _argv: string[], s: Server): void {
  c.addInt(s.slowlog.entries.length);
}

function slowlogResetCommand(c: Client, _argv: string[], s: Server): void {
  s.slowlog.reset();
  c.addOK();
}

function slowlogHelpCommand(c: Client): void {
  addHelp(c, 'SLOWLOG', [
    'GET [<count>]',
    '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
    '    Entries are made of:',
    '    id, timestamp, time in microseconds, arguments array, client IP and port,',
    '    client name',
    'LEN',
    '    Return the length of the slowlog.',
    'RESET',
    '    Reset the slowlog.',
  ]);
}

// ------------------------------------------------------------------ MEMORY

export { jeSize } from '../../util/jemalloc.js';
import { jeSize } from '../../util/jemalloc.js';

/** Bytes of an sds string of len bytes as Redis allocates it (sdsnewlen, exact length). */
function sdsAlloc(len: number, allowType5 = false): number {
  const hdr = allowType5 && len < 32 ? 1 : len < 256 ? 3 : len < 65536 ? 5 : len < 2 ** 32 ? 9 : 17;
  return jeSize(hdr + len + 1);
}

/** MEMORY USAGE's estimate: what Redis 7.0 on jemalloc reports for the same key and value. */
export function memoryUsageOf(key: string, v: Value, _samples: number): number {
  let size: number;
  if (typeof v === 'string' || v.type === 'string') {
    const enc = encodingOf(v);
    const len = v.length;
    if (enc === 'int') size = 16;
    else if (enc === 'embstr') size = jeSize(16 + 3 + len + 1);
    else size = 16 + sdsAlloc(len);
  } else {
    switch (v.type) {
      case 'list':
      case 'hash':
      case 'set':
      case 'zset':
        // the object header only: the collections' own sizes (Redis's objectComputeSize,
        // sampling `_samples` elements) are issue 12's
        size = 16;
        break;
      default:
        size = assertNever(v);
    }
  }
  return size + sdsAlloc(key.length, true) + 24; // + the key + its dictEntry
}

function memoryUsageCommand(c: Client, argv: string[]): void {
  let samples = 5;
  for (let i = 3; i < argv.length; i++) {
    if (is(argv[i], 'samples') && i + 1 < argv.length) {
      samples = intArg(argv[i + 1]);
      if (samples < 0) throw Err.syntax();
      if (samples === 0) samples = Number.MAX_SAFE_INTEGER;
      i++;
    } else throw Err.syntax();
  }
  // as Redis 7.0: a raw dictionary lookup, no expiry check
  const slot = c.db.findSlot(argv[2]);
  if (slot === -1) {
    c.addNull();
    return;
  }
  c.addInt(memoryUsageOf(argv[2], c.db.dict.vals[slot]!, samples));
}

function memoryHelpCommand(c: Client): void {
  addHelp(c, 'MEMORY', [
    'DOCTOR',
    '    Return memory problems reports.',
    'MALLOC-STATS',
    '    Return internal statistics report from the memory allocator.',
    'PURGE',
    '    Attempt to purge dirty pages for reclamation by the allocator.',
    'STATS',
    '    Return information about the memory usage of the server.',
    'USAGE <key> [SAMPLES <count>]',
    '    Return memory in bytes used by <key> and its value. Nested values are',
    '    sampled up to <count> times (default: 5, 0 means sample all).',
  ]);
}

function pow2AtLeast(n: number): number {
  let p = 4;
  while (p < n) p *= 2;
  return p;
}

/** MEMORY STATS: Redis's map of figures (ratios are C floats widened to double, as Redis sends them). */
function memoryStatsCommand(c: Client, _argv: string[], s: Server): void {
  const f = memFigures(s);
  const fl = (x: number) => Math.fround(Number.isFinite(x) ? x : 0);
  const dbs = s.ks.dbs.filter((db) => db.size > 0 || db.expiresCount > 0);
  let keys = 0;
  for (const db of s.ks.dbs) keys += db.size;
  const ints: [string, number][] = [
    ['peak.allocated', f.peak],
    ['total.allocated', f.used],
    ['startup.allocated', f.startup],
    ['replication.backlog', 0],
    ['clients.slaves', 0],
    ['clients.normal', f.clientBufs],
    ['cluster.links', 0],
    ['aof.buffer', 0],
    ['lua.caches', 0],
    ['functions.caches', 0],
  ];
  c.addMapLen(ints.length + dbs.length + 17);
  for (const [k, v] of ints) {
    c.addBulk(k);
    c.addInt(v);
  }
  for (const db of dbs) {
    c.addBulk(`db.${db.id}`);
    c.addMapLen(3);
    c.addBulk('overhead.hashtable.main');
    // Redis's figure: a dictEntry per key plus a bucket pointer per slot of a power-of-two table
    c.addInt(db.size * 24 + pow2AtLeast(db.size) * 8);
    c.addBulk('overhead.hashtable.expires');
    c.addInt(db.expiresCount * 24 + (db.expiresCount === 0 ? 0 : pow2AtLeast(db.expiresCount) * 8));
    c.addBulk('overhead.hashtable.slot-to-keys');
    c.addInt(0);
  }
  const kv: [string, number, 'i' | 'd'][] = [
    ['overhead.total', f.overhead, 'i'],
    ['keys.count', keys, 'i'],
    ['keys.bytes-per-key', keys === 0 ? 0 : Math.floor(f.netUsed / keys), 'i'],
    ['dataset.bytes', f.dataset, 'i'],
    ['dataset.percentage', f.netUsed <= 0 ? 0 : (f.dataset * 100) / f.netUsed, 'd'],
    ['peak.percentage', f.peak === 0 ? 0 : (f.used * 100) / f.peak, 'd'],
    ['allocator.allocated', f.allocated, 'i'],
    ['allocator.active', f.active, 'i'],
    ['allocator.resident', f.resident, 'i'],
    ['allocator-fragmentation.ratio', f.active / f.allocated, 'd'],
    ['allocator-fragmentation.bytes', f.active - f.allocated, 'i'],
    ['allocator-rss.ratio', f.resident / f.active, 'd'],
    ['allocator-rss.bytes', f.resident - f.active, 'i'],
    ['rss-overhead.ratio', f.rss / f.resident, 'd'],
    ['rss-overhead.bytes', f.rss - f.resident, 'i'],
    ['fragmentation', f.rss / f.used, 'd'],
    ['fragmentation.bytes', f.rss - f.used, 'i'],
  ];
  for (const [k, v, t] of kv) {
    c.addBulk(k);
    if (t === 'i') c.addInt(v);
    else c.addDouble(fl(v));
  }
}

/**
 * MEMORY DOCTOR: gKV has none of the allocator-level problems Redis's doctor
 * looks for (it runs on V8's heap), so it reports Redis's all-clear text, or
 * the empty-instance text when there is nearly no data.
 */
function memoryDoctorCommand(c: Client, _argv: string[], s: Server): void {
  const f = memFigures(s);
  if (f.dataset < 5 * 1024 * 1024 && s.ks.dbs.every((db) => db.size === 0)) {
    c.addVerbatim(
      "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting.",
    );
  } else {
    c.addVerbatim("Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base.");
  }
}

function memoryMallocStatsCommand(c: Client): void {
  c.addVerbatim('Stats not supported for the current allocator');
}

/** MEMORY PURGE: Redis asks jemalloc to release memory; gKV runs a full V8 collection (idle-gc.ts). */
function memoryPurgeCommand(c: Client, _argv: string[], s: Server): void {
  s.idleGc.collect();
  c.addOK();
}

/** TIME: the wall clock as [seconds, microseconds], read now (not the command's cached time), as Redis's gettimeofday. */
function timeCommand(c: Client): void {
  const us = Math.floor((performance.timeOrigin + performance.now()) * 1000);
  const sec = Math.floor(us / 1e6);
  c.addArrayLen(2);
  c.addBulk(String(sec));
  c.addBulk(String(us - sec * 1e6));
}

// ------------------------------------------------------------------ table

export const serverCommands: CommandRow[] = [
  {
    name: 'command',
    handler: commandCommand,
    sub: [
      { name: 'count', handler: commandCountCommand },
      { name: 'info', handler: commandInfoCommand },
      { name: 'docs', handler: commandDocsCommand },
      { name: 'list', handler: commandListCommand },
      { name: 'getkeys', handler: (c, argv, s) => getKeysSubcommand(c, argv, s, false) },
      { name: 'getkeysandflags', handler: (c, argv, s) => getKeysSubcommand(c, argv, s, true) },
      { name: 'help', handler: commandHelpCommand },
    ],
  },
  { name: 'info', handler: infoCommand },
  { name: 'time', handler: timeCommand },
  {
    name: 'config',
    sub: [
      { name: 'get', handler: configGetCommand },
      { name: 'set', handler: configSetCommand },
      { name: 'resetstat', handler: configResetstatCommand },
      { name: 'rewrite', handler: configRewriteCommand },
      { name: 'help', handler: configHelpCommand },
    ],
  },
  { name: 'shutdown', handler: shutdownCommand },
  { name: 'monitor', handler: monitorCommand },
  { name: 'role', handler: roleCommand },
  { name: 'wait', handler: waitCommand },
  {
    name: 'slowlog',
    sub: [
      { name: 'get', handler: slowlogGetCommand },
      { name: 'len', handler: slowlogLenCommand },
      { name: 'reset', handler: slowlogResetCommand },
      { name: 'help', handler: slowlogHelpCommand },
    ],
  },
  {
    name: 'memory',
    sub: [
      { name: 'usage', handler: memoryUsageCommand },
      { name: 'stats', handler: memoryStatsCommand },
      { name: 'doctor', handler: memoryDoctorCommand },
      { name: 'malloc-stats', handler: memoryMallocStatsCommand },
      { name: 'purge', handler: memoryPurgeCommand },
      { name: 'help', handler: memoryHelpCommand },
    ],
  },
];

