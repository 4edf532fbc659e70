// What an endpoint tells the operations view (sidebar, admin API, metrics, control messages):
// where it is reachable, its sessions, and the messages and bytes through it. Counting is plain
// integer fields bumped on the data path: no allocation, no timer, nothing per message but `+=`.

/** Messages and bytes through a session or an endpoint since it opened. */
export interface TrafficCounts {
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** A running total: what closed sessions carried, so an endpoint's counters never go down. */
export class Traffic implements TrafficCounts {
  messagesIn = 0;
  messagesOut = 0;
  bytesIn = 0;
  bytesOut = 0;

  add(other: TrafficCounts): this {
    this.messagesIn += other.messagesIn;
    this.messagesOut += other.messagesOut;
    this.bytesIn += other.bytesIn;
    this.bytesOut += other.bytesOut;
    return this;
  }
}

/** An open session (connection) as the operations view shows it. */
export interface SessionReport extends TrafficCounts {
  id: string;
  remoteAddress: string;
  remotePort: number;
  /** ms since the epoch */
  since: number;
  queued: number;
  dropped: number;
}

/** What a session exposes for its report; the fields are the session's own counters. */
export interface ReportableSession extends TrafficCounts {
  readonly id: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly since: number;
  readonly queued: number;
  readonly dropped: number;
}

export function sessionReport(session: ReportableSession): SessionReport {
  return {
    id: session.id,
    remoteAddress: session.remoteAddress,
    remotePort: session.remotePort,
    since: session.since,
    messagesIn: session.messagesIn,
    messagesOut: session.messagesOut,
    bytesIn: session.bytesIn,
    bytesOut: session.bytesOut,
    queued: session.queued,
    dropped: session.dropped,
  };
}

/**
 * Where the endpoint is: `host` is what it listens on or connects to ('' = every address), `port`
 * the bound or remote port; a WebSocket server on Node-RED's own HTTP server has `shared` set and
 * the path clients use; a WebSocket client has the URL as `url`.
 */
export interface EndpointAddress {
  scheme: 'tcp' | 'tls' | 'udp' | 'ws' | 'wss';
  host: string;
  port: number;
  path?: string;
  url?: string;
  shared?: boolean;
  /** multicast: the groups joined (or to be joined), "239.1.2.3" or "232.1.1.1@10.0.0.5" */
  groups?: string[];
}

export interface EndpointReport {
  mode: 'server' | 'client' | 'socket' | 'group';
  address: EndpointAddress;
  sessions: SessionReport[];
  /** everything since the endpoint started, closed sessions included */
  traffic: TrafficCounts;
}

/** Sums the open sessions' traffic onto what closed ones left. */
export function totalTraffic(retired: TrafficCounts, open: Iterable<TrafficCounts>): TrafficCounts {
  const total = new Traffic().add(retired);
  for (const session of open) total.add(session);
  return total;
}
