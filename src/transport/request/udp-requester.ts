// Requests over a UDP endpoint: a datagram to a device, and the next datagram from that device
// (address and port) is the answer; or, for discovery, every datagram that arrives within a window
// after a send to a broadcast or multicast address. No Node-RED here.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Peer } from '../udp/datagram';
import type { Destination, UdpEndpoint } from '../udp/udp-endpoint';
import { TypedEmitter } from '../typed-emitter';
import { RequestCorrelator, type Answer, type RequestSettings } from './correlator';
import { RequestError } from './request-error';

export interface DiscoveredAnswer {
  frame: Buffer;
  peer: Peer;
  /** from the send to this answer's arrival */
  afterMs: number;
}

export type UdpAnswerCallback = (err: RequestError | Error | undefined, answer?: Answer, peer?: Peer) => void;

interface Discovery {
  readonly sentAt: number;
  readonly answers: DiscoveredAnswer[];
}

export interface UdpRequesterEvents {
  /** a datagram that answered no request and arrived outside every discovery window */
  unmatched: (frame: Buffer, peer: Peer) => void;
}

const peerKey = (address: string, port: number): string => `${address.replace(/^::ffff:(?=\d+\.)/i, '')}|${port}`;

export class UdpRequester extends TypedEmitter<UdpRequesterEvents> {
  /** one correlator per device (address, port): one request in flight to each */
  private readonly byPeer = new Map<string, RequestCorrelator>();
  private readonly discoveries = new Set<Discovery>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;
  private readonly onRecords = (records: Buffer[], peer: Peer): void => {
    const correlator = this.byPeer.get(peerKey(peer.address, peer.port));
    if (correlator && correlator.pending > 0) {
      correlator.frames(records);
      return;
    }
    if (this.discoveries.size > 0) {
      for (const discovery of this.discoveries) {
        const afterMs = performance.now() - discovery.sentAt;
        for (const frame of records) discovery.answers.push({ frame, peer, afterMs });
      }
      return;
    }
    for (const frame of records) this.emit('unmatched', frame, peer);
  };

  constructor(
    private readonly endpoint: UdpEndpoint,
    private readonly queueLimit: number,
  ) {
    super();
    endpoint.on('records', this.onRecords);
  }

  /** Sends to `to` (msg.ip/msg.port or the endpoint's default) and waits for that device's answer. */
  request(payload: Buffer, to: Partial<Destination>, settings: RequestSettings, done: UdpAnswerCallback): void {
    const destination = this.endpoint.destinationFor(to);
    const ask = (address: string): void => {
      const key = peerKey(address, destination.port);
      let correlator = this.byPeer.get(key);
      if (!correlator) {
        correlator = new RequestCorrelator(
          { kind: 'next' },
          this.queueLimit,
          {
            write: (bytes) => this.endpoint.send(bytes, { host: address, port: destination.port }, (err) => err && this.failPeer(key, err)),
            unmatched: (frame) => this.emit('unmatched', frame, { address, port: destination.port, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' }),
            desynced: () => undefined,
          },
          false,
        );
        correlator.connected();
        this.byPeer.set(key, correlator);
      }
      const peer: Peer = { address, port: destination.port, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
      correlator.request(payload, settings, (err, answer) => {
        if (correlator.pending === 0) this.byPeer.delete(key);
        done(err, answer, peer);
      });
    };
    if (isIP(destination.host)) {
      ask(destination.host);
      return;
    }
    lookup(destination.host, { family: this.endpoint.options.family === 'ipv6' ? 0 : 4 }).then(
      ({ address }) => {
        try {
          ask(address);
        } catch (err) {
          done(err as Error);
        }
      },
      (err: Error) => done(new RequestError('ERR_NETCAST_REQUEST_NOT_CONNECTED', `cannot resolve ${destination.host} (${err.message}); check the host name`)),
    );
  }

  /**
   * Sends once to `to` (typically a broadcast or multicast address) and collects every datagram
   * that arrives within windowMs, from anyone, unicast to the endpoint's port.
   */
  discover(payload: Buffer, to: Partial<Destination>, windowMs: number, done: (err: Error | undefined, answers: DiscoveredAnswer[]) => void): void {
    if (this.closed) throw new RequestError('ERR_NETCAST_REQUEST_CLOSED', 'the endpoint is closing; the request was not sent');
    const discovery: Discovery = { sentAt: performance.now(), answers: [] };
    this.discoveries.add(discovery);
    const finish = (err?: Error): void => {
      if (!this.discoveries.delete(discovery)) return;
      clearTimeout(timer);
      this.timers.delete(timer);
      done(err, discovery.answers);
    };
    const timer = setTimeout(() => finish(), windowMs);
    this.timers.add(timer);
    try {
      this.endpoint.send(payload, to, (err) => err && finish(err));
    } catch (err) {
      finish(err as Error);
    }
  }

  close(): void {
    this.closed = true;
    this.endpoint.off('records', this.onRecords);
    for (const correlator of this.byPeer.values()) correlator.close();
    this.byPeer.clear();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const discovery of [...this.discoveries]) {
      this.discoveries.delete(discovery);
    }
  }

  private failPeer(key: string, err: Error): void {
    const correlator = this.byPeer.get(key);
    if (!correlator) return;
    const coded = new RequestError('ERR_NETCAST_REQUEST_CONNECTION_LOST', `the request could not be sent: ${err.message}`);
    correlator.failAll(coded);
    this.byPeer.delete(key);
  }
}
