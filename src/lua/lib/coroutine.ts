/**
 * Lua 5.1's coroutine library (lbaselib.c's co* functions and messages):
 * create resume yield status wrap running, on generators.
 *
 * A coroutine is a LuaThread holding the generator of its body. Two kinds
 * of values travel up a generator chain: BUDGET (the step budget is spent:
 * the driver may pause the whole script) and a CoYield (coroutine.yield).
 * resume runs the body's generator: a CoYield ends the resume with the
 * yielded values; a BUDGET is passed on up (resume is itself a generator,
 * so the script pauses with the coroutine inside it) and the body continues
 * when the driver resumes. A yield cannot cross a native that calls Lua
 * synchronously (table.sort's comparator, a metamethod): L.callSync refuses
 * it, as Lua 5.1 does ("attempt to yield across metamethod/C-call boundary").
 */
import { caughtValue, isLuaFunction } from './base.js';
import { LuaKill, type LuaState, MAX_CCALLS } from '../state.js';
import { BUDGET, EMPTY, LuaClosure, LuaError, type LuaGen, type LuaThreadLike, type LuaValue } from '../value.js';

type Status = 'suspended' | 'running' | 'normal' | 'dead';

/** a coroutine */
export class LuaThread implements LuaThreadLike {
  readonly luaThread = true as const;
  status: Status = 'suspended';
  gen: LuaGen | undefined = undefined;
  /** the Lua call depth inside the coroutine while it is suspended */
  depth = 0;
  constructor(readonly fn: LuaClosure) {}
}

/** what coroutine.yield sends up the generator chain */
class CoYield {
  constructor(readonly values: LuaValue[]) {}
}

/** the running coroutine of each state (undefined: the main thread) */
const running = new WeakMap<LuaState, LuaThread>();

/**
 * Resumes co with args: [true, ...results or yielded values] or [false, error].
 * Budget pauses inside pass through to whoever drives the caller.
 */
function* resumeThread(L: LuaState, co: LuaThread, args: LuaValue[]): Generator<unknown, [boolean, LuaValue[]], unknown> {
  if (co.status !== 'suspended') return [false, [`cannot resume ${co.status} coroutine`]];
  if (L.ccalls >= MAX_CCALLS) return [false, ['C stack overflow']];
  L.ccalls++;
  // the caller's position, which the coroutine's code moves
  const line = L.line;
  const chunk = L.chunk;
  const prev = running.get(L);
  if (prev !== undefined) prev.status = 'normal';
  running.set(L, co);
  co.status = 'running';
  const base = L.depth;
  L.depth = base + co.depth;
  let input: unknown = args;
  try {
    if (co.gen === undefined) {
      co.gen = co.fn.g(...args);
      input = undefined;
    }
    for (;;) {
      const r = co.gen.next(input);
      if (r.done) {
        co.status = 'dead';
        return [true, r.value];
      }
      if (r.value === BUDGET) {
        // the script's budget: pause with the coroutine inside, go on where it stopped
        yield BUDGET;
        input = undefined;
        continue;
      }
      if (r.value instanceof CoYield) {
        co.status = 'suspended';
        co.depth = L.depth - base;
        return [true, r.value.values];
      }
      throw new Error('unexpected value yielded to a coroutine');
    }
  } catch (e) {
    if (e instanceof LuaKill) throw e;
    co.status = 'dead';
    return [false, [caughtValue(L, e)]];
  } finally {
    L.ccalls--;
    L.line = line;
    L.chunk = chunk;
    L.depth = base;
    if (prev === undefined) running.delete(L);
    else {
      running.set(L, prev);
      prev.status = 'running';
    }
  }
}

/** Opens the coroutine library into L's globals. */
export function openCoroutine(L: LuaState): void {
  const checkCo = (v: LuaValue, fname: string): LuaThread => {
    if (v instanceof LuaThread) return v;
    throw L.argError(1, fname, 'coroutine expected');
  };
  const create = (...args: LuaValue[]): LuaValue[] => {
    const f = args[0];
    if (!isLuaFunction(f)) throw L.argError(1, 'create', 'Lua function expected');
    // a leaf function is compiled as a plain function: give the coroutine a generator around it
    if (typeof f === 'function')
      return [
        new LuaThread(
          new LuaClosure(function* leaf(...a: LuaValue[]): LuaGen {
            return f(...a);
          }),
        ),
      ];
    return [new LuaThread(f as LuaClosure)];
  };
  L.register('coroutine', {
    create,
    resume: new LuaClosure(function* resume(...args: LuaValue[]): LuaGen {
      const co = checkCo(args[0], 'resume');
      const [ok, vals] = yield* resumeThread(L, co, args.slice(1));
      return [ok, ...vals];
    }, 'resume'),
    yield: new LuaClosure(function* coyield(...args: LuaValue[]): LuaGen {
      if (running.get(L) === undefined) throw L.error('attempt to yield from outside a coroutine');
      const r = yield new CoYield(args);
      return (r as LuaValue[] | undefined) ?? EMPTY;
    }, 'yield'),
    status: (...args: LuaValue[]): LuaValue[] => {
      const co = checkCo(args[0], 'status');
      return [co.status];
    },
    running: (): LuaValue[] => {
      const co = running.get(L);
      return [co];
    },
    wrap: (...args: LuaValue[]): LuaValue[] => {
      const co = create(...args)[0] as LuaThread;
      return [
        new LuaClosure(function* wrapped(...a: LuaValue[]): LuaGen {
          const [ok, vals] = yield* resumeThread(L, co, a);
          if (ok) return vals;
          let err = vals[0];
          // auxwrap: a string error gets the caller's position in front
          if (typeof err === 'string' || typeof err === 'number') err = L.where() + String(err);
          throw new LuaError(err);
        }, 'wrap'),
      ];
    },
  });
}
