/**
 * A client's buffers as Redis accounts for them (networking.c, server.c's
 * clientsCron), for what CLIENT LIST, INFO clients/memory and the output
 * buffer limits report: Redis's figures follow its allocations, so gKV keeps
 * a model of them next to its own buffers.
 *
 * Query buffer (qbuf, qbuf-free): an sds string. A read asks for 16 KB
 * (PROTO_IOBUF_LEN), or what is left of a big bulk argument (≥ 32 KB); a
 * buffer smaller than 16 KB, or one reading a big argument, grows to exactly
 * what is asked, a bigger one greedily (doubling below 1 MB). The commands of
 * one read are trimmed off when all of them ran, so while a command runs
 * qbuf counts it (and those before it in the same read). A big argument that
 * filled the buffer alone becomes the argument itself and the client gets a
 * fresh buffer of that size. Every second or so (the cron), a buffer wasting
 * more than 4 KB shrinks: to nothing when the client idled over 2 s, else —
 * when over 32 KB and more than twice the recent peak — to the peak.
 *
 * Reply buffer (rbs, rbp, obl): the static buffer, 16 KB at first, holds
 * replies before the reply list. The cron halves it (down to 1 KB) when its
 * peak use stayed under half, doubles it (up to 16 KB) when the peak filled
 * it, and resets the peak every reply-buffer-peak-reset-time ms (Redis sets
 * the first reset time in seconds, so the first visit always resets it).
 * Output that does not fit waits in the reply list (oll, omem): blocks of at
 * least 16 KB, which is what the output buffer limits measure.
 *
 * Sizes are jemalloc's (util/jemalloc.ts): an sds of n bytes with its header.
 */
import { jeSize } from '../util/jemalloc.js';

export const PROTO_IOBUF_LEN = 16 * 1024;
export const PROTO_MBULK_BIG_ARG = 32 * 1024;
export const PROTO_RESIZE_THRESHOLD = 32 * 1024;
export const PROTO_REPLY_CHUNK_BYTES = 16 * 1024;
export const PROTO_REPLY_MIN_BYTES = 1024;
const SDS_MAX_PREALLOC = 1024 * 1024;
/** sizeof(client) rounded to its jemalloc class, as zmalloc_size reports it */
const CLIENT_STRUCT_SIZE = 768;
/** a reply list block: the bytes it holds (jemalloc of 16 KB + its 16-byte header, minus the header) */
const REPLY_BLOCK_BYTES = jeSize(PROTO_REPLY_CHUNK_BYTES + 16) - 16;
/** per block: sizeof(listNode) + sizeof(clientReplyBlock) */
const REPLY_BLOCK_OVERHEAD = 24 + 16;

/** sds header size of the type an sds of this length needs (type 5 counts as 8, as sdsMakeRoomFor does) */
function sdsHdr(len: number): number {
  return len < 256 ? 3 : len < 65536 ? 5 : len < 2 ** 32 ? 9 : 17;
}

/** The sds alloc field after allocating room for len bytes (malloc_usable_size minus header and NUL). */
function sdsAllocFor(len: number): { alloc: number; hdr: number } {
  const hdr = sdsHdr(len);
  const usable = jeSize(hdr + len + 1) - hdr - 1;
  const max = hdr === 3 ? 255 : hdr === 5 ? 65535 : usable;
  return { alloc: Math.min(usable, max), hdr };
}

/** Per-client state of the model (kept on the Client). */
export interface ClientMem {
  /** query buffer: length, alloc, header size, recent peak */
  qbLen: number;
  qbAlloc: number;
  qbHdr: number;
  qbPeak: number;
  /** static reply buffer: usable size, peak use, last peak reset (ms) */
  bufUsable: number;
  bufPeak: number;
  bufPeakReset: number;
}

export function newClientMem(): ClientMem {
  // sdsempty(): an 8-byte allocation, alloc 4; the reply buffer is 16 KB, its peak starts full
  return { qbLen: 0, qbAlloc: 4, qbHdr: 3, qbPeak: 0, bufUsable: PROTO_REPLY_CHUNK_BYTES, bufPeak: PROTO_REPLY_CHUNK_BYTES, bufPeakReset: 0 };
}

/** sdsMakeRoomFor / sdsMakeRoomForNonGreedy on the query buffer. */
function makeRoom(m: ClientMem, addlen: number, greedy: boolean): void {
  if (m.qbAlloc - m.qbLen >= addlen) return;
  let newlen = m.qbLen + addlen;
  if (greedy) newlen = newlen < SDS_MAX_PREALLOC ? newlen * 2 : newlen + SDS_MAX_PREALLOC;
  const a = sdsAllocFor(newlen);
  m.qbAlloc = a.alloc;
  m.qbHdr = a.hdr;
}

/**
 * n bytes arrived (readQueryFromClient): the buffer grows as Redis's reads
 * would make it grow. bulkLen is the bulk argument being read (-1 if none)
 * and bulkHave the bytes of it already buffered.
 */
export function qbufOnRead(m: ClientMem, n: number, bulkLen: number, bulkHave: number): void {
  let left = n;
  while (left > 0) {
    let readlen = PROTO_IOBUF_LEN;
    let bigArg = false;
    if (bulkLen >= PROTO_MBULK_BIG_ARG) {
      const remaining = bulkLen + 2 - bulkHave;
      if (remaining > 0) {
        readlen = remaining;
        bigArg = true;
      }
    }
    if (bigArg || m.qbAlloc < PROTO_IOBUF_LEN) makeRoom(m, readlen, false);
    else {
      makeRoom(m, readlen, true);
      readlen = m.qbAlloc - m.qbLen;
    }
    const got = Math.min(left, Math.max(1, readlen));
    m.qbLen += got;
    bulkHave += got;
    left -= got;
    if (m.qbPeak < m.qbLen) m.qbPeak = m.qbLen;
  }
}

/**
 * The commands of a read ran: what is left stays. bigArg is the length of
 * a big argument (≥ 32 KB) that filled the buffer alone (0 if none): the
 * client then gets a fresh buffer sized for such an argument.
 */
export function qbufTrimmed(m: ClientMem, leftover: number, bigArg: number): void {
  if (bigArg >= PROTO_MBULK_BIG_ARG && leftover === 0) {
    const a = sdsAllocFor(bigArg + 2);
    m.qbAlloc = a.alloc;
    m.qbHdr = a.hdr;
  }
  m.qbLen = leftover;
}

/**
 * The header of a big bulk (≥ 32 KB) was parsed and the bulk is still
 * arriving: Redis's processMultibulkBuffer makes the query buffer room for
 * the whole bulk at once (sdsMakeRoomForNonGreedy), so it counts in full
 * from then on (client eviction sees a big argument before it arrived).
 * Called after a read's commands ran and qbufTrimmed left the bulk's bytes.
 */
export function qbufBigArgHeader(m: ClientMem, bulkLen: number): void {
  if (bulkLen >= PROTO_MBULK_BIG_ARG && m.qbLen <= bulkLen + 2) makeRoom(m, bulkLen + 2 - m.qbLen, false);
}

/** sdsZmallocSize of the query buffer. */
export function qbufMemory(m: ClientMem): number {
  return jeSize(m.qbHdr + m.qbAlloc + 1);
}

/**
 * Redis's clientsCronResizeQueryBuffer, for a client idle for idleSecs and
 * reading a bulk of bulkLen (-1 if none).
 */
export function clientsCronResizeQueryBuffer(m: ClientMem, idleSecs: number, bulkLen: number): void {
  const size = m.qbAlloc;
  if (size - m.qbLen > 4 * 1024) {
    if (idleSecs > 2) {
      // sdsRemoveFreeSpace: exactly the length (an empty buffer becomes a type-5 sds without alloc)
      m.qbAlloc = m.qbLen;
      m.qbHdr = m.qbLen < 32 ? 1 : sdsHdr(m.qbLen);
    } else if (size > PROTO_RESIZE_THRESHOLD && size / 2 > m.qbPeak) {
      let resize = Math.max(m.qbLen, m.qbPeak);
      if (bulkLen !== -1 && resize < bulkLen) resize = bulkLen;
      m.qbAlloc = resize;
      m.qbHdr = Math.max(3, sdsHdr(resize));
    }
  }
  m.qbPeak = m.qbLen;
  if (bulkLen !== -1 && bulkLen > m.qbPeak) m.qbPeak = bulkLen;
}

/** A reply of pending bytes sits in the output buffers: the static buffer's peak use rises. */
export function replyBufferUsed(m: ClientMem, pending: number): void {
  const inBuf = pending < m.bufUsable ? pending : m.bufUsable;
  if (inBuf > m.bufPeak) m.bufPeak = inBuf;
}

/** INFO stats reply_buffer_shrinks / reply_buffer_expands */
export interface ReplyBufferStats {
  shrinks: number;
  expands: number;
}

/**
 * Redis's clientsCronResizeOutputBuffer: shrink or grow the static reply
 * buffer from its peak use, then reset the peak when its time came
 * (resetMs < 0: never). pending is the output not yet written.
 */
export function clientsCronResizeOutputBuffer(m: ClientMem, nowMs: number, resetMs: number, enabled: boolean, pending: number, stats: ReplyBufferStats): void {
  if (!enabled) return;
  const bufpos = Math.min(pending, m.bufUsable);
  let newSize = 0;
  const shrinkTarget = m.bufUsable / 2;
  const expandTarget = m.bufUsable * 2;
  if (shrinkTarget >= PROTO_REPLY_MIN_BYTES && m.bufPeak < shrinkTarget) {
    newSize = Math.max(PROTO_REPLY_MIN_BYTES, m.bufPeak + 1);
    stats.shrinks++;
  } else if (expandTarget < PROTO_REPLY_CHUNK_BYTES * 2 && m.bufPeak === m.bufUsable) {
    newSize = Math.min(PROTO_REPLY_CHUNK_BYTES, expandTarget);
    stats.expands++;
  }
  if (resetMs >= 0 && nowMs - m.bufPeakReset >= resetMs) {
    m.bufPeak = bufpos;
    m.bufPeakReset = nowMs;
  }
  if (newSize !== 0) m.bufUsable = jeSize(newSize);
}

/** The output not written yet, split as Redis holds it: static buffer, reply list blocks, list memory. */
export interface OutputFigures {
  obl: number;
  oll: number;
  omem: number;
}

export function outputFigures(m: ClientMem, pending: number): OutputFigures {
  const obl = pending < m.bufUsable ? pending : m.bufUsable;
  const rest = pending - obl;
  if (rest <= 0) return { obl, oll: 0, omem: 0 };
  const oll = Math.ceil(rest / REPLY_BLOCK_BYTES);
  return { obl, oll, omem: oll * (REPLY_BLOCK_BYTES + REPLY_BLOCK_OVERHEAD) };
}

/** The output buffer memory the limits measure (getClientOutputBufferMemoryUsage): the reply list. */
export function outputBufferMemory(m: ClientMem, pending: number): number {
  return pending <= m.bufUsable ? 0 : outputFigures(m, pending).omem;
}

/** Bytes of an argument vector as Redis counts argv_len_sum (the arguments' lengths). */
export function argvLength(argv: readonly string[] | null): number {
  if (argv === null) return 0;
  let n = 0;
  for (let i = 0; i < argv.length; i++) n += argv[i].length;
  return n;
}

/** What getClientMemoryUsage reads of a client (server/client.ts's Client has it all). */
export interface ClientMemoryView {
  readonly mem: ClientMem;
  /** the command's arguments, or those read so far of one arriving */
  readonly memArgv: readonly string[] | null;
  readonly multiArgvMem: number;
  readonly multiQueue: { readonly length: number };
  readonly watched: { readonly length: number };
  readonly patterns: { readonly size: number } | null;
  readonly channels: { readonly size: number } | null;
  readonly shardChannels: { readonly size: number } | null;
  /** CLIENT TRACKING … BCAST PREFIX's prefixes (absent before tracking exists) */
  readonly trackingPrefixes?: { readonly size: number } | null;
}

/** sizeof(listNode) + sizeof(watchedKey): a watched key's bookkeeping on its client */
const WATCHED_KEY_OVERHEAD = 24 + 32;
/** sizeof(multiCmd): a slot of the queued commands' array */
const MULTI_CMD_SIZE = 24;
/** sizeof(listNode), sizeof(dictEntry), sizeof(dictEntry*) */
const LIST_NODE_SIZE = 24;
const DICT_ENTRY_SIZE = 24;
const DICT_SLOT_SIZE = 8;
/** sizeof(raxNode) * sizeof(raxNode*), what Redis counts per node of a client's prefix rax */
const RAX_NODE_COST = 4 * 8;

/**
 * The slots of MULTI's command array for n queued commands: 2 at the first,
 * doubled when full (queueMultiCommand's alloc_count).
 */
function multiAllocCount(n: number): number {
  if (n === 0) return 0;
  let a = 2;
  while (a < n) a *= 2;
  return a;
}

/** dictSlots of a client's channel dict of n entries (a power of two, at least 4; 0 when empty). */
function dictSlots(n: number): number {
  if (n === 0) return 0;
  let s = 4;
  while (s < n) s *= 2;
  return s;
}

/**
 * Redis's multiStateMemOverhead: the queued commands' arguments (CLIENT LIST
 * multi-mem), their array's slots and the watched keys' bookkeeping (not the
 * keys themselves, which are shared).
 */
export function multiStateMemOverhead(c: ClientMemoryView): number {
  return c.multiArgvMem + c.watched.length * WATCHED_KEY_OVERHEAD + multiAllocCount(c.multiQueue.length) * MULTI_CMD_SIZE;
}

/**
 * Redis's getClientMemoryUsage (CLIENT LIST tot-mem, client eviction):
 * output list, query buffer, the client structure, the static reply buffer,
 * the current arguments, MULTI's state and the pub/sub bookkeeping (the
 * channel names are shared, only their entries count). Measured against
 * redis-server 7.0: 56 bytes a watched key, 24 a pattern, 24 a channel or
 * shard channel plus its dict's slots, 24 a queued command's slot.
 */
export function clientMemoryUsage(c: ClientMemoryView, omem: number): number {
  const m = c.mem;
  const argv = c.memArgv;
  let mem = omem + qbufMemory(m) + CLIENT_STRUCT_SIZE + m.bufUsable;
  if (argv !== null) mem += argvLength(argv) + 8 * argv.length;
  mem += multiStateMemOverhead(c);
  if (c.patterns !== null) mem += c.patterns.size * LIST_NODE_SIZE;
  if (c.channels !== null) mem += c.channels.size * DICT_ENTRY_SIZE + dictSlots(c.channels.size) * DICT_SLOT_SIZE;
  if (c.shardChannels !== null) mem += c.shardChannels.size * DICT_ENTRY_SIZE + dictSlots(c.shardChannels.size) * DICT_SLOT_SIZE;
  // the tracking prefixes' rax: Redis counts its nodes (an underestimate by design); gKV keeps a Set,
  // and counts one node a prefix plus the root (Redis's figure for one prefix, ~10% under it for 100)
  const prefixes = c.trackingPrefixes;
  if (prefixes != null && prefixes.size > 0) mem += (prefixes.size + 1) * RAX_NODE_COST;
  return mem;
}
