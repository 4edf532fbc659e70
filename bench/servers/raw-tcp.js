'use strict';
// The ceiling: a plain-Node TCP server doing the same work as the Node-RED flows, without the
// runtime. Modes: lines (split on \n, each line decoded to a string, counted), lenprefix (2-byte
// big-endian length, each payload sliced out and counted), echo (split lines, write them back,
// one write per chunk read). Usage: node raw-tcp.js '{"mode":"lines"}'
const net = require('net');
const ipc = require('../ipc');

const { mode } = JSON.parse(process.argv[2] || '{}');
let frames = 0;

/**
 * Calls onLine(buffer, start, end) for each \n-terminated line (end excludes the \n); keeps the
 * partial tail, joined once when its line ends. Returns the offset after the chunk's last \n.
 */
function lineSplitter(onLine) {
  let pending = [];
  return (chunk) => {
    let from = 0;
    let at = chunk.indexOf(10);
    if (at !== -1 && pending.length > 0) {
      pending.push(chunk.subarray(0, at));
      const line = Buffer.concat(pending);
      onLine(line, 0, line.length);
      pending = [];
      from = at + 1;
      at = chunk.indexOf(10, from);
    }
    for (; at !== -1; at = chunk.indexOf(10, from)) {
      onLine(chunk, from, at);
      from = at + 1;
    }
    if (from < chunk.length) pending.push(chunk.subarray(from));
    return from;
  };
}

function lengthPrefixSplitter(onFrame) {
  let rest = null;
  return (chunk) => {
    const data = rest ? Buffer.concat([rest, chunk]) : chunk;
    let at = 0;
    while (data.length - at >= 2) {
      const end = at + 2 + data.readUInt16BE(at);
      if (end > data.length) break;
      onFrame(data.subarray(at + 2, end));
      at = end;
    }
    rest = at < data.length ? data.subarray(at) : null;
  };
}

const handlers = {
  lines: (socket) => {
    const split = lineSplitter((buffer, start, end) => {
      buffer.toString('utf8', start, end);
      frames += 1;
    });
    socket.on('data', split);
  },
  lenprefix: (socket) => {
    socket.on('data', lengthPrefixSplitter(() => (frames += 1)));
  },
  echo: (socket) => {
    socket.setNoDelay(true);
    let carried = null;
    const split = lineSplitter(() => (frames += 1));
    socket.on('data', (chunk) => {
      const end = split(chunk);
      // Every complete line read goes back in one write (a partial line waits for its end).
      if (end === 0) {
        carried = carried ? Buffer.concat([carried, chunk]) : chunk;
        return;
      }
      const whole = chunk.subarray(0, end);
      socket.write(carried ? Buffer.concat([carried, whole]) : whole);
      carried = end < chunk.length ? chunk.subarray(end) : null;
    });
  },
};

const server = net.createServer((socket) => {
  socket.on('error', () => {});
  handlers[mode](socket);
});
server.listen(0, '127.0.0.1', () => ipc.ready({ port: server.address().port }));
ipc.serve({
  reset: () => {
    frames = 0;
  },
  stats: () => ({ msgs: frames, frames }),
});
