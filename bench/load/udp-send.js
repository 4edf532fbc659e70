'use strict';
// Load: datagrams of `size` bytes at `rate` per second to 127.0.0.1:port (or, with `group`, to a
// multicast group on lo), paced on a 1 ms timer: each tick sends what is due since the start, so
// the average rate holds even when a tick comes late. Each datagram starts with a sequence
// number (uint32 LE), which the receivers use to count losses exactly.
// Multicast is refused unless this process runs in a network namespace other than `rootNs`.
// Usage: node udp-send.js '{"port":1234,"rate":200000,"size":64}'
//        node udp-send.js '{"port":1234,"rate":100000,"size":64,"group":"239.77.0.1","rootNs":"net:[4026531840]"}'
const dgram = require('dgram');
const { performance } = require('perf_hooks');
const ipc = require('../ipc');
const { currentNamespace } = require('../netns');

const { port, rate, size = 64, group, rootNs } = JSON.parse(process.argv[2]);
if (group && (!rootNs || currentNamespace() === rootNs)) {
  console.error('udp-send: refusing to send multicast outside the benchmark network namespace');
  process.exit(2);
}

// A ring of buffers, so a send still queued in libuv never sees its bytes change.
const RING = 8192;
const slab = Buffer.alloc(RING * size, 'a');
const ring = Array.from({ length: RING }, (_, i) => slab.subarray(i * size, (i + 1) * size));
// After a stall of this process, catch up at most 5 ms worth: a long stall lowers the sent rate
// (reported) instead of becoming a burst that no receive buffer could take.
const MAX_BURST = Math.max(100, Math.ceil(rate / 200));

let seq = 0;
let scheduled = 0;
let sent = 0;
const socket = dgram.createSocket('udp4');
socket.on('error', (err) => {
  console.error(`udp-send: ${err.message}`);
  process.exit(1);
});

function start() {
  const t0 = performance.now();
  setInterval(() => {
    const due = Math.floor(((performance.now() - t0) * rate) / 1000) - scheduled;
    const count = Math.min(due, MAX_BURST);
    scheduled += due; // what a longer stall owes is given up, not sent late (and never numbered)
    for (let i = 0; i < count; i++) {
      const buffer = ring[seq % RING];
      buffer.writeUInt32LE(seq >>> 0, 0);
      seq += 1;
      sent += 1;
      socket.send(buffer); // no callback: half the cost of a send (a failed send emits 'error')
    }
  }, 1);
  ipc.ready({});
}

socket.connect(port, group || '127.0.0.1', () => {
  if (group) {
    socket.setMulticastInterface('127.0.0.1');
    socket.setMulticastTTL(1);
    socket.setMulticastLoopback(true);
  }
  start();
});

ipc.serve({
  reset: () => {
    sent = 0;
  },
  stats: () => ({ sent }),
});
