/**
 * The rule for where error texts live (src/protocol/errors.ts, its header),
 * checked on the source: an error text — a string literal that starts with
 * one of Redis's error codes — is written once. A text sent from more than
 * one place is named once, in the catalogue (or, used by one file only, as a
 * constant there); a text the catalogue holds is not written again elsewhere.
 * Texts only one place sends stay inline, where Redis writes them inline.
 *
 * Placeholders count as equal (`'${cmd}'` and `'${name}'`), and a literal
 * with nothing but a code before its placeholder (`ERR ${msg}`) is no text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const CATALOGUE = 'src/protocol/errors.ts';

/** Redis's error codes (the first word of an error reply) that gKV sends or may send. */
const CODES = [
  'ERR',
  'WRONGTYPE',
  'NOAUTH',
  'WRONGPASS',
  'NOPROTO',
  'NOPERM',
  'EXECABORT',
  'LOADING',
  'BUSY',
  'BUSYKEY',
  'NOSCRIPT',
  'OOM',
  'MISCONF',
  'NOREPLICAS',
  'READONLY',
  'MASTERDOWN',
  'IOERR',
  'UNBLOCKED',
  'DENIED',
  'CROSSSLOT',
  'CLUSTERDOWN',
  'TRYAGAIN',
];
const ERROR_TEXT = new RegExp(`^-?(${CODES.join('|')}) `);

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

/** The string literals of a TypeScript source (comments skipped), each with its line; templates keep their `${…}` as written. */
function stringLiterals(src: string): { text: string; line: number }[] {
  const out: { text: string; line: number }[] = [];
  let line = 1;
  let i = 0;
  const n = src.length;
  const scanString = (q: string): string => {
    let s = '';
    i++;
    while (i < n && src[i] !== q) {
      if (src[i] === '\\') {
        s += src[i] + src[i + 1];
        i += 2;
        continue;
      }
      if (q === '`' && src[i] === '$' && src[i + 1] === '{') {
        let depth = 0;
        const start = i;
        for (; i < n; i++) {
          if (src[i] === '{') depth++;
          else if (src[i] === '}' && --depth === 0) break;
        }
        s += src.slice(start, i + 1);
        i++;
        continue;
      }
      if (src[i] === '\n') line++;
      s += src[i++];
    }
    i++;
    return s;
  };
  while (i < n) {
    const ch = src[i];
    if (ch === '\n') {
      line++;
      i++;
    } else if (ch === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
    } else if (ch === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      for (const c of src.slice(i, end)) if (c === '\n') line++;
      i = end + 2;
    } else if (ch === "'" || ch === '"' || ch === '`') {
      const at = line;
      out.push({ text: scanString(ch), line: at });
    } else i++;
  }
  return out;
}

/** An error text with its placeholders made alike and a leading '-' or trailing CRLF dropped. */
const normalized = (t: string): string =>
  t
    .replace(/\$\{[^}]*\}/g, '${}')
    .replace(/^-/, '')
    .replace(/\\r\\n$/, '');

test('error texts are written once: repeated ones are named in the catalogue (or once in their file), catalogued ones not rewritten', () => {
  const sites = new Map<string, string[]>();
  for (const file of sources(join(root, 'src'))) {
    const rel = relative(root, file);
    for (const { text, line } of stringLiterals(readFileSync(file, 'utf8'))) {
      if (!ERROR_TEXT.test(text)) continue;
      const t = normalized(text);
      if (/^\w+ \$\{\}$/.test(t)) continue; // a code and a placeholder: the text comes from elsewhere
      if (!sites.has(t)) sites.set(t, []);
      sites.get(t)!.push(`${rel}:${line}`);
    }
  }
  const repeated = [...sites].filter(([, at]) => at.length > 1).map(([t, at]) => `${JSON.stringify(t)} at ${at.join(', ')}`);
  assert.deepEqual(repeated, [], `error texts written more than once:\n${repeated.join('\n')}`);
  assert.ok(
    [...sites.values()].some((at) => at[0].startsWith(CATALOGUE)),
    'the scan finds the catalogue',
  );
});

test('the scanner sees literals of every quoting and skips comments', () => {
  const src = "// 'ERR no'\nconst a = 'ERR one'; /* \"ERR no\" */\nconst b = \"ERR two\";\nconst c = `ERR ${x ? 'a' : `b`} three`;\n";
  assert.deepEqual(
    stringLiterals(src).map((l) => [l.text, l.line]),
    [
      ['ERR one', 2],
      ['ERR two', 3],
      ["ERR ${x ? 'a' : `b`} three", 4],
    ],
  );
});
