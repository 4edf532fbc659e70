// The JSON shape of an endpoint in the operations view: GET /netcast/endpoints[/:id], the
// control node's "status" answer and the editor sidebar all use it. Field names are public API.
import type { EndpointAddress, SessionReport } from '../../transport/endpoint-report';
import type { RegisteredEndpoint, Transport } from './endpoint-registry';
import { plainAddress } from './session';
import { statusFor } from './status';

export interface SessionSnapshot {
  id: string;
  /** the peer as host:port ([v6]:port) */
  peer: string;
  ip: string;
  port: number;
  /** ISO 8601 */
  since: string;
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  queued: number;
  dropped: number;
}

export interface EndpointSnapshot {
  id: string;
  name: string;
  type: string;
  transport: Transport;
  mode: 'server' | 'client' | 'socket' | 'group';
  /** where clients reach it, or where it connects: tcp://*:5000, ws://host:1880/ws/chat, udp://239.1.2.3:5000 */
  address: string;
  groups?: string[];
  state: string;
  /** the status text under the endpoint's nodes */
  status: string;
  /** ISO 8601: when it entered this state */
  since: string;
  sessions: SessionSnapshot[];
  counters: {
    messagesIn: number;
    messagesOut: number;
    bytesIn: number;
    bytesOut: number;
    queued: number;
    dropped: number;
    refused: number;
    /** failed token/password attempts (WebSocket servers with authentication), also in refused */
    authFailures: number;
    reconnects: number;
    errors: number;
  };
  lastError?: { message: string; code?: string; at: string };
  /** ids of the flow nodes using the endpoint */
  nodes: string[];
}

/** How a client of the admin API reaches Node-RED: the Host it asked for, for WebSocket URLs. */
export interface Viewer {
  /** host[:port] as the client wrote it (the request's Host header) */
  host?: string;
}

function hostPort(host: string, port: number): string {
  const shown = host === '' || host === '0.0.0.0' || host === '::' ? '*' : host;
  return shown.includes(':') ? `[${shown}]:${port}` : `${shown}:${port}`;
}

/** The address as a user would type it; a WebSocket server's as the full URL a client uses. */
export function formatAddress(address: EndpointAddress, viewer: Viewer): string {
  if (address.url) return address.url;
  const { scheme, host, port } = address;
  if (scheme === 'ws' || scheme === 'wss') {
    const path = address.path ?? '/';
    if (address.shared && viewer.host) return `${scheme}://${viewer.host}${path}`;
    const viewerName = viewer.host ? viewer.host.replace(/:\d+$/, '') : 'localhost';
    const wildcard = host === '' || host === '0.0.0.0' || host === '::';
    return `${scheme}://${wildcard ? viewerName : hostPort(host, port)}${wildcard ? `:${port}` : ''}${path}`;
  }
  if (address.groups && address.groups.length > 0) return `${scheme}://${hostPort(address.groups[0].split('@')[0], port)}`;
  return `${scheme}://${hostPort(host, port)}`;
}

function sessionSnapshot(session: SessionReport): SessionSnapshot {
  const ip = plainAddress(session.remoteAddress);
  return {
    id: session.id,
    peer: hostPort(ip, session.remotePort),
    ip,
    port: session.remotePort,
    since: new Date(session.since).toISOString(),
    messagesIn: session.messagesIn,
    messagesOut: session.messagesOut,
    bytesIn: session.bytesIn,
    bytesOut: session.bytesOut,
    queued: session.queued,
    dropped: session.dropped,
  };
}

export function snapshotOf(entry: RegisteredEndpoint, viewer: Viewer = {}): EndpointSnapshot {
  const { identity, endpoint } = entry;
  const report = endpoint.report();
  const state = endpoint.state;
  const counters = endpoint.counters;
  const snapshot: EndpointSnapshot = {
    id: identity.id,
    name: identity.name,
    type: identity.type,
    transport: identity.transport,
    mode: report.mode,
    address: formatAddress(report.address, viewer),
    state: state.phase,
    status: statusFor(state, counters).text ?? '',
    since: new Date(entry.since).toISOString(),
    sessions: report.sessions.map(sessionSnapshot),
    counters: {
      ...report.traffic,
      queued: counters.queued,
      dropped: counters.dropped,
      refused: counters.refused,
      authFailures: counters.authFailures ?? 0,
      reconnects: entry.reconnects,
      errors: entry.errors,
    },
    nodes: identity.nodes(),
  };
  if (report.address.groups) snapshot.groups = report.address.groups;
  if (entry.lastError) snapshot.lastError = { ...entry.lastError, at: new Date(entry.lastError.at).toISOString() };
  return snapshot;
}
