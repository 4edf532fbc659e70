'use strict';
// The most any Node-RED node can deliver: bench-source emits ready-made 64 B messages, 64 per
// event-loop turn, into the same bench-sink. Runs on stock Node-RED only (no network, no load).
module.exports = [
  {
    name: 'runtime-ceiling',
    note: 'bench-source -> bench-sink, 64 messages per turn, no network; the most a node can deliver per message',
    metrics: ['msgs/s'],
    servers: ['core'],
    flows: {
      core: () => [
        { id: 'src', type: 'bench-source', perTurn: 64, size: 64, wires: [['sink']] },
        { id: 'sink', type: 'bench-sink', wires: [] },
      ],
    },
    measure: ({ server }) => ({ 'msgs/s': server.msgs / (server.elapsedMs / 1000) }),
  },
];
