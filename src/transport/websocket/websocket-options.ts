import type { BackoffOptions } from '../backoff';
import type { OverflowPolicy } from '../bounded-queue';
import type { TlsMaterial } from '../tls-material';
import type { Server } from 'node:http';
import type { ServerAuth } from './upgrade-gate';
import type { AddressAllowlist } from '../tcp/allowlist';
import type { AuthThrottleOptions } from '../auth-throttle';
import type { VerifyClient } from './verify-client';

export interface WebSocketCommonOptions {
  /** a message larger than this closes the connection with 1009 */
  maxPayload: number;
  perMessageDeflate: boolean;
  /** 0 = off; ping every interval, and a peer that has not answered the previous ping is dropped */
  heartbeatMs: number;
  /** messages held per connection while it cannot take more (and, for a client, while disconnected) */
  queueSize: number;
  queuePolicy: OverflowPolicy;
  /** messages handed to the flow per event-loop turn before the connection is paused */
  maxMessagesPerTurn: number;
}

/** Where a server takes its upgrades: a path on an HTTP server it shares, or its own port. */
export type WebSocketListen =
  | { kind: 'shared'; server: Server; path: string }
  /** reusePort: share the port with other processes (SO_REUSEPORT; Node >= 22.12) */
  | { kind: 'port'; host: string; port: number; path: string; tls?: TlsMaterial; requireClientCert: boolean; reusePort: boolean };

export interface WebSocketServerOptions extends WebSocketCommonOptions {
  listen: WebSocketListen;
  auth: ServerAuth;
  origins: readonly string[];
  maxConnections: number;
  /** accepted subprotocols, in order of preference; empty accepts none */
  subprotocols: readonly string[];
  /** client addresses and CIDR ranges that may connect; an empty list lets anyone */
  allowlist: AddressAllowlist;
  /** settings.js webSocketNodeVerifyClient: asked before the origin and auth checks */
  verifyClient?: VerifyClient;
  /** how failed token/password attempts are slowed down (DEFAULT_AUTH_THROTTLE when not given) */
  authThrottle?: AuthThrottleOptions;
}

export type ClientAuth = ServerAuth;

export interface WebSocketClientOptions extends WebSocketCommonOptions {
  url: string;
  subprotocols: readonly string[];
  headers: Readonly<Record<string, string>>;
  auth: ClientAuth;
  tls?: TlsMaterial;
  handshakeTimeoutMs: number;
  backoff: BackoffOptions;
}
