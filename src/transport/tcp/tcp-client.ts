import * as net from 'node:net';
import * as tls from 'node:tls';
import { NetcastError } from '../../errors';
import { ReconnectSchedule } from '../reconnect-schedule';
import { BoundedQueue } from '../bounded-queue';
import type { EndpointCounters } from '../endpoint-state';
import { sessionReport, totalTraffic, Traffic, type EndpointReport } from '../endpoint-report';
import { explainNetworkError, NetworkError } from '../network-error';
import { SessionGoneError, TcpEndpoint } from './tcp-endpoint';
import type { TcpClientOptions } from './tcp-options';
import { TcpSession, type TcpSessionInfo } from './tcp-session';
import { TcpClientPool, type Target } from './tcp-client-pool';

/**
 * A TCP (or TLS) client that stays connected: it reconnects with exponential backoff and keeps
 * what the flow sends while it is down in a bounded queue, sent in order once connected again.
 */
export class TcpClientEndpoint extends TcpEndpoint {
  readonly mode = 'client';
  private readonly reconnect: ReconnectSchedule;
  private outbox: BoundedQueue<Buffer>;
  private socket?: net.Socket;
  private session?: TcpSession;
  private stopped = false;
  private closing?: Promise<void>;
  private lastError?: NetworkError;
  private targets?: TcpClientPool;
  /** where it connects: the configured host and port, or where a control message moved it */
  private currentHost: string;
  private currentPort: number;
  /** the flow said disconnect: no reconnecting until it says connect */
  private held = false;
  /** the connection is being closed to open one to a new target at once */
  private moving = false;
  /** control calls waiting for the current attempt to end (connected, failed, or stopped) */
  private settling: Array<() => void> = [];
  private readonly retired = new Traffic();

  constructor(private readonly options: TcpClientOptions) {
    super();
    this.currentHost = options.host;
    this.currentPort = options.port;
    this.reconnect = new ReconnectSchedule(options.backoff);
    this.outbox = new BoundedQueue<Buffer>(options.queueSize, options.queuePolicy);
  }

  get counters(): EndpointCounters {
    return { queued: this.outbox.length, dropped: this.outbox.dropped, refused: this.refusedCount };
  }

  get connected(): boolean {
    return this.session?.isOpen ?? false;
  }

  get host(): string {
    return this.currentHost;
  }

  get port(): number {
    return this.currentPort;
  }

  /** host:port, as people write it */
  get target(): string {
    const { host, port } = this;
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }

  private get moved(): boolean {
    return this.host !== this.options.host || this.port !== this.options.port;
  }

  report(): EndpointReport {
    const open = this.session?.isOpen ? [this.session] : [];
    return {
      mode: 'client',
      address: { scheme: this.options.tls ? 'tls' : 'tcp', host: this.host, port: this.port },
      sessions: open.map(sessionReport),
      traffic: totalTraffic(this.retired, open),
    };
  }

  /**
   * Connects now: to `target` when given (kept until the next deploy), otherwise to the current
   * target. A connection to another target is closed first; what is queued, and what the flow
   * sends meanwhile, goes to the new one in order. `force` reconnects even to the same target.
   * Resolves once the attempt has ended (connected, or failed and waiting to retry).
   */
  connect(target?: Target, force = false): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const elsewhere = target !== undefined && (target.host !== this.host || target.port !== this.port);
    if (target) {
      this.currentHost = target.host;
      this.currentPort = target.port;
    }
    this.held = false;
    if (this.socket) {
      if (!elsewhere && !force) return this.connected ? Promise.resolve() : this.whenSettled();
      this.moving = true;
      const settled = this.whenSettled();
      this.dropConnection(`moved to ${this.target}`);
      return settled;
    }
    this.reconnect.cancel();
    const settled = this.whenSettled();
    this.openConnection();
    return settled;
  }

  /** Closes the connection and stays disconnected until connect(); sends wait in the queue. */
  disconnect(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.held = true;
    this.moving = false;
    this.reconnect.cancel();
    if (!this.socket) {
      this.setState({ phase: 'stopped', reason: 'disconnected by flow' });
      return Promise.resolve();
    }
    const settled = this.whenSettled();
    this.dropConnection('disconnected by flow');
    return settled;
  }

  private whenSettled(): Promise<void> {
    return new Promise((resolve) => this.settling.push(resolve));
  }

  private settle(): void {
    const waiting = this.settling;
    this.settling = [];
    for (const resolve of waiting) resolve();
  }

  /** Ends the live connection after what it already holds (the queue stays), or abandons an attempt. */
  private dropConnection(reason: string): void {
    if (this.session?.isOpen) this.session.release(reason);
    else this.socket?.destroy();
  }

  /** The open connection, if any. */
  get sessionInfo(): TcpSessionInfo | undefined {
    return this.session?.isOpen ? this.session : undefined;
  }

  /**
   * Connections to other devices (msg.host/msg.port), made with this endpoint's settings, on
   * demand. Their frames, connections and errors are reported as this endpoint's.
   */
  get pool(): TcpClientPool {
    this.targets ??= new TcpClientPool(this, this.options.pool ?? { maxConnections: 100, idleMs: 60_000, queueSize: this.options.queueSize }, (target) => this.spawn(target));
    return this.targets;
  }

  /** The payload framed as this endpoint frames it; throws FramingError. */
  encode(payload: Buffer): Buffer {
    return this.options.codec.encoder.encode(payload);
  }

  /** Sends bytes already framed by encode(). */
  sendFramed(bytes: Buffer): void {
    if (this.session?.isOpen) this.session.send(bytes);
    else {
      this.outbox.push(bytes);
      this.emit('state');
    }
  }

  start(): void {
    this.openConnection();
  }

  send(payload: Buffer, sessionId?: string): void {
    if (sessionId !== undefined && this.session?.id !== sessionId) {
      if (this.targets?.sendToSession(sessionId, payload)) return;
      throw new SessionGoneError(sessionId);
    }
    this.sendFramed(this.options.codec.encoder.encode(payload));
  }

  endSession(sessionId: string | undefined, reset: boolean): void {
    if (sessionId !== undefined && this.session?.id !== sessionId) throw new SessionGoneError(sessionId);
    if (reset) this.session?.reset('reset by flow');
    else this.session?.end('closed by flow');
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.stopped = true;
    this.reconnect.cancel();
    const pooled = this.targets?.close();
    const socket = this.socket;
    if (socket && !socket.destroyed) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      if (this.session?.isOpen) this.session.destroy('endpoint closed');
      else socket.destroy();
      await closed;
    }
    await pooled;
    this.setState({ phase: 'closed' });
    this.settle();
  }

  private spawn(target: Target): TcpClientEndpoint {
    const client = new TcpClientEndpoint({ ...this.options, host: target.host, port: target.port, pool: undefined });
    client.on('frames', (session, frames) => this.emit('frames', session, frames));
    client.on('open', (session) => this.emit('open', session));
    client.on('close', (session, reason) => this.emit('close', session, reason));
    client.on('error', (err, session) => this.emit('error', err, session));
    return client;
  }

  private openConnection(): void {
    if (this.stopped || this.held) return;
    const { host, port } = this;
    const { tls: tlsOptions, connectTimeoutMs } = this.options;
    this.setState({ phase: 'connecting', target: this.target });
    const socket = tlsOptions
      ? tls.connect({ ...tlsOptions, host, port, servername: tlsOptions.servername ?? (net.isIP(host) ? undefined : host) })
      : net.connect({ host, port });
    this.socket = socket;
    const timer = setTimeout(() => {
      socket.destroy(new NetcastError('connect timeout', 'ERR_NETCAST_CONNECT_TIMEOUT'));
    }, connectTimeoutMs);
    const onError = (err: Error) => {
      this.lastError = explainNetworkError(err, { action: 'connect to', host, port });
    };
    socket.on('error', onError);
    socket.once(tlsOptions ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      this.onConnected(socket);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      if (this.socket === socket && !this.session) this.socket = undefined;
      if (!this.session || this.session.isOpen === false) this.onConnectFailed();
    });
  }

  private onConnected(socket: net.Socket): void {
    this.reconnect.connected();
    this.lastError = undefined;
    const session = new TcpSession(socket, this.options, {
      frames: (from, frames) => this.emit('frames', from, frames),
      error: (from, err) => this.emit('error', err, from),
      closed: (from, reason) => this.onDisconnected(from, reason),
      counters: () => this.emit('state'),
      canReply: () => this.replies,
    }, this.outbox);
    this.session = session;
    this.setState({ phase: 'connected', target: this.target, moved: this.moved });
    this.emit('open', session);
    this.settle();
  }

  private onConnectFailed(): void {
    if (this.stopped || this.session) return;
    if (this.held || this.moving) {
      // an attempt the flow called off is not a failure
      this.lastError = undefined;
      this.next('');
      return;
    }
    const err = this.lastError ?? explainNetworkError(new NetcastError('connection closed before it was established', 'ERR_NETCAST_CLOSED_EARLY'), { action: 'connect to', host: this.host, port: this.port });
    this.emit('error', err);
    this.next(err.message);
  }

  private onDisconnected(session: TcpSession, reason: string): void {
    this.session = undefined;
    this.socket = undefined;
    this.retired.add(session);
    this.outbox = session.takeOutbox();
    this.reconnect.disconnected();
    this.emit('close', session, reason);
    this.next(reason);
  }

  /** After a connection or an attempt is gone: stay down, move at once, or retry with backoff. */
  private next(reason: string): void {
    if (this.stopped) return;
    if (this.held) {
      this.setState({ phase: 'stopped', reason: 'disconnected by flow' });
      this.settle();
      return;
    }
    if (this.moving) {
      this.moving = false;
      this.openConnection();
      return;
    }
    this.reconnect.schedule(() => this.openConnection(), (inMs) => this.setState({ phase: 'reconnecting', inMs, reason }));
    this.settle();
  }
}
