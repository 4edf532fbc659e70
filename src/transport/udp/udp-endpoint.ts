import dgram from 'node:dgram';
import type { Codec, FrameDecoder } from '../../framing/types';
import { FramingError } from '../../framing/errors';
import { immediateLookup } from '../bind-now';
import { BoundedQueue } from '../bounded-queue';
import type { EndpointCounters } from '../endpoint-state';
import { NetcastError } from '../../errors';
import { explainNetworkError, NetworkError } from '../network-error';
import { checkReusePort, type DgramWithReusePort } from '../reuse-port';
import { Traffic, type EndpointReport } from '../endpoint-report';
import { StatefulEndpoint } from '../stateful-endpoint';
import { UdpRequester } from '../request/udp-requester';
import { addressForSocket, applyBufferSizes, checkDatagramSize, closeSocket, type IpFamily, type Peer, peerFrom, type SocketBufferSizes } from './datagram';

/** receiveBufferSize, sendBufferSize: bytes; 0 keeps the OS default */
export interface UdpEndpointOptions extends SocketBufferSizes {
  family: IpFamily;
  /** address to bind; '' binds every address of the family */
  localAddress: string;
  /** 0 lets the OS pick */
  port: number;
  /** IPv6 only: refuse IPv4 peers instead of accepting them as ::ffff:a.b.c.d */
  ipv6Only: boolean;
  reuseAddr: boolean;
  /** share the port with other processes (SO_REUSEPORT; Node >= 22.12): the kernel spreads datagrams */
  reusePort: boolean;
  broadcast: boolean;
  /** where a send without its own destination goes; '' / 0 for none */
  remoteHost: string;
  remotePort: number;
  /** splits one datagram into several records; undefined: one record per datagram */
  codec?: Codec;
  /** sends held while the socket binds (deploy); drop-oldest past this */
  pendingLimit: number;
}

export interface UdpEndpointEvents {
  state: () => void;
  /** records of one datagram, in order */
  records: (records: Buffer[], peer: Peer) => void;
  error: (err: Error) => void;
  /** something works, but not as configured (a buffer the kernel made smaller than asked) */
  warning: (message: string) => void;
}

/** Requests waiting per device on one UDP endpoint. */
const REQUEST_QUEUE_LIMIT = 1000;

export interface Destination {
  host: string;
  port: number;
}

export type SendCallback = (err?: Error) => void;

interface PendingSend {
  bytes: Buffer;
  to: Destination;
  callback: SendCallback;
}

export class NoDestinationError extends Error {
  readonly code = 'ERR_NETCAST_NO_DESTINATION';
  constructor() {
    super('no destination for this message; set Remote host and port on the UDP endpoint, or send msg.ip and msg.port');
  }
}

/**
 * One bound UDP socket. Every in node on the endpoint sees what arrives and every out node sends
 * from it, so a device that answers to the source port reaches the in node.
 */
export class UdpEndpoint extends StatefulEndpoint<UdpEndpointEvents> {
  private readonly socket: dgram.Socket;
  private readonly decoder?: FrameDecoder;
  /** sends made before the socket is bound: nothing sent right after deploy is lost */
  private readonly pending: BoundedQueue<PendingSend>;
  private ready = false;
  private readonly traffic = new Traffic();
  private closing?: Promise<void>;

  constructor(readonly options: UdpEndpointOptions) {
    super();
    checkReusePort(options.reusePort);
    const socketOptions: DgramWithReusePort = {
      type: options.family === 'ipv6' ? 'udp6' : 'udp4',
      reuseAddr: options.reuseAddr,
      ipv6Only: options.family === 'ipv6' && options.ipv6Only,
      // bound when start() returns, before Node-RED logs "Started flows"
      lookup: immediateLookup,
    };
    if (options.reusePort) socketOptions.reusePort = true;
    this.socket = dgram.createSocket(socketOptions);
    this.decoder = options.codec?.createDecoder();
    this.pending = new BoundedQueue(options.pendingLimit, 'drop-oldest');
    this.socket.on('message', (data, rinfo) => this.onDatagram(data, peerFrom(rinfo)));
    this.socket.on('error', (err) => this.onSocketError(err));
  }

  get counters(): EndpointCounters {
    return { dropped: this.pending.dropped, queued: this.pending.length, refused: 0 };
  }

  report(): EndpointReport {
    return {
      mode: 'socket',
      address: { scheme: 'udp', host: this.options.localAddress, port: this.port ?? this.options.port },
      sessions: [],
      traffic: new Traffic().add(this.traffic),
    };
  }

  /** The bound port, once bound (useful when the OS picked it). */
  get port(): number | undefined {
    return this.ready ? this.socket.address().port : undefined;
  }

  /** The kernel's buffer sizes once bound (Linux reports twice what was asked, for bookkeeping). */
  get bufferSizes(): { receive: number; send: number } | undefined {
    return this.ready ? { receive: this.socket.getRecvBufferSize(), send: this.socket.getSendBufferSize() } : undefined;
  }

  start(): void {
    if (this.closing || this.state.phase !== 'starting') return;
    this.socket.bind({ port: this.options.port, address: this.options.localAddress || undefined }, () => this.onBound());
  }

  /**
   * Frames `payload` as one datagram and sends it to `to`, or to the default remote. Throws for a
   * payload that cannot be one datagram or a missing destination; network failures arrive in the
   * callback.
   */
  send(payload: Buffer, to: Partial<Destination>, callback: SendCallback): void {
    const destination = this.destinationFor(to);
    const bytes = this.options.codec ? this.options.codec.encoder.encode(payload) : payload;
    checkDatagramSize(bytes, this.options.family, destination.host);
    if (this.closing) throw new NetcastError('the UDP endpoint is closing; the message was not sent', 'ERR_NETCAST_CLOSING');
    if (this.state.phase === 'failed') throw new NetcastError(`the UDP socket is not open (${this.state.reason})`, 'ERR_NETCAST_NOT_OPEN');
    if (!this.ready) {
      this.pending.push({ bytes, to: destination, callback });
      this.emit('state');
      return;
    }
    this.transmit({ bytes, to: destination, callback });
  }

  /**
   * For sends to multicast groups: the interface (its address; '' = the system's choice) and the
   * TTL (hops). Applied now if bound, else once bound.
   */
  setMulticastSending(iface: string, ttl: number): void {
    this.multicastSending = { iface, ttl };
    if (this.ready) this.applyMulticastSending();
  }

  private multicastSending?: { iface: string; ttl: number };
  private requests?: UdpRequester;

  /** Requests and discoveries on this socket (udp request nodes share it). */
  get requester(): UdpRequester {
    this.requests ??= new UdpRequester(this, REQUEST_QUEUE_LIMIT);
    return this.requests;
  }

  private applyMulticastSending(): void {
    if (!this.multicastSending) return;
    const { iface, ttl } = this.multicastSending;
    try {
      this.socket.setMulticastTTL(ttl);
      if (iface) this.socket.setMulticastInterface(iface);
    } catch (err) {
      this.emit('error', explainNetworkError(err, { action: 'send multicast on', host: iface || undefined }));
    }
  }

  /** Resolves once the socket is closed and its port is free again. */
  close(): Promise<void> {
    if (!this.closing) {
      this.requests?.close();
      this.closing = closeSocket(this.socket).then(() => {
        for (const item of this.pending.drain()) item.callback(new NetcastError('the UDP endpoint closed before the message could be sent', 'ERR_NETCAST_CLOSING'));
        this.setState({ phase: 'closed' });
      });
    }
    return this.closing;
  }

  /** Where a send with `to` goes: its host and port, else the default remote; throws NoDestinationError. */
  destinationFor(to: Partial<Destination>): Destination {
    const host = to.host || this.options.remoteHost;
    const port = to.port || this.options.remotePort;
    if (!host || !port) throw new NoDestinationError();
    return { host, port };
  }

  private onBound(): void {
    if (this.closing) return;
    let warning: string | undefined;
    try {
      this.socket.setBroadcast(this.options.broadcast);
      warning = applyBufferSizes(this.socket, this.options);
    } catch (err) {
      this.fail(explainNetworkError(err, { action: 'configure the UDP socket on', port: this.options.port }));
      return;
    }
    this.ready = true;
    this.applyMulticastSending();
    const where = `:${this.socket.address().port}`;
    this.setState({ phase: 'ready', text: `bound ${where}`, how: 'bound', detail: where });
    for (const item of this.pending.drain()) this.transmit(item);
    this.emit('state');
    if (warning) this.emit('warning', warning);
  }

  private transmit({ bytes, to, callback }: PendingSend): void {
    const host = addressForSocket(this.options.family, to.host);
    this.traffic.messagesOut += 1;
    this.traffic.bytesOut += bytes.length;
    this.socket.send(bytes, to.port, host, (err) => {
      if (!err) return callback();
      const explained = explainNetworkError(err, { action: 'send to', host: to.host, port: to.port });
      callback(isBroadcastRefusal(err, this.options.broadcast) ? new NetworkError(`${explained.message}; ${BROADCAST_HINT}`, explained.code, err) : explained);
    });
  }

  private onDatagram(data: Buffer, peer: Peer): void {
    this.traffic.bytesIn += data.length;
    if (!this.decoder) {
      this.traffic.messagesIn += 1;
      this.emit('records', [data], peer);
      return;
    }
    try {
      const records = this.decoder.push(data);
      if (this.decoder.pendingBytes > 0) this.takeLeftover(records, data.length);
      this.traffic.messagesIn += records.length;
      if (records.length > 0) this.emit('records', records, peer);
    } catch (err) {
      this.decoder.reset();
      if (err instanceof FramingError && err.frames.length > 0) {
        this.traffic.messagesIn += err.frames.length;
        this.emit('records', err.frames, peer);
      }
      this.emit('error', err instanceof Error ? err : new NetcastError(String(err), 'ERR_NETCAST_FRAMING'));
    }
  }

  /**
   * A datagram is a whole message: bytes after the last delimiter are the last record, but a
   * record cut short by the datagram's end is damaged and reported.
   */
  private takeLeftover(records: Buffer[], datagramLength: number): void {
    const decoder = this.decoder as FrameDecoder;
    if (this.options.codec?.mode === 'delimiter') {
      records.push(...decoder.flush());
      return;
    }
    const missing = decoder.pendingBytes;
    decoder.reset();
    throw new FramingError(
      `a ${datagramLength}-byte datagram ended inside a record (${missing} bytes left over); check the framing settings against what the device sends`,
      records,
    );
  }

  private onSocketError(err: Error): void {
    if (!this.ready && this.state.phase === 'starting') {
      const { localAddress, port } = this.options;
      this.fail(explainNetworkError(err, { action: 'bind', host: localAddress || undefined, port }));
      return;
    }
    this.emit('error', explainNetworkError(err, { action: 'receive on', port: this.port }));
  }

  protected override fail(err: Error): void {
    for (const item of this.pending.drain()) item.callback(err);
    super.fail(err);
  }
}

const BROADCAST_HINT = 'to send to a broadcast address, turn on Broadcast on the UDP endpoint';

function isBroadcastRefusal(err: Error, broadcastOn: boolean): boolean {
  return !broadcastOn && (err as NodeJS.ErrnoException).code === 'EACCES';
}
