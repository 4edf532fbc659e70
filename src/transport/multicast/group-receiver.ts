import dgram from 'node:dgram';
import { explainNetworkError, NetworkError } from '../network-error';
import { applyBufferSizes, closeSocket, type Peer, peerFrom } from '../udp/datagram';
import { describeGroup, type GroupSpec, isLinkScopedGroup } from './group-address';
import type { LocalInterface } from './interfaces';

export interface GroupReceiverOptions {
  spec: GroupSpec;
  port: number;
  reuseAddr: boolean;
  /**
   * Bind to the group address instead of the wildcard. Linux delivers to a wildcard-bound socket
   * every group any socket on the host joined (IP_MULTICAST_ALL, which Node cannot turn off), so
   * a socket bound to the group itself is the only way to hear just the groups this node joined.
   */
  bindToGroup: boolean;
  /** bytes; 0 keeps the OS default */
  receiveBufferSize: number;
}

export type MessageHandler = (data: Buffer, peer: Peer, spec: GroupSpec) => void;

function membershipKey(target: LocalInterface): string {
  return `${target.name}|${target.socketAddress}`;
}

/** Codes that mean "the interface or its address is not there (yet)": worth retrying. */
const INTERFACE_MISSING = new Set(['EADDRNOTAVAIL', 'ENODEV', 'ENETDOWN', 'ENXIO']);

/** A join the kernel refused; `interfaceMissing` says whether waiting can fix it. */
export class MembershipError extends NetworkError {
  readonly interfaceMissing: boolean;

  constructor(spec: GroupSpec, target: LocalInterface, cause: unknown) {
    const code = String((cause as NodeJS.ErrnoException).code ?? 'ERR_NETCAST_JOIN');
    const missing = INTERFACE_MISSING.has(code);
    const why = missing
      ? `interface ${target.name} is down or has no address yet`
      : `${code}: ${(cause as Error).message}; check the group address and that ${target.name} supports multicast`;
    super(`cannot join ${describeGroup(spec)} on ${target.name} (${why})`, code, cause);
    this.interfaceMissing = missing;
  }
}

/** One group's socket and its memberships, one per interface. */
export class GroupReceiver {
  private readonly socket: dgram.Socket;
  private readonly joined = new Map<string, LocalInterface>();
  private bound = false;

  constructor(
    private readonly options: GroupReceiverOptions,
    onMessage: MessageHandler,
    private readonly onError: (err: Error) => void,
  ) {
    const { spec, reuseAddr } = options;
    this.socket = dgram.createSocket({ type: spec.family === 'ipv4' ? 'udp4' : 'udp6', reuseAddr, ipv6Only: spec.family === 'ipv6' });
    this.socket.on('message', (data, rinfo) => {
      const peer = peerFrom(rinfo);
      // the kernel filters sources already; this also covers a wildcard-bound socket
      if (spec.source && peer.address !== spec.source) return;
      onMessage(data, peer, spec);
    });
  }

  get spec(): GroupSpec {
    return this.options.spec;
  }

  get isBound(): boolean {
    return this.bound;
  }

  get memberships(): number {
    return this.joined.size;
  }

  /**
   * Resolves once bound and its receive buffer set, with a warning when the kernel gave less
   * buffer than asked (see applyBufferSizes); rejects with a NetworkError (port in use, ...).
   */
  bind(): Promise<string | undefined> {
    const { port, receiveBufferSize } = this.options;
    const address = this.bindAddress();
    return new Promise((resolve, reject) => {
      const onBindError = (err: Error): void => reject(explainNetworkError(err, { action: 'bind', host: address, port }));
      this.socket.once('error', onBindError);
      this.socket.bind({ port, address }, () => {
        this.socket.off('error', onBindError);
        this.bound = true;
        this.socket.on('error', (err) => this.onError(explainNetworkError(err, { action: 'receive on', host: address, port })));
        try {
          resolve(applyBufferSizes(this.socket, { receiveBufferSize }));
        } catch (err) {
          reject(explainNetworkError(err, { action: 'set the receive buffer on', host: address, port }));
        }
      });
    });
  }

  /** The kernel's receive buffer size, once bound (Linux reports twice what it granted). */
  get receiveBufferSize(): number {
    return this.socket.getRecvBufferSize();
  }

  /**
   * Makes the memberships match `targets`: leaves interfaces no longer wanted, joins new ones.
   * With `renew`, also leaves and joins again the ones kept, which sends a fresh report that
   * IGMP/MLD-snooping switches need. Throws the first join failure as a MembershipError.
   */
  join(targets: LocalInterface[], renew: boolean): void {
    const wanted = new Map(targets.map((target) => [membershipKey(target), target]));
    for (const [key, target] of this.joined) {
      if (!wanted.has(key) || renew) this.leave(key, target);
    }
    for (const [key, target] of wanted) {
      if (this.joined.has(key)) continue;
      try {
        this.addMembership(target);
      } catch (err) {
        throw new MembershipError(this.options.spec, target, err);
      }
      this.joined.set(key, target);
    }
  }

  /** Leaves every group (best effort: the interface may be gone) and closes the socket. */
  close(): Promise<void> {
    for (const [key, target] of this.joined) this.leave(key, target);
    return closeSocket(this.socket);
  }

  private bindAddress(): string {
    const { spec, bindToGroup } = this.options;
    if (bindToGroup && !isLinkScopedGroup(spec.group)) return spec.group;
    return spec.family === 'ipv4' ? '0.0.0.0' : '::';
  }

  private addMembership(target: LocalInterface): void {
    const { group, source } = this.options.spec;
    if (source) this.socket.addSourceSpecificMembership(source, group, target.socketAddress);
    else this.socket.addMembership(group, target.socketAddress);
  }

  private leave(key: string, target: LocalInterface): void {
    this.joined.delete(key);
    const { group, source } = this.options.spec;
    try {
      if (source) this.socket.dropSourceSpecificMembership(source, group, target.socketAddress);
      else this.socket.dropMembership(group, target.socketAddress);
    } catch {
      // the interface went away and took the membership with it: nothing left to leave
    }
  }
}
