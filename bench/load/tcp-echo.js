'use strict';
// Load: one connection keeping `inFlight` request lines (size bytes with the \n) outstanding;
// each reply line releases the next request. Replies come back in order, so the latency of a
// reply is now minus the send time of the oldest outstanding request.
// Usage: node tcp-echo.js '{"port":1234,"inFlight":256,"size":64}'
const { createHistogram, performance } = require('perf_hooks');
const ipc = require('../ipc');
const { connect } = require('./connect');

const { port, inFlight = 1, size = 64 } = JSON.parse(process.argv[2]);
const request = Buffer.alloc(size, 'a');
request[size - 1] = 10;

let latency = createHistogram();
let replies = 0;
const sentAt = new Float64Array(inFlight); // ring of send times of outstanding requests
let head = 0;
let tail = 0;

function send(socket, count) {
  const now = performance.now();
  for (let i = 0; i < count; i++) {
    sentAt[tail] = now;
    tail = (tail + 1) % inFlight;
  }
  socket.write(count === 1 ? request : Buffer.concat(Array(count).fill(request)));
}

function onData(socket, chunk) {
  const now = performance.now();
  let done = 0;
  for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) {
    latency.record(Math.max(1, Math.round((now - sentAt[head]) * 1000))); // µs
    head = (head + 1) % inFlight;
    done += 1;
  }
  if (done === 0) return;
  replies += done;
  send(socket, done);
}

connect(port).then(
  (socket) => {
    socket.setNoDelay(true);
    socket.on('error', (err) => {
      console.error(`tcp-echo: ${err.message}`);
      process.exit(1);
    });
    socket.on('data', (chunk) => onData(socket, chunk));
    send(socket, inFlight);
    ipc.ready({});
  },
  (err) => {
    console.error(`tcp-echo: ${err.message}`);
    process.exit(1);
  },
);

ipc.serve({
  reset: () => {
    replies = 0;
    latency = createHistogram();
  },
  stats: () => ({ replies, p50Us: latency.percentile(50), p99Us: latency.percentile(99) }),
});
