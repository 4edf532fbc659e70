import { Backoff, type BackoffOptions } from '../backoff';
import { BoundedQueue } from '../bounded-queue';
import type { EndpointCounters, EndpointState } from '../endpoint-state';
import { StatefulEndpoint } from '../stateful-endpoint';
import { Traffic, type EndpointReport } from '../endpoint-report';
import { checkDatagramSize, type IpFamily, type Peer, type SocketBufferSizes } from '../udp/datagram';
import { describeGroup, type GroupSpec } from './group-address';
import { GroupReceiver, MembershipError } from './group-receiver';
import { GroupSender } from './group-sender';
import { describeChoice, type InterfaceChoice, type InterfaceLister, type LocalInterface, resolveInterfaces } from './interfaces';
import { NetcastError } from '../../errors';

/** receiveBufferSize: of each group's receiving socket; sendBufferSize: of the sending sockets (bytes, 0 = OS default) */
export interface MulticastEndpointOptions extends SocketBufferSizes {
  groups: GroupSpec[];
  port: number;
  interface: InterfaceChoice;
  /** TTL (IPv4) / hop limit (IPv6) of what is sent */
  ttl: number;
  /** deliver what this host sends to receivers on this host too */
  loopback: boolean;
  reuseAddr: boolean;
  /** see GroupReceiverOptions.bindToGroup */
  bindToGroup: boolean;
  /** leave and join again this often, for IGMP-snooping switches; 0: never */
  renewIntervalMs: number;
  /** delays between attempts while the interface is missing */
  retry: BackoffOptions;
  /** sends held while the socket binds or the interface is missing; drop-oldest past this */
  pendingLimit: number;
  listInterfaces: InterfaceLister;
}

export interface MulticastEndpointEvents {
  state: () => void;
  message: (data: Buffer, peer: Peer, group: string) => void;
  error: (err: Error) => void;
  /** something works, but not as configured (a buffer the kernel made smaller than asked); once per text */
  warning: (message: string) => void;
}

interface PendingSend {
  bytes: Buffer;
  groups: GroupSpec[];
  callback: (err?: Error) => void;
}

/** Points a sender at an interface; false while the interface is missing or cannot be used yet. */
function pointAt(sender: GroupSender, target: LocalInterface | undefined): boolean {
  if (!target) return false;
  try {
    sender.useInterface(target);
    return true;
  } catch {
    return false;
  }
}

export class UnknownGroupError extends Error {
  readonly code = 'ERR_NETCAST_UNKNOWN_GROUP';
}

export class InterfaceWaitError extends Error {
  readonly code = 'ERR_NETCAST_INTERFACE_WAIT';
}

/**
 * A multicast config node's sockets: one receiver per group (joined on the chosen interface)
 * once an in node attaches, one sender per address family once an out node does. A missing
 * interface is waited for, with backoff, not treated as fatal: on a plant PC the network often
 * comes up after Node-RED.
 */
export class MulticastEndpoint extends StatefulEndpoint<MulticastEndpointEvents> {
  private readonly receivers: GroupReceiver[] = [];
  /** the configured groups, plus those joined and minus those left by control messages */
  private readonly groups: GroupSpec[];
  private readonly traffic = new Traffic();
  private readonly senders = new Map<IpFamily, GroupSender>();
  private readonly pending: BoundedQueue<PendingSend>;
  private readonly backoff: Backoff;
  private readonly warned = new Set<string>();
  private wantsReceive = false;
  private wantsSend = false;
  private started = false;
  private bound = false;
  private sendReady = false;
  private retryTimer?: NodeJS.Timeout;
  private renewTimer?: NodeJS.Timeout;
  private closing?: Promise<void>;

  constructor(readonly options: MulticastEndpointOptions) {
    super();
    this.groups = [...options.groups];
    this.pending = new BoundedQueue(options.pendingLimit, 'drop-oldest');
    this.backoff = new Backoff(options.retry);
  }

  get counters(): EndpointCounters {
    return { dropped: this.pending.dropped, queued: this.pending.length, refused: 0 };
  }

  /**
   * The kernel's buffer sizes once the sockets are bound (Linux reports twice what it granted):
   * the smallest of the receiving sockets' and of the sending sockets', where there are any.
   */
  get bufferSizes(): { receive?: number; send?: number } | undefined {
    if (!this.bound) return undefined;
    const smallest = (sizes: number[]): number | undefined => (sizes.length > 0 ? Math.min(...sizes) : undefined);
    return {
      receive: smallest(this.receivers.map((receiver) => receiver.receiveBufferSize)),
      send: smallest([...this.senders.values()].map((sender) => sender.sendBufferSize)),
    };
  }

  report(): EndpointReport {
    return {
      mode: 'group',
      address: { scheme: 'udp', host: describeChoice(this.options.interface), port: this.options.port, groups: this.groups.map(describeGroup) },
      sessions: [],
      traffic: new Traffic().add(this.traffic),
    };
  }

  /**
   * Joins one more group (kept until the next deploy): what arrives on it reaches the in nodes,
   * and mcast out sends to it too. Resolves once joined, or waiting for the interface; rejects
   * when its socket cannot be bound, leaving everything as it was.
   */
  async join(spec: GroupSpec): Promise<void> {
    if (this.closing) throw new NetcastError('the multicast endpoint is closing (a redeploy); no group was joined', 'ERR_NETCAST_CLOSING');
    if (this.groups.some((known) => known.group === spec.group && known.source === spec.source)) return;
    this.groups.push(spec);
    if (!this.started) return;
    const receiver = this.wantsReceive ? this.addReceiver(spec) : undefined;
    const sender = this.wantsSend && !this.senders.has(spec.family) ? this.addSender(spec.family) : undefined;
    try {
      await Promise.all([receiver?.bind(), sender?.bind()]);
    } catch (err) {
      this.groups.splice(this.groups.indexOf(spec), 1);
      if (receiver) this.receivers.splice(this.receivers.indexOf(receiver), 1);
      if (sender) this.senders.delete(spec.family);
      await Promise.all([receiver?.close(), sender?.close()]);
      throw err;
    }
    this.attach(false);
  }

  /** Leaves a group (until the next deploy): nothing more arrives from it or is sent to it. */
  async leave(group: string): Promise<void> {
    const spec = this.groupsFor(group)[0];
    this.groups.splice(this.groups.indexOf(spec), 1);
    const receiver = this.receivers.find((candidate) => candidate.spec === spec);
    if (receiver) {
      this.receivers.splice(this.receivers.indexOf(receiver), 1);
      await receiver.close();
    }
    if (this.bound && !this.closing) this.attach(false);
  }

  /** An in node attached: join the groups. Before or after start. */
  enableReceiving(): void {
    this.wantsReceive = true;
    if (this.started) void this.open();
  }

  /** An out node attached: open the sending sockets. Before or after start. */
  enableSending(): void {
    this.wantsSend = true;
    if (this.started) void this.open();
  }

  start(): void {
    if (this.started || this.closing) return;
    this.started = true;
    void this.open();
  }

  /**
   * Sends to every group of the endpoint, or only to `group` when given (it must be one of them).
   * Throws for a group that is not configured or a payload too large for one datagram.
   */
  send(bytes: Buffer, group: string | undefined, callback: (err?: Error) => void): void {
    const groups = this.groupsFor(group);
    for (const spec of groups) checkDatagramSize(bytes, spec.family, spec.group);
    if (this.closing) throw new NetcastError('the multicast endpoint is closing; the message was not sent', 'ERR_NETCAST_CLOSING');
    if (this.state.phase === 'failed' && !this.bound) throw new NetcastError(`the multicast socket is not open (${this.state.reason})`, 'ERR_NETCAST_NOT_OPEN');
    const item = { bytes, groups, callback };
    if (!this.sendReady) {
      this.pending.push(item);
      this.emit('state');
      return;
    }
    this.transmit(item);
  }

  /** Leaves every group and closes every socket, whatever state the joins are in. */
  close(): Promise<void> {
    if (!this.closing) {
      clearTimeout(this.retryTimer);
      clearInterval(this.renewTimer);
      const sockets = [...this.receivers, ...this.senders.values()];
      this.closing = Promise.all(sockets.map((socket) => socket.close())).then(() => {
        for (const item of this.pending.drain()) item.callback(new NetcastError('the multicast endpoint closed before the message could be sent', 'ERR_NETCAST_CLOSING'));
        this.setState({ phase: 'closed' });
      });
    }
    return this.closing;
  }

  private groupsFor(group: string | undefined): GroupSpec[] {
    if (!group) return this.groups;
    const spec = this.groups.find((candidate) => candidate.group === group);
    if (!spec) {
      const known = this.groups.map((candidate) => candidate.group).join(', ');
      throw new UnknownGroupError(`msg.group ${group} is not one of this multicast config's groups (${known}); add it there or remove msg.group`);
    }
    return [spec];
  }

  /** Creates and binds whatever the attached nodes need and does not exist yet, then joins. */
  private async open(): Promise<void> {
    const binding: Array<Promise<string | undefined>> = [];
    if (this.wantsReceive && this.receivers.length === 0) {
      for (const spec of this.groups) binding.push(this.addReceiver(spec).bind());
    }
    if (this.wantsSend && this.senders.size === 0) {
      for (const family of new Set(this.groups.map((spec) => spec.family))) binding.push(this.addSender(family).bind());
    }
    if (binding.length === 0) return;
    let warnings: Array<string | undefined>;
    try {
      warnings = await Promise.all(binding);
    } catch (err) {
      if (!this.closing) this.fail(err as Error);
      return;
    }
    if (this.closing) return;
    this.bound = true;
    this.startRenewing();
    this.attach(false);
    // every group's socket asks for the same buffer: one warning, not one per group
    for (const warning of warnings) {
      if (!warning || this.warned.has(warning)) continue;
      this.warned.add(warning);
      this.emit('warning', warning);
    }
  }

  private addReceiver(spec: GroupSpec): GroupReceiver {
    const { port, reuseAddr, bindToGroup, receiveBufferSize } = this.options;
    const receiver = new GroupReceiver(
      { spec, port, reuseAddr, bindToGroup, receiveBufferSize },
      (data, peer, from) => {
        this.traffic.messagesIn += 1;
        this.traffic.bytesIn += data.length;
        this.emit('message', data, peer, from.group);
      },
      (err) => this.emit('error', err),
    );
    this.receivers.push(receiver);
    return receiver;
  }

  private addSender(family: IpFamily): GroupSender {
    const { ttl, loopback, sendBufferSize } = this.options;
    const sender = new GroupSender({ family, ttl, loopback, sendBufferSize }, (err) => this.emit('error', err));
    this.senders.set(family, sender);
    return sender;
  }

  /**
   * Joins the groups and points the senders at the interface, as far as the interface exists
   * now; schedules another attempt for what is missing.
   */
  private attach(renew: boolean): void {
    if (this.closing || !this.bound) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const table = this.options.listInterfaces();
    const missing = new Set<string>();
    const choice = this.options.interface;
    let failure: Error | undefined;

    for (const receiver of this.receivers) {
      if (!receiver.isBound) continue;
      const targets = resolveInterfaces(choice, receiver.spec.family, table);
      if (targets.length === 0) {
        missing.add(this.missingLabel(receiver.spec.family));
        continue;
      }
      try {
        receiver.join(targets, renew);
      } catch (err) {
        if (err instanceof MembershipError && err.interfaceMissing) missing.add(this.missingLabel(receiver.spec.family));
        else failure = err as Error;
      }
    }
    this.sendReady = this.pointSenders(missing);

    if (failure) this.fail(failure);
    else if (missing.size > 0) this.wait([...missing]);
    else this.settle();
    if (this.sendReady) this.flushPending();
  }

  /** @returns whether every sender can send now */
  private pointSenders(missing: Set<string>): boolean {
    const choice = this.options.interface;
    let ready = true;
    for (const sender of this.senders.values()) {
      if (choice.kind === 'all') continue;
      const [target] = resolveInterfaces(choice, sender.family, this.options.listInterfaces());
      if (pointAt(sender, target)) continue;
      missing.add(this.missingLabel(sender.family));
      ready = false;
    }
    return ready && this.senders.size > 0;
  }

  private missingLabel(family: IpFamily): string {
    const choice = this.options.interface;
    if (choice.kind === 'all') return `an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} interface`;
    return describeChoice(choice);
  }

  private wait(missing: string[]): void {
    const reason = `waiting for ${missing.join(', ')}`;
    if (this.state.phase !== 'waiting' || this.state.reason !== reason) {
      this.setState({ phase: 'waiting', reason, for: missing.join(', ') });
      this.emit(
        'error',
        new InterfaceWaitError(
          `network interface ${missing.join(', ')} is not on this machine yet (or has no address); netcast keeps trying and joins as soon as it is up; check the interface name if it never is`,
        ),
      );
    }
    this.retryTimer = setTimeout(() => this.attach(false), this.backoff.next());
  }

  private settle(): void {
    this.backoff.reset();
    const target = this.groups.map(describeGroup).join(', ');
    const text = target ? `joined ${target}` : 'no group joined';
    const state: EndpointState = target ? { phase: 'ready', text, how: 'joined', detail: target } : { phase: 'ready', text };
    if (this.state.phase !== 'ready' || this.state.text !== text) this.setState(state);
  }

  private startRenewing(): void {
    if (this.renewTimer || this.options.renewIntervalMs <= 0) return;
    this.renewTimer = setInterval(() => {
      if (!this.retryTimer) this.attach(true);
    }, this.options.renewIntervalMs);
    this.renewTimer.unref();
  }

  private flushPending(): void {
    for (const item of this.pending.drain()) this.transmit(item);
    this.emit('state');
  }

  private transmit({ bytes, groups, callback }: PendingSend): void {
    let waiting = groups.length;
    let firstError: Error | undefined;
    for (const spec of groups) {
      const sender = this.senders.get(spec.family);
      if (!sender) {
        callback(new NetcastError(`no ${spec.family} sender is open for ${spec.group}`, 'ERR_NETCAST_NOT_OPEN'));
        return;
      }
      this.traffic.messagesOut += 1;
      this.traffic.bytesOut += bytes.length;
      sender.send(bytes, spec.group, this.options.port, (err) => {
        firstError ??= err;
        waiting -= 1;
        if (waiting === 0) callback(firstError);
      });
    }
  }
}
