import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { serverCounters, type EndpointCounters } from '../endpoint-state';
import { explainNetworkError } from '../network-error';
import { fairShare } from '../paced-delivery';
import { UpgradeGate, refuseUpgrade } from './upgrade-gate';
import { UpgradeRoutes, normalisePath } from './upgrade-routes';
import { WebSocketEndpoint, WebSocketSessionGoneError } from './websocket-endpoint';
import type { WebSocketMessage } from './websocket-endpoint';
import type { WebSocketServerOptions } from './websocket-options';
import { WebSocketSession } from './websocket-session';
import { wsLibrary } from './ws-library';

// Clients get this long to answer our close frame before their connection is cut.
const CLOSE_GRACE_MS = 1000;

/**
 * A WebSocket server: a path on an HTTP server it shares (Node-RED's own) or on a port of its
 * own. Every accepted connection is a session.
 */
export class WebSocketServerEndpoint extends WebSocketEndpoint {
  readonly mode = 'server';
  private readonly wss: WebSocketServer;
  private readonly gate: UpgradeGate;
  private readonly sessions = new Map<string, WebSocketSession>();
  private ownServer?: http.Server;
  private releaseRoute?: () => void;
  private heartbeatTimer?: NodeJS.Timeout;
  private droppedByClosedSessions = 0;
  private closing?: Promise<void>;
  // busy clients together hand the flow about maxMessagesPerTurn per turn, not that many each
  private readonly messagesPerSessionTurn = fairShare(this.options.maxMessagesPerTurn, () => this.sessions.size);

  constructor(private readonly options: WebSocketServerOptions) {
    super();
    this.gate = new UpgradeGate(options);
    this.wss = new (wsLibrary().WebSocketServer)({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayload,
      perMessageDeflate: options.perMessageDeflate,
      handleProtocols: (offered) => options.subprotocols.find((protocol) => offered.has(protocol)) ?? false,
    });
  }

  get counters(): EndpointCounters {
    return serverCounters(this.sessions.values(), this.droppedByClosedSessions, this.refusedCount);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** The full path clients connect to. */
  get path(): string {
    return normalisePath(this.options.listen.path);
  }

  /** The port clients connect to (the shared server's, or our own once listening). */
  get port(): number {
    const server = this.options.listen.kind === 'shared' ? this.options.listen.server : this.ownServer;
    const address = server?.address();
    return typeof address === 'object' && address ? address.port : this.options.listen.kind === 'port' ? this.options.listen.port : 0;
  }

  start(): void {
    const { listen } = this.options;
    if (listen.kind === 'shared') {
      this.claimPath(listen.server);
      this.reportListening();
      return;
    }
    const server = listen.tls ? https.createServer(listen.tls) : http.createServer();
    this.ownServer = server;
    server.on('request', (_request: http.IncomingMessage, response: http.ServerResponse) => {
      response.writeHead(426, { 'Content-Type': 'text/plain', Upgrade: 'websocket' }).end('This port only speaks WebSocket.');
    });
    server.on('error', (err) => this.fail(explainNetworkError(err, { action: 'listen', host: listen.host || undefined, port: listen.port })));
    server.on('listening', () => this.reportListening());
    if (this.claimPath(server)) server.listen({ port: listen.port, host: listen.host || undefined });
  }

  send(message: WebSocketMessage, sessionId?: string): void {
    if (sessionId !== undefined) {
      const session = this.sessions.get(sessionId);
      if (!session) throw new WebSocketSessionGoneError(sessionId);
      session.send(message);
      return;
    }
    for (const session of this.sessions.values()) session.send(message);
  }

  closeSession(sessionId: string | undefined, code: number, reason: string): void {
    if (sessionId === undefined) {
      for (const session of this.sessions.values()) session.close(code, reason);
      return;
    }
    const session = this.sessions.get(sessionId);
    if (!session) throw new WebSocketSessionGoneError(sessionId);
    session.close(code, reason);
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private claimPath(server: http.Server): boolean {
    try {
      this.releaseRoute = UpgradeRoutes.claim(server, this.path, (request, socket, head) => this.onUpgrade(request, socket, head));
      return true;
    } catch (err) {
      this.fail(err as Error);
      return false;
    }
  }

  private async shutDown(): Promise<void> {
    this.releaseRoute?.();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    const sessions = [...this.sessions.values()];
    for (const session of sessions) session.close(1001, 'endpoint closed');
    const grace = setTimeout(() => sessions.forEach((session) => session.terminate('endpoint closed')), CLOSE_GRACE_MS);
    await Promise.all(sessions.map((session) => session.whenClosed));
    clearTimeout(grace);
    const server = this.ownServer;
    if (server?.listening) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    }
    this.setState({ phase: 'closed' });
  }

  private onUpgrade(request: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const remote = request.socket.remoteAddress ?? '';
    if (this.closing || this.failed) {
      refuseUpgrade(socket, 503);
      return;
    }
    const refusal = this.gate.check(request);
    if (refusal) {
      refuseUpgrade(socket, refusal.status, refusal.headers);
      this.refuse(remote, refusal.reason);
      return;
    }
    if (this.sessions.size >= this.options.maxConnections) {
      refuseUpgrade(socket, 503);
      this.refuse(remote, `the limit of ${this.options.maxConnections} connections is reached (Max connections)`);
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request));
  }

  private accept(ws: WebSocket, request: http.IncomingMessage): void {
    const session = new WebSocketSession(
      ws,
      { remoteAddress: request.socket.remoteAddress ?? '', remotePort: request.socket.remotePort ?? 0, headers: request.headers },
      this.options,
      {
        messages: (from, messages) => this.emit('messages', from, messages),
        error: (from, err) => this.emit('error', err, from),
        closed: (from, code, reason) => this.onSessionClosed(from, code, reason),
        counters: () => this.emit('state'),
      },
      undefined,
      this.messagesPerSessionTurn,
    );
    this.sessions.set(session.id, session);
    this.startHeartbeat();
    this.emit('open', session);
    this.reportListening();
  }

  private refuse(remoteAddress: string, reason: string): void {
    this.refusedCount += 1;
    this.emit('refused', remoteAddress, reason);
    this.emit('state');
  }

  private onSessionClosed(session: WebSocketSession, code: number, reason: string): void {
    this.sessions.delete(session.id);
    this.droppedByClosedSessions += session.dropped + session.queued;
    this.emit('close', session, code, reason);
    if (this.sessions.size === 0) this.stopHeartbeat();
    if (!this.closing) this.reportListening();
  }

  // One timer for all clients, running only while there are any.
  private startHeartbeat(): void {
    if (this.options.heartbeatMs <= 0 || this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => {
      for (const session of this.sessions.values()) session.probe();
    }, this.options.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }

  private reportListening(): void {
    if (this.failed || this.closing) return;
    if (this.options.listen.kind === 'port' && !this.ownServer?.listening) return;
    this.setState({ phase: 'listening', port: this.port, clients: this.sessions.size });
  }
}
