/**
 * Lua 5.1's table library (ltablib.c) for gKV's Lua: concat foreach
 * foreachi getn insert maxn remove setn sort.
 *
 * As ltablib.c does it, so that scripts see the same results:
 * - every access is raw (lua_rawgeti / lua_rawseti), and `n` is `#t`
 *   (LuaTable.length(): a border);
 * - sort is Lua's own quicksort (auxsort: median of three, pivot at u-1,
 *   the smaller half recursed), so equal keys and inconsistent comparators
 *   end in the same order, and "invalid order function for sorting" is
 *   raised at the same moment, as lua5.1's; without a comparator values are
 *   compared as `<` does (numbers, strings, __lt) with its "attempt to
 *   compare" errors; the comparator runs through L.callSync;
 * - insert takes 2 or 3 arguments exactly, remove returns nothing outside
 *   1..#t, concat's "invalid value (table) at index 2 in table for 'concat'"
 *   is the text Debian's lua5.1 and Redis print; setn is obsolete.
 * Errors raised after a callback ran restore L.line first, so they carry the
 * caller's line, not the callback's.
 */
import type { LuaState } from '../state.js';
import { EMPTY, LuaTable, type LuaValue, luaType, numberToString } from '../value.js';
import { checkFunction, checkInt, checkTable, jsLimitError, lessThan, optInt, optString } from './auxlib.js';

export function openTable(L: LuaState): LuaTable {
  function tconcat(t: LuaValue, sep: LuaValue, i: LuaValue, j: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const s = sep === undefined ? '' : optString(L, sep, 2, 'concat', '', argc);
    const tab = checkTable(L, t, 1, 'concat', argc);
    let k = optInt(L, i, 3, 'concat', 1, argc);
    const last = j === undefined ? tab.length() : checkInt(L, j, 4, 'concat', argc);
    const parts: string[] = [];
    for (; k <= last; k++) {
      const v = tab.getInt(k);
      if (typeof v === 'string') parts.push(v);
      else if (typeof v === 'number') parts.push(numberToString(v));
      else throw L.error(`invalid value (${luaType(v)}) at index ${k} in table for 'concat'`);
      if (k === 2147483647) break; // C's int loop ends here
    }
    try {
      return [parts.join(s)];
    } catch (e) {
      throw jsLimitError(L, e, 'C stack overflow');
    }
  }

  function foreachi(t: LuaValue, f: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const tab = checkTable(L, t, 1, 'foreachi', argc);
    const n = tab.length();
    checkFunction(L, f, 2, 'foreachi', argc);
    for (let i = 1; i <= n; i++) {
      const r = L.callSync(f, [i, tab.getInt(i)])[0];
      if (r !== undefined) return [r];
    }
    return EMPTY;
  }

  function foreach(t: LuaValue, f: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const tab = checkTable(L, t, 1, 'foreach', argc);
    checkFunction(L, f, 2, 'foreach', argc);
    const line = L.line;
    let e = tab.next(undefined);
    while (e !== undefined) {
      const r = L.callSync(f, [e[0], e[1]])[0];
      if (r !== undefined) return [r];
      L.line = line;
      e = tab.next(e[0]);
    }
    return EMPTY;
  }

  function maxn(t: LuaValue): LuaValue[] {
    const tab = checkTable(L, t, 1, 'maxn', arguments.length);
    let max = 0;
    if (tab.arr.length > 0) max = tab.arr.length; // keys 1..n, none of them nil
    if (tab.hash !== undefined) {
      for (const [k, v] of tab.hash) if (typeof k === 'number' && v !== undefined && k > max) max = k;
    }
    return [max];
  }

  function getn(t: LuaValue): LuaValue[] {
    return [checkTable(L, t, 1, 'getn', arguments.length).length()];
  }

  function setn(t: LuaValue): LuaValue[] {
    checkTable(L, t, 1, 'setn', arguments.length);
    throw L.error("'setn' is obsolete");
  }

  function tinsert(t: LuaValue, a: LuaValue, b: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const tab = checkTable(L, t, 1, 'insert', argc);
    let e = tab.length() + 1; // first empty element
    switch (argc) {
      case 2:
        tab.setInt(e, a);
        return EMPTY;
      case 3: {
        const pos = checkInt(L, a, 2, 'insert', argc);
        if (pos > e) e = pos; // 'grow' the array if necessary
        for (let i = e; i > pos; i--) tab.set(i, tab.get(i - 1)); // move up elements
        tab.set(pos, b);
        return EMPTY;
      }
      default:
        throw L.error("wrong number of arguments to 'insert'");
    }
  }

  function tremove(t: LuaValue, p: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const tab = checkTable(L, t, 1, 'remove', argc);
    const e = tab.length();
    let pos = p === undefined ? e : optInt(L, p, 2, 'remove', e, argc);
    if (!(1 <= pos && pos <= e)) return EMPTY; // nothing to remove
    const v = tab.getInt(pos);
    for (; pos < e; pos++) tab.setInt(pos, tab.getInt(pos + 1));
    tab.setInt(e, undefined);
    return [v];
  }

  function sort(t: LuaValue, comp: LuaValue): LuaValue[] {
    const argc = arguments.length;
    const tab = checkTable(L, t, 1, 'sort', argc);
    const n = tab.length();
    if (comp !== undefined) checkFunction(L, comp, 2, 'sort', argc);
    const line = L.line;
    const lt =
      comp === undefined
        ? (a: LuaValue, b: LuaValue): boolean => lessThan(L, a, b)
        : (a: LuaValue, b: LuaValue): boolean => {
            const r = L.callSync(comp, [a, b])[0];
            return r !== undefined && r !== false;
          };
    const fail = (): never => {
      L.line = line;
      throw L.error('invalid order function for sorting');
    };
    auxsort(tab, 1, n, lt, fail);
    return EMPTY;
  }

  return L.register('table', {
    concat: tconcat,
    foreach,
    foreachi,
    getn,
    maxn,
    insert: tinsert,
    remove: tremove,
    setn,
    sort,
  });
}

/**
 * ltablib.c's auxsort on t[lo..up], step for step: the same comparisons in
 * the same order and the same swaps (set2), so that any comparator, however
 * inconsistent, leaves the table as lua5.1 leaves it.
 */
function auxsort(t: LuaTable, lo: number, up: number, lt: (a: LuaValue, b: LuaValue) => boolean, fail: () => never): void {
  while (lo < up) {
    // sort a[lo], a[(lo+up)/2] and a[up]
    let a = t.get(lo);
    let b = t.get(up);
    if (lt(b, a)) {
      t.set(lo, b);
      t.set(up, a);
    }
    if (up - lo === 1) break; // only 2 elements
    let i = Math.trunc((lo + up) / 2);
    a = t.get(i);
    b = t.get(lo);
    if (lt(a, b)) {
      t.set(i, b);
      t.set(lo, a);
    } else {
      b = t.get(up);
      if (lt(b, a)) {
        t.set(i, b);
        t.set(up, a);
      }
    }
    if (up - lo === 2) break; // only 3 elements
    const P = t.get(i); // the pivot
    t.set(i, t.get(up - 1));
    t.set(up - 1, P);
    // a[lo] <= P == a[up-1] <= a[up]: only lo+1 .. up-2 to partition
    i = lo;
    let j = up - 1;
    for (;;) {
      // repeat ++i until a[i] >= P
      let ai = t.get(++i);
      while (lt(ai, P)) {
        if (i > up) fail();
        ai = t.get(++i);
      }
      // repeat --j until a[j] <= P
      let aj = t.get(--j);
      while (lt(P, aj)) {
        if (j < lo) fail();
        aj = t.get(--j);
      }
      if (j < i) break;
      t.set(i, aj);
      t.set(j, ai);
    }
    // swap the pivot (a[up-1]) with a[i]
    const pu = t.get(up - 1);
    t.set(up - 1, t.get(i));
    t.set(i, pu);
    // recurse into the smaller half, loop on the larger one
    let sl: number;
    let su: number;
    if (i - lo < up - i) {
      sl = lo;
      su = i - 1;
      lo = i + 1;
    } else {
      sl = i + 1;
      su = up;
      up = i - 1;
    }
    auxsort(t, sl, su, lt, fail);
  }
}
