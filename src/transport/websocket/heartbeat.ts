/** A client the heartbeat pings: probe() drops it if it never answered the last ping, else pings it again. */
export interface Probed {
  probe(): void;
}

// Clients are pinged in this many slices, one slice per tick, so each is still pinged once per
// interval but 10,000 clients never cost one long turn of 10,000 writes.
const SLICES = 10;

/**
 * One timer for all of a server's clients, running only while there are any. Each tick probes one
 * slice of them, and does so in the turn's check phase (setImmediate), after the poll phase has read
 * the pongs that already arrived: a server whose timer fired late because it was busy (a burst of
 * connections, a slow flow) judges its clients by what they sent, not by what it had not read yet.
 */
export class SharedHeartbeat<T extends Probed> {
  private timer?: NodeJS.Timeout;
  private tick = 0;
  private nextSlot = 0;
  private readonly slots = new WeakMap<T, number>();

  constructor(
    private readonly intervalMs: number,
    private readonly clients: () => Iterable<T>,
  ) {}

  /** A client joined: starts the timer if it is not running (and the heartbeat is on). */
  add(client: T): void {
    if (this.intervalMs <= 0) return;
    this.slots.set(client, this.nextSlot++ % SLICES);
    this.timer ??= setInterval(() => setImmediate(this.probeSlice, this.tick++ % SLICES), this.intervalMs / SLICES);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private readonly probeSlice = (slice: number): void => {
    if (!this.timer) return;
    for (const client of this.clients()) if (this.slots.get(client) === slice) client.probe();
  };
}
