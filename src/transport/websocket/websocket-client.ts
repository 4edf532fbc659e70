import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ClientOptions, WebSocket } from 'ws';
import { ReconnectSchedule } from '../reconnect-schedule';
import { BoundedQueue } from '../bounded-queue';
import type { EndpointCounters } from '../endpoint-state';
import { explainNetworkError, NetworkError } from '../network-error';
import { sessionReport, totalTraffic, Traffic, type EndpointReport } from '../endpoint-report';
import { WebSocketEndpoint } from './websocket-endpoint';
import type { WebSocketMessage } from './websocket-endpoint';
import type { ClientAuth, WebSocketClientOptions } from './websocket-options';
import { WebSocketSession } from './websocket-session';
import { wsLibrary } from './ws-library';

/**
 * A WebSocket client that stays connected: it reconnects with exponential backoff and keeps what
 * the flow sends while it is down in a bounded queue, sent in order once connected again. It
 * owns the one connection of its endpoint, so however many nodes use it there is one socket.
 */
export class WebSocketClientEndpoint extends WebSocketEndpoint {
  readonly mode = 'client';
  private readonly reconnect: ReconnectSchedule;
  private url: URL;
  /** the URL as the user wrote it, until a control message moves the client */
  private urlText: string;
  /** the flow said disconnect: no reconnecting until it says connect */
  private held = false;
  /** the connection is being closed to open one to a new URL at once */
  private moving = false;
  /** control calls waiting for the current attempt to end (connected, failed, or stopped) */
  private settling: Array<() => void> = [];
  private readonly retired = new Traffic();
  private readonly ws = wsLibrary();
  private outbox: BoundedQueue<WebSocketMessage>;
  private socket?: WebSocket;
  private session?: WebSocketSession;
  private heartbeatTimer?: NodeJS.Timeout;
  private attemptError?: NetworkError;
  private opened = 0;
  private stopped = false;
  private closing?: Promise<void>;

  constructor(private readonly options: WebSocketClientOptions) {
    super();
    this.url = new URL(options.url);
    this.urlText = options.url;
    this.reconnect = new ReconnectSchedule(options.backoff);
    this.outbox = new BoundedQueue<WebSocketMessage>(options.queueSize, options.queuePolicy);
  }

  // The open session sends from this same queue, so it counts for both states.
  get counters(): EndpointCounters {
    return { queued: this.outbox.length, dropped: this.outbox.dropped, refused: this.refusedCount };
  }

  get connected(): boolean {
    return this.session?.isOpen ?? false;
  }

  /** Connections opened so far (one at a time, whatever nodes use the endpoint). */
  get connectionsOpened(): number {
    return this.opened;
  }

  /** The URL connected to: the configured one, or where a control message moved the client. */
  get target(): string {
    return this.urlText;
  }

  report(): EndpointReport {
    const open = this.session?.isOpen ? [this.session] : [];
    return {
      mode: 'client',
      address: { scheme: this.url.protocol === 'wss:' ? 'wss' : 'ws', host: this.url.hostname, port: this.port, path: this.url.pathname, url: this.urlText },
      sessions: open.map(sessionReport),
      traffic: totalTraffic(this.retired, open),
    };
  }

  /**
   * Connects now: to `url` when given (kept until the next deploy; it must be ws:// or wss://,
   * checked by the caller), otherwise to the current URL. A connection elsewhere is closed first;
   * what is queued, and what the flow sends meanwhile, goes to the new one in order. `force`
   * reconnects even to the same URL.
   */
  connect(url?: URL, force = false): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const elsewhere = url !== undefined && url.href !== this.url.href;
    if (url && elsewhere) {
      this.url = url;
      this.urlText = url.href;
    }
    this.held = false;
    if (this.socket) {
      if (!elsewhere && !force) return this.connected ? Promise.resolve() : this.whenSettled();
      this.moving = true;
      const settled = this.whenSettled();
      this.dropConnection(`moved to ${this.urlText}`);
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

  private dropConnection(reason: string): void {
    if (this.session?.isOpen) this.session.release(reason);
    else this.socket?.terminate();
  }

  start(): void {
    this.openConnection();
  }

  /** In client mode there is one peer, so every message goes to it; sessionId is not needed. */
  send(message: WebSocketMessage): void {
    if (this.session?.isOpen) {
      this.session.send(message);
      return;
    }
    this.outbox.push(message);
    this.emit('state');
  }

  closeSession(_sessionId: string | undefined, code: number, reason: string): void {
    this.session?.close(code, reason);
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    this.stopped = true;
    this.reconnect.cancel();
    this.stopHeartbeat();
    const socket = this.socket;
    if (socket && socket.readyState !== this.ws.WebSocket.CLOSED) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.terminate();
      await closed;
    }
    this.setState({ phase: 'closed' });
    this.settle();
  }

  private openConnection(): void {
    if (this.stopped || this.held) return;
    this.attemptError = undefined;
    this.setState({ phase: 'connecting', target: this.urlText });
    let socket: WebSocket;
    try {
      socket = new this.ws.WebSocket(this.url, [...this.options.subprotocols], this.clientOptions());
    } catch (err) {
      this.fail(new NetworkError(`cannot connect to ${this.urlText}: ${(err as Error).message}; check the URL`, 'ERR_NETCAST_URL', err));
      this.settle();
      return;
    }
    this.socket = socket;
    socket.on('unexpected-response', (_request: ClientRequest, response: IncomingMessage) => {
      this.attemptError = explainRefusedUpgrade(this.urlText, response.statusCode ?? 0, this.options.auth);
      if (this.attemptError.code === 'ERR_NETCAST_UPGRADE_REFUSED') this.refusedCount += 1;
      socket.terminate();
    });
    socket.on('error', (err: Error) => {
      this.attemptError ??= explainNetworkError(err, { action: 'connect to', host: this.url.hostname, port: this.port });
    });
    let opened = false;
    let responseHeaders: IncomingHttpHeaders = {};
    socket.once('upgrade', (response: IncomingMessage) => (responseHeaders = response.headers));
    socket.once('open', () => {
      opened = true;
      this.onConnected(socket, responseHeaders);
    });
    socket.once('close', () => {
      if (!opened) {
        if (this.socket === socket) this.socket = undefined;
        this.onConnectFailed();
      }
    });
  }

  private get port(): number {
    return Number(this.url.port) || (this.url.protocol === 'wss:' ? 443 : 80);
  }

  private clientOptions(): ClientOptions {
    const { auth, headers, tls, maxPayload, perMessageDeflate, handshakeTimeoutMs } = this.options;
    const allHeaders: Record<string, string> = { ...headers };
    if (auth.kind === 'bearer') allHeaders.Authorization = `Bearer ${auth.token}`;
    if (auth.kind === 'basic') allHeaders.Authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
    return { ...tls, headers: allHeaders, maxPayload, perMessageDeflate, handshakeTimeout: handshakeTimeoutMs, followRedirects: false };
  }

  private onConnected(socket: WebSocket, headers: IncomingHttpHeaders): void {
    this.reconnect.connected();
    this.opened += 1;
    const remote = socket as unknown as { _socket?: { remoteAddress?: string; remotePort?: number } };
    const session = new WebSocketSession(
      socket,
      { remoteAddress: remote._socket?.remoteAddress ?? this.url.hostname, remotePort: remote._socket?.remotePort ?? this.port, headers },
      this.options,
      {
        messages: (from, messages) => this.emit('messages', from, messages),
        error: (from, err) => this.emit('error', err, from),
        closed: (from, code, reason) => this.onDisconnected(from, code, reason),
        counters: () => this.emit('state'),
      },
      this.outbox,
    );
    this.session = session;
    this.startHeartbeat(session);
    this.setState({ phase: 'connected', target: this.urlText, moved: this.urlText !== this.options.url });
    this.emit('open', session);
    this.settle();
  }

  private onConnectFailed(): void {
    if (this.stopped || this.session) return;
    if (this.held || this.moving) {
      // an attempt the flow called off is not a failure
      this.next('');
      return;
    }
    const err = this.attemptError ?? new NetworkError(`connection to ${this.urlText} closed before it was established`, 'ERR_NETCAST_UPGRADE');
    this.emit('error', err);
    this.next(err.message);
  }

  private onDisconnected(session: WebSocketSession, code: number, reason: string): void {
    this.session = undefined;
    this.socket = undefined;
    this.stopHeartbeat();
    this.retired.add(session);
    this.outbox = session.takeOutbox();
    this.reconnect.disconnected();
    this.emit('close', session, code, reason);
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

  private startHeartbeat(session: WebSocketSession): void {
    if (this.options.heartbeatMs <= 0) return;
    this.heartbeatTimer = setInterval(() => session.probe(), this.options.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }
}

function explainRefusedUpgrade(url: string, status: number, auth: ClientAuth): NetworkError {
  if (status === 401) {
    const fix = auth.kind === 'none' ? 'set the authentication on the endpoint' : 'check the token or the user name and password';
    return new NetworkError(`${url} refused the connection: authentication required or wrong (HTTP 401); ${fix}`, 'ERR_NETCAST_UPGRADE_REFUSED');
  }
  if (status === 403) {
    return new NetworkError(`${url} refused the connection (HTTP 403 Forbidden); check that the server allows this client or origin`, 'ERR_NETCAST_UPGRADE_REFUSED');
  }
  if (status === 404) {
    return new NetworkError(`${url} has no WebSocket there (HTTP 404); check the path in the URL`, 'ERR_NETCAST_UPGRADE');
  }
  return new NetworkError(`${url} answered HTTP ${status} instead of opening a WebSocket; check the URL and that the server speaks WebSocket`, 'ERR_NETCAST_UPGRADE');
}
