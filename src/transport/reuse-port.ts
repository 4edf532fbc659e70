/**
 * SO_REUSEPORT: several processes on one host bind the same port and the kernel spreads new
 * connections (TCP) or datagrams (UDP) over them. Node offers it from 22.12 (and 23.1): `reusePort`
 * on net listen and on dgram.createSocket. An older Node ignores the option, so the second
 * process's bind fails with EADDRINUSE, or worse, a user believes the port is shared when it is
 * not: the endpoints refuse the setting there instead, with this error.
 */
import type { ListenOptions } from 'node:net';
import type { SocketOptions } from 'node:dgram';

export const REUSE_PORT_NODE = '22.12';

/** net listen options with `reusePort` (Node >= 22.12; not in the Node 20 type definitions). */
export type ListenWithReusePort = ListenOptions & { reusePort?: boolean };
/** dgram socket options with `reusePort` (Node >= 22.12). */
export type DgramWithReusePort = SocketOptions & { reusePort?: boolean };

export class ReusePortUnsupportedError extends Error {
  readonly code = 'ERR_NETCAST_REUSEPORT_UNSUPPORTED';
  constructor(nodeVersion: string) {
    super(`Share port (reusePort) needs Node.js ${REUSE_PORT_NODE} or later, and this Node-RED runs on Node.js ${nodeVersion}; upgrade Node.js or turn Share port off`);
  }
}

/** Whether this Node version has `reusePort` on net listen and dgram sockets. */
export function nodeHasReusePort(version: string = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number);
  if (major === 22) return minor >= 12;
  if (major === 23) return minor >= 1;
  return major > 23;
}

/** Throws ReusePortUnsupportedError when the option is on and this Node cannot honour it. */
export function checkReusePort(reusePort: boolean, version: string = process.versions.node): void {
  if (reusePort && !nodeHasReusePort(version)) throw new ReusePortUnsupportedError(version);
}
