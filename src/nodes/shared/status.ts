import type { EndpointCounters, EndpointState } from '../../transport/endpoint-state';
import type { NodeStatus } from './red';

const MAX_REASON = 32;

function shorten(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON - 1)}…` : text;
}

/** Rounded up, as a countdown shows it: 4.3 s reads "5 s" until 4 s are left (see ReconnectSchedule). */
function seconds(ms: number): string {
  return ms < 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.ceil(ms / 1000)} s`;
}

function suffix(counters?: EndpointCounters): string {
  if (!counters) return '';
  const parts: string[] = [];
  if (counters.queued > 0) parts.push(`${counters.queued} queued`);
  if (counters.dropped > 0) parts.push(`${counters.dropped} dropped`);
  if (counters.authFailures) parts.push(`${counters.authFailures} failed logins`);
  return parts.length ? ` · ${parts.join(' · ')}` : '';
}

/** The status under a node: what the endpoint does, at a glance. */
export function statusFor(state: EndpointState, counters?: EndpointCounters): NodeStatus {
  const extra = suffix(counters);
  switch (state.phase) {
    case 'starting':
      return { fill: 'grey', shape: 'ring', text: 'starting' };
    case 'listening': {
      const clients = state.clients === 1 ? '1 client' : `${state.clients} clients`;
      return { fill: state.clients > 0 ? 'green' : 'yellow', shape: 'dot', text: `listening :${state.port} · ${clients}${extra}` };
    }
    case 'connecting':
      return { fill: 'yellow', shape: 'ring', text: `connecting to ${state.target}${extra}` };
    case 'connected':
      return { fill: 'green', shape: 'dot', text: state.moved ? `connected to ${shorten(state.target)}${extra}` : `connected${extra}` };
    case 'ready':
      return { fill: 'green', shape: 'dot', text: shorten(state.text) + extra };
    case 'reconnecting':
      return { fill: 'yellow', shape: 'ring', text: `reconnecting in ${seconds(state.inMs)}${extra}` };
    case 'waiting':
      return { fill: 'yellow', shape: 'ring', text: shorten(state.reason) + extra };
    case 'failed':
      return { fill: 'red', shape: 'ring', text: `error: ${shorten(state.reason)}` };
    case 'stopped':
      return { fill: 'grey', shape: 'ring', text: `${shorten(state.reason)}${extra}` };
    case 'closed':
      return { fill: 'grey', shape: 'ring', text: 'closed' };
  }
}
