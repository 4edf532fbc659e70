/**
 * Node-RED queues every send() in memory and never tells a source node that the flow has caught
 * up, so an in node that emits everything it reads lets a fast peer fill memory and stall the
 * event loop. This hands items to the flow at most `maxPerTurn` per event-loop turn; past that it
 * pauses the source until a later turn, so the kernel's flow control (TCP window, WebSocket
 * backpressure) slows the peer instead. Light traffic is delivered at once, with no pausing.
 */
export interface PacedSource {
  pause(): void;
  resume(): void;
}

/** Items per turn: a number, or a function for a share that changes (e.g. with the number of sessions). */
export type TurnLimit = number | (() => number);

/**
 * One session's share of an endpoint's per-turn allowance, so many busy sessions together still
 * hand the flow about `total` items per turn, and none gets less than `floor`.
 */
export function fairShare(total: number, sessions: () => number, floor = 16): () => number {
  return () => Math.max(floor, Math.floor(total / Math.max(1, sessions())));
}

/**
 * Items the owner keeps unproduced until there is room for them (a TCP session keeps its unread
 * bytes and decodes only what a turn can take), so a backlog is one buffer, not thousands of
 * objects that live long enough to reach the old generation.
 */
export interface LazyBacklog<T> {
  /** Up to about `room` items, in order; may return a few more when a read ends mid-estimate. */
  take(room: number): T[];
  hasMore(): boolean;
}

export class PacedDelivery<T> {
  private pending: T[] = [];
  private deliveredThisTurn = 0;
  private turnScheduled = false;
  private paused = false;
  private closed = false;

  constructor(
    private readonly source: PacedSource,
    private readonly deliver: (items: T[]) => void,
    private readonly maxPerTurn: TurnLimit = 256,
    private readonly backlog?: LazyBacklog<T>,
  ) {}

  private get limit(): number {
    return typeof this.maxPerTurn === 'number' ? this.maxPerTurn : this.maxPerTurn();
  }

  get waiting(): number {
    return this.pending.length;
  }

  /** How many more items this turn can take. */
  get room(): number {
    return this.pending.length > 0 ? 0 : Math.max(0, this.limit - this.deliveredThisTurn);
  }

  /** The owner's backlog has more than this turn took: pause the source until it is drained. */
  hold(): void {
    if (this.closed) return;
    if (!this.paused) {
      this.paused = true;
      this.source.pause();
    }
    this.scheduleTurn();
  }

  /** Items just read from the source, in order. */
  add(items: T[]): void {
    if (this.closed || items.length === 0) return;
    if (this.pending.length === 0 && this.deliveredThisTurn + items.length <= this.limit) {
      this.deliveredThisTurn += items.length;
      this.scheduleTurn();
      this.deliver(items);
      return;
    }
    for (const item of items) this.pending.push(item);
    this.deliverAllowance();
    if (this.pending.length > 0 && !this.paused) {
      this.paused = true;
      this.source.pause();
    }
    this.scheduleTurn();
  }

  /** Hands over everything still waiting (the source ended), then stops. */
  finish(): void {
    if (this.closed) return;
    const rest = this.pending;
    this.pending = [];
    this.closed = true;
    if (rest.length > 0) this.deliver(rest);
  }

  /** Drops what is still waiting (the session was destroyed). */
  discard(): void {
    this.pending = [];
    this.closed = true;
  }

  private deliverAllowance(): void {
    const room = this.limit - this.deliveredThisTurn;
    if (room <= 0 || this.pending.length === 0) return;
    const batch = this.pending.length <= room ? this.pending : this.pending.slice(0, room);
    this.pending = batch === this.pending ? [] : this.pending.slice(room);
    this.deliveredThisTurn += batch.length;
    this.deliver(batch);
  }

  private scheduleTurn(): void {
    if (this.turnScheduled) return;
    this.turnScheduled = true;
    setImmediate(() => this.onNextTurn());
  }

  private onNextTurn(): void {
    this.turnScheduled = false;
    this.deliveredThisTurn = 0;
    if (this.closed) return;
    if (this.pending.length > 0) {
      this.deliverAllowance();
      this.scheduleTurn();
      return;
    }
    if (this.backlog?.hasMore()) {
      this.add(this.backlog.take(this.limit));
      if (this.closed) return;
      if (this.backlog.hasMore() || this.pending.length > 0) {
        this.scheduleTurn();
        return;
      }
    }
    if (this.paused) {
      this.paused = false;
      this.source.resume();
    }
  }
}
