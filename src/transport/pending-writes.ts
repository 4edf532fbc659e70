/**
 * The messages handed to a socket whose write has not completed yet. Node completes a write once
 * the kernel has taken all of its bytes, in the order the writes were made; when the connection
 * dies first, Node fails the remaining writes instead. Those messages never left this process, so
 * they can go out again on the next connection without the peer seeing them twice.
 */
export class PendingWrites<T> {
  private items: T[] = [];
  private head = 0;

  /** @param onUnsent gets the messages of the failed writes, oldest first, once per failure */
  constructor(private readonly onUnsent: (unsent: T[]) => void) {}

  get length(): number {
    return this.items.length - this.head;
  }

  /** Records a message just handed to the socket; pass `settle` as that write's callback. */
  add(item: T): void {
    this.items.push(item);
  }

  readonly settle = (err?: Error | null): void => {
    if (err) {
      // the first failed write fails every later one too: hand them all back at once
      const unsent = this.items.slice(this.head);
      this.clear();
      if (unsent.length > 0) this.onUnsent(unsent);
      return;
    }
    if (this.length === 0) return;
    this.head += 1;
    if (this.head === this.items.length) {
      this.clear();
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  };

  private clear(): void {
    // keep the array: most writes complete at once, one in and one out, every message
    this.items.length = 0;
    this.head = 0;
  }
}
