import { Backoff, STABLE_CONNECTION_MS, type BackoffOptions } from './backoff';

/**
 * When a client tries again: backoff delays between attempts, started over only after a
 * connection that lasted (a server that accepts and drops at once is a failed attempt too).
 */
export class ReconnectSchedule {
  private readonly backoff: Backoff;
  private timer?: NodeJS.Timeout;
  private connectedAt = 0;

  constructor(options: BackoffOptions) {
    this.backoff = new Backoff(options);
  }

  connected(): void {
    this.connectedAt = Date.now();
  }

  disconnected(): void {
    if (Date.now() - this.connectedAt >= STABLE_CONNECTION_MS) this.backoff.reset();
  }

  /** Runs `attempt` after the next backoff delay; returns that delay. */
  schedule(attempt: () => void): number {
    const delay = this.backoff.next();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      attempt();
    }, delay);
    return delay;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
