export interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * Batches the writes of one event-loop turn. Node-RED delivers each message in its own
 * setImmediate callback, so replies to a burst arrive spread over one turn: the first write of a
 * turn goes out at once (a lone reply gets no added latency), the rest are corked and leave
 * together in one writev when the turn ends.
 */
export class TurnCork {
  private turnOpen = false;
  private corked = false;

  constructor(private readonly target: Corkable) {}

  /** Call right before each write. */
  beforeWrite(): void {
    if (!this.turnOpen) {
      this.turnOpen = true;
      setImmediate(this.endTurn);
      return;
    }
    if (!this.corked) {
      this.corked = true;
      this.target.cork();
    }
  }

  private readonly endTurn = (): void => {
    this.turnOpen = false;
    if (this.corked) {
      this.corked = false;
      this.target.uncork();
    }
  };
}
