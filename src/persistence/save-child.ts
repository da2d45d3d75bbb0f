/**
 * The save child: a process of its own that writes a background save's file,
 * as Redis's forked child does (BGSAVE, the AOF rewrite). The server walks
 * its fork-less snapshot and streams the bytes here through stdin; this
 * program only writes them. Started by persistence/child.ts as
 *
 *   node save-child.js <temp path with %d> <final path or ""> [stdout]
 *
 * %d becomes this process's pid, so the file is named as Redis names its
 * child's (temp-<childpid>.rdb, temp-rewriteaof-bg-<childpid>.aof) and the
 * save shows as a child process of the server (pgrep -P, kill). With
 * `stdout` the server has already created that file and handed it over as
 * fd 1 (so it exists the moment BGSAVE answers, as after Redis's fork);
 * otherwise the child creates it.
 *
 * Input: frames of a 4-byte little-endian length and that many bytes; a frame
 * of length 0 commits. On commit the file is fsynced and closed, renamed to
 * the final path when one is given (the RDB's dump.rdb: Redis's child renames
 * it too), and the process exits 0. An I/O error writes one JSON line
 * {op, code, message} to stderr, removes the file and exits 1. The end of the
 * input without a commit (the server died, or gave up the save) removes the
 * file and exits 2.
 *
 * Nothing from the server is imported: the child starts in tens of ms.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';

const tempPath = (process.argv[2] ?? '').replace('%d', String(process.pid));
const finalPath = process.argv[3] ?? '';

function fail(op: string, e: unknown): never {
  const err = e as NodeJS.ErrnoException;
  process.stderr.write(JSON.stringify({ op, code: err?.code ?? '', message: err?.message ?? String(e) }) + '\n');
  try {
    unlinkSync(tempPath);
  } catch {
    /* never created, or gone */
  }
  process.exit(1);
}

let fd = 1;
if (process.argv[4] !== 'stdout') {
  try {
    fd = openSync(tempPath, 'w', 0o644);
  } catch (e) {
    fail('open', e);
  }
}

/** bytes of the current frame still to come; -1 while reading a header */
let left = -1;
let header = Buffer.alloc(0);

function writeAll(b: Buffer): void {
  let off = 0;
  while (off < b.length) off += writeSync(fd, b, off, b.length - off);
}

function commit(): never {
  try {
    fsyncSync(fd);
    closeSync(fd);
  } catch (e) {
    fail('fsync', e);
  }
  if (finalPath !== '') {
    try {
      renameSync(tempPath, finalPath);
    } catch (e) {
      fail('rename', e);
    }
  }
  process.exit(0);
}

process.stdin.on('data', (chunk: Buffer) => {
  let p = 0;
  try {
    while (p < chunk.length) {
      if (left === -1) {
        const need = 4 - header.length;
        header = Buffer.concat([header, chunk.subarray(p, p + need)]);
        p += Math.min(need, chunk.length - p);
        if (header.length < 4) return;
        left = header.readUInt32LE(0);
        header = Buffer.alloc(0);
        if (left === 0) commit();
        continue;
      }
      const n = Math.min(left, chunk.length - p);
      writeAll(chunk.subarray(p, p + n));
      p += n;
      left -= n;
      if (left === 0) left = -1;
    }
  } catch (e) {
    fail('write', e);
  }
});

process.stdin.on('end', () => {
  // no commit: the server died or abandoned the save
  try {
    closeSync(fd);
    unlinkSync(tempPath);
  } catch {
    /* gone */
  }
  process.exit(2);
});
