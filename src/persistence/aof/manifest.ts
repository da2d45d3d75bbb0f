/**
 * The multi-part AOF manifest (Redis 7.0): the text file
 * `<appendfilename>.manifest` inside `<appenddirname>` that names the files
 * making up the append-only file, one per line, in Redis's exact format:
 *
 *   file appendonly.aof.2.base.rdb seq 2 type b
 *   file appendonly.aof.1.incr.aof seq 1 type h
 *   file appendonly.aof.3.incr.aof seq 3 type i
 *
 * type b: the base (an RDB `.base.rdb`, or commands `.base.aof` when
 * aof-use-rdb-preamble is no); type i: incremental files, loaded in order
 * after the base, the last one being the one appended to; type h: history
 * files left over from a rewrite, not loaded and deleted when seen.
 *
 * Writing follows Redis's getAofManifestAsString: the base first, then the
 * history files, then the incremental files; a file name that needs quoting
 * (spaces, quotes, control bytes) is written in sdscatrepr's "..." form.
 * Parsing follows aofLoadManifestFromFile: lines starting with '#' are
 * comments, each other line is split like sdssplitargs into key/value pairs
 * (at least 6 words, an even count; unknown keys are ignored for forward
 * compatibility), file names may not be paths, at most one base, incremental
 * sequence numbers strictly increasing. Its error texts are Redis's.
 *
 * The manifest is replaced atomically: written to `temp-<name>.manifest`,
 * fsynced, renamed over the old one, and the directory fsynced.
 */
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { splitArgs } from '../../protocol/inline.js';
import { sdsRepr } from '../../util/repr.js';

export type AofFileType = 'b' | 'h' | 'i';

export interface AofInfo {
  fileName: string;
  seq: number;
  type: AofFileType;
}

export interface Manifest {
  base: AofInfo | null;
  history: AofInfo[];
  incrs: AofInfo[];
  /** the sequence numbers of the newest base and incremental file (0: none yet) */
  baseSeq: number;
  incrSeq: number;
}

export class ManifestError extends Error {}

export function emptyManifest(): Manifest {
  return { base: null, history: [], incrs: [], baseSeq: 0, incrSeq: 0 };
}

export function cloneManifest(m: Manifest): Manifest {
  return {
    base: m.base === null ? null : { ...m.base },
    history: m.history.map((x) => ({ ...x })),
    incrs: m.incrs.map((x) => ({ ...x })),
    baseSeq: m.baseSeq,
    incrSeq: m.incrSeq,
  };
}

// ---------------------------------------------------------------- file names

export const manifestName = (name: string): string => `${name}.manifest`;
export const tempManifestName = (name: string): string => `temp-${name}.manifest`;
export const baseFileName = (name: string, seq: number, rdb: boolean): string => `${name}.${seq}.base.${rdb ? 'rdb' : 'aof'}`;
export const incrFileName = (name: string, seq: number): string => `${name}.${seq}.incr.aof`;
/** the incremental file collecting writes while appendonly is being turned on (not in the manifest yet) */
export const tempIncrName = (name: string): string => `temp-${name}.incr`;
/** the base being written by a rewrite */
export const tempRewriteName = (id: number): string => `temp-rewriteaof-bg-${id}.aof`;

/** Redis's getNewBaseFileNameAndMarkPreAsHistory: a new base; the old one becomes history. */
export function newBase(m: Manifest, name: string, rdb: boolean): AofInfo {
  if (m.base !== null) {
    // at the head of the history, as Redis's listAddNodeHead
    m.base.type = 'h';
    m.history.unshift(m.base);
  }
  const ai: AofInfo = { fileName: baseFileName(name, ++m.baseSeq, rdb), seq: m.baseSeq, type: 'b' };
  m.base = ai;
  return ai;
}

/** Redis's getNewIncrAofName: a new incremental file at the end of the list. */
export function newIncr(m: Manifest, name: string): AofInfo {
  const ai: AofInfo = { fileName: incrFileName(name, ++m.incrSeq), seq: m.incrSeq, type: 'i' };
  m.incrs.push(ai);
  return ai;
}

/**
 * Redis's markRewrittenIncrAofAsHistory: every incremental file but the last
 * (the one written since the rewrite started) becomes history; with the AOF
 * off (BGREWRITEAOF while appendonly no) all of them do.
 */
export function markRewrittenIncrsAsHistory(m: Manifest, aofOn: boolean): void {
  // Redis walks them from the tail, adding each at the head of the history: they keep their order, first
  const moved = m.incrs.splice(0, Math.max(0, m.incrs.length - (aofOn ? 1 : 0)));
  for (const ai of moved) ai.type = 'h';
  m.history.unshift(...moved);
}

// ---------------------------------------------------------------- text format

/** sdsneedsrepr: characters that make sdscatrepr quote a file name. */
function needsRepr(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c || c === 0x22 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x07 || c === 0x08 || c === 0x20 || c < 0x20 || c > 0x7e) return true;
  }
  return false;
}

function formatInfo(ai: AofInfo): string {
  const name = needsRepr(ai.fileName) ? sdsRepr(ai.fileName) : ai.fileName;
  return `file ${name} seq ${ai.seq} type ${ai.type}\n`;
}

/** The manifest's text, as Redis writes it (latin1: one char per byte). */
export function formatManifest(m: Manifest): string {
  let s = '';
  if (m.base !== null) s += formatInfo(m.base);
  for (const ai of m.history) s += formatInfo(ai);
  for (const ai of m.incrs) s += formatInfo(ai);
  return s;
}

/** C's atoll: optional sign and leading digits, 0 when there are none. */
function atoll(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  return m === null ? 0 : Number(m[1]);
}

/**
 * Parses a manifest's text (latin1). Throws ManifestError with Redis's
 * message for a malformed one.
 */
export function parseManifest(text: string): Manifest {
  const m = emptyManifest();
  let maxSeq = 0;
  let lines = 0;
  let pos = 0;
  while (pos < text.length) {
    // fgets with a 1024-byte buffer: a longer line is an error
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl + 1;
    const raw = text.slice(pos, end);
    pos = end;
    lines++;
    if (raw[0] === '#') continue;
    if (nl === -1 || raw.length > 1023) throw new ManifestError('The AOF manifest file contains too long line');
    const line = raw.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '');
    if (line.length === 0) throw new ManifestError('Invalid AOF manifest file format');
    const argv = splitArgs(line);
    // 'argc < 6' leaves room for keys added by later versions
    if (argv === null || argv.length < 6 || argv.length % 2 !== 0) throw new ManifestError('Invalid AOF manifest file format');
    let fileName: string | null = null;
    let seq = 0;
    let type = '';
    for (let i = 0; i < argv.length; i += 2) {
      const k = argv[i].toLowerCase();
      if (k === 'file') {
        fileName = argv[i + 1];
        if (fileName.includes('/')) throw new ManifestError("File can't be a path, just a filename");
      } else if (k === 'seq') {
        seq = atoll(argv[i + 1]);
      } else if (k === 'type') {
        type = argv[i + 1][0] ?? '';
      }
    }
    if (fileName === null || fileName === '' || seq === 0 || type === '') throw new ManifestError('Invalid AOF manifest file format');
    const ai: AofInfo = { fileName, seq, type: type as AofFileType };
    if (type === 'b') {
      if (m.base !== null) throw new ManifestError('Found duplicate base file information');
      m.base = ai;
      m.baseSeq = seq;
    } else if (type === 'h') {
      m.history.push(ai);
    } else if (type === 'i') {
      if (seq <= maxSeq) throw new ManifestError('Found a non-monotonic sequence number');
      m.incrs.push(ai);
      m.incrSeq = seq;
      maxSeq = seq;
    } else {
      throw new ManifestError('Unknown AOF file type');
    }
  }
  if (lines === 0) throw new ManifestError('Found an empty AOF manifest');
  return m;
}

// ---------------------------------------------------------------- atomic replacement

/** fsyncs a directory so a rename or a new file in it survives a crash. */
export function fsyncDir(dir: string): void {
  let fd = -1;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // some filesystems refuse fsync on directories; Redis ignores that too
  } finally {
    if (fd !== -1) closeSync(fd);
  }
}

/** Writes a whole buffer or string to fd, looping over short writes. */
export function writeAll(fd: number, data: string | Buffer): void {
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

/**
 * Redis's persistAofManifest: writes the manifest to a temporary file, fsyncs
 * it, renames it over `<name>.manifest` and fsyncs the directory. Throws on
 * I/O errors (the old manifest is then intact).
 */
export function persistManifest(dir: string, name: string, m: Manifest): void {
  const tmp = join(dir, tempManifestName(name));
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeAll(fd, formatManifest(m));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(dir, manifestName(name)));
  fsyncDir(dir);
}
