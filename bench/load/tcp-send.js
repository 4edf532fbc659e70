'use strict';
// Load: `conns` connections to 127.0.0.1:port, each writing frames as fast as TCP takes them.
// frame: 'line' (size bytes including the \n) or 'lenprefix' (2-byte big-endian length + payload,
// size bytes in all). Usage: node tcp-send.js '{"port":1234,"conns":1,"frame":"line","size":64}'
const ipc = require('../ipc');
const { connect } = require('./connect');

const { port, conns = 1, frame = 'line', size = 64 } = JSON.parse(process.argv[2]);
const BLOCK = 256 * 1024;

function oneFrame() {
  if (frame === 'lenprefix') {
    const bytes = Buffer.alloc(size, 0x5a);
    bytes.writeUInt16BE(size - 2, 0);
    return bytes;
  }
  const bytes = Buffer.alloc(size, 'a');
  bytes[size - 1] = 10;
  return bytes;
}

const one = oneFrame();
const block = size >= BLOCK ? one : Buffer.concat(Array(Math.floor(BLOCK / size)).fill(one));
let sentBytes = 0;
let stopped = false;

function pump(socket) {
  while (!stopped) {
    sentBytes += block.length;
    if (!socket.write(block)) {
      socket.once('drain', () => pump(socket));
      return;
    }
  }
}

(async () => {
  const sockets = [];
  for (let i = 0; i < conns; i++) sockets.push(await connect(port));
  for (const socket of sockets) {
    socket.on('error', () => {});
    socket.setNoDelay(true);
    pump(socket);
  }
  ipc.ready({ conns });
})().catch((err) => {
  console.error(`tcp-send: ${err.message}`);
  process.exit(1);
});

ipc.serve({
  reset: () => {
    sentBytes = 0;
  },
  stats: () => ({ sentFrames: sentBytes / size }),
});
