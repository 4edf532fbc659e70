import * as net from 'node:net';
import * as tls from 'node:tls';
import { NetcastError } from '../../errors';
import { ReconnectSchedule } from '../reconnect-schedule';
import { BoundedQueue } from '../bounded-queue';
import type { EndpointCounters } from '../endpoint-state';
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

  constructor(private readonly options: TcpClientOptions) {
    super();
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
    return this.options.host;
  }

  get port(): number {
    return this.options.port;
  }

  /** host:port, as people write it */
  get target(): string {
    const { host, port } = this.options;
    return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
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
    this.connect();
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
  }

  private spawn(target: Target): TcpClientEndpoint {
    const client = new TcpClientEndpoint({ ...this.options, host: target.host, port: target.port, pool: undefined });
    client.on('frames', (session, frames) => this.emit('frames', session, frames));
    client.on('open', (session) => this.emit('open', session));
    client.on('close', (session, reason) => this.emit('close', session, reason));
    client.on('error', (err, session) => this.emit('error', err, session));
    return client;
  }

  private connect(): void {
    if (this.stopped) return;
    const { host, port, tls: tlsOptions, connectTimeoutMs } = this.options;
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
    }, this.outbox);
    this.session = session;
    this.setState({ phase: 'connected', target: this.target });
    this.emit('open', session);
  }

  private onConnectFailed(): void {
    if (this.stopped || this.session) return;
    const err = this.lastError ?? explainNetworkError(new NetcastError('connection closed before it was established', 'ERR_NETCAST_CLOSED_EARLY'), { action: 'connect to', host: this.options.host, port: this.options.port });
    this.emit('error', err);
    this.scheduleReconnect(err.message);
  }

  private onDisconnected(session: TcpSession, reason: string): void {
    this.session = undefined;
    this.outbox = session.takeOutbox();
    this.reconnect.disconnected();
    this.emit('close', session, reason);
    this.scheduleReconnect(reason);
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopped) return;
    this.reconnect.schedule(() => this.connect(), (inMs) => this.setState({ phase: 'reconnecting', inMs, reason }));
  }
}
