// Which frame answers which request, on one connection. Pure bookkeeping: no sockets, no
// Node-RED; the owner writes bytes, feeds frames and says when the connection is up or down.
import { RequestError } from './request-error';

/** How an answer is recognised. */
export type MatchRule =
  /** one request in flight; the next frame is its answer (what most devices need) */
  | { kind: 'next' }
  /** the bytes at offset..offset+length of the reply equal those of the request; several in flight */
  | { kind: 'id'; offset: number; length: number; maxInFlight: number }
  /** one request in flight; every frame within windowMs after the write, joined, is the answer */
  | { kind: 'window'; windowMs: number }
  /** no answer is awaited: the request is done once written */
  | { kind: 'none' };

export interface RequestSettings {
  /** per attempt, from the write; the window rule ignores it */
  timeoutMs: number;
  /** further attempts after a timeout */
  retries: number;
}

export interface Answer {
  frame: Buffer;
  /** from the write of the attempt that was answered */
  roundTripMs: number;
  attempts: number;
}

export type AnswerCallback = (err: RequestError | undefined, answer?: Answer) => void;

export interface CorrelatorIo {
  /** hands the request's bytes to the connection */
  write(bytes: Buffer): void;
  /** a frame that answers no request */
  unmatched(frame: Buffer): void;
  /**
   * The next-frame rule timed out: a late answer would be taken for the next request's, so the
   * owner should drop the connection; what is queued waits for the next one.
   */
  desynced(): void;
}

interface Pending {
  /** what goes on the wire (the payload, framed) */
  readonly bytes: Buffer;
  readonly settings: RequestSettings;
  readonly done: AnswerCallback;
  readonly key: string;
  attempts: number;
  sentAt: number;
  deadline: number;
  collected?: Buffer[];
}

const now = (): number => performance.now();

/** Reads the id of a request or reply as a string key (latin1: one char per byte, no copy). */
function idOf(bytes: Buffer, offset: number, length: number): string | undefined {
  if (bytes.length < offset + length) return undefined;
  return bytes.toString('latin1', offset, offset + length);
}

export class RequestCorrelator {
  private queue: Pending[] = [];
  private queueHead = 0;
  /** in write order; keyed by id under the id rule, by '' otherwise */
  private readonly inFlight = new Map<string, Pending>();
  private timer?: NodeJS.Timeout;
  private timerAt = Infinity;
  private up = false;
  private closed = false;
  unmatchedCount = 0;
  timeoutCount = 0;
  /** the most requests that were in flight at once */
  peakInFlight = 0;

  /**
   * resyncOnTimeout: a next-frame timeout stops sending until connected() again (a stream: a late
   * answer would be taken for the next request's). Datagram transports keep going.
   */
  constructor(
    readonly rule: MatchRule,
    private readonly queueLimit: number,
    private readonly io: CorrelatorIo,
    private readonly resyncOnTimeout = true,
  ) {}

  get queued(): number {
    return this.queue.length - this.queueHead;
  }

  get pending(): number {
    return this.queued + this.inFlight.size;
  }

  private get maxInFlight(): number {
    return this.rule.kind === 'id' ? this.rule.maxInFlight : 1;
  }

  /**
   * Queues a request; `done` is called exactly once. Throws RequestError for a request that can
   * never be matched (too short for its id) or when the queue is full.
   */
  request(payload: Buffer, settings: RequestSettings, done: AnswerCallback, wire: Buffer = payload): void {
    const bytes = payload;
    if (this.closed) throw new RequestError('ERR_NETCAST_REQUEST_CLOSED', 'the endpoint is closing; the request was not sent');
    let key = '';
    if (this.rule.kind === 'id') {
      const { offset, length } = this.rule;
      const id = idOf(bytes, offset, length);
      if (id === undefined) {
        throw new RequestError(
          'ERR_NETCAST_REQUEST_ID',
          `the request is ${bytes.length} bytes, too short for a transaction id at bytes ${offset}-${offset + length - 1}; check Id offset and Id length against the protocol`,
        );
      }
      key = id;
    }
    if (this.queued >= this.queueLimit) {
      throw new RequestError('ERR_NETCAST_REQUEST_QUEUE_FULL', `${this.queueLimit} requests are already waiting for this device; slow down the requests or raise Queue size`);
    }
    this.queue.push({ bytes: wire, settings, done, key, attempts: 0, sentAt: 0, deadline: Infinity });
    this.pump();
  }

  /** The connection is up: queued requests go out. */
  connected(): void {
    this.up = true;
    this.pump();
  }

  /** The connection went down: what was written can no longer be answered and fails now. */
  disconnected(err: RequestError): void {
    this.up = false;
    this.failInFlight(err);
  }

  /** Fails everything, queued requests too (the connection is known to be down). */
  failAll(err: RequestError): void {
    this.failInFlight(err);
    const waiting = this.queue.slice(this.queueHead);
    this.queue = [];
    this.queueHead = 0;
    for (const pending of waiting) pending.done(err);
  }

  close(): void {
    this.closed = true;
    this.up = false;
    this.failAll(new RequestError('ERR_NETCAST_REQUEST_CLOSED', 'the endpoint closed (redeploy or shutdown) before the answer came'));
    this.clearTimer();
  }

  frames(frames: Buffer[]): void {
    for (const frame of frames) this.frame(frame);
    if (this.queued > 0) this.pump();
  }

  private frame(frame: Buffer): void {
    let pending: Pending | undefined;
    let key = '';
    if (this.rule.kind === 'id') {
      key = idOf(frame, this.rule.offset, this.rule.length) ?? '\0short';
      pending = this.inFlight.get(key);
    } else if (this.rule.kind !== 'none') {
      pending = this.inFlight.get('');
    }
    if (!pending) {
      this.unmatchedCount += 1;
      this.io.unmatched(frame);
      return;
    }
    if (this.rule.kind === 'window') {
      (pending.collected ??= []).push(frame);
      return;
    }
    this.inFlight.delete(key);
    pending.done(undefined, { frame, roundTripMs: now() - pending.sentAt, attempts: pending.attempts });
  }

  private pump(): void {
    if (!this.up) return;
    while (this.queued > 0 && this.inFlight.size < this.maxInFlight) {
      const pending = this.queue[this.queueHead];
      if (this.rule.kind === 'id' && this.inFlight.has(pending.key)) break; // same id still unanswered: keep order
      this.queue[this.queueHead] = undefined as unknown as Pending;
      this.queueHead += 1;
      this.send(pending);
    }
    if (this.queueHead > 1024 && this.queueHead * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.queueHead);
      this.queueHead = 0;
    }
  }

  private send(pending: Pending): void {
    pending.attempts += 1;
    pending.sentAt = now();
    if (this.rule.kind === 'none') {
      this.io.write(pending.bytes);
      pending.done(undefined, { frame: Buffer.alloc(0), roundTripMs: 0, attempts: pending.attempts });
      return;
    }
    const wait = this.rule.kind === 'window' ? this.rule.windowMs : pending.settings.timeoutMs;
    pending.deadline = pending.sentAt + wait;
    this.inFlight.set(pending.key, pending);
    if (this.inFlight.size > this.peakInFlight) this.peakInFlight = this.inFlight.size;
    this.armTimer(pending.deadline);
    this.io.write(pending.bytes);
  }

  private failInFlight(err: RequestError): void {
    if (this.inFlight.size === 0) return;
    const failed = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const pending of failed) pending.done(err);
  }

  private armTimer(deadline: number): void {
    if (deadline >= this.timerAt && this.timer) return;
    this.clearTimer();
    this.timerAt = deadline;
    this.timer = setTimeout(() => this.onTimer(), Math.max(0, deadline - now()));
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private onTimer(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const at = now();
    let next = Infinity;
    let desynced = false;
    for (const [key, pending] of this.inFlight) {
      if (pending.deadline > at + 0.5) {
        next = Math.min(next, pending.deadline);
        continue;
      }
      this.inFlight.delete(key);
      if (this.rule.kind === 'window') {
        const frame = pending.collected ? Buffer.concat(pending.collected) : Buffer.alloc(0);
        pending.done(undefined, { frame, roundTripMs: at - pending.sentAt, attempts: pending.attempts });
        continue;
      }
      this.timeoutCount += 1;
      if (this.rule.kind === 'next' && this.resyncOnTimeout) desynced = true;
      if (pending.attempts <= pending.settings.retries) {
        // again, ahead of everything queued
        if (this.queueHead > 0) this.queue[--this.queueHead] = pending;
        else this.queue.unshift(pending);
        continue;
      }
      const tries = pending.attempts > 1 ? ` (${pending.attempts} attempts)` : '';
      pending.done(
        new RequestError('ERR_NETCAST_REQUEST_TIMEOUT', `no answer within ${pending.settings.timeoutMs} ms${tries}; check that the device is on and speaks this protocol, or raise the timeout`),
      );
    }
    if (next !== Infinity) this.armTimer(next);
    if (desynced) {
      // nothing more goes out on this connection: its next frame may be the late answer
      this.up = false;
      this.io.desynced();
    } else this.pump();
  }
}
