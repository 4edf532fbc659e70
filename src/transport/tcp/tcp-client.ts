import * as net from 'node:net';
import * as tls from 'node:tls';
import { NetcastError } from '../../errors';
import { ReconnectingConnection } from '../reconnecting-connection';
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
  private readonly link: ReconnectingConnection;
  private outbox: BoundedQueue<Buffer>;
  private socket?: net.Socket;
  private session?: TcpSession;
  /** why the attempt under way failed, once it has */
  private attemptError?: NetworkError;
  private targets?: TcpClientPool;
  /** where it connects: the configured host and port, or where a control message moved it */
  private currentHost: string;
  private currentPort: number;
  private readonly retired = new Traffic();

  constructor(private readonly options: TcpClientOptions) {
    super();
    this.currentHost = options.host;
    this.currentPort = options.port;
    this.link = new ReconnectingConnection(options.backoff, this, {
      attempt: () => this.openConnection(),
      drop: (reason) => this.dropConnection(reason),
      destroy: () => this.destroyConnections(),
      setState: (state) => this.setState(state),
      reportFailure: (err) => this.emit('error', err),
    });
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
    if (this.link.isClosed) return Promise.resolve();
    const elsewhere = target !== undefined && (target.host !== this.host || target.port !== this.port);
    if (target) {
      this.currentHost = target.host;
      this.currentPort = target.port;
    }
    return this.link.connect(elsewhere, force);
  }

  /** Closes the connection and stays disconnected until connect(); sends wait in the queue. */
  disconnect(): Promise<void> {
    return this.link.disconnect();
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
    this.link.start();
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
    return this.link.close();
  }

  /** The connection (or attempt) and the pool's connections, closed for good. */
  private async destroyConnections(): Promise<void> {
    const pooled = this.targets?.close();
    const socket = this.socket;
    if (socket && !socket.destroyed) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      if (this.session?.isOpen) this.session.destroy('endpoint closed');
      else socket.destroy();
      await closed;
    }
    await pooled;
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
    const { host, port } = this;
    this.attemptError = undefined;
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
      this.attemptError = explainNetworkError(err, { action: 'connect to', host, port });
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
      if (!this.session) this.link.attemptFailed(() => this.attemptError ?? this.closedEarly());
    });
  }

  private onConnected(socket: net.Socket): void {
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
    this.link.opened();
  }

  private closedEarly(): NetworkError {
    return explainNetworkError(new NetcastError('connection closed before it was established', 'ERR_NETCAST_CLOSED_EARLY'), { action: 'connect to', host: this.host, port: this.port });
  }

  private onDisconnected(session: TcpSession, reason: string): void {
    this.session = undefined;
    this.socket = undefined;
    this.retired.add(session);
    this.outbox = session.takeOutbox();
    this.emit('close', session, reason);
    this.link.lost(reason);
  }
}
