export type OverflowPolicy = 'drop-oldest' | 'drop-newest';

/**
 * FIFO with a hard capacity. When full, either the oldest item is discarded to make room or the
 * new one is refused; either way the drop is counted so it can be shown to the user.
 */
export class BoundedQueue<T> {
  private items: T[] = [];
  private head = 0;
  private droppedCount = 0;

  constructor(
    readonly capacity: number,
    readonly policy: OverflowPolicy = 'drop-oldest',
  ) {}

  get length(): number {
    return this.items.length - this.head;
  }

  get dropped(): number {
    return this.droppedCount;
  }

  /** @returns false when the item (or an older one, under drop-oldest) was dropped */
  push(item: T): boolean {
    if (this.capacity <= 0) {
      this.droppedCount += 1;
      return false;
    }
    if (this.length < this.capacity) {
      this.items.push(item);
      return true;
    }
    this.droppedCount += 1;
    if (this.policy === 'drop-newest') return false;
    this.shift();
    this.items.push(item);
    return false;
  }

  peek(): T | undefined {
    return this.length > 0 ? this.items[this.head] : undefined;
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined;
    const item = this.items[this.head];
    this.head += 1;
    // compact occasionally so a long-lived queue does not keep a growing dead prefix
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /**
   * Puts back items older than everything queued (writes a dead connection never sent), oldest
   * first. Past the capacity the policy decides as for push: drop-oldest discards from the front,
   * drop-newest from the back; every discard is counted.
   */
  putBack(older: readonly T[]): void {
    if (older.length === 0) return;
    const all = [...older, ...this.items.slice(this.head)];
    const excess = Math.max(0, all.length - Math.max(0, this.capacity));
    this.droppedCount += excess;
    this.items = this.policy === 'drop-oldest' ? all.slice(excess) : all.slice(0, all.length - excess);
    this.head = 0;
  }

  /** Counts messages given up without ever being queued (a reset discarding unsent writes). */
  discard(count: number): void {
    this.droppedCount += count;
  }

  /** Removes and returns everything queued, oldest first. */
  drain(): T[] {
    const all = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return all;
  }
}
