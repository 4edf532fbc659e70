import type { ClientRequest, IncomingMessage } from 'node:http';
import type { ClientOptions, WebSocket } from 'ws';
import { ReconnectingConnection } from '../reconnecting-connection';
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
  private readonly link: ReconnectingConnection;
  private url: URL;
  /** the URL as the user wrote it, until a control message moves the client */
  private urlText: string;
  private readonly retired = new Traffic();
  private readonly ws = wsLibrary();
  private outbox: BoundedQueue<WebSocketMessage>;
  private socket?: WebSocket;
  private session?: WebSocketSession;
  private heartbeatTimer?: NodeJS.Timeout;
  /** why the attempt under way failed, once it has */
  private attemptError?: NetworkError;
  private opened = 0;

  constructor(private readonly options: WebSocketClientOptions) {
    super();
    this.url = new URL(options.url);
    this.urlText = options.url;
    this.link = new ReconnectingConnection(options.backoff, this, {
      attempt: () => this.openConnection(),
      drop: (reason) => this.dropConnection(reason),
      destroy: () => this.destroyConnection(),
      setState: (state) => this.setState(state),
      reportFailure: (err) => this.emit('error', err),
    });
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
    if (this.link.isClosed) return Promise.resolve();
    const elsewhere = url !== undefined && url.href !== this.url.href;
    if (url && elsewhere) {
      this.url = url;
      this.urlText = url.href;
    }
    return this.link.connect(elsewhere, force);
  }

  /** Closes the connection and stays disconnected until connect(); sends wait in the queue. */
  disconnect(): Promise<void> {
    return this.link.disconnect();
  }

  private dropConnection(reason: string): void {
    if (this.session?.isOpen) this.session.release(reason);
    else this.socket?.terminate();
  }

  start(): void {
    this.link.start();
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
    return this.link.close();
  }

  /** The connection (or attempt) closed for good. */
  private async destroyConnection(): Promise<void> {
    this.stopHeartbeat();
    const socket = this.socket;
    if (socket && socket.readyState !== this.ws.WebSocket.CLOSED) {
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      socket.terminate();
      await closed;
    }
  }

  private openConnection(): void {
    this.attemptError = undefined;
    this.setState({ phase: 'connecting', target: this.urlText });
    let socket: WebSocket;
    try {
      socket = new this.ws.WebSocket(this.url, [...this.options.subprotocols], this.clientOptions());
    } catch (err) {
      this.fail(new NetworkError(`cannot connect to ${this.urlText}: ${(err as Error).message}; check the URL`, 'ERR_NETCAST_URL', err));
      this.link.gaveUp();
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
    // the upgrade response carries the server's headers and the TCP (or TLS) socket under the WebSocket
    let upgrade: IncomingMessage | undefined;
    socket.once('upgrade', (response: IncomingMessage) => (upgrade = response));
    socket.once('open', () => {
      opened = true;
      this.onConnected(socket, upgrade);
    });
    socket.once('close', () => {
      if (!opened) {
        if (this.socket === socket) this.socket = undefined;
        if (!this.session) this.link.attemptFailed(() => this.attemptError ?? new NetworkError(`connection to ${this.urlText} closed before it was established`, 'ERR_NETCAST_UPGRADE'));
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

  private onConnected(socket: WebSocket, upgrade: IncomingMessage | undefined): void {
    this.opened += 1;
    const transport = upgrade?.socket;
    const session = new WebSocketSession(
      socket,
      { remoteAddress: transport?.remoteAddress ?? this.url.hostname, remotePort: transport?.remotePort ?? this.port, headers: upgrade?.headers ?? {}, transport },
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
    this.link.opened();
  }

  private onDisconnected(session: WebSocketSession, code: number, reason: string): void {
    this.session = undefined;
    this.socket = undefined;
    this.stopHeartbeat();
    this.retired.add(session);
    this.outbox = session.takeOutbox();
    this.emit('close', session, code, reason);
    this.link.lost(reason);
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
