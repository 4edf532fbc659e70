import type { TlsMaterial } from '../tls-material';
import type { BackoffOptions } from '../backoff';
import type { OverflowPolicy } from '../bounded-queue';
import type { Codec } from '../../framing';
import type { AddressAllowlist } from './allowlist';
import type { PoolLimits } from './tcp-client-pool';

export interface TcpCommonOptions {
  port: number;
  codec: Codec;
  /** 0 = never; a connection without received data for this long is closed (dead-peer detection) */
  idleTimeoutMs: number;
  keepAlive: boolean;
  keepAliveDelayMs: number;
  noDelay: boolean;
  /** messages held per connection while it cannot take more (and, for a client, while disconnected) */
  queueSize: number;
  queuePolicy: OverflowPolicy;
  /** frames handed to the flow per event-loop turn before the socket is paused */
  maxFramesPerTurn: number;
  tls?: TlsMaterial;
}

export interface TcpServerOptions extends TcpCommonOptions {
  /** '' = all addresses */
  host: string;
  maxConnections: number;
  allowlist: AddressAllowlist;
  /** share the port with other processes (SO_REUSEPORT; Node >= 22.12): the kernel spreads connections */
  reusePort: boolean;
  requireClientCert: boolean;
}

export interface TcpClientOptions extends TcpCommonOptions {
  host: string;
  connectTimeoutMs: number;
  backoff: BackoffOptions;
  /** connections to other targets named by messages (msg.host/msg.port); defaults when absent */
  pool?: PoolLimits;
}
