import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { ClientOptions, WebSocket } from 'ws';
import { ReconnectSchedule } from '../reconnect-schedule';
import { BoundedQueue } from '../bounded-queue';
import type { EndpointCounters } from '../endpoint-state';
import { explainNetworkError, NetworkError } from '../network-error';
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
  private readonly url: URL;
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

  start(): void {
    this.connect();
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
  }

  private connect(): void {
    if (this.stopped) return;
    this.attemptError = undefined;
    this.setState({ phase: 'connecting', target: this.options.url });
    let socket: WebSocket;
    try {
      socket = new this.ws.WebSocket(this.url, [...this.options.subprotocols], this.clientOptions());
    } catch (err) {
      this.fail(new NetworkError(`cannot connect to ${this.options.url}: ${(err as Error).message}; check the URL`, 'ERR_NETCAST_URL', err));
      return;
    }
    this.socket = socket;
    socket.on('unexpected-response', (_request: ClientRequest, response: IncomingMessage) => {
      this.attemptError = explainRefusedUpgrade(this.options.url, response.statusCode ?? 0, this.options.auth);
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
      if (!opened) this.onConnectFailed();
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
    this.setState({ phase: 'connected', target: this.options.url });
    this.emit('open', session);
  }

  private onConnectFailed(): void {
    if (this.stopped || this.session) return;
    const err = this.attemptError ?? new NetworkError(`connection to ${this.options.url} closed before it was established`, 'ERR_NETCAST_UPGRADE');
    this.emit('error', err);
    this.scheduleReconnect(err.message);
  }

  private onDisconnected(session: WebSocketSession, code: number, reason: string): void {
    this.session = undefined;
    this.socket = undefined;
    this.stopHeartbeat();
    this.outbox = session.takeOutbox();
    this.reconnect.disconnected();
    this.emit('close', session, code, reason);
    this.scheduleReconnect(reason);
  }

  private scheduleReconnect(reason: string): void {
    if (this.stopped) return;
    this.reconnect.schedule(() => this.connect(), (inMs) => this.setState({ phase: 'reconnecting', inMs, reason }));
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
