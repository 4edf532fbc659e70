export interface BackoffOptions {
  /** first delay in ms */
  initialMs: number;
  /** cap in ms */
  maxMs: number;
  /** growth per failed attempt */
  factor: number;
  /** 0..1: fraction of each delay that is randomised, so many clients do not reconnect in step */
  jitter: number;
}

/**
 * A connection the server drops at once (a device that accepts and closes, a full server) is a
 * failed attempt too: a reconnecting client starts its backoff over only once a connection has
 * lasted this long, so it does not hammer such a server at the first delay forever.
 */
export const STABLE_CONNECTION_MS = 1000;

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 500, maxMs: 30000, factor: 2, jitter: 0.2 };

/** Exponential backoff with jitter, capped. One instance per reconnecting endpoint. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly options: BackoffOptions = DEFAULT_BACKOFF,
    private readonly random: () => number = Math.random,
  ) {}

  get attempts(): number {
    return this.attempt;
  }

  /** Delay before the next attempt; each call counts one failed attempt. */
  next(): number {
    const { initialMs, maxMs, factor, jitter } = this.options;
    const base = Math.min(maxMs, initialMs * Math.pow(factor, this.attempt));
    this.attempt += 1;
    const spread = base * jitter;
    return Math.max(0, Math.round(base - spread + this.random() * 2 * spread));
  }

  reset(): void {
    this.attempt = 0;
  }
}
