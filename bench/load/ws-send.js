'use strict';
// Load: `conns` WebSocket clients, each writing small text messages as fast as the server's TCP
// window takes them (pre-built masked frames in 256 KiB blocks; a write that returns false waits
// for 'drain'). Usage: node ws-send.js '{"port":1880,"path":"/bench","conns":1,"size":64}'
const ipc = require('../ipc');
const { wsConnect, clientTextFrame } = require('./ws-connect');

const { port, path, conns = 1, size = 64 } = JSON.parse(process.argv[2]);
const frame = clientTextFrame('a'.repeat(size));
const BLOCK = 256 * 1024;
const perBlock = Math.floor(BLOCK / frame.length);
const block = Buffer.concat(Array(perBlock).fill(frame));
let sentBlocks = 0;

function pump(socket) {
  for (;;) {
    sentBlocks += 1;
    if (!socket.write(block)) {
      socket.once('drain', () => pump(socket));
      return;
    }
  }
}

(async () => {
  const sockets = [];
  for (let i = 0; i < conns; i++) sockets.push((await wsConnect(port, path)).socket);
  for (const socket of sockets) {
    socket.on('error', () => {});
    socket.setNoDelay(true);
    socket.on('data', () => {}); // pings or a close frame: read and ignored
    socket.resume();
    pump(socket);
  }
  ipc.ready({ conns });
})().catch((err) => {
  console.error(`ws-send: ${err.message}`);
  process.exit(1);
});

ipc.serve({
  reset: () => {
    sentBlocks = 0;
  },
  stats: () => ({ sentFrames: sentBlocks * perBlock }),
});
