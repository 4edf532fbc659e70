// One client endpoint, many devices: a connection per host:port, opened when a message first
// names that target, reused, limited in number, closed after an idle time. The endpoint's own
// host:port is the pool's first member and is never closed for idleness.
import { NetcastError } from '../../errors';
import type { MatchRule } from '../request/correlator';
import { RequestError } from '../request/request-error';
import { TcpRequestChannel, type Peer } from '../request/tcp-request-channel';
import { TypedEmitter } from '../typed-emitter';
import type { TcpClientEndpoint } from './tcp-client';

export interface PoolLimits {
  /** connections to targets other than the endpoint's own host:port */
  maxConnections: number;
  /** a pooled connection with nothing sent or pending for this long is closed */
  idleMs: number;
  /** requests waiting per target */
  queueSize: number;
}

export interface Target {
  host: string;
  port: number;
}

interface Member {
  readonly client: TcpClientEndpoint;
  channel?: TcpRequestChannel;
  idleTimer?: NodeJS.Timeout;
  lastUsed: number;
}

export function targetKey({ host, port }: Target): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export interface TcpClientPoolEvents {
  /** a frame on one of the pool's connections that answered no request */
  unmatched: (frame: Buffer, peer: Peer) => void;
}

export class TcpClientPool extends TypedEmitter<TcpClientPoolEvents> {
  private readonly members = new Map<string, Member>();
  private rule?: MatchRule;
  private ruleUsers = 0;
  private closed = false;

  constructor(
    private readonly home: TcpClientEndpoint,
    private readonly limits: PoolLimits,
    /** builds (not starts) a client for another target, with the home endpoint's settings */
    private readonly spawn: (target: Target) => TcpClientEndpoint,
  ) {
    super();
    this.members.set(targetKey(home), { client: home, lastUsed: 0 });
  }

  /** Pooled connections open now (the home connection not counted). */
  get size(): number {
    return this.members.size - 1;
  }

  /**
   * A request node declares how it matches answers; every request node of one endpoint must
   * agree, since they share its connections. Returns the release to call when the node closes.
   */
  claim(rule: MatchRule): () => void {
    if (this.rule && JSON.stringify(this.rule) !== JSON.stringify(rule)) {
      throw new RequestError(
        'ERR_NETCAST_REQUEST_RULE',
        'another tcp request node on this endpoint recognises answers differently (Answer setting); give each kind of request its own TCP endpoint',
      );
    }
    this.rule = rule;
    this.ruleUsers += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.ruleUsers -= 1;
      if (this.ruleUsers > 0) return;
      this.rule = undefined;
      for (const member of this.members.values()) {
        member.channel?.close();
        member.channel = undefined;
      }
    };
  }

  /** The client for a target (the home client when none is given), opened on demand. */
  client(target?: Target): TcpClientEndpoint {
    return this.member(target).client;
  }

  /** The request channel for a target; claim() a rule first. */
  channel(target?: Target): TcpRequestChannel {
    const member = this.member(target);
    if (!member.channel) {
      if (!this.rule) throw new NetcastError('a request channel was asked for before a request node claimed a rule on this endpoint', 'ERR_NETCAST_INTERNAL');
      member.channel = new TcpRequestChannel(member.client, this.rule, this.limits.queueSize);
      member.channel.on('unmatched', (frame, peer) => this.emit('unmatched', frame, peer));
    }
    return member.channel;
  }

  /** Sends to a pooled connection by its session id; false when no member has that session. */
  sendToSession(sessionId: string, payload: Buffer): boolean {
    for (const member of this.members.values()) {
      if (member.client !== this.home && member.client.sessionInfo?.id === sessionId) {
        this.touch(member);
        member.client.send(payload, sessionId);
        return true;
      }
    }
    return false;
  }

  /** Ends pooled connections: one target (`host:port`) or, with true, all of them. */
  reset(which: string | true): void {
    for (const [key, member] of this.members) {
      if (which !== true && key !== which) continue;
      if (member.client === this.home) member.client.endSession(undefined, true);
      else void this.remove(key, member);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const closing: Array<Promise<void>> = [];
    for (const [key, member] of this.members) {
      member.channel?.close();
      if (member.client !== this.home) closing.push(this.remove(key, member));
    }
    await Promise.all(closing);
  }

  private member(target?: Target): Member {
    const key = target ? targetKey(target) : targetKey(this.home);
    let member = this.members.get(key);
    if (!member) {
      if (this.closed || !target) throw new RequestError('ERR_NETCAST_REQUEST_CLOSED', 'the endpoint is closing; the message was not sent');
      if (this.size >= this.limits.maxConnections) this.evictIdlest(key);
      member = { client: this.spawn(target), lastUsed: 0 };
      this.members.set(key, member);
      member.client.start();
    }
    this.touch(member);
    return member;
  }

  private touch(member: Member): void {
    member.lastUsed = performance.now();
    if (member.client === this.home) return;
    if (member.idleTimer) member.idleTimer.refresh();
    else member.idleTimer = setTimeout(() => this.onIdle(member), this.limits.idleMs);
  }

  private onIdle(member: Member): void {
    if ((member.channel?.pending ?? 0) > 0 || member.client.counters.queued > 0) {
      member.idleTimer?.refresh();
      return;
    }
    for (const [key, candidate] of this.members) if (candidate === member) void this.remove(key, member);
  }

  /** Makes room for `wanted` by closing the connection unused longest with nothing pending. */
  private evictIdlest(wanted: string): void {
    let idlest: [string, Member] | undefined;
    for (const entry of this.members) {
      const member = entry[1];
      if (member.client === this.home || (member.channel?.pending ?? 0) > 0) continue;
      if (!idlest || member.lastUsed < idlest[1].lastUsed) idlest = entry;
    }
    if (!idlest) {
      throw new RequestError(
        'ERR_NETCAST_REQUEST_POOL_FULL',
        `${wanted} needs a connection but all ${this.limits.maxConnections} pooled connections are busy; raise Max pooled connections on the endpoint`,
      );
    }
    void this.remove(idlest[0], idlest[1]);
  }

  private remove(key: string, member: Member): Promise<void> {
    if (member.idleTimer) clearTimeout(member.idleTimer);
    member.channel?.close();
    this.members.delete(key);
    return member.client.close();
  }
}
