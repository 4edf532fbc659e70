import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { BoundedQueue } from '../bounded-queue';
import { PendingWrites } from '../pending-writes';
import { PacedDelivery, type TurnLimit } from '../paced-delivery';
import { TurnCork } from '../turn-cork';
import { FramingError, type FrameDecoder } from '../../framing';
import type { TcpCommonOptions } from './tcp-options';

export interface TcpSessionInfo {
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

export interface TcpSessionHandlers {
  frames(session: TcpSession, frames: Buffer[]): void;
  /** a decoding error; the session closes right after */
  error(session: TcpSession, err: Error): void;
  closed(session: TcpSession, reason: string): void;
  /** queued or dropped counts changed */
  counters(): void;
}

// Past this many bytes waiting in the socket's own buffer, messages wait in the bounded queue
// instead, so a peer that stops reading costs at most queueSize messages, not unbounded memory.
const MAX_SOCKET_BUFFER = 1024 * 1024;

// A peer that half-closes after sending (`echo hi | nc host port`) still waits for the reply the
// flow is working on: our side stays open up to the first limit for it, and ends shortly after
// the last write that follows the peer's FIN.
const HALF_CLOSE_WAIT_FOR_REPLY_MS = 5000;
const HALF_CLOSE_AFTER_REPLY_MS = 250;

/** One TCP connection: framing in, paced delivery to the flow, bounded and batched writes out. */
export class TcpSession implements TcpSessionInfo {
  readonly id = randomBytes(6).toString('hex');
  readonly remoteAddress: string;
  readonly remotePort: number;
  private readonly decoder: FrameDecoder;
  private readonly delivery: PacedDelivery<Buffer>;
  private readonly outbox: BoundedQueue<Buffer>;
  private readonly inFlight = new PendingWrites<Buffer>((unsent) => this.onUnsent(unsent));
  private discardUnsent = false;
  private idleFlushTimer?: NodeJS.Timeout;
  private lingerTimer?: NodeJS.Timeout;
  private receiveIdleTimer?: NodeJS.Timeout;
  private endWhenFlushed = false;
  private receivedData = false;
  private peerEnded = false;
  private readonly cork: TurnCork;
  private closeReason?: string;
  private closed = false;
  readonly whenClosed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    options: TcpCommonOptions,
    private readonly handlers: TcpSessionHandlers,
    outbox?: BoundedQueue<Buffer>,
    framesPerTurn: TurnLimit = options.maxFramesPerTurn,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = options.codec.createDecoder();
    this.cork = new TurnCork(socket);
    this.outbox = outbox ?? new BoundedQueue<Buffer>(options.queueSize, options.queuePolicy);
    this.delivery = new PacedDelivery<Buffer>(socket, (frames) => handlers.frames(this, frames), framesPerTurn);
    socket.setNoDelay(options.noDelay);
    if (options.keepAlive) socket.setKeepAlive(true, options.keepAliveDelayMs);
    if (options.idleTimeoutMs > 0) {
      // socket.setTimeout would count our own writes as activity; a dead peer is one that sends nothing
      this.receiveIdleTimer = setTimeout(() => this.destroy(`no data for ${options.idleTimeoutMs / 1000} s`), options.idleTimeoutMs);
    }
    this.whenClosed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: NodeJS.ErrnoException) => {
      this.closeReason ??= err.code === 'ECONNRESET' ? 'reset by peer' : err.message;
    });
    socket.on('close', () => this.onClose());
    socket.on('drain', () => this.flushOutbox());
    if (this.outbox.length > 0) this.flushOutbox();
  }

  get queued(): number {
    return this.outbox.length;
  }

  get dropped(): number {
    return this.outbox.dropped;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Queues the bytes; they go out in order, batched with others written in the same turn. Bytes
   * the socket can no longer take (it is ending or closed), or that it failed to hand to the
   * kernel before the connection died, wait in the outbox, never vanish: a client sends them on
   * its next connection, a server counts them as dropped.
   */
  send(bytes: Buffer): void {
    const unwritable = this.closed || this.endWhenFlushed || this.socket.writableEnded || this.socket.destroyed;
    if (unwritable || this.outbox.length > 0 || this.socket.writableLength > MAX_SOCKET_BUFFER) {
      this.outbox.push(bytes);
      this.handlers.counters();
      return;
    }
    this.write(bytes);
  }

  /** Graceful close: what was sent, queued messages included, still goes out. */
  end(reason: string): void {
    this.closeReason ??= reason;
    if (this.outbox.length > 0) this.endWhenFlushed = true;
    else this.socket.end();
  }

  destroy(reason: string): void {
    this.closeReason ??= reason;
    this.socket.destroy();
  }

  /** Drops the connection at once; what the kernel has not taken yet is discarded and counted. */
  reset(reason: string): void {
    this.discardUnsent = true;
    this.destroy(reason);
  }

  /** Hands back what could not be sent, for a client to keep for the next connection. */
  takeOutbox(): BoundedQueue<Buffer> {
    return this.outbox;
  }

  private write(bytes: Buffer): void {
    if (this.peerEnded) this.endAfter(HALF_CLOSE_AFTER_REPLY_MS);
    this.cork.beforeWrite();
    this.inFlight.add(bytes);
    this.socket.write(bytes, this.inFlight.settle);
  }

  private onUnsent(unsent: Buffer[]): void {
    if (this.discardUnsent) this.outbox.discard(unsent.length);
    else this.outbox.putBack(unsent);
    this.handlers.counters();
  }

  private flushOutbox(): void {
    if (this.closed || this.socket.writableEnded) return;
    let sent = false;
    while (this.outbox.length > 0 && this.socket.writableLength <= MAX_SOCKET_BUFFER) {
      this.write(this.outbox.shift() as Buffer);
      sent = true;
    }
    if (sent) this.handlers.counters();
    if (this.endWhenFlushed && this.outbox.length === 0) this.socket.end();
  }

  private onData(chunk: Buffer): void {
    this.receivedData = true;
    this.receiveIdleTimer?.refresh();
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      // frames completed before the bad bytes are good data: hand them over, then close
      if (err instanceof FramingError) this.delivery.add(err.frames);
      this.decoder.reset();
      this.handlers.error(this, err as Error);
      this.destroy((err as Error).message);
      return;
    }
    this.delivery.add(frames);
    this.armIdleFlush();
  }

  private armIdleFlush(): void {
    const idleMs = this.decoder.idleMs;
    if (idleMs <= 0) return;
    if (this.idleFlushTimer) clearTimeout(this.idleFlushTimer);
    this.idleFlushTimer = undefined;
    if (this.decoder.pendingBytes === 0) return;
    this.idleFlushTimer = setTimeout(() => {
      this.idleFlushTimer = undefined;
      this.delivery.add(this.decoder.flush());
    }, idleMs);
  }

  private onEnd(): void {
    this.closeReason ??= 'closed by peer';
    this.delivery.add(this.decoder.flush());
    this.delivery.finish();
    this.peerEnded = true;
    if (!this.socket.allowHalfOpen) return;
    if (this.receivedData) this.endAfter(HALF_CLOSE_WAIT_FOR_REPLY_MS);
    else this.socket.end();
  }

  private endAfter(ms: number): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = setTimeout(() => this.socket.end(), ms);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleFlushTimer) clearTimeout(this.idleFlushTimer);
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    if (this.receiveIdleTimer) clearTimeout(this.receiveIdleTimer);
    this.delivery.finish();
    this.handlers.closed(this, this.closeReason ?? 'connection lost');
  }
}
