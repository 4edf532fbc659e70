// Facts about UDP datagrams shared by the unicast and multicast endpoints.
import { isIPv4 } from 'node:net';

/** 65535 minus the IPv4 (20) and UDP (8) headers. */
export const MAX_DATAGRAM_IPV4 = 65507;
/** The IPv6 payload length field excludes the fixed header, so only the UDP header (8) counts. */
export const MAX_DATAGRAM_IPV6 = 65527;

export type IpFamily = 'ipv4' | 'ipv6';

/** Where a datagram came from. */
export interface Peer {
  address: string;
  port: number;
  family: IpFamily;
}

export class DatagramTooLargeError extends Error {
  readonly code = 'ERR_NETCAST_DATAGRAM_SIZE';
  constructor(size: number, limit: number, family: IpFamily) {
    super(
      `msg.payload is ${size} bytes but one UDP datagram over ${family === 'ipv4' ? 'IPv4' : 'IPv6'} carries at most ${limit} bytes; split the data into smaller messages`,
    );
  }
}

/** The limit that applies when sending to `host` (a literal or a name) from a socket of `family`. */
export function datagramLimit(family: IpFamily, host: string): number {
  if (family === 'ipv4' || isIPv4(host) || host.toLowerCase().startsWith('::ffff:')) return MAX_DATAGRAM_IPV4;
  return MAX_DATAGRAM_IPV6;
}

export function checkDatagramSize(bytes: Buffer, family: IpFamily, host: string): void {
  const limit = datagramLimit(family, host);
  if (bytes.length > limit) throw new DatagramTooLargeError(bytes.length, limit, family);
}

/** A dual-stack IPv6 socket reaches IPv4 hosts through their IPv4-mapped address. */
export function addressForSocket(family: IpFamily, host: string): string {
  return family === 'ipv6' && isIPv4(host) ? `::ffff:${host}` : host;
}

/** Peers of a dual-stack socket appear as ::ffff:a.b.c.d; users expect the IPv4 address. */
export function peerFrom(rinfo: { address: string; port: number; family: string }): Peer {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(rinfo.address);
  if (mapped) return { address: mapped[1], port: rinfo.port, family: 'ipv4' };
  return { address: rinfo.address, port: rinfo.port, family: rinfo.family === 'IPv6' ? 'ipv6' : 'ipv4' };
}

/** Kernel socket buffer sizes in bytes; 0 keeps the OS default. */
export interface SocketBufferSizes {
  receiveBufferSize: number;
  sendBufferSize: number;
}

/** Linux reports twice what it granted (the other half is its own bookkeeping). */
function granted(reported: number): number {
  return process.platform === 'linux' ? Math.floor(reported / 2) : reported;
}

function clampWarning(kind: 'receive' | 'send', asked: number, got: number): string {
  const label = kind === 'receive' ? 'Receive buffer' : 'Send buffer';
  const limit = kind === 'receive' ? 'net.core.rmem_max' : 'net.core.wmem_max';
  return `${label}: the kernel granted ${got} of the ${asked} bytes asked for, because the system caps it (${limit} on Linux); raise that limit (sysctl -w ${limit}=${asked}) or ask for less`;
}

/**
 * Sets the buffer sizes asked for (0: left alone) on a bound socket; throws what dgram throws.
 * The kernel caps a request at its limit without an error, so each size is read back: the result
 * is a warning for the user when it got less than asked, else undefined. Shared by the UDP and
 * multicast endpoints.
 */
export function applyBufferSizes(socket: import('node:dgram').Socket, sizes: Partial<SocketBufferSizes>): string | undefined {
  const warnings: string[] = [];
  const { receiveBufferSize = 0, sendBufferSize = 0 } = sizes;
  if (receiveBufferSize > 0) {
    socket.setRecvBufferSize(receiveBufferSize);
    const got = granted(socket.getRecvBufferSize());
    if (got < receiveBufferSize) warnings.push(clampWarning('receive', receiveBufferSize, got));
  }
  if (sendBufferSize > 0) {
    socket.setSendBufferSize(sendBufferSize);
    const got = granted(socket.getSendBufferSize());
    if (got < sendBufferSize) warnings.push(clampWarning('send', sendBufferSize, got));
  }
  return warnings.length > 0 ? warnings.join('; ') : undefined;
}

/** Resolves once a dgram socket has really closed; safe to call on a socket that never bound. */
export function closeSocket(socket: import('node:dgram').Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    try {
      socket.close();
    } catch {
      // ERR_SOCKET_DGRAM_NOT_RUNNING: already closed
      resolve();
    }
  });
}
