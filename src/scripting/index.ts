/**
 * The scripting subsystem of a server: EVAL's engine and script cache
 * (eval.ts) and what every engine shares (engine.ts's ScriptingHost),
 * installed by the composition root as the server's `scripting` field.
 * The runtime a script runs on (script.ts, engine.ts, convert.ts) serves
 * FUNCTION's engine too.
 */
import type { ServerContext } from '../commands/context.js';
import type { ScriptingHost } from './engine.js';
import { EvalScripts } from './eval.js';
import { RedisRand48 } from '../lua/lib/math.js';

export { LuaEngine, type ScriptingHost, sha1hex } from './engine.js';
export {
  SCRIPT_FLAGS_DEF,
  SCRIPT_FLAG_ALLOW_CROSS_SLOT,
  SCRIPT_FLAG_ALLOW_OOM,
  SCRIPT_FLAG_ALLOW_STALE,
  SCRIPT_FLAG_EVAL_COMPAT_MODE,
  SCRIPT_FLAG_NO_CLUSTER,
  SCRIPT_FLAG_NO_WRITES,
  type ScriptInvocation,
  ScriptRunCtx,
  runningScript,
  scriptKill,
  scriptFlagsToCmdFlags,
  scriptPrepareForRun,
  scriptRun,
} from './script.js';
export { EvalScripts, evalExtractShebangFlags } from './eval.js';

declare module '../commands/context.js' {
  interface ServerContext {
    /** EVAL's engine and cache, and the state engines share: set by installScripting (null until installed) */
    scripting: Scripting | null;
  }
}

/** A server's scripting: the host every engine shares, and EVAL's scripts. */
export class Scripting implements ScriptingHost {
  scriptDenyDisabled = false;
  readonly rand48 = new RedisRand48();
  readonly eval: EvalScripts;
  constructor(readonly s: ServerContext) {
    this.eval = new EvalScripts(this);
  }
}

/** Installs scripting on a server. Returns it. */
export function installScripting(s: ServerContext): Scripting {
  if (s.scripting === null) s.scripting = new Scripting(s);
  return s.scripting;
}
