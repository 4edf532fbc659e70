import type { EndpointCounters } from '../endpoint-state';
import type { EndpointReport } from '../endpoint-report';
import { StatefulEndpoint } from '../stateful-endpoint';
import type { TcpSessionInfo } from './tcp-session';

export interface TcpEndpointEvents {
  /** state or counters changed */
  state: () => void;
  frames: (session: TcpSessionInfo, frames: Buffer[]) => void;
  open: (session: TcpSessionInfo) => void;
  close: (session: TcpSessionInfo, reason: string) => void;
  /** a connection was turned away (limit, allowlist, failed TLS handshake) */
  refused: (remoteAddress: string, reason: string) => void;
  error: (err: Error, session?: TcpSessionInfo) => void;
}

/** What the Node-RED adapters see of a TCP server or client endpoint. */
export abstract class TcpEndpoint extends StatefulEndpoint<TcpEndpointEvents> {
  abstract readonly mode: 'server' | 'client';
  protected refusedCount = 0;
  /**
   * Whether anything may still answer a peer (in Node-RED: an out node is attached). When
   * nothing can, a peer that half-closes is closed at once instead of waiting for a reply.
   */
  replies = true;

  abstract get counters(): EndpointCounters;

  /** address, sessions and traffic, for the operations view */
  abstract report(): EndpointReport;

  abstract start(): void;

  /**
   * Frames and sends the payload: to one session when sessionId is given, otherwise to every
   * connection (server) or the connection (client). Throws when the payload cannot be framed
   * or the session no longer exists.
   */
  abstract send(payload: Buffer, sessionId?: string): void;

  /** Ends one session, or every connection when no id is given. reset: drop unsent data. */
  abstract endSession(sessionId: string | undefined, reset: boolean): void;

  /** Resolves once the listening socket and every connection are closed. */
  abstract close(): Promise<void>;
}

export class SessionGoneError extends Error {
  readonly code = 'ERR_NETCAST_SESSION_GONE';
  constructor(sessionId: string) {
    super(`connection ${sessionId} has closed, so the reply was not sent; the peer may reconnect under a new msg._session`);
  }
}
