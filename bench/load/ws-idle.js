'use strict';
// Load: `conns` idle WebSocket clients (the ws library, which answers pings with pongs) on
// ws://127.0.0.1:port<path>, opened on the `connect` command from several source addresses
// (load/sources.js). They send nothing; they count the pings the server sends them.
// Commands: connect -> {opened, failed, ms}; stats -> {open, closed, pings}.
// Usage: node ws-idle.js '{"port":1880,"path":"/bench","conns":10000}'
const { WebSocket } = require('ws');
const ipc = require('../ipc');
const { sourceAddress, openMany } = require('./sources');

const { port, path = '/bench', conns = 10000, inFlight = 256 } = JSON.parse(process.argv[2]);
let clients = [];
let closed = 0;
let pings = 0;

function open(i) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { localAddress: sourceAddress(i), perMessageDeflate: false, headers: { Origin: `http://127.0.0.1:${port}` } });
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => {});
      ws.once('close', () => (closed += 1));
      ws.on('ping', () => (pings += 1));
      resolve(ws);
    });
    ws.once('error', reject);
  });
}

ipc.serve({
  async connect() {
    const result = await openMany(conns, inFlight, open);
    clients = result.opened;
    return { opened: clients.length, failed: result.failed, lastError: result.lastError, ms: result.ms };
  },
  stats: () => ({ open: clients.length - closed, closed, pings }),
});
ipc.ready({});
