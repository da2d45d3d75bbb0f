/**
 * Propagation (Redis's propagateNow / alsoPropagate's consumers): the
 * commands that changed the dataset, in the form they take effect, go to
 * every listener — the AOF's feed today, replicas and other consumers
 * tomorrow, a recorder in tests — in the order they were added.
 *
 * call() runs `emit` after a write: null while nobody listens, so a server
 * without persistence pays one null check per write; one listener is called
 * directly, several through one loop (util/listeners.ts).
 */
import { Listeners } from '../util/listeners.js';

/**
 * Where a propagated command goes (Redis's PROPAGATE_AOF / PROPAGATE_REPL):
 * both by default; PUBLISH goes to replicas only, and a script's
 * redis.set_repl chooses per command.
 */
export const PROPAGATE_AOF = 1;
export const PROPAGATE_REPL = 2;
export const PROPAGATE_ALL = PROPAGATE_AOF | PROPAGATE_REPL;

/** A consumer of the propagated commands; `targets` (default PROPAGATE_ALL) says which consumers a command is for. */
export type PropagationListener = (dbId: number, argv: string[], targets?: number) => void;

/** A propagated command waiting for its transaction's end: [db, argv, targets (default all)]. */
export type PropagatedOp = [number, string[], number?];

export class Propagation {
  private readonly listeners = new Listeners<PropagationListener>();

  /** what call() runs after a write; null while there is no listener */
  get emit(): PropagationListener | null {
    return this.listeners.fn;
  }

  /** Adds a listener; returns the function that removes it. */
  add(l: PropagationListener): () => void {
    this.listeners.add(l);
    return () => this.remove(l);
  }

  remove(l: PropagationListener): void {
    this.listeners.remove(l);
  }
}
