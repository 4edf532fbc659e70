'use strict';
// Load: `conns` device connections to 127.0.0.1:port, each sending one `size`-byte line (\n
// included) every `intervalMs`, spread evenly over the interval (a slice of the connections every
// 20 ms). Connections open on the `connect` command (bench/connections.js times how long the
// server takes to accept them all), from several source addresses (load/sources.js).
// Commands: connect -> {opened, failed, ms}; send (start the lines); stop -> {sent} (no more lines);
// stats -> {sent, open, closed}. Usage: node tcp-devices.js '{"port":1234,"conns":10000}'
const net = require('net');
const ipc = require('../ipc');
const { sourceAddress, openMany } = require('./sources');

const { port, conns = 10000, size = 64, intervalMs = 1000, inFlight = 256 } = JSON.parse(process.argv[2]);
const TICK_MS = 20;
const SLICES = Math.max(1, Math.round(intervalMs / TICK_MS));
const line = Buffer.alloc(size, 'd');
line[size - 1] = 10;

let sockets = [];
let sent = 0;
let closed = 0;
let timer;

function open(i) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: sourceAddress(i) }, () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      socket.once('close', () => (closed += 1));
      socket.setNoDelay(true);
      // whatever the server writes (nothing, here) is read and forgotten
      socket.resume();
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function sendSlice(slice) {
  for (let i = slice; i < sockets.length; i += SLICES) {
    const socket = sockets[i];
    if (socket.destroyed) continue;
    socket.write(line);
    sent += 1;
  }
}

ipc.serve({
  async connect() {
    const result = await openMany(conns, inFlight, open);
    sockets = result.opened;
    return { opened: sockets.length, failed: result.failed, lastError: result.lastError, ms: result.ms };
  },
  send() {
    let tick = 0;
    timer = setInterval(() => sendSlice(tick++ % SLICES), TICK_MS);
  },
  stop() {
    clearInterval(timer);
    return { sent };
  },
  stats: () => ({ sent, open: sockets.length - closed, closed }),
});
ipc.ready({});
