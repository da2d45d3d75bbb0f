/**
 * The replication backlog (Redis's repl_backlog, replication.c): the last
 * `repl-backlog-size` bytes of the replication stream in a circular buffer,
 * so that a replica that lost its link for a moment continues from the
 * offset it had (PSYNC → +CONTINUE) instead of loading a whole snapshot.
 *
 * Offsets are the stream's byte positions as Redis counts them: the first
 * byte the backlog holds is `off`, the last is `off + histlen - 1`, which is
 * the master's replication offset. A backlog created when the offset is N
 * holds nothing yet and virtually starts at N + 1 (createReplicationBacklog).
 * The stream arrives as latin1 strings (every byte one char), as the
 * keyspace holds its values.
 */
export class ReplBacklog {
  private buf: Buffer;
  /** where the next byte goes in buf */
  private idx = 0;
  /** bytes of history held (at most the size) */
  histlen = 0;
  /** the stream offset of the first byte held (repl_backlog_first_byte_offset) */
  off: number;

  constructor(size: number, masterOffset: number) {
    this.buf = Buffer.allocUnsafe(size);
    this.off = masterOffset + 1;
  }

  get size(): number {
    return this.buf.length;
  }

  /** Appends stream bytes; `masterOffset` is the offset after them (feedReplicationBacklog). */
  add(data: string, masterOffset: number): void {
    const size = this.buf.length;
    let s = data;
    // only the last `size` bytes can stay
    if (s.length > size) s = s.slice(s.length - size);
    let pos = 0;
    while (pos < s.length) {
      const n = Math.min(size - this.idx, s.length - pos);
      this.buf.write(pos === 0 && n === s.length ? s : s.slice(pos, pos + n), this.idx, n, 'latin1');
      this.idx += n;
      if (this.idx === size) this.idx = 0;
      pos += n;
    }
    this.histlen = Math.min(size, this.histlen + data.length);
    this.off = masterOffset - this.histlen + 1;
  }

  /** Whether the bytes from `offset` on are all held (masterTryPartialResynchronization's test). */
  covers(offset: number): boolean {
    return offset >= this.off && offset <= this.off + this.histlen;
  }

  /** The bytes from `offset` to the end, in order (addReplyReplicationBacklog); covers(offset) must hold. */
  readFrom(offset: number): Buffer[] {
    const size = this.buf.length;
    const skip = offset - this.off;
    let len = this.histlen - skip;
    if (len <= 0) return [];
    // the oldest byte held, then `skip` further
    let j = (this.idx + (size - this.histlen) + skip) % size;
    const out: Buffer[] = [];
    while (len > 0) {
      const n = Math.min(size - j, len);
      out.push(Buffer.from(this.buf.subarray(j, j + n)));
      len -= n;
      j = 0;
    }
    return out;
  }

  /**
   * A new size (CONFIG SET repl-backlog-size, resizeReplicationBacklog):
   * Redis empties the buffer rather than copy it; the next byte is the next
   * of the stream.
   */
  resize(size: number, masterOffset: number): void {
    if (size === this.buf.length) return;
    this.buf = Buffer.allocUnsafe(size);
    this.idx = 0;
    this.histlen = 0;
    this.off = masterOffset + 1;
  }
}
