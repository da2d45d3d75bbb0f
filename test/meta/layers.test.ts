/**
 * The import graph of src/: no cycle (type-only imports included, since a
 * cycle of types is a cycle of design), and no import from a lower layer to
 * a higher one. The layers, lowest first (docs/ARCHITECTURE.md, "Layers"):
 *   0 util/, protocol/, version.ts      — no knowledge of the server
 *   1 datatypes/, lua/                   — pure data structures, the Lua 5.1 engine
 *   2 keyspace/, pubsub/                 — databases, the write path, the subscription registry
 *   3 the runtime: server/* but server.ts and crash.ts; the command model
 *     (commands/spec, table, context, args, help, keys …); scripting/ (the
 *     scripts' runtime: it runs commands through the command model and call())
 *   4 command families and persistence: commands/families/*, commands/index.ts,
 *     persistence/*, replication/*, server/crash.ts
 *   5 server/server.ts                   — runs commands, knows none of them
 *   6 the composition root and entry points: compose.ts, index.ts, bin/
 * cli/ (gkv-cli) may import layer 0 only.
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** file (relative to src/) → the relative files it imports or re-exports, type-only imports included. */
function importGraph(): Map<string, string[]> {
  const g = new Map<string, string[]>();
  const re = /^(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]|^import\s+['"](\.[^'"]+)['"]/gms;
  for (const file of tsFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const deps: string[] = [];
    for (const m of text.matchAll(re)) {
      const spec = (m[1] ?? m[2]).replace(/\.js$/, '.ts');
      deps.push(relative(SRC, resolve(dirname(file), spec)));
    }
    g.set(relative(SRC, file), deps);
  }
  return g;
}

function layerOf(f: string): number {
  if (f.startsWith('cli/')) return 7; // checked on its own below
  if (f.startsWith('util/') || f.startsWith('protocol/') || f === 'version.ts') return 0;
  if (f.startsWith('datatypes/') || f.startsWith('lua/')) return 1;
  if (f.startsWith('keyspace/') || f.startsWith('pubsub/')) return 2;
  if (f === 'server/server.ts') return 5;
  if (f === 'server/crash.ts' || f.startsWith('commands/families/') || f === 'commands/index.ts' || f.startsWith('persistence/') || f.startsWith('replication/')) return 4;
  if (f.startsWith('server/') || f.startsWith('commands/') || f.startsWith('scripting/')) return 3;
  if (f === 'compose.ts' || f === 'index.ts' || f.startsWith('bin/')) return 6;
  throw new Error(`no layer for src/${f}: add it to layerOf (test/meta/layers.test.ts) and docs/ARCHITECTURE.md`);
}

/** Tarjan's strongly connected components of more than one file (or a file importing itself). */
function cycles(g: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

test('src/ has no import cycle, type-only imports included', () => {
  const g = importGraph();
  assert.ok(g.size > 100, `read ${g.size} files`);
  assert.deepEqual(cycles(g), []);
});

test('no import goes from a lower layer to a higher one; gkv-cli imports only layer 0', () => {
  const g = importGraph();
  const upward: string[] = [];
  for (const [from, deps] of g) {
    for (const to of deps) {
      if (!g.has(to)) continue;
      if (from.startsWith('cli/')) {
        if (!to.startsWith('cli/') && layerOf(to) !== 0) upward.push(`${from} -> ${to}`);
      } else if (layerOf(to) > layerOf(from)) upward.push(`${from} (${layerOf(from)}) -> ${to} (${layerOf(to)})`);
    }
  }
  assert.deepEqual(upward, []);
});

test('the checker finds a cycle and an upward import when there is one', () => {
  const g = new Map([
    ['a.ts', ['b.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts']],
    ['d.ts', []],
  ]);
  assert.deepEqual(cycles(g), [['a.ts', 'b.ts', 'c.ts']]);
  assert.ok(layerOf('server/server.ts') > layerOf('commands/families/string.ts'));
  assert.ok(layerOf('keyspace/keyspace.ts') < layerOf('server/client.ts'));
});
