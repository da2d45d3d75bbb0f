/**
 * Loading the AOF (Redis's loadAppendOnlyFiles and
 * aofOpenIfNeededOnServerStart, aof.c): at startup with appendonly yes, and
 * for DEBUG LOADAOF.
 *
 * At startup: read the manifest (a malformed one stops the server); take a
 * Redis < 7 single-file AOF in `dir` as the base (Redis's
 * aofUpgradePrepare); remove temporary files a killed process left; load
 * the base and the incrementals in order (loader.ts; clients get -LOADING
 * meanwhile); give a fresh directory a base of the (empty) dataset; open the
 * last incremental file for appending (a new one when there is none),
 * persist the manifest and delete history files. An error that must stop
 * the server is an AofLoadError carrying the log line.
 */
import { closeSync, existsSync, readdirSync, fdatasyncSync, mkdirSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AofCore, AofRewriter } from './bgrewrite.js';

/** What the load at boot uses of its AOF (aof.ts): the core, and the rewriter for the base. */
type BootAof = AofCore & { readonly rewriter: AofRewriter };
import type { FsyncPolicy } from './feed.js';
import { AofLoadError, loadAppendOnlyFiles, loadAppendOnlyFilesSync } from './loader.js';
import { emptyManifest, fsyncDir, manifestName, newBase, newIncr, persistManifest, tempIncrName, tempManifestName, ManifestError } from './manifest.js';

/**
 * Startup with appendonly yes (Redis's loadAppendOnlyFiles, then
 * aofOpenIfNeededOnServerStart and aofDelHistoryFiles). Throws AofLoadError
 * with the log line when the server must not start.
 */
export async function startAtBoot(aof: BootAof): Promise<void> {
  const s = aof.s;
  aof.dir = aof.resolvedDir();
  aof.name = s.config.get('appendfilename');
  aof.feed.policy = s.config.get('appendfsync') as FsyncPolicy;
  try {
    mkdirSync(aof.dir, { recursive: true });
  } catch (e) {
    throw new AofLoadError(`Can't open or create append-only dir ${aof.dir}: ${(e as Error).message}`);
  }
  try {
    aof.manifest = aof.loadManifestFromDisk();
  } catch (e) {
    if (e instanceof ManifestError) throw new AofLoadError(`${e.message} (the AOF manifest ${join(aof.dir, manifestName(aof.name))})`);
    throw new AofLoadError(`Can't read the AOF manifest: ${(e as Error).message}`);
  }
  const m = aof.manifest;
  // A Redis < 7 single-file AOF in `dir` becomes the base (Redis's
  // aofUpgradePrepare) when the manifest lists nothing, or only that file
  // as its base and the AOF directory does not have it yet (an upgrade
  // interrupted before its rename).
  const old = resolve(s.config.get('dir'), aof.name);
  const upgrade = (m.base === null && m.incrs.length === 0) || (m.base !== null && m.incrs.length === 0 && m.base.fileName === aof.name && !existsSync(aof.path(aof.name)));
  if (upgrade && existsSync(old) && statSync(old).isFile()) {
    const ai = { fileName: aof.name, seq: 1, type: 'b' as const };
    m.base = ai;
    m.baseSeq = 1;
    persistManifest(aof.dir, aof.name, m);
    renameSync(old, aof.path(aof.name));
    fsyncDir(aof.dir);
    s.log.notice(`Successfully migrated an old-style AOF into the AOF directory ${aof.dir}.`);
  }
  removeStaleTempFiles(aof);
  const files = [...(m.base !== null ? [m.base] : []), ...m.incrs];
  let total = 0;
  for (const ai of files) {
    try {
      total += statSync(aof.path(ai.fileName)).size;
    } catch (e) {
      throw new AofLoadError(`Unable to obtain the AOF file ${ai.fileName} length. stat: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (e as Error).message}`);
    }
  }
  if (files.length > 0) {
    s.loading = true;
    try {
      await loadAppendOnlyFiles(s, aof.dir, m, { loadTruncated: s.config.getBool('aof-load-truncated'), rdbLoader: aof.rdbHooks.loader });
    } finally {
      s.loading = false;
    }
    // sizes after truncation
    total = 0;
    for (const ai of files) total += statSync(aof.path(ai.fileName)).size;
  }
  aof.feed.currentSize = total;
  aof.rewriter.rewriteBaseSize = total;
  // aofOpenIfNeededOnServerStart: a fresh directory gets a base of the current (empty) dataset
  if (m.base === null && m.incrs.length === 0) {
    const rdb = aof.useRdbBase();
    const base = newBase(m, aof.name, rdb);
    const fd = openSync(aof.path(base.fileName), 'w', 0o644);
    try {
      aof.feed.currentSize += aof.rewriter.writeBaseSync(fd, rdb);
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    aof.rewriter.rewriteBaseSize = aof.feed.currentSize;
    s.log.notice(`Creating AOF base file ${base.fileName} on server start`);
  }
  const existing = m.incrs.length > 0;
  const incr = existing ? m.incrs[m.incrs.length - 1] : newIncr(m, aof.name);
  aof.feed.switchIncr(openSync(aof.path(incr.fileName), 'a', 0o644));
  persistManifest(aof.dir, aof.name, m);
  s.log.notice(`${existing ? 'Opening' : 'Creating'} AOF incr file ${incr.fileName} on server start`);
  aof.deleteHistoryFiles();
  aof.feed.selectedDb = -1;
  aof.feed.lastFsync = Date.now();
  aof.state = 'on';
}

/**
 * Temporary files a killed process left (a rewrite's base, the incr of an
 * AOF being turned on, a manifest being replaced): no manifest names them,
 * so they are removed at startup (Redis leaves them behind).
 */
function removeStaleTempFiles(aof: BootAof): void {
  const stale = new Set([tempIncrName(aof.name), tempManifestName(aof.name)]);
  const remove = (dir: string, f: string): void => {
    aof.s.log.notice(`Removing the stale temporary AOF file ${f}`);
    try {
      unlinkSync(join(dir, f));
    } catch {
      /* gone */
    }
  };
  for (const f of readdirSync(aof.dir)) if (stale.has(f) || /^temp-rewriteaof-bg-\d+\.aof$/.test(f)) remove(aof.dir, f);
  // a rewrite child's base in `dir`, left by a server killed mid-rewrite (not one a live child still writes)
  const root = resolve(aof.s.config.get('dir'));
  for (const f of readdirSync(root)) {
    const m = /^temp-rewriteaof-bg-(\d+)\.aof$/.exec(f);
    if (m !== null && !processAlive(Number(m[1]))) remove(root, f);
  }
}

/**
 * DEBUG LOADAOF: the buffer written, the dataset emptied, the manifest read
 * from disk again and the files it lists loaded at once (history files
 * removed first, as Redis's aofDelHistoryFiles). Throws AofLoadError when
 * they cannot be loaded (Redis then exits).
 */
export function loadFromDisk(aof: BootAof): void {
  const s = aof.s;
  if (aof.state === 'on') aof.feed.flush(true);
  // emptyData: the databases and the libraries (the AOF loads them again)
  s.ks.emptyData();
  s.functions?.flush();
  if (aof.state === 'off') {
    aof.dir = aof.resolvedDir();
    aof.name = s.config.get('appendfilename');
  }
  try {
    aof.manifest = existsSync(aof.dir) ? aof.loadManifestFromDisk() : emptyManifest();
  } catch (e) {
    throw new AofLoadError(`${(e as Error).message} (the AOF manifest ${join(aof.dir, manifestName(aof.name))})`);
  }
  aof.deleteHistoryFiles();
  loadAppendOnlyFilesSync(s, aof.dir, aof.manifest, { loadTruncated: s.config.getBool('aof-load-truncated'), rdbLoader: aof.rdbHooks.loader });
  s.ks.dirty = 0;
}

/** Whether a process with this pid exists. */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
