import * as net from 'node:net';
import * as tls from 'node:tls';
import { serverCounters, type EndpointCounters } from '../endpoint-state';
import { listenNow } from '../bind-now';
import { explainNetworkError } from '../network-error';
import { sessionReport, totalTraffic, Traffic, type EndpointReport } from '../endpoint-report';
import { fairShare } from '../paced-delivery';
import { SessionGoneError, TcpEndpoint } from './tcp-endpoint';
import { checkReusePort, type ListenWithReusePort } from '../reuse-port';
import type { TcpServerOptions } from './tcp-options';
import { TcpSession, type TcpSessionHandlers } from './tcp-session';

// A TLS client gets this long to finish its handshake: one that connects and sends nothing (slow
// loris) is cut off instead of holding a socket for Node's default of two minutes.
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/** A listening TCP (or TLS) server; every accepted connection is a session. */
export class TcpServerEndpoint extends TcpEndpoint {
  readonly mode = 'server';
  private server?: net.Server;
  private readonly sessions = new Map<string, TcpSession>();
  private droppedByClosedSessions = 0;
  private readonly retired = new Traffic();
  private closing?: Promise<void>;
  private readonly framesPerSessionTurn = fairShare(this.options.maxFramesPerTurn, () => this.sessions.size);
  // one handler object for every session (each is passed the session), not four closures per connection
  private readonly sessionHandlers: TcpSessionHandlers = {
    frames: (from, frames) => this.emit('frames', from, frames),
    error: (from, err) => this.emit('error', err, from),
    closed: (from, reason) => this.onSessionClosed(from, reason),
    counters: () => this.emit('state'),
    canReply: () => this.replies,
  };

  constructor(private readonly options: TcpServerOptions) {
    super();
    checkReusePort(options.reusePort);
  }

  get counters(): EndpointCounters {
    return serverCounters(this.sessions.values(), this.droppedByClosedSessions, this.refusedCount);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  report(): EndpointReport {
    return {
      mode: 'server',
      address: { scheme: this.options.tls ? 'tls' : 'tcp', host: this.options.host, port: this.port },
      sessions: [...this.sessions.values()].map(sessionReport),
      traffic: totalTraffic(this.retired, this.sessions.values()),
    };
  }

  /** The port actually bound (differs from the option when it is 0). */
  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  start(): void {
    const { tls: tlsOptions } = this.options;
    const server = tlsOptions
      ? tls.createServer({
          ...tlsOptions,
          allowHalfOpen: true,
          requestCert: this.options.requireClientCert,
          rejectUnauthorized: this.options.requireClientCert,
          handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
        })
      : net.createServer({ allowHalfOpen: true });
    this.server = server;
    // Connections still in their TLS handshake count too, so half-open handshakes cannot pile up
    // past the limit; Node closes the extra ones before any TLS work is done.
    server.maxConnections = this.options.maxConnections;
    server.on('drop', (data?: net.DropArgument) => this.refuse(data?.remoteAddress ?? '', this.limitReached()));
    server.on(tlsOptions ? 'secureConnection' : 'connection', (socket: net.Socket) => this.accept(socket));
    server.on('tlsClientError', (err: Error, socket: tls.TLSSocket) => {
      const remote = socket.remoteAddress ?? '';
      // with a listener here Node leaves the socket open, even after a handshake timeout
      socket.destroy();
      this.refuse(remote, explainNetworkError(err, { action: 'accept', host: remote || undefined }).message);
    });
    server.on('error', (err) => {
      this.fail(explainNetworkError(err, { action: 'listen', host: this.options.host || undefined, port: this.options.port }));
    });
    server.on('listening', () => this.reportListening());
    const listen: ListenWithReusePort = { port: this.options.port, host: this.options.host || undefined };
    if (this.options.reusePort) listen.reusePort = true;
    listenNow(server, listen);
  }

  send(payload: Buffer, sessionId?: string): void {
    const bytes = this.options.codec.encoder.encode(payload);
    if (sessionId !== undefined) {
      const session = this.sessions.get(sessionId);
      if (!session) throw new SessionGoneError(sessionId);
      session.send(bytes);
      return;
    }
    for (const session of this.sessions.values()) session.send(bytes);
  }

  endSession(sessionId: string | undefined, reset: boolean): void {
    const targets = sessionId === undefined ? [...this.sessions.values()] : [this.sessions.get(sessionId)];
    if (sessionId !== undefined && !targets[0]) throw new SessionGoneError(sessionId);
    for (const session of targets) {
      if (reset) session?.reset('reset by flow');
      else session?.end('closed by flow');
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private async shutDown(): Promise<void> {
    const server = this.server;
    const serverClosed = server?.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    const sessionsClosed = [...this.sessions.values()].map((session) => {
      session.destroy('endpoint closed');
      return session.whenClosed;
    });
    await Promise.all([serverClosed, ...sessionsClosed]);
    this.setState({ phase: 'closed' });
  }

  private accept(socket: net.Socket): void {
    const remote = socket.remoteAddress ?? '';
    if (this.closing) {
      socket.destroy();
      return;
    }
    if (!this.options.allowlist.allows(remote)) {
      socket.destroy();
      this.refuse(remote, `${remote} is not in the allowed clients list`);
      return;
    }
    if (this.sessions.size >= this.options.maxConnections) {
      socket.destroy();
      this.refuse(remote, this.limitReached());
      return;
    }
    const session = new TcpSession(socket, this.options, this.sessionHandlers, undefined, this.framesPerSessionTurn);
    this.sessions.set(session.id, session);
    this.emit('open', session);
    this.reportListening();
  }

  private limitReached(): string {
    return `the limit of ${this.options.maxConnections} connections is reached (Max connections)`;
  }

  private refuse(remoteAddress: string, reason: string): void {
    this.refusedCount += 1;
    this.emit('refused', remoteAddress, reason);
    this.emit('state');
  }

  private onSessionClosed(session: TcpSession, reason: string): void {
    this.sessions.delete(session.id);
    this.droppedByClosedSessions += session.dropped + session.queued;
    this.retired.add(session);
    this.emit('close', session, reason);
    if (!this.closing) this.reportListening();
  }

  private reportListening(): void {
    if (this.server?.listening) this.setState({ phase: 'listening', port: this.port, clients: this.sessions.size });
  }
}
