import type { IncomingHttpHeaders } from 'node:http';
import type { EndpointCounters } from '../endpoint-state';
import type { EndpointReport } from '../endpoint-report';
import { StatefulEndpoint } from '../stateful-endpoint';

export interface WebSocketSessionInfo {
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** the upgrade request's headers (server side) or the response's (client side) */
  readonly headers: IncomingHttpHeaders;
  /** the subprotocol agreed, '' when none */
  readonly protocol: string;
}

/** One WebSocket message: text frames keep `binary: false` so they can become strings again. */
export interface WebSocketMessage {
  data: Buffer;
  binary: boolean;
}

export interface WebSocketEndpointEvents {
  /** state or counters changed */
  state: () => void;
  messages: (session: WebSocketSessionInfo, messages: WebSocketMessage[]) => void;
  open: (session: WebSocketSessionInfo) => void;
  close: (session: WebSocketSessionInfo, code: number, reason: string) => void;
  /** an upgrade was turned away (auth, origin, limit) */
  refused: (remoteAddress: string, reason: string) => void;
  error: (err: Error, session?: WebSocketSessionInfo) => void;
}

/** What the Node-RED adapters see of a WebSocket server or client endpoint. */
export abstract class WebSocketEndpoint extends StatefulEndpoint<WebSocketEndpointEvents> {
  abstract readonly mode: 'server' | 'client';
  protected refusedCount = 0;
  private failure?: Error;

  /** Why the endpoint cannot work at all (bad URL, path or port taken), for nodes that attach late. */
  get failed(): Error | undefined {
    return this.failure;
  }

  abstract get counters(): EndpointCounters;

  /** address, sessions and traffic, for the operations view */
  abstract report(): EndpointReport;

  abstract start(): void;

  /**
   * Sends one message: to one session when sessionId is given (server), otherwise to every
   * client (server) or to the server (client, queued while disconnected). Throws
   * WebSocketSessionGoneError when the session has closed.
   */
  abstract send(message: WebSocketMessage, sessionId?: string): void;

  /** Closes one session, or every connection when no id is given, with a close code. */
  abstract closeSession(sessionId: string | undefined, code: number, reason: string): void;

  /** Resolves once every connection and any listening socket are closed. */
  abstract close(): Promise<void>;

  protected override fail(err: Error): void {
    this.failure = err;
    super.fail(err);
  }
}

export class WebSocketSessionGoneError extends Error {
  readonly code = 'ERR_NETCAST_WS_SESSION_GONE';
  constructor(sessionId: string) {
    super(`WebSocket client ${sessionId} has disconnected, so the message was not sent; it may reconnect under a new msg._session`);
  }
}

export class CloseCodeError extends Error {
  readonly code = 'ERR_NETCAST_CLOSE_CODE';
  constructor(code: unknown) {
    super(`msg.code ${JSON.stringify(code)} cannot close a WebSocket; use 1000 (normal) or an application code from 3000 to 4999`);
  }
}

/** Codes a program may send in a close frame (RFC 6455 7.4). */
export function checkCloseCode(code: unknown): number {
  if (code === undefined || code === null || code === '') return 1000;
  const value = typeof code === 'number' ? code : Number(code);
  if (Number.isInteger(value) && (value === 1000 || (value >= 3000 && value <= 4999))) return value;
  throw new CloseCodeError(code);
}
