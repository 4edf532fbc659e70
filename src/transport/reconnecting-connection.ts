import type { BackoffOptions } from './backoff';
import type { EndpointState } from './endpoint-state';
import { ReconnectSchedule } from './reconnect-schedule';

/** What ReconnectingConnection reads of its client. */
export interface ReconnectingClient {
  /** the connection is open */
  readonly connected: boolean;
  /** where it connects, as people write it (host:port, a URL) */
  readonly target: string;
}

/** What a client (TCP, WebSocket) does with its own kind of socket; ReconnectingConnection says when. */
export interface ConnectionSocket {
  /** Starts an attempt to the current target. */
  attempt(): void;
  /** Ends the open connection after what it already holds, or abandons the attempt. */
  drop(reason: string): void;
  /** Closes the socket (and anything else the client owns) for good; resolves once closed. */
  destroy(): Promise<void>;
  setState(state: EndpointState): void;
  /** an attempt failed: tell the flow (an `error` event) */
  reportFailure(err: Error): void;
}

/**
 * The life of a client's one connection, kept apart from the socket: attempts, retries with
 * backoff and the countdown, a connection moved to another target, the flow's disconnect and
 * connect, and close. The client reports what its socket did (opened, attemptFailed, lost); this
 * decides what happens next and resolves the control calls waiting for it.
 *
 * Phases it sets: `stopped` (the flow said disconnect), `reconnecting` (counting down), `closed`.
 */
export class ReconnectingConnection {
  private readonly schedule: ReconnectSchedule;
  private stopped = false;
  /** the flow said disconnect: no reconnecting until it says connect */
  private held = false;
  /** the connection is being closed to open one to a new target at once */
  private moving = false;
  /** control calls waiting for the current attempt to end (connected, failed, or stopped) */
  private settling: Array<() => void> = [];
  /** an attempt is under way or a connection is open */
  private underWay = false;
  private closing?: Promise<void>;

  constructor(
    backoff: BackoffOptions,
    private readonly client: ReconnectingClient,
    private readonly socket: ConnectionSocket,
  ) {
    this.schedule = new ReconnectSchedule(backoff);
  }

  /** close() was called: nothing opens again */
  get isClosed(): boolean {
    return this.stopped;
  }

  /** The first attempt (a deploy). */
  start(): void {
    this.attempt();
  }

  /**
   * Connects now. `elsewhere`: the client has just moved its target, so a connection to the old one
   * is closed first; `force` reconnects even to the same target. Resolves once the attempt has ended
   * (connected, or failed and waiting to retry).
   */
  connect(elsewhere: boolean, force: boolean): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.held = false;
    if (this.underWay) {
      if (!elsewhere && !force) return this.client.connected ? Promise.resolve() : this.whenSettled();
      this.moving = true;
      const settled = this.whenSettled();
      this.socket.drop(`moved to ${this.client.target}`);
      return settled;
    }
    this.schedule.cancel();
    const settled = this.whenSettled();
    this.attempt();
    return settled;
  }

  /** Closes the connection and stays disconnected until connect(); sends wait in the queue. */
  disconnect(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.held = true;
    this.moving = false;
    this.schedule.cancel();
    if (!this.underWay) {
      this.socket.setState({ phase: 'stopped', reason: 'disconnected by flow' });
      return Promise.resolve();
    }
    const settled = this.whenSettled();
    this.socket.drop('disconnected by flow');
    return settled;
  }

  /** Stops for good; resolves once the socket is closed (the same promise however often called). */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  /** The socket connected: backoff starts over once this connection has lasted. */
  opened(): void {
    this.schedule.connected();
    this.settle();
  }

  /**
   * An attempt ended without a connection. One the flow called off (disconnect, move) is not a
   * failure; otherwise `explain()` says why, the client reports it and the next attempt is scheduled.
   */
  attemptFailed(explain: () => Error): void {
    this.underWay = false;
    if (this.stopped) return;
    if (this.held || this.moving) {
      this.next('');
      return;
    }
    const err = explain();
    this.socket.reportFailure(err);
    this.next(err.message);
  }

  /** An open connection ended. */
  lost(reason: string): void {
    this.underWay = false;
    this.schedule.disconnected();
    this.next(reason);
  }

  /** An attempt that could not even start (a bad URL): no retry; control calls waiting return. */
  gaveUp(): void {
    this.underWay = false;
    this.settle();
  }

  private settle(): void {
    const waiting = this.settling;
    this.settling = [];
    for (const resolve of waiting) resolve();
  }

  private attempt(): void {
    if (this.stopped || this.held) return;
    this.underWay = true;
    this.socket.attempt();
  }

  private whenSettled(): Promise<void> {
    return new Promise((resolve) => this.settling.push(resolve));
  }

  /** After a connection or an attempt is gone: stay down, move at once, or retry with backoff. */
  private next(reason: string): void {
    if (this.stopped) return;
    if (this.held) {
      this.socket.setState({ phase: 'stopped', reason: 'disconnected by flow' });
      this.settle();
      return;
    }
    if (this.moving) {
      this.moving = false;
      this.attempt();
      return;
    }
    this.schedule.schedule(
      () => this.attempt(),
      (inMs) => this.socket.setState({ phase: 'reconnecting', inMs, reason }),
    );
    this.settle();
  }

  private async shutDown(): Promise<void> {
    this.stopped = true;
    this.schedule.cancel();
    await this.socket.destroy();
    this.socket.setState({ phase: 'closed' });
    this.settle();
  }
}
