import type { SecureContextOptions } from 'node:tls';

/** Certificates and checks from the core tls-config node, usable by a client or a server. */
export interface TlsMaterial extends SecureContextOptions {
  servername?: string;
  rejectUnauthorized?: boolean;
  ALPNProtocols?: string[];
}
