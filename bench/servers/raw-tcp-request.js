'use strict';
// The ceiling of the request cases: a plain-Node client polling the devices (no Node-RED), the
// same closed loop as bench-requester: `window` requests outstanding per device, each answer
// ("<id>:ok\n") releases the next request to the same device. Stats: answers and round trips.
// Usage: node raw-tcp-request.js '{"ports":[1234],"window":1}'
const net = require('net');
const { createHistogram, performance } = require('perf_hooks');
const ipc = require('../ipc');
const { connect } = require('../load/connect');

const { ports, window = 1 } = JSON.parse(process.argv[2]);
let latency = createHistogram();
let answers = 0;
let nextId = 1;
const outstanding = new Map(); // id -> send time

function ask(socket) {
  const id = nextId++;
  outstanding.set(id, performance.now());
  socket.write(`${String(id).padStart(9, '0')}:read\n`);
}

function poll(socket) {
  socket.setNoDelay(true);
  let rest = '';
  socket.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    const now = performance.now();
    for (const line of lines) {
      const id = parseInt(line, 10);
      const sentAt = outstanding.get(id);
      if (sentAt === undefined) continue;
      outstanding.delete(id);
      latency.record(Math.max(1, Math.round((now - sentAt) * 1000)));
      answers += 1;
      ask(socket);
    }
  });
  socket.on('error', (err) => {
    console.error(`raw-tcp-request: ${err.message}`);
    process.exit(1);
  });
  for (let w = 0; w < window; w++) ask(socket);
}

Promise.all(ports.map((port) => connect(port))).then((sockets) => {
  sockets.forEach(poll);
  ipc.ready({});
});
ipc.serve({
  reset: () => {
    answers = 0;
    latency = createHistogram();
  },
  stats: () => ({ msgs: answers, requests: { answers, p50Us: latency.percentile(50), p99Us: latency.percentile(99) } }),
});
