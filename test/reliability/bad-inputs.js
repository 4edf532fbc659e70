'use strict';
// The bad input table: one row per wrong value, deployed through a real Node-RED by
// bad-inputs-runner.js. Add a row to extend it.
//   kind 'config': `node` is a config node type; `field` of an otherwise valid config gets `value`.
//   kind 'msg':    `node` is an out node type; `build` is the body of a function node that sets up
//                  `msg` (JavaScript source), sent to an out node on a working endpoint.
//   expect: a regex the error must match; null: no error (a hostile but valid value is just data).
//   known: a defect reported but not fixed yet (outside the suite's files): the row is shown as
//          KNOWN while it fails that way, and the run says so loudly once it passes.
// Multicast rows are only ones rejected while the config is read: no socket is ever opened.
const TEN_MB = 'x'.repeat(10 * 1024 * 1024);

const config = (node, field, value, expect, shown, extra, known) => ({ kind: 'config', node, field, value, expect, shown, extra, known });
const msg = (node, field, build, expect, extra = {}) => ({ kind: 'msg', node, field, build, expect, ...extra });

module.exports = [
  config('netcast-tcp-endpoint', 'port', 70000, 'Port must be a whole number from 0 to 65535'),
  config('netcast-tcp-endpoint', 'port', -1, 'Port must be a whole number'),
  config('netcast-tcp-endpoint', 'port', 'eighty', 'Port must be a whole number'),
  config('netcast-tcp-endpoint', 'port', '', 'Port is empty'),
  config('netcast-tcp-endpoint', 'port', { __proto__: null, valueOf: 1 }, 'Port must be a whole number', '{valueOf:1}'),
  config('netcast-tcp-endpoint', 'mode', 'sideways', 'Mode must be one of server, client'),
  config('netcast-tcp-endpoint', 'maxConnections', 0, 'Max connections must be a whole number from 1'),
  config('netcast-tcp-endpoint', 'queueSize', -5, 'Queue size must be a whole number from 0'),
  config('netcast-tcp-endpoint', 'queuePolicy', 'random', 'When the queue is full must be one of drop-oldest, drop-newest'),
  config('netcast-tcp-endpoint', 'framing', 'zigzag', 'Framing must be one of raw, delimiter'),
  config('netcast-tcp-endpoint', 'maxFrame', 0, 'Max frame size must be a whole number from 1'),
  config('netcast-tcp-endpoint', 'maxFrame', 1e12, 'Max frame size must be a whole number from 1 to 268435456'),
  config('netcast-tcp-endpoint', 'delimiter', '', 'Delimiter is empty'),
  config('netcast-tcp-endpoint', 'lengthSize', 3, 'Length field size must be 1, 2, 4 or 8', undefined, { framing: 'length' }),
  config('netcast-tcp-endpoint', 'lengthOffset', 1e9, 'Length field offset', undefined, { framing: 'length' }),
  config('netcast-tcp-endpoint', 'fixedLength', '', 'Fixed length is empty', undefined, { framing: 'fixed' }),
  config('netcast-tcp-endpoint', 'startMarker', 'zz', 'Start marker', undefined, { framing: 'markers', markerFormat: 'hex' }),
  config('netcast-tcp-endpoint', 'idleTimeout', 'soon', 'Idle timeout must be a number'),
  config('netcast-tcp-endpoint', 'allowlist', '../../etc/passwd', '"../../etc/passwd" in the allowed clients list is not an IP address'),
  config('netcast-tcp-endpoint', 'allowlist', '10.0.0.0/99', 'invalid prefix length'),
  config('netcast-tcp-endpoint', 'allowlist', '\u0000', 'not an IP address', '"\\u0000"'),
  config('netcast-tcp-endpoint', 'allowlist', TEN_MB, 'in the allowed clients list is not an IP address', '10 MB string'),
  config('netcast-tcp-endpoint', 'port', TEN_MB, 'Port must be a whole number', '10 MB string'),
  config('netcast-tcp-endpoint', 'framing', TEN_MB, 'Framing must be one of', '10 MB string'),
  config('netcast-tcp-endpoint', 'useTls', true, 'TLS is on but no TLS configuration is selected'),
  config('netcast-tcp-endpoint', 'reconnectInitial', 0, 'First reconnect delay must be a number from 0.01', undefined),
  config('netcast-tcp-endpoint', 'reconnectMax', 0.05, 'Longest reconnect delay \\(0.05 s\\) is shorter than the first'),
  config('netcast-tcp-endpoint', 'host', '', 'Host is empty'),
  config('netcast-tcp-endpoint', 'connectTimeout', { polluted: true }, 'Connect timeout must be a number', '{polluted:true}'),

  config('netcast-udp-endpoint', 'port', 65536, 'Local port must be a whole number from 0 to 65535'),
  config('netcast-udp-endpoint', 'family', 'ipx', 'IP version must be one of ipv4, ipv6'),
  config('netcast-udp-endpoint', 'localAddress', '::1', 'Local address ::1 is an IPv6 address'),
  config('netcast-udp-endpoint', 'remotePort', '', 'Remote port is empty', undefined),
  config('netcast-udp-endpoint', 'receiveBufferSize', -1, 'Receive buffer must be a whole number'),
  config('netcast-udp-endpoint', 'framing', 'idle', 'Framing "idle gap" does not apply to UDP'),
  config('netcast-udp-endpoint', 'localAddress', '../../etc/passwd', 'bind|address|not', undefined),

  config('netcast-websocket-endpoint', 'path', 'noslash', 'Path "noslash" must start with /'),
  config('netcast-websocket-endpoint', 'path', TEN_MB, 'must start with /', '10 MB string'),
  config('netcast-websocket-endpoint', 'listenOn', 'moon', 'Listen on must be one of nodered, port'),
  config('netcast-websocket-endpoint', 'maxPayload', 0, 'Max message size must be a whole number from 1'),
  config('netcast-websocket-endpoint', 'heartbeat', -1, 'Heartbeat must be a number from 0'),
  config('netcast-websocket-endpoint', 'auth', 'bearer', 'the token is empty'),
  config('netcast-websocket-endpoint', 'maxConnections', 1e9, 'Max connections must be a whole number from 1 to 100000'),
  config('netcast-websocket-endpoint', 'url', 'http://example.invalid/', 'must start with ws:// or wss://'),
  config('netcast-websocket-endpoint', 'url', '', 'URL is empty'),
  config('netcast-websocket-endpoint', 'url', 'ws://', 'is not a valid address'),
  config('netcast-websocket-endpoint', 'headers', [{ name: 'bad name', value: 'x' }], 'Header name "bad name" is not valid'),

  config('netcast-multicast-group', 'groups', '', 'no multicast group is set'),
  config('netcast-multicast-group', 'groups', '10.0.0.1', 'not a multicast|multicast'),
  config('netcast-multicast-group', 'groups', '232.1.1.1@not-an-ip', 'source|not'),
  config('netcast-multicast-group', 'groups', '../../etc/passwd', 'multicast|not'),
  config('netcast-multicast-group', 'groups', TEN_MB, 'multicast|not', '10 MB string'),
  config('netcast-multicast-group', 'port', 0, 'Port must be a whole number from 1 to 65535'),
  config('netcast-multicast-group', 'ttl', 256, 'TTL must be a whole number from 0 to 255'),
  config('netcast-multicast-group', 'renewInterval', 'often', 'Renew memberships every must be a number'),

  msg('netcast-tcp-out', 'msg.payload', 'delete msg.payload;', 'msg.payload is missing'),
  msg('netcast-tcp-out', 'msg.payload', 'msg.payload = function () {};', 'msg.payload is a function'),
  msg('netcast-tcp-out', 'msg.payload', 'msg.payload = Symbol("s");', 'msg.payload is a symbol'),
  msg('netcast-tcp-out', 'msg.payload', 'const a = {}; a.self = a; msg.payload = a;', 'circular reference'),
  msg('netcast-tcp-out', 'msg.payload', 'msg.payload = "zz";', 'msg.payload is not valid hex', { encoding: 'hex', shown: '"zz" (hex)' }),
  msg('netcast-tcp-out', 'msg.payload', 'msg.payload = "../../etc/passwd";', null),
  msg('netcast-tcp-out', 'msg.payload', 'msg.payload = "\\u0000";', null, { shown: '"\\u0000"' }),
  msg('netcast-tcp-out', 'msg.payload', 'msg.payload = "x".repeat(10 * 1024 * 1024);', null, { shown: '10 MB string' }),
  msg('netcast-tcp-out', 'msg.payload', 'msg.payload = JSON.parse(\'{"__proto__": {"polluted": true}}\'); if (({}).polluted) node.error("prototype polluted", msg);', null, { shown: '{"__proto__":{"polluted":true}}' }),
  msg('netcast-tcp-out', 'msg._session', 'msg.payload = "x"; msg._session = { type: "tcp", id: "gone" };', 'connection gone has closed'),
  msg('netcast-tcp-out', 'msg._session', 'msg.payload = "x"; msg._session = "../../etc/passwd";', null),
  msg('netcast-tcp-out', 'msg._session', 'msg.payload = "x"; msg._session = { type: "tcp", id: { __proto__: { id: 1 } } };', null, { shown: '{id: object}' }),

  msg('netcast-udp-out', 'msg.port', 'msg.payload = "x"; msg.ip = "127.0.0.1"; msg.port = 70000;', 'msg.port must be a port number from 1 to 65535'),
  msg('netcast-udp-out', 'msg.port', 'msg.payload = "x"; msg.ip = "127.0.0.1"; msg.port = "../../etc/passwd";', 'msg.port must be a port number'),
  msg('netcast-udp-out', 'msg.ip', 'msg.payload = "x"; msg.ip = 123; msg.port = 9;', 'msg.ip must be a host name or an IP address as text'),
  msg('netcast-udp-out', 'msg.ip', 'msg.payload = "x"; msg.port = 9;', 'no destination for this message'),
  msg('netcast-udp-out', 'msg.ip', 'msg.payload = "x"; msg.ip = "no-such-host.invalid"; msg.port = 9;', 'cannot resolve host "no-such-host.invalid"'),
  msg('netcast-udp-out', 'msg.ip', 'msg.payload = "x"; msg.ip = "\\u0000"; msg.port = 9;', '.', { shown: '"\\u0000"' }),
  msg('netcast-udp-out', 'msg.payload', 'msg.payload = Buffer.alloc(70000); msg.ip = "127.0.0.1"; msg.port = 9;', 'carries at most 65507 bytes'),
  msg('netcast-udp-out', 'msg.payload', 'msg.payload = "x".repeat(10 * 1024 * 1024); msg.ip = "127.0.0.1"; msg.port = 9;', 'carries at most 65507 bytes', { shown: '10 MB string' }),

  msg('netcast-websocket-out', 'msg.code', 'msg.close = true; msg.code = 1005;', 'msg.code 1005 cannot close a WebSocket'),
  msg('netcast-websocket-out', 'msg.code', 'msg.close = true; msg.code = "../../etc/passwd";', 'cannot close a WebSocket'),
  msg('netcast-websocket-out', 'msg._session', 'msg.payload = "x"; msg._session = { type: "websocket", id: "gone" };', 'WebSocket client gone has disconnected'),
  msg('netcast-websocket-out', 'msg.reason', 'msg.close = true; msg.reason = "\\u0000".repeat(1000);', null, { shown: '1000 × "\\u0000"' }),
  msg('netcast-websocket-out', 'msg.payload', 'msg.payload = undefined;', 'msg.payload is missing'),
];
