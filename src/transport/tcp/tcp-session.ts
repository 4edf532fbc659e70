import type { Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { BoundedQueue } from '../bounded-queue';
import { PendingWrites } from '../pending-writes';
import { PacedDelivery, type LazyBacklog, type TurnLimit } from '../paced-delivery';
import { TurnCork } from '../turn-cork';
import { FramingError, type FrameDecoder } from '../../framing';
import type { TcpCommonOptions } from './tcp-options';
import type { ReportableSession } from '../endpoint-report';

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
  /** whether a reply can still come (false: a half-closing peer is closed at once) */
  canReply(): boolean;
}

// Past this many bytes waiting in the socket's own buffer, messages wait in the bounded queue
// instead, so a peer that stops reading costs at most queueSize messages, not unbounded memory.
const MAX_SOCKET_BUFFER = 1024 * 1024;

// A peer that half-closes after sending (`echo hi | nc -N host port`) still waits for the reply the
// flow is working on: our side stays open up to the first limit for it, and ends shortly after
// the last write that follows the peer's FIN (or that answered its last data before the FIN).
// When nothing can reply (no out node), our side ends at once.
const HALF_CLOSE_WAIT_FOR_REPLY_MS = 5000;
const HALF_CLOSE_AFTER_REPLY_MS = 250;

// The smallest piece of an unread chunk handed to the decoder at a time.
const MIN_DECODE_SLICE = 1024;

// A gateway holds thousands of mostly idle connections, so what each one costs is kept small: the
// socket's listeners are shared functions that find their session through this property (not five
// closures per connection), and the send queue, the write bookkeeping and the close promise are
// created when first needed (a device that only sends never gets them).
const SESSION = Symbol('netcast.tcpSession');
type SessionSocket = Socket & { [SESSION]?: TcpSession };

interface Writer {
  inFlight: PendingWrites<Buffer>;
  cork: TurnCork;
}

/** One TCP connection: framing in, paced delivery to the flow, bounded and batched writes out. */
export class TcpSession implements TcpSessionInfo, LazyBacklog<Buffer>, ReportableSession {
  readonly id = randomBytes(6).toString('hex');
  readonly remoteAddress: string;
  readonly remotePort: number;
  // for the operations view: plain integers, bumped on the data path
  readonly since = Date.now();
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  private readonly decoder: FrameDecoder;
  private readonly delivery: PacedDelivery<Buffer>;
  private readonly unread: Buffer[] = [];
  private bytesDecoded = 0;
  private framesDecoded = 0;
  private queue?: BoundedQueue<Buffer>;
  private writer?: Writer;
  private discardUnsent = false;
  private idleFlushTimer?: NodeJS.Timeout;
  private lingerTimer?: NodeJS.Timeout;
  private receiveIdleTimer?: NodeJS.Timeout;
  private endWhenFlushed = false;
  private receivedData = false;
  private wroteSinceData = false;
  private peerEnded = false;
  private closeReason?: string;
  private closed = false;
  private closedPromise?: Promise<void>;
  private resolveClosed?: () => void;

  constructor(
    private readonly socket: Socket,
    private readonly options: TcpCommonOptions,
    private readonly handlers: TcpSessionHandlers,
    outbox?: BoundedQueue<Buffer>,
    framesPerTurn: TurnLimit = options.maxFramesPerTurn,
  ) {
    this.remoteAddress = socket.remoteAddress ?? '';
    this.remotePort = socket.remotePort ?? 0;
    this.decoder = options.codec.createDecoder();
    this.queue = outbox;
    this.delivery = new PacedDelivery<Buffer>(
      socket,
      (frames) => {
        this.messagesIn += frames.length;
        handlers.frames(this, frames);
      },
      framesPerTurn,
      this,
    );
    socket.setNoDelay(options.noDelay);
    if (options.keepAlive) socket.setKeepAlive(true, options.keepAliveDelayMs);
    if (options.idleTimeoutMs > 0) {
      // socket.setTimeout would count our own writes as activity; a dead peer is one that sends nothing
      this.receiveIdleTimer = setTimeout(() => this.destroy(`no data for ${options.idleTimeoutMs / 1000} s`), options.idleTimeoutMs);
    }
    (socket as SessionSocket)[SESSION] = this;
    socket.on('data', TcpSession.onSocketData).on('end', TcpSession.onSocketEnd).on('error', TcpSession.onSocketError).on('close', TcpSession.onSocketClose);
    if (this.queued > 0) this.flushOutbox();
  }

  private static onSocketData(this: SessionSocket, chunk: Buffer): void {
    this[SESSION]?.onData(chunk);
  }

  private static onSocketEnd(this: SessionSocket): void {
    this[SESSION]?.onEnd();
  }

  private static onSocketError(this: SessionSocket, err: NodeJS.ErrnoException): void {
    const session = this[SESSION];
    if (session) session.closeReason ??= err.code === 'ECONNRESET' ? 'reset by peer' : err.message;
  }

  private static onSocketClose(this: SessionSocket): void {
    this[SESSION]?.onClose();
  }

  private static onSocketDrain(this: SessionSocket): void {
    this[SESSION]?.flushOutbox();
  }

  /** Resolves once the socket has closed. */
  get whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closedPromise ??= new Promise((resolve) => (this.resolveClosed = resolve));
    return this.closedPromise;
  }

  get queued(): number {
    return this.queue?.length ?? 0;
  }

  get dropped(): number {
    return this.queue?.dropped ?? 0;
  }

  /** LazyBacklog: about `room` frames decoded from the unread bytes. */
  take(room: number): Buffer[] {
    return this.decodeUpTo(room);
  }

  hasMore(): boolean {
    return this.unread.length > 0;
  }

  private get outbox(): BoundedQueue<Buffer> {
    this.queue ??= new BoundedQueue<Buffer>(this.options.queueSize, this.options.queuePolicy);
    return this.queue;
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
    if (unwritable || this.queued > 0 || this.socket.writableLength > MAX_SOCKET_BUFFER) {
      this.outbox.push(bytes);
      this.handlers.counters();
      return;
    }
    this.write(bytes);
  }

  /** Graceful close: what was sent, queued messages included, still goes out. */
  end(reason: string): void {
    this.closeReason ??= reason;
    if (this.queued > 0) this.endWhenFlushed = true;
    else this.socket.end();
  }

  /** Drops the connection; a frame still waiting for its idle gap is emitted first, while listeners are attached. */
  destroy(reason: string): void {
    this.closeReason ??= reason;
    this.flushIdleFrame();
    this.socket.destroy();
  }

  /** Drops the connection at once; what the kernel has not taken yet is discarded and counted. */
  reset(reason: string): void {
    this.discardUnsent = true;
    this.destroy(reason);
  }

  /**
   * Ends the connection once what the socket holds is written, leaving the queue alone: a client
   * moving to another target sends it there. Data still arriving is not waited for.
   */
  release(reason: string): void {
    this.closeReason ??= reason;
    this.socket.end(() => this.socket.destroy());
  }

  /** Hands back what could not be sent, for a client to keep for the next connection. */
  takeOutbox(): BoundedQueue<Buffer> {
    return this.outbox;
  }

  private write(bytes: Buffer): void {
    if (this.peerEnded) this.endAfter(HALF_CLOSE_AFTER_REPLY_MS);
    this.wroteSinceData = true;
    const writer = (this.writer ??= this.createWriter());
    writer.cork.beforeWrite();
    writer.inFlight.add(bytes);
    this.messagesOut += 1;
    this.bytesOut += bytes.length;
    this.socket.write(bytes, writer.inFlight.settle);
  }

  /** At the first write: 'drain' can only follow a write. */
  private createWriter(): Writer {
    this.socket.on('drain', TcpSession.onSocketDrain);
    return { inFlight: new PendingWrites<Buffer>((unsent) => this.onUnsent(unsent)), cork: new TurnCork(this.socket) };
  }

  private onUnsent(unsent: Buffer[]): void {
    if (this.discardUnsent) this.outbox.discard(unsent.length);
    else this.outbox.putBack(unsent);
    this.handlers.counters();
  }

  private flushOutbox(): void {
    if (this.closed || this.socket.writableEnded) return;
    let sent = false;
    while (this.queued > 0 && this.socket.writableLength <= MAX_SOCKET_BUFFER) {
      this.write(this.outbox.shift() as Buffer);
      sent = true;
    }
    if (sent) this.handlers.counters();
    if (this.endWhenFlushed && this.queued === 0) this.socket.end();
  }

  private onData(chunk: Buffer): void {
    this.receivedData = true;
    this.bytesIn += chunk.length;
    this.wroteSinceData = false;
    this.receiveIdleTimer?.refresh();
    if (this.decoder.idleMs > 0) {
      // an idle gap is measured on arrival: decode at once, never hold bytes back
      this.delivery.add(this.decodeAll([chunk]));
      this.armIdleFlush();
      return;
    }
    this.unread.push(chunk);
    this.delivery.add(this.decodeUpTo(this.delivery.room));
    if (this.unread.length > 0) this.delivery.hold();
  }

  /**
   * Decodes about `room` frames from the unread bytes, in slices sized by the frames seen so far;
   * the rest stays one undecoded buffer until a later turn has room for it.
   */
  private decodeUpTo(room: number): Buffer[] {
    let frames: Buffer[] = [];
    while (this.unread.length > 0 && frames.length < room) {
      const chunk = this.unread[0];
      const averageFrame = this.framesDecoded > 0 ? this.bytesDecoded / this.framesDecoded : chunk.length;
      const want = Math.max(MIN_DECODE_SLICE, Math.ceil((room - frames.length) * averageFrame));
      let slice = chunk;
      if (chunk.length > want) {
        slice = chunk.subarray(0, want);
        this.unread[0] = chunk.subarray(want);
      } else {
        this.unread.shift();
      }
      const decoded = this.decode(slice, frames);
      if (decoded === undefined) return [];
      this.bytesDecoded += slice.length;
      this.framesDecoded += decoded.length;
      frames = frames.length === 0 ? decoded : frames.concat(decoded);
    }
    return frames;
  }

  private decodeAll(chunks: Buffer[]): Buffer[] {
    let frames: Buffer[] = [];
    for (const chunk of chunks) {
      const decoded = this.decode(chunk, frames);
      if (decoded === undefined) return [];
      frames = frames.length === 0 ? decoded : frames.concat(decoded);
    }
    return frames;
  }

  /**
   * The frames in `bytes`; or, at a framing error, undefined: the good frames (`before` and those
   * ahead of the bad bytes) go to the flow, then the error, and the session closes.
   */
  private decode(bytes: Buffer, before: Buffer[]): Buffer[] | undefined {
    try {
      return this.decoder.push(bytes);
    } catch (err) {
      this.unread.length = 0;
      this.delivery.add(err instanceof FramingError ? before.concat(err.frames) : before);
      this.decoder.reset();
      this.handlers.error(this, err as Error);
      this.destroy((err as Error).message);
      return undefined;
    }
  }

  private armIdleFlush(): void {
    const idleMs = this.decoder.idleMs;
    if (idleMs <= 0) return;
    if (this.idleFlushTimer) clearTimeout(this.idleFlushTimer);
    this.idleFlushTimer = undefined;
    if (this.decoder.pendingBytes === 0) return;
    this.idleFlushTimer = setTimeout(() => this.flushIdleFrame(), idleMs);
  }

  /**
   * Idle gap: the bytes since the last pause are a whole frame once the peer is silent, and a
   * closing connection is silent for good, so they are emitted then too. (In the other modes a
   * frame cut off by a close has no end and is dropped; a peer's FIN still flushes the decoder.)
   */
  private flushIdleFrame(): void {
    if (this.idleFlushTimer) clearTimeout(this.idleFlushTimer);
    this.idleFlushTimer = undefined;
    if (this.decoder.idleMs > 0) this.delivery.add(this.decoder.flush());
  }

  private onEnd(): void {
    this.closeReason ??= 'closed by peer';
    this.delivery.add(this.decodeAll(this.unread.splice(0)));
    this.flushIdleFrame();
    this.delivery.add(this.decoder.flush());
    this.delivery.finish();
    this.peerEnded = true;
    if (!this.socket.allowHalfOpen) return;
    if (!this.receivedData || !this.handlers.canReply()) this.end('closed by peer');
    else this.endAfter(this.wroteSinceData ? HALF_CLOSE_AFTER_REPLY_MS : HALF_CLOSE_WAIT_FOR_REPLY_MS);
  }

  private endAfter(ms: number): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = setTimeout(() => this.socket.end(), ms);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    if (this.receiveIdleTimer) clearTimeout(this.receiveIdleTimer);
    // bytes that arrived before a reset are good data too
    this.delivery.add(this.decodeAll(this.unread.splice(0)));
    this.flushIdleFrame();
    this.delivery.finish();
    this.handlers.closed(this, this.closeReason ?? 'connection lost');
    this.resolveClosed?.();
  }
}
