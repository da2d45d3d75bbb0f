/**
 * A list of listeners called through one function: `fn` is null while there
 * is none (the caller pays one null test), the listener itself when there is
 * one, and a loop over a copy of the list when there are several. Used where
 * hot paths notify optional consumers: the keyspace's signalModifiedKey
 * (WATCH, client-side caching) and call()'s propagation (the AOF, recorders).
 */
export class Listeners<F extends (...args: never[]) => void> {
  private readonly list: F[] = [];
  /** what the notifier calls; null while nobody listens */
  fn: F | null = null;

  get size(): number {
    return this.list.length;
  }

  /** Adds l (once). Returns false when it was there already. */
  add(l: F): boolean {
    if (this.list.includes(l)) return false;
    this.list.push(l);
    this.rebuild();
    return true;
  }

  /** Removes l. Returns false when it was not there. */
  remove(l: F): boolean {
    const i = this.list.indexOf(l);
    if (i === -1) return false;
    this.list.splice(i, 1);
    this.rebuild();
    return true;
  }

  private rebuild(): void {
    const ls = [...this.list];
    if (ls.length === 0) this.fn = null;
    else if (ls.length === 1) this.fn = ls[0];
    else
      this.fn = ((...args: Parameters<F>) => {
        for (let i = 0; i < ls.length; i++) ls[i](...args);
      }) as F;
  }
}
