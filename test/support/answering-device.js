'use strict';
// A TCP device that answers requests: the test gives the rule (what to answer, when), the device
// records what it saw, how many requests it held unanswered at most, and its connections.
const net = require('net');
const { once, until } = require('./events');

/**
 * split(buffer) -> [frames, rest]; answer(frame, reply, state) calls reply(bytes) now or later.
 * Lines ("\n") by default.
 */
async function startAnsweringDevice({ answer, split = splitLines, port = 0, host = '127.0.0.1' } = {}) {
  const device = { connections: 0, open: 0, requests: [], outstanding: 0, maxOutstanding: 0, sockets: new Set() };
  const server = net.createServer((socket) => {
    device.connections += 1;
    device.open += 1;
    device.sockets.add(socket);
    let rest = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      const [frames, left] = split(Buffer.concat([rest, chunk]));
      rest = left;
      for (const frame of frames) {
        device.requests.push(frame);
        device.outstanding += 1;
        device.maxOutstanding = Math.max(device.maxOutstanding, device.outstanding);
        let replied = false;
        answer(frame, (bytes) => {
          if (replied) return;
          replied = true;
          device.outstanding -= 1;
          if (!socket.destroyed) socket.write(bytes);
        }, socket);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      device.open -= 1;
      device.sockets.delete(socket);
    });
  });
  server.listen(port, host);
  await once(server, 'listening');
  device.port = server.address().port;
  device.server = server;
  device.waitForOpen = (n, ms = 5000) => until(() => device.open === n, ms, `${n} open connection(s) at the device (has ${device.open})`);
  device.stop = () => new Promise((resolve) => {
    for (const socket of device.sockets) socket.destroy();
    server.close(() => resolve());
  });
  return device;
}

function splitLines(buffer) {
  const frames = [];
  let start = 0;
  for (let i = buffer.indexOf(10); i !== -1; i = buffer.indexOf(10, start)) {
    frames.push(buffer.subarray(start, i));
    start = i + 1;
  }
  return [frames, buffer.subarray(start)];
}

module.exports = { startAnsweringDevice, splitLines };
