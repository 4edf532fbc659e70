'use strict';
// WebSocket cases, served on Node-RED's own HTTP port (ours: endpoint listenOn 'nodered'; core:
// websocket-listener), path /bench. Raw: bench/servers/raw-ws.js (the ws library, no Node-RED).
// in: clients write 64 B text messages as fast as TCP takes them (bench/load/ws-send.js); each
//     message is one msg into bench-sink.
// out: bench-source emits 64 B strings (64 per turn) into a websocket out with no _session, so
//     every message is broadcast; clients (bench/load/ws-recv.js) count the frames they get.
const PATH = '/bench';
const SIZE = 64;

const { sinkOf, ceilingFlow } = require('./sinks');
const source = (to) => ({ id: 'src', type: 'bench-source', perTurn: 64, size: SIZE, wires: [[to]] });
const oursEndpoint = { id: 'ep', type: 'netcast-websocket-endpoint', mode: 'server', listenOn: 'nodered', path: PATH, maxConnections: 1000 };
const coreListener = { id: 'wsl', type: 'websocket-listener', path: PATH, wholemsg: 'false' };

function wsIn(conns, { sink = 'count', ceiling = conns === 1 } = {}) {
  const { entry, nodes } = sinkOf(sink);
  return {
    name: `ws-in-${conns}c${sink === 'work' ? '-work' : ''}`,
    note:
      conns === 1 && sink === 'count'
        ? `64 B text messages from ${conns} client(s), written as fast as TCP takes them; ours: endpoint on Node-RED's port (listenOn nodered), websocket in output auto; core: websocket-listener + websocket in`
        : sink === 'work'
          ? 'the same load into the working sink (change node, function node, bench-sink), as tcp-in-64B-1c-work'
          : undefined,
    metrics: ['msgs/s', 'MB/s', 'CPU µs per message'],
    lowerIsBetter: ['CPU µs per message'],
    port: 'nodered',
    // 16 clients drown core (no backpressure: GBs and multi-second stalls); a shorter window keeps that bounded
    window: conns > 1 ? 2 : undefined,
    flows: {
      ours: () => [oursEndpoint, { id: 'in', type: 'netcast-websocket-in', endpoint: 'ep', output: 'auto', wires: [[entry]] }, ...nodes],
      core: () => [coreListener, { id: 'in', type: 'websocket in', server: 'wsl', client: '', wires: [[entry]] }, ...nodes],
      ...(ceiling ? { ceiling: ceilingFlow(sink) } : {}),
    },
    raw: { script: 'servers/raw-ws.js', args: { mode: 'in', path: PATH } },
    load: (port) => ({ script: 'load/ws-send.js', args: { port, path: PATH, conns, size: SIZE } }),
    measure: ({ server }) => {
      const seconds = server.elapsedMs / 1000;
      return { 'msgs/s': server.msgs / seconds, 'MB/s': (server.msgs * SIZE) / seconds / 1e6 };
    },
  };
}

function wsOutBroadcast(clients) {
  return {
    name: `ws-out-bcast-${clients}`,
    note:
      clients === 10
        ? 'bench-source (64 B strings, 64 per turn) -> websocket out without _session: a broadcast to every client; msgs/s per client is the mean over the clients, slowest client the least; raw sends 64 messages per turn to every client, corked, waiting while a client has over 1 MiB unsent'
        : undefined,
    metrics: ['msgs/s per client', 'slowest client msgs/s'],
    port: 'nodered',
    window: 3,
    flows: {
      ours: () => [oursEndpoint, source('out'), { id: 'out', type: 'netcast-websocket-out', endpoint: 'ep', wires: [] }],
      core: () => [coreListener, source('out'), { id: 'out', type: 'websocket out', server: 'wsl', client: '', wires: [] }],
    },
    raw: { script: 'servers/raw-ws.js', args: { mode: 'bcast', path: PATH, perTurn: 64, size: SIZE } },
    load: (port) => ({ script: 'load/ws-recv.js', args: { port, path: PATH, clients } }),
    measure: ({ load }) => {
      const seconds = load.elapsedMs / 1000;
      const total = load.perClient.reduce((a, b) => a + b, 0);
      return { 'msgs/s per client': total / load.perClient.length / seconds, 'slowest client msgs/s': Math.min(...load.perClient) / seconds };
    },
  };
}

module.exports = [wsIn(1), wsIn(1, { sink: 'work' }), wsIn(16), wsOutBroadcast(10), wsOutBroadcast(100)];
