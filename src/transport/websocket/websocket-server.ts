import * as http from 'node:http';
import * as tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { listenNow } from '../bind-now';
import { serverCounters, type EndpointCounters } from '../endpoint-state';
import { explainNetworkError } from '../network-error';
import { checkReusePort, type ListenWithReusePort } from '../reuse-port';
import { sessionReport, totalTraffic, Traffic, type EndpointReport } from '../endpoint-report';
import { fairShare } from '../paced-delivery';
import { AuthThrottle } from '../auth-throttle';
import { UpgradeGate, refuseUpgrade, type Refusal } from './upgrade-gate';
import { askVerifyClient } from './verify-client';
import { createOwnServer } from './own-server';
import { UpgradeRoutes, normalisePath } from './upgrade-routes';
import { WebSocketEndpoint, WebSocketSessionGoneError } from './websocket-endpoint';
import type { WebSocketMessage } from './websocket-endpoint';
import type { WebSocketServerOptions } from './websocket-options';
import { SharedHeartbeat } from './heartbeat';
import { WebSocketSession, type WebSocketSessionHandlers } from './websocket-session';
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
  private readonly throttle: AuthThrottle;
  // refusals held back by the throttle, answered (or cut) on close
  private readonly delayedRefusals = new Map<NodeJS.Timeout, Duplex>();
  private readonly sessions = new Map<string, WebSocketSession>();
  private ownServer?: http.Server;
  private releaseRoute?: () => void;
  private droppedByClosedSessions = 0;
  private readonly retired = new Traffic();
  private closing?: Promise<void>;
  // busy clients together hand the flow about maxMessagesPerTurn per turn, not that many each
  private readonly messagesPerSessionTurn = fairShare(this.options.maxMessagesPerTurn, () => this.sessions.size);
  private readonly heartbeat = new SharedHeartbeat<WebSocketSession>(this.options.heartbeatMs, () => this.sessions.values());
  // one handler object for every session (each is passed the session), not four closures per client
  private readonly sessionHandlers: WebSocketSessionHandlers = {
    messages: (from, messages) => this.emit('messages', from, messages),
    error: (from, err) => this.emit('error', err, from),
    closed: (from, code, reason) => this.onSessionClosed(from, code, reason),
    counters: () => this.emit('state'),
  };

  constructor(private readonly options: WebSocketServerOptions) {
    super();
    if (options.listen.kind === 'port') checkReusePort(options.listen.reusePort);
    this.gate = new UpgradeGate(options);
    this.throttle = new AuthThrottle(options.authThrottle);
    this.wss = new (wsLibrary().WebSocketServer)({
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayload,
      perMessageDeflate: options.perMessageDeflate,
      handleProtocols: (offered) => options.subprotocols.find((protocol) => offered.has(protocol)) ?? false,
    });
  }

  get counters(): EndpointCounters {
    return { ...serverCounters(this.sessions.values(), this.droppedByClosedSessions, this.refusedCount), authFailures: this.throttle.failures };
  }

  /** Failed token/password attempts since the endpoint started (each one is also counted as refused). */
  get authFailures(): number {
    return this.throttle.failures;
  }


  get sessionCount(): number {
    return this.sessions.size;
  }

  report(): EndpointReport {
    const { listen } = this.options;
    const secure = listen.kind === 'shared' ? listen.server instanceof tls.Server : listen.tls !== undefined;
    return {
      mode: 'server',
      address: { scheme: secure ? 'wss' : 'ws', host: listen.kind === 'port' ? listen.host : '', port: this.port, path: this.path, shared: listen.kind === 'shared' },
      sessions: [...this.sessions.values()].map(sessionReport),
      traffic: totalTraffic(this.retired, this.sessions.values()),
    };
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
      // Node-RED opens its port after the flows start: say which port once it is known
      if (!listen.server.listening) listen.server.once('listening', () => this.reportListening());
      return;
    }
    const server = createOwnServer(listen, this.options.allowlist, (remote, reason) => this.refuse(remote, reason));
    this.ownServer = server;
    server.on('error', (err) => this.fail(explainNetworkError(err, { action: 'listen', host: listen.host || undefined, port: listen.port })));
    server.on('listening', () => this.reportListening());
    const listenOptions: ListenWithReusePort = { port: listen.port, host: listen.host || undefined };
    if (listen.reusePort) listenOptions.reusePort = true;
    if (this.claimPath(server)) listenNow(server, listenOptions);
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
      // on its own port nobody else serves upgrades: another path is answered 404 at once
      const others = server === this.ownServer ? 'refuse' : 'leave';
      this.releaseRoute = UpgradeRoutes.claim(server, this.path, (request, socket, head) => this.onUpgrade(request, socket, head), others);
      return true;
    } catch (err) {
      this.fail(err as Error);
      return false;
    }
  }

  private async shutDown(): Promise<void> {
    this.releaseRoute?.();
    this.heartbeat.stop();
    for (const [timer, socket] of this.delayedRefusals) {
      clearTimeout(timer);
      socket.destroy();
    }
    this.delayedRefusals.clear();
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
    // on Node-RED's port the connection is Node-RED's, so a client outside the list gets 403
    if (!this.options.allowlist.allows(remote)) {
      this.refuseWith(socket, remote, { status: 403, reason: `${remote} is not in the allowed clients list` });
      return;
    }
    const verify = this.options.verifyClient;
    if (!verify) {
      this.checkOwn(request, socket, head, remote);
      return;
    }
    askVerifyClient(verify, request).then(
      (refusal) => {
        if (this.closing || this.failed) refuseUpgrade(socket, 503);
        else if (refusal) this.refuseWith(socket, remote, refusal);
        else this.checkOwn(request, socket, head, remote);
      },
      (err: Error) => {
        refuseUpgrade(socket, 500);
        this.refuse(remote, err.message);
        this.emit('error', err);
      },
    );
  }

  /** The endpoint's own checks, after the site-wide hook: origin, token or password, limit. */
  private checkOwn(request: http.IncomingMessage, socket: Duplex, head: Buffer, remote: string): void {
    if (socket.destroyed) return;
    const refusal = this.gate.check(request);
    if (refusal?.authFailed) {
      this.refuseSlowly(socket, remote, refusal);
      return;
    }
    if (refusal) {
      this.refuseWith(socket, remote, refusal);
      return;
    }
    if (this.sessions.size >= this.options.maxConnections) {
      this.refuseWith(socket, remote, { status: 503, reason: `the limit of ${this.options.maxConnections} connections is reached (Max connections)` });
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request));
  }

  private refuseWith(socket: Duplex, remote: string, refusal: Refusal): void {
    refuseUpgrade(socket, refusal.status, refusal.headers, refusal.message);
    this.refuse(remote, refusal.reason);
  }

  /** A wrong or missing credential: answered later the more often this address got it wrong. */
  private refuseSlowly(socket: Duplex, remote: string, refusal: Refusal): void {
    const verdict = this.throttle.failed(remote);
    if (verdict === 'cut') {
      socket.destroy();
      this.refuse(remote, `${refusal.reason}; too many attempts from ${remote} are waiting for an answer, so this one was cut`);
      return;
    }
    if (verdict.delayMs === 0) {
      this.refuseWith(socket, remote, refusal);
      return;
    }
    const timer = setTimeout(() => {
      this.delayedRefusals.delete(timer);
      this.throttle.answered(remote);
      this.refuseWith(socket, remote, refusal);
    }, verdict.delayMs);
    this.delayedRefusals.set(timer, socket);
  }

  private accept(ws: WebSocket, request: http.IncomingMessage): void {
    const session = new WebSocketSession(
      ws,
      { remoteAddress: request.socket.remoteAddress ?? '', remotePort: request.socket.remotePort ?? 0, headers: this.visibleHeaders(request), transport: request.socket },
      this.options,
      this.sessionHandlers,
      undefined,
      this.messagesPerSessionTurn,
    );
    this.sessions.set(session.id, session);
    this.heartbeat.add(session);
    this.emit('open', session);
    this.reportListening();
  }

  /** The request headers the flow may see: the credential this endpoint checked is not among them. */
  private visibleHeaders(request: http.IncomingMessage): http.IncomingHttpHeaders {
    if (this.options.auth.kind === 'none') return request.headers;
    const { authorization: _credential, ...rest } = request.headers;
    return rest;
  }

  private refuse(remoteAddress: string, reason: string): void {
    this.refusedCount += 1;
    this.emit('refused', remoteAddress, reason);
    this.emit('state');
  }

  private onSessionClosed(session: WebSocketSession, code: number, reason: string): void {
    this.sessions.delete(session.id);
    this.droppedByClosedSessions += session.dropped + session.queued;
    this.retired.add(session);
    this.emit('close', session, code, reason);
    if (this.sessions.size === 0) this.heartbeat.stop();
    if (!this.closing) this.reportListening();
  }

  private reportListening(): void {
    if (this.failed || this.closing) return;
    if (this.options.listen.kind === 'port' && !this.ownServer?.listening) return;
    this.setState({ phase: 'listening', port: this.port, clients: this.sessions.size, path: this.path });
  }
}
