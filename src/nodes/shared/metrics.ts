// The endpoints' counters in the Prometheus text exposition format (version 0.0.4). Names follow
// Prometheus conventions: netcast_<what>_<unit>_total for counters, plain names for gauges,
// every series labelled by endpoint (the config node's id) and transport; the endpoint's name,
// mode and address are on netcast_endpoint_info, so a rename never starts a new series.
import type { EndpointSnapshot } from './endpoint-snapshot';

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Kind = 'counter' | 'gauge';

interface Family {
  name: string;
  kind: Kind;
  help: string;
  value: (endpoint: EndpointSnapshot) => number;
}

const WORKING = new Set(['listening', 'connected', 'ready']);

const FAMILIES: readonly Family[] = [
  { name: 'netcast_endpoint_up', kind: 'gauge', help: 'Whether the endpoint is listening, connected or joined (1) or not (0).', value: (e) => (WORKING.has(e.state) ? 1 : 0) },
  { name: 'netcast_sessions', kind: 'gauge', help: 'Open connections (sessions) of the endpoint.', value: (e) => e.sessions.length },
  { name: 'netcast_queued_messages', kind: 'gauge', help: 'Messages waiting in the endpoint\'s send queues.', value: (e) => e.counters.queued },
  { name: 'netcast_messages_received_total', kind: 'counter', help: 'Messages received and handed to the flow.', value: (e) => e.counters.messagesIn },
  { name: 'netcast_messages_sent_total', kind: 'counter', help: 'Messages written to the network.', value: (e) => e.counters.messagesOut },
  { name: 'netcast_received_bytes_total', kind: 'counter', help: 'Bytes received.', value: (e) => e.counters.bytesIn },
  { name: 'netcast_sent_bytes_total', kind: 'counter', help: 'Bytes written to the network.', value: (e) => e.counters.bytesOut },
  { name: 'netcast_dropped_messages_total', kind: 'counter', help: 'Messages dropped because a send queue was full or their connection closed.', value: (e) => e.counters.dropped },
  { name: 'netcast_refused_connections_total', kind: 'counter', help: 'Connections refused (limit, allowlist, authentication).', value: (e) => e.counters.refused },
  { name: 'netcast_auth_failures_total', kind: 'counter', help: 'Failed token or password attempts (also counted as refused).', value: (e) => e.counters.authFailures },
  { name: 'netcast_reconnects_total', kind: 'counter', help: 'Times a client endpoint scheduled a new connection attempt.', value: (e) => e.counters.reconnects },
  { name: 'netcast_errors_total', kind: 'counter', help: 'Errors the endpoint reported.', value: (e) => e.counters.errors },
];

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labels(pairs: Record<string, string>): string {
  return `{${Object.entries(pairs)
    .map(([key, value]) => `${key}="${escapeLabel(value)}"`)
    .join(',')}}`;
}

/** The whole exposition: one HELP and TYPE per family, one sample per endpoint. */
export function renderMetrics(endpoints: readonly EndpointSnapshot[]): string {
  const lines: string[] = [];
  lines.push('# HELP netcast_endpoint_info The endpoint\'s name, mode and address (value always 1).');
  lines.push('# TYPE netcast_endpoint_info gauge');
  for (const e of endpoints) {
    lines.push(`netcast_endpoint_info${labels({ endpoint: e.id, transport: e.transport, name: e.name, mode: e.mode, address: e.address })} 1`);
  }
  for (const family of FAMILIES) {
    lines.push(`# HELP ${family.name} ${family.help}`);
    lines.push(`# TYPE ${family.name} ${family.kind}`);
    for (const e of endpoints) lines.push(`${family.name}${labels({ endpoint: e.id, transport: e.transport })} ${family.value(e)}`);
  }
  return `${lines.join('\n')}\n`;
}
