// Slows down guessing: every failed authentication from one address makes the answer to the next
// failure from that address later (the answers are also serialised per address, so guessing in
// parallel is no faster than guessing in a row). The check of the credential itself is never
// delayed: a right token or password is let in at once, from any address.

export interface AuthThrottleOptions {
  /** failures from one address answered at once (typing mistakes) before answers slow down */
  freeFailures: number;
  /** the first delay; it doubles with every further failure */
  baseDelayMs: number;
  maxDelayMs: number;
  /** addresses remembered at once; past this, the one that failed longest ago is forgotten */
  maxTracked: number;
  /** failed attempts from one address waiting for their answer; more are cut without one */
  maxWaiting: number;
  /** an address that has not failed for this long starts afresh */
  forgetAfterMs: number;
}

export const DEFAULT_AUTH_THROTTLE: AuthThrottleOptions = {
  freeFailures: 3,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxTracked: 10_000,
  maxWaiting: 16,
  forgetAfterMs: 15 * 60_000,
};

interface Record {
  failures: number;
  /** when the previous delayed answer from this address is due */
  answerAt: number;
  waiting: number;
  lastFailureAt: number;
}

/** What to do with a failed attempt: answer after `delayMs` (0 = now), or cut the connection. */
export type ThrottleVerdict = { delayMs: number } | 'cut';

export class AuthThrottle {
  // insertion order = least recently failed first, so the oldest is dropped when full
  private readonly byAddress = new Map<string, Record>();
  private failureCount = 0;

  constructor(private readonly options: AuthThrottleOptions = DEFAULT_AUTH_THROTTLE) {}

  /** Failed attempts since the endpoint started, from every address. */
  get failures(): number {
    return this.failureCount;
  }

  /** Addresses currently remembered (bounded by maxTracked). */
  get tracked(): number {
    return this.byAddress.size;
  }

  /** Records a failed attempt from `address` and says when to answer it. */
  failed(address: string, now: number = Date.now()): ThrottleVerdict {
    this.failureCount += 1;
    const { options } = this;
    let record = this.byAddress.get(address);
    if (record && now - record.lastFailureAt > options.forgetAfterMs && record.waiting === 0) record = undefined;
    this.byAddress.delete(address);
    record ??= { failures: 0, answerAt: now, waiting: 0, lastFailureAt: now };
    record.failures += 1;
    record.lastFailureAt = now;
    this.byAddress.set(address, record);
    this.forgetOldest();
    if (record.waiting >= options.maxWaiting) return 'cut';
    const extra = record.failures - options.freeFailures;
    const step = extra <= 0 ? 0 : Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(extra - 1, 30));
    record.answerAt = Math.max(record.answerAt, now) + step;
    const delayMs = record.answerAt - now;
    if (delayMs > 0) record.waiting += 1;
    return { delayMs };
  }

  /** A delayed answer to `address` has been sent. */
  answered(address: string): void {
    const record = this.byAddress.get(address);
    if (record && record.waiting > 0) record.waiting -= 1;
  }

  private forgetOldest(): void {
    while (this.byAddress.size > this.options.maxTracked) {
      const oldest = this.byAddress.keys().next().value as string;
      this.byAddress.delete(oldest);
    }
  }
}
