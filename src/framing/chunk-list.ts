export const EMPTY = Buffer.alloc(0);

/**
 * Bytes copied to join chunks. Tests read it to prove a frame that spans chunks is joined once,
 * not re-concatenated on every push.
 */
export const copyCounter = { bytes: 0 };

/** Compacting the array only once this many chunks are spent keeps shifting amortised O(1). */
const COMPACT_AFTER = 64;

/**
 * Bytes that arrived but are not yet part of a complete frame, kept as the list of chunks they
 * came in, so a push costs O(chunk) however much is already pending.
 */
export class ChunkList {
  private chunks: Buffer[] = [];
  private first = 0;
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** Removes and returns the first n bytes: a view when they lie in one chunk, otherwise one copy. */
  take(n: number): Buffer {
    if (n === 0) return EMPTY;
    const head = this.chunks[this.first];
    if (n <= head.length) {
      this.consumeHead(n);
      return n === head.length ? head : head.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let written = 0;
    while (written < n) {
      const chunk = this.chunks[this.first];
      const part = Math.min(chunk.length, n - written);
      chunk.copy(out, written, 0, part);
      written += part;
      this.consumeHead(part);
    }
    copyCounter.bytes += n;
    return out;
  }

  skip(n: number): void {
    while (n > 0) {
      const part = Math.min(this.chunks[this.first].length, n);
      this.consumeHead(part);
      n -= part;
    }
  }

  /** The last k bytes, read from the back so the cost does not grow with what is pending. */
  tail(k: number): Buffer {
    const last = this.chunks[this.chunks.length - 1];
    if (k <= last.length) return last.subarray(last.length - k);
    const out = Buffer.allocUnsafe(k);
    let missing = k;
    for (let i = this.chunks.length - 1; missing > 0; i--) {
      const chunk = this.chunks[i];
      const part = Math.min(chunk.length, missing);
      missing -= part;
      chunk.copy(out, missing, chunk.length - part);
    }
    copyCounter.bytes += k;
    return out;
  }

  /** Bytes [start, end) without removing them. */
  peek(start: number, end: number): Buffer {
    if (start === end) return EMPTY;
    let i = this.first;
    while (start >= this.chunks[i].length) {
      start -= this.chunks[i].length;
      end -= this.chunks[i].length;
      i++;
    }
    if (end <= this.chunks[i].length) return this.chunks[i].subarray(start, end);
    const out = Buffer.allocUnsafe(end - start);
    let written = 0;
    for (; written < out.length; i++, start = 0) {
      const chunk = this.chunks[i];
      written += chunk.copy(out, written, start, Math.min(chunk.length, start + out.length - written));
    }
    copyCounter.bytes += out.length;
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.first = 0;
    this.total = 0;
  }

  private consumeHead(n: number): void {
    const head = this.chunks[this.first];
    this.total -= n;
    if (n < head.length) {
      this.chunks[this.first] = head.subarray(n);
      return;
    }
    // Drop the reference at once: a spent chunk may be a view of a large socket buffer.
    this.chunks[this.first] = EMPTY;
    this.first++;
    if (this.first === this.chunks.length) {
      this.chunks = [];
      this.first = 0;
    } else if (this.first >= COMPACT_AFTER && this.first * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }
}

/**
 * Where a `sequence` that starts in the last `available` pending bytes and ends in `chunk` (at or
 * after `from`) ends: the index in `chunk` just past it, or -1. The caller has already searched
 * the pending bytes, so only matches straddling the boundary are looked for, in O(sequence) time.
 */
export function findStraddling(pending: ChunkList, available: number, chunk: Buffer, from: number, sequence: Buffer): number {
  const held = Math.min(sequence.length - 1, available);
  if (held <= 0 || from >= chunk.length) return -1;
  const probe = Buffer.concat([pending.tail(held), chunk.subarray(from, from + sequence.length - 1)]);
  const at = probe.indexOf(sequence);
  return at !== -1 && at < held ? from + at + sequence.length - held : -1;
}
