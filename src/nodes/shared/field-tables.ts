// The config fields of every netcast node type, each written once (see fields.ts for what a row
// holds and what is derived from it). Property names are public API: users' flows store them.
// Labels are the names the runtime's error sentences use; the dialog's labels are in the catalogs.
import { DEFAULT_MAX_FRAME, FRAMING_MODES, MAX_FRAME_LIMIT } from '../../framing';
import type { OverflowPolicy } from '../../transport/bounded-queue';
import { MAX_BUFFER } from './config-values';
import { bool, choice, defineFields, type Field, integer, list, number, text } from './fields';
import { PAYLOAD_FORMATS, STRING_ENCODINGS } from './payload';
import { MATCH_KINDS, MAX_TIMEOUT_MS } from './request-config';

const QUEUE_POLICIES: readonly OverflowPolicy[] = ['drop-oldest', 'drop-newest'];
const MODES = ['server', 'client'] as const;

const NAME = { name: text() };
const ATTACHED = { ...NAME, endpoint: text() };

/** The framing fields of TCP and UDP endpoints (src/framing/config.ts reads them). */
const FRAMING = {
  framing: choice('Framing', FRAMING_MODES, 'raw'),
  delimiter: text('Delimiter', '\\n'),
  delimiterFormat: choice('Delimiter format', ['text', 'hex'], 'text'),
  keepDelimiter: bool('Keep delimiter', false),
  fixedLength: integer('Fixed length', { min: 1, max: MAX_FRAME_LIMIT }),
  lengthOffset: integer('Length field offset', { min: 0, max: MAX_FRAME_LIMIT }, 0),
  lengthSize: integer('Length field size', { min: 1, max: 8 }, 2),
  lengthEndian: choice('Length field byte order', ['be', 'le'], 'be'),
  lengthAdjust: integer('Length adjustment', { min: -MAX_FRAME_LIMIT, max: MAX_FRAME_LIMIT }, 0),
  lengthStrip: integer('Bytes to strip', { min: 0, max: MAX_FRAME_LIMIT }, 0),
  startMarker: text('Start marker', '02'),
  endMarker: text('End marker', '03'),
  markerFormat: choice('Marker format', ['text', 'hex'], 'hex'),
  keepMarkers: bool('Keep markers', false),
  idleGap: integer('Idle gap', { min: 1, max: 2_147_483_647 }, 20),
  maxFrame: integer('Max frame size', { min: 1, max: MAX_FRAME_LIMIT, site: 'MaxFrame' }, DEFAULT_MAX_FRAME),
};

const QUEUE = {
  queueSize: integer('Queue size', { min: 0, max: 1_000_000, site: 'QueueSize' }, 1000),
  queuePolicy: choice('When the queue is full', QUEUE_POLICIES, 'drop-oldest'),
};

const CLIENT = {
  connectTimeout: number('Connect timeout', { min: 0.1, max: 600 }, 10),
  reconnectInitial: number('First reconnect delay', { min: 0.01, max: 3600, site: 'ReconnectInitial' }, 0.5),
  reconnectMax: number('Longest reconnect delay', { min: 0.01, max: 86400, site: 'ReconnectMax' }, 30),
  reconnectFactor: number('Reconnect growth factor', { min: 1, max: 10 }, 2),
};

/** The queue and reconnect fields on their own, for the readers both TCP and WebSocket share (common-readers.ts). */
export const QUEUE_FIELDS = defineFields(QUEUE);
export const CLIENT_FIELDS = defineFields(CLIENT);

const TLS = { useTls: bool('Use TLS', false), tls: text() };
const MAX_CONNECTIONS = integer('Max connections', { min: 1, max: 100_000, site: 'MaxConnections' }, 100);
const BUFFERS = {
  receiveBufferSize: integer('Receive buffer', { min: 0, max: MAX_BUFFER }, 0),
  sendBufferSize: integer('Send buffer', { min: 0, max: MAX_BUFFER }, 0),
};
export const BUFFER_FIELDS = defineFields(BUFFERS);
const OUTPUT_EVENTS = { events: bool('Connection events', false), outputs: integer('Outputs', { min: 1, max: 2 }) };

export const TCP_ENDPOINT = defineFields({
  ...NAME,
  mode: choice('Mode', MODES, 'server'),
  host: text('Host'),
  port: integer('Port', { min: 0, max: 65535 }),
  ...TLS,
  requireClientCert: bool('Require client certificate', false),
  maxConnections: MAX_CONNECTIONS,
  allowlist: text('Allowed clients'),
  reusePort: bool('Share port', false),
  // the core tcp nodes' settings.js values count too: socketTimeout, socketReconnectTime, tcpMsgQueueSize (ms -> s)
  idleTimeout: number('Idle timeout', { min: 0, max: 86400, site: 'IdleTimeout', core: { name: 'socketTimeout', perField: 1000 } }, 0),
  ...CLIENT,
  reconnectInitial: { ...CLIENT.reconnectInitial, core: { name: 'socketReconnectTime', perField: 1000 } },
  keepAlive: bool('Keepalive', true),
  keepAliveDelay: number('Keepalive delay', { min: 1, max: 7200 }, 30),
  noDelay: bool('No delay', true),
  ...QUEUE,
  queueSize: { ...QUEUE.queueSize, core: { name: 'tcpMsgQueueSize', perField: 1 } },
  poolSize: integer('Max pooled connections', { min: 1, max: 100_000 }, 100),
  poolIdleTimeout: number('Close pooled connections idle for', { min: 0.01, max: 86400 }, 60),
  ...FRAMING,
});

export const UDP_ENDPOINT = defineFields({
  ...NAME,
  family: choice('IP version', ['ipv4', 'ipv6'] as const, 'ipv4'),
  localAddress: text('Local address'),
  port: integer('Local port', { min: 0, max: 65535, blankStays: true }, 0),
  ipv6Only: bool('IPv6 only', false),
  reuseAddr: bool('Share the port', false),
  reusePort: bool('Share port', false),
  broadcast: bool('Broadcast', false),
  remoteHost: text('Remote host'),
  remotePort: integer('Remote port', { min: 0, max: 65535, blankStays: true }, 0),
  ...BUFFERS,
  ...FRAMING,
});

export const MULTICAST_GROUP = defineFields({
  ...NAME,
  groups: list('Groups'),
  port: integer('Port', { min: 1, max: 65535 }),
  iface: text('Interface'),
  ttl: integer('TTL', { min: 0, max: 255, site: 'Ttl' }, 1),
  loopback: bool('Loopback', true),
  reuseAddr: bool('Share the port', true),
  renewInterval: number('Renew memberships every', { min: 0, max: 86400, site: 'RenewInterval' }, 120),
  ...BUFFERS,
});

export const WEBSOCKET_ENDPOINT = defineFields({
  ...NAME,
  mode: choice('Mode', MODES, 'server'),
  listenOn: choice('Listen on', ['nodered', 'port'] as const, 'nodered'),
  path: text('Path', '/ws', true),
  host: text('Host'),
  port: integer('Port', { min: 0, max: 65535 }),
  reusePort: bool('Share port', false),
  url: text('URL'),
  ...TLS,
  requireClientCert: bool('Require client certificate', false),
  allowlist: text('Allowed clients'),
  subprotocols: text('Subprotocols'),
  headers: list('Headers'),
  auth: choice('Authentication', ['none', 'bearer', 'basic'] as const, 'none'),
  origins: text('Allowed origins'),
  maxConnections: MAX_CONNECTIONS,
  heartbeat: number('Heartbeat', { min: 0, max: 3600, site: 'Heartbeat' }, 30),
  ...CLIENT,
  maxPayload: integer('Max message size', { min: 1, max: 512 * 1024 * 1024, site: 'MaxPayload' }, 1024 * 1024),
  perMessageDeflate: bool('Compression', false),
  ...QUEUE,
});

const output = <T extends string>(formats: readonly T[], value: T) => choice('Output', formats, value);
const ENCODING = { encoding: choice('String encoding', STRING_ENCODINGS, 'utf8') };

export const TCP_REQUEST = defineFields({
  ...ATTACHED,
  match: choice('Answer', MATCH_KINDS, 'next'),
  idOffset: integer('Id offset', { min: 0, max: 65535 }, 0),
  idLength: integer('Id length', { min: 1, max: 64 }, 2),
  maxInFlight: integer('Requests in flight', { min: 1, max: 65535 }, 8),
  window: integer('Answer window', { min: 1, max: MAX_TIMEOUT_MS }, 500),
  timeout: integer('Timeout (ms)', { min: 1, max: MAX_TIMEOUT_MS }, 1000),
  retries: integer('Retries', { min: 0, max: 100 }, 0),
  ...ENCODING,
  output: output(PAYLOAD_FORMATS, 'buffer'),
  topic: text(),
  allowMsgDestination: bool('Destination from msg', false),
  errorOutput: bool('Error output', false),
  unmatchedOutput: bool('Unmatched output', false),
  outputs: integer('Outputs', { min: 1, max: 3 }, 1),
});

export const UDP_REQUEST = defineFields({
  ...ATTACHED,
  mode: choice('Mode', ['answer', 'discover'] as const, 'answer'),
  timeout: TCP_REQUEST.timeout,
  retries: TCP_REQUEST.retries,
  window: integer('Collect answers for (ms)', { min: 1, max: MAX_TIMEOUT_MS }, 2000),
  discoverOutput: choice('Answers', ['list', 'each'] as const, 'list'),
  iface: text('Interface'),
  ttl: integer('TTL', { min: 1, max: 255 }, 1),
  ...ENCODING,
  output: output(PAYLOAD_FORMATS, 'buffer'),
  allowMsgDestination: bool('Destination from msg', true),
  errorOutput: bool('Error output', false),
  outputs: integer('Outputs', { min: 1, max: 2 }, 1),
});

/** Every type's table, by node type. */
export const FIELD_TABLES: Readonly<Record<string, Readonly<Record<string, Field>>>> = {
  'netcast-tcp-endpoint': TCP_ENDPOINT,
  'netcast-tcp-in': defineFields({ ...ATTACHED, output: output(PAYLOAD_FORMATS, 'utf8'), topic: text(), ...OUTPUT_EVENTS, batch: bool('Batch', false) }),
  'netcast-tcp-out': defineFields({ ...ATTACHED, ...ENCODING, allowMsgDestination: bool('Destination from msg', false) }),
  'netcast-tcp-request': TCP_REQUEST,
  'netcast-udp-endpoint': UDP_ENDPOINT,
  'netcast-udp-in': defineFields({ ...ATTACHED, output: output(PAYLOAD_FORMATS, 'buffer'), topic: text() }),
  'netcast-udp-request': UDP_REQUEST,
  'netcast-udp-out': defineFields({ ...ATTACHED, ...ENCODING, allowMsgDestination: bool('Destination from msg', true) }),
  'netcast-multicast-group': MULTICAST_GROUP,
  'netcast-multicast-in': defineFields({ ...ATTACHED, output: output(PAYLOAD_FORMATS, 'buffer'), topic: text() }),
  'netcast-multicast-out': defineFields({ ...ATTACHED, ...ENCODING }),
  'netcast-websocket-endpoint': WEBSOCKET_ENDPOINT,
  'netcast-websocket-in': defineFields({ ...ATTACHED, output: output(['auto', ...PAYLOAD_FORMATS] as const, 'auto'), topic: text(), ...OUTPUT_EVENTS, headers: bool('Upgrade headers', false) }),
  'netcast-websocket-out': defineFields({ ...ATTACHED, ...ENCODING }),
  'netcast-control': defineFields({ ...ATTACHED }),
};
