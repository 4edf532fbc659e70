'use strict';
// Load: `clients` WebSocket clients that only read, each counting the data frames it receives.
// Usage: node ws-recv.js '{"port":1880,"path":"/bench","clients":10}'
const ipc = require('../ipc');
const { wsConnect, frameCounter } = require('./ws-connect');

const { port, path, clients = 10 } = JSON.parse(process.argv[2]);
const counts = new Array(clients).fill(0);

(async () => {
  const connections = [];
  for (let i = 0; i < clients; i++) connections.push(await wsConnect(port, path));
  connections.forEach(({ socket, rest }, i) => {
    const count = frameCounter((frames) => (counts[i] += frames));
    socket.on('error', () => {});
    if (rest.length) count(rest);
    socket.on('data', count);
    socket.resume();
  });
  ipc.ready({ clients });
})().catch((err) => {
  console.error(`ws-recv: ${err.message}`);
  process.exit(1);
});

ipc.serve({
  reset: () => counts.fill(0),
  stats: () => ({ perClient: [...counts] }),
});
