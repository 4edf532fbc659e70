'use strict';
// Many devices on one Node-RED (issue 15), measured by bench/connections.js: 10,000 connections
// (500 under --smoke, so the CI smoke run stays short; BENCH_CONNS=n for another count).
// tcp-10k-devices: each connection sends a 64 B line once a second (10,000 messages/s in all),
//   into one server endpoint (ours: netcast-tcp-endpoint, delimiter \n, + tcp in utf8; core: tcp in
//   stream/utf8/\n; raw: bench/servers/raw-tcp.js) and bench-sink.
// ws-10k-idle: idle clients on Node-RED's own HTTP port, path /bench (ours: netcast-websocket-endpoint
//   with its default 30 s heartbeat (a slice of the clients pinged every 3 s); core:
//   websocket-listener, which has no server heartbeat; raw: the ws library, no heartbeat).
const sink = { id: 'sink', type: 'bench-sink', wires: [] };
const CONNECTIONS = { full: 10000, smoke: 500 };
const MAX = 100000;

const tcpDevices = {
  name: 'tcp-10k-devices',
  note: '10,000 connections (smoke: 500) opened 256 at a time from 8 source addresses, each sending a 64 B line once a second; accept s: until the server holds them all; RSS/heap per connection: after a full GC, all connected, minus before any; CPU µs per message: server CPU in the window / messages counted; delivered %: lines counted by the sink / lines the load wrote, after it stops',
  metrics: ['connections held', 'accept s', 'msgs/s', 'delivered %', 'RSS KB per connection', 'heap KB per connection', 'CPU µs per message', 'accept loop delay ms'],
  lowerIsBetter: ['accept s', 'RSS KB per connection', 'heap KB per connection', 'CPU µs per message', 'accept loop delay ms'],
  connections: CONNECTIONS,
  sends: true,
  window: 10,
  portKind: 'tcp',
  flows: {
    ours: (port) => [
      { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port, framing: 'delimiter', delimiter: '\\n', maxConnections: MAX },
      { id: 'in', type: 'netcast-tcp-in', endpoint: 'ep', output: 'utf8', wires: [['sink']] },
      sink,
    ],
    core: (port) => [
      { id: 'in', type: 'tcp in', server: 'server', host: '', port, datamode: 'stream', datatype: 'utf8', newline: '\\n', topic: '', trim: false, base64: false, tls: '', wires: [['sink']] },
      sink,
    ],
  },
  raw: { script: 'servers/raw-tcp.js', args: { mode: 'lines' } },
  load: (port, { conns }) => ({ script: 'load/tcp-devices.js', args: { port, conns, size: 64, intervalMs: 1000 } }),
  // every value is computed by bench/connections.js
  measure: () => ({}),
};

const PATH = '/bench';
const wsIdle = {
  name: 'ws-10k-idle',
  note: '10,000 idle WebSocket clients (smoke: 500), the ws library, opened 256 at a time from 8 source addresses; ours has its default 30 s heartbeat (pinged in 10 slices, one every 3 s), core and raw have no server heartbeat',
  metrics: ['connections held', 'accept s', 'RSS KB per connection', 'heap KB per connection', 'pings per client', 'accept loop delay ms'],
  lowerIsBetter: ['accept s', 'RSS KB per connection', 'heap KB per connection', 'accept loop delay ms'],
  connections: CONNECTIONS,
  sends: false,
  window: 10,
  port: 'nodered',
  flows: {
    ours: () => [
      { id: 'ep', type: 'netcast-websocket-endpoint', mode: 'server', listenOn: 'nodered', path: PATH, maxConnections: MAX },
      { id: 'in', type: 'netcast-websocket-in', endpoint: 'ep', output: 'auto', wires: [['sink']] },
      sink,
    ],
    core: () => [
      { id: 'wsl', type: 'websocket-listener', path: PATH, wholemsg: 'false' },
      { id: 'in', type: 'websocket in', server: 'wsl', client: '', wires: [['sink']] },
      sink,
    ],
  },
  raw: { script: 'servers/raw-ws.js', args: { mode: 'in', path: PATH } },
  load: (port, { conns }) => ({ script: 'load/ws-idle.js', args: { port, path: PATH, conns } }),
  measure: () => ({}),
};

module.exports = [tcpDevices, wsIdle];
