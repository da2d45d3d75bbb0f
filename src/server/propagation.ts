/**
 * Propagation (Redis's propagateNow / alsoPropagate's consumers): the
 * commands that changed the dataset, in the form they take effect, go to
 * every listener — the AOF's feed today, replicas and other consumers
 * tomorrow, a recorder in tests — in the order they were added.
 *
 * call() runs `emit` after a write: null while nobody listens, so a server
 * without persistence pays one null check per write; one listener is called
 * directly, several through one loop.
 */
export type PropagationListener = (dbId: number, argv: string[]) => void;

export class Propagation {
  private listeners: PropagationListener[] = [];
  /** what call() runs after a write; null while there is no listener */
  emit: PropagationListener | null = null;

  /** Adds a listener; returns the function that removes it. */
  add(l: PropagationListener): () => void {
    this.listeners.push(l);
    this.rebuild();
    return () => this.remove(l);
  }

  remove(l: PropagationListener): void {
    const i = this.listeners.indexOf(l);
    if (i === -1) return;
    this.listeners.splice(i, 1);
    this.rebuild();
  }

  private rebuild(): void {
    const ls = [...this.listeners];
    if (ls.length === 0) this.emit = null;
    else if (ls.length === 1) this.emit = ls[0];
    else
      this.emit = (db, argv) => {
        for (const l of ls) l(db, argv);
      };
  }
}
