import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { RawData, WebSocket } from 'ws';
import { NetcastError } from '../../errors';
import { BoundedQueue } from '../bounded-queue';
import { PendingWrites } from '../pending-writes';
import { TurnCork } from '../turn-cork';
import { PacedDelivery, type TurnLimit } from '../paced-delivery';
import type { WebSocketMessage, WebSocketSessionInfo } from './websocket-endpoint';
import type { WebSocketCommonOptions } from './websocket-options';
import type { ReportableSession } from '../endpoint-report';

export interface PeerInfo {
  remoteAddress: string;
  remotePort: number;
  headers: IncomingHttpHeaders;
  /** the TCP (or TLS) socket under the WebSocket: the upgrade request's or response's socket */
  transport?: Socket;
}

export interface WebSocketSessionHandlers {
  messages(session: WebSocketSession, messages: WebSocketMessage[]): void;
  /** something the flow should hear about (oversize message, protocol error); the session closes */
  error(session: WebSocketSession, err: Error): void;
  closed(session: WebSocketSession, code: number, reason: string): void;
  /** queued or dropped counts changed */
  counters(): void;
}

// Past this many bytes waiting to be written, messages wait in the bounded queue instead, so a
// client that stops reading costs at most queueSize messages, not unbounded memory.
const MAX_SOCKET_BUFFER = 1024 * 1024;

const CLOSE_MEANINGS: Readonly<Record<number, string>> = {
  1000: 'closed normally',
  1001: 'going away',
  1002: 'protocol error',
  1003: 'unsupported data',
  1005: 'closed without a code',
  1006: 'connection lost',
  1007: 'invalid data',
  1008: 'policy violation',
  1009: 'message too big',
  1011: 'server error',
};

export function describeCloseCode(code: number): string {
  return CLOSE_MEANINGS[code] ?? `closed with code ${code}`;
}

function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** One WebSocket connection: paced delivery to the flow, bounded and batched writes out, heartbeat. */
export class WebSocketSession implements WebSocketSessionInfo, ReportableSession {
  readonly id = randomBytes(6).toString('hex');
  readonly remoteAddress: string;
  readonly remotePort: number;
  // for the operations view: plain integers, bumped on the data path
  readonly since = Date.now();
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly headers: IncomingHttpHeaders;
  /** corking the TCP socket is what batches many sends into one write */
  private readonly transport?: Socket;
  private readonly delivery: PacedDelivery<WebSocketMessage>;
  // created when first needed, so an idle client costs none of them (see TcpSession)
  private queue?: BoundedQueue<WebSocketMessage>;
  private writer?: { inFlight: PendingWrites<WebSocketMessage>; cork?: TurnCork };
  private closedPromise?: Promise<void>;
  private resolveClosed?: () => void;
  private answeredPing = true;
  private closeCode?: number;
  private closeReason?: string;
  private closed = false;
  /** Messages ws parsed from the read in progress, handed over together once it is done. */
  private arrived: WebSocketMessage[] = [];

  constructor(
    private readonly socket: WebSocket,
    peer: PeerInfo,
    private readonly options: WebSocketCommonOptions,
    private readonly handlers: WebSocketSessionHandlers,
    outbox?: BoundedQueue<WebSocketMessage>,
    messagesPerTurn: TurnLimit = options.maxMessagesPerTurn,
  ) {
    this.remoteAddress = peer.remoteAddress;
    this.remotePort = peer.remotePort;
    this.headers = peer.headers;
    this.transport = peer.transport;
    this.queue = outbox;
    this.delivery = new PacedDelivery<WebSocketMessage>(socket, (messages) => handlers.messages(this, messages), messagesPerTurn);
    socket.on('message', (data: RawData, isBinary: boolean) => this.onMessage(data, isBinary));
    socket.on('pong', () => (this.answeredPing = true));
    socket.on('error', (err: Error) => this.onError(err));
    socket.on('close', (code: number, reason: Buffer) => this.onClose(code, reason.toString('utf8')));
    if (this.queued > 0) this.flushOutbox();
  }

  /** Resolves once the connection has closed. */
  get whenClosed(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closedPromise ??= new Promise((resolve) => (this.resolveClosed = resolve));
    return this.closedPromise;
  }

  private get outbox(): BoundedQueue<WebSocketMessage> {
    this.queue ??= new BoundedQueue<WebSocketMessage>(this.options.queueSize, this.options.queuePolicy);
    return this.queue;
  }

  get protocol(): string {
    return this.socket.protocol;
  }

  get queued(): number {
    return this.queue?.length ?? 0;
  }

  get dropped(): number {
    return this.queue?.dropped ?? 0;
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === this.socket.OPEN;
  }

  /** Sends in order, batched with others written in the same event-loop turn. */
  send(message: WebSocketMessage): void {
    // ws drops what is sent while closing without a word: keep it in the outbox, where a client
    // sends it on its next connection and a server counts it as dropped
    if (!this.isOpen || this.queued > 0 || this.socket.bufferedAmount > MAX_SOCKET_BUFFER) {
      this.outbox.push(message);
      this.handlers.counters();
      return;
    }
    this.write(message);
  }

  /** A closing handshake; what was sent before still goes out first. */
  close(code: number, reason: string): void {
    this.closeReason ??= reason;
    this.socket.close(code, reason);
  }

  terminate(reason: string): void {
    this.closeReason ??= reason;
    this.socket.terminate();
  }

  /**
   * One heartbeat tick: a peer that did not answer the last ping is dropped, otherwise pinged
   * again. A silent peer behind a dead NAT or unplugged cable is found within two intervals.
   */
  probe(): void {
    if (!this.isOpen) return;
    if (!this.answeredPing) {
      this.terminate(`no answer to ping within ${Math.round(this.options.heartbeatMs / 100) / 10} s`);
      return;
    }
    this.answeredPing = false;
    this.socket.ping();
  }

  /**
   * A closing handshake that leaves the queue alone (a client moving to another URL sends it
   * there); a peer that does not answer within a second is cut off.
   */
  release(reason: string): void {
    this.closeReason ??= reason;
    this.socket.close(1000, reason.slice(0, 120));
    setTimeout(() => this.socket.terminate(), 1000).unref();
  }

  /** Hands back what could not be sent, for a client to keep for the next connection. */
  takeOutbox(): BoundedQueue<WebSocketMessage> {
    return this.outbox;
  }

  private write(message: WebSocketMessage): void {
    const writer = (this.writer ??= this.createWriter());
    writer.cork?.beforeWrite();
    writer.inFlight.add(message);
    this.messagesOut += 1;
    this.bytesOut += message.data.length;
    this.socket.send(message.data, { binary: message.binary }, writer.inFlight.settle);
  }

  /** At the first write: 'drain' can only follow a write. */
  private createWriter(): { inFlight: PendingWrites<WebSocketMessage>; cork?: TurnCork } {
    this.transport?.on('drain', () => this.flushOutbox());
    return { inFlight: new PendingWrites<WebSocketMessage>((unsent) => this.onUnsent(unsent)), cork: this.transport ? new TurnCork(this.transport) : undefined };
  }

  /** Messages the connection died before the kernel took: a client sends them again, a server counts them. */
  private onUnsent(unsent: WebSocketMessage[]): void {
    this.outbox.putBack(unsent);
    this.handlers.counters();
  }

  private flushOutbox(): void {
    let sent = false;
    while (this.queued > 0 && this.socket.bufferedAmount <= MAX_SOCKET_BUFFER && this.isOpen) {
      this.write(this.outbox.shift() as WebSocketMessage);
      sent = true;
    }
    if (sent) this.handlers.counters();
  }

  /**
   * ws emits every message of a read on its own; they are collected and handed to the flow in one
   * batch when the read is done (a microtask: before any later I/O, with no added delay), so the
   * endpoint emits once per read, not once per message.
   */
  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.arrived.length === 0) queueMicrotask(this.handOver);
    const bytes = toBuffer(data);
    this.messagesIn += 1;
    this.bytesIn += bytes.length;
    this.arrived.push({ data: bytes, binary: isBinary });
  }

  private readonly handOver = (): void => {
    if (this.arrived.length === 0) return;
    const batch = this.arrived;
    this.arrived = [];
    this.delivery.add(batch);
  };

  private onError(err: Error & { code?: string }): void {
    // what arrived before the error reaches the flow before it
    this.handOver();
    if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      this.closeCode = 1009;
      this.closeReason = 'message too big';
      this.handlers.error(
        this,
        new NetcastError(
          `a message from ${this.remoteAddress} was larger than the ${this.options.maxPayload}-byte limit, so the connection was closed with code 1009; raise Max message size on the endpoint or send smaller messages`,
          'ERR_NETCAST_WS_TOO_BIG',
        ),
      );
      return;
    }
    if (err.code?.startsWith('WS_ERR_')) {
      this.closeReason ??= 'protocol error';
      this.handlers.error(this, new NetcastError(`${this.remoteAddress} broke the WebSocket protocol (${err.message}), so the connection was closed`, 'ERR_NETCAST_WS_PROTOCOL', { cause: err }));
      return;
    }
    // network errors (reset, broken pipe) end the session; the close event reports them
    this.closeReason ??= err.message;
  }

  private onClose(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.handOver();
    this.delivery.finish();
    const finalCode = this.closeCode ?? code;
    this.handlers.closed(this, finalCode, this.closeReason ?? (reason || describeCloseCode(finalCode)));
    this.resolveClosed?.();
  }
}
