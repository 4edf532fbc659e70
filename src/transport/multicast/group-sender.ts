import dgram from 'node:dgram';
import { explainNetworkError, NetworkError } from '../network-error';
import { applyBufferSizes, closeSocket, type IpFamily } from '../udp/datagram';
import type { LocalInterface } from './interfaces';

export interface GroupSenderOptions {
  family: IpFamily;
  ttl: number;
  loopback: boolean;
  /** bytes; 0 keeps the OS default */
  sendBufferSize: number;
}

/**
 * The socket a multicast out node sends from. It joins nothing and binds an ephemeral port, so it
 * never receives; its interface, TTL and loopback are set once it is bound.
 */
export class GroupSender {
  private readonly socket: dgram.Socket;
  private interfaceName?: string;

  constructor(
    private readonly options: GroupSenderOptions,
    private readonly onError: (err: Error) => void,
  ) {
    this.socket = dgram.createSocket({ type: options.family === 'ipv4' ? 'udp4' : 'udp6', ipv6Only: options.family === 'ipv6' });
  }

  get family(): IpFamily {
    return this.options.family;
  }

  /** The interface sends leave from; undefined while the OS's route decides. */
  get outgoingInterface(): string | undefined {
    return this.interfaceName;
  }

  /** Resolves once bound and set up, with a warning when the kernel gave less buffer than asked. */
  bind(): Promise<string | undefined> {
    return new Promise((resolve, reject) => {
      const onBindError = (err: Error): void => reject(explainNetworkError(err, { action: 'bind' }));
      this.socket.once('error', onBindError);
      this.socket.bind({ port: 0 }, () => {
        this.socket.off('error', onBindError);
        this.socket.on('error', (err) => this.onError(explainNetworkError(err, { action: 'send on the multicast socket' })));
        try {
          this.socket.setMulticastTTL(this.options.ttl);
          this.socket.setMulticastLoopback(this.options.loopback);
          resolve(applyBufferSizes(this.socket, { sendBufferSize: this.options.sendBufferSize }));
        } catch (err) {
          reject(explainNetworkError(err, { action: 'set TTL, loopback and send buffer' }));
        }
      });
    });
  }

  /** The kernel's send buffer size, once bound (Linux reports twice what it granted). */
  get sendBufferSize(): number {
    return this.socket.getSendBufferSize();
  }

  /** Sends leave from `target` (IP_MULTICAST_IF / IPV6_MULTICAST_IF). Throws when it is not usable. */
  useInterface(target: LocalInterface): void {
    try {
      this.socket.setMulticastInterface(target.socketAddress);
    } catch (err) {
      const code = String((err as NodeJS.ErrnoException).code ?? 'ERR_NETCAST_INTERFACE');
      throw new NetworkError(`cannot send from interface ${target.name} (${code}); it may be down or have no address yet`, code, err);
    }
    this.interfaceName = target.name;
  }

  send(bytes: Buffer, group: string, port: number, callback: (err?: Error) => void): void {
    this.socket.send(bytes, port, group, (err) => {
      callback(err ? explainNetworkError(err, { action: 'send to', host: group, port }) : undefined);
    });
  }

  close(): Promise<void> {
    return closeSocket(this.socket);
  }
}
