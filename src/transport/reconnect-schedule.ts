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

  /**
   * Runs `attempt` after the next backoff delay; returns that delay. `waiting`, if given, hears the
   * time left at once and again at each whole second left (4.3 s: 4300, 4000, 3000, 2000, 1000
   * ms), so a status can count down with one update a second and none between.
   */
  schedule(attempt: () => void, waiting?: (leftMs: number) => void): number {
    const delay = this.backoff.next();
    const due = performance.now() + delay;
    const waitFor = (left: number): void => {
      // the next whole second below `left`, or 0: the attempt itself
      const mark = waiting ? Math.max(0, (Math.ceil(left / 1000) - 1) * 1000) : 0;
      this.timer = setTimeout(() => {
        if (mark > 0 && waiting) {
          waiting(mark);
          waitFor(mark);
          return;
        }
        this.timer = undefined;
        attempt();
      }, Math.max(0, due - mark - performance.now()));
    };
    waiting?.(delay);
    waitFor(delay);
    return delay;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
