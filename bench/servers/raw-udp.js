'use strict';
// The ceiling for the UDP and multicast cases: a plain-Node dgram socket that counts datagrams
// and reads their sequence numbers, as bench-sink does, without Node-RED.
// Modes: udp (bound to 127.0.0.1, port chosen by the OS, optional receive buffer size) and
// multicast (bound to the group, joined on 127.0.0.1: run it inside the bench's namespace).
// Usage: node raw-udp.js '{"mode":"udp","receiveBufferSize":8388608}'
//        node raw-udp.js '{"mode":"multicast","group":"239.77.0.1","port":40000}'
const dgram = require('dgram');
const ipc = require('../ipc');

const { mode, receiveBufferSize = 0, group, port = 0 } = JSON.parse(process.argv[2] || '{}');
const counts = { msgs: 0, frames: 0, seqFirst: -1, seqLast: -1 };

const socket = dgram.createSocket({ type: 'udp4', reuseAddr: mode === 'multicast' });
socket.on('message', (data) => {
  counts.msgs += 1;
  counts.frames += 1;
  const seq = data.readUInt32LE(0);
  if (counts.seqFirst < 0) counts.seqFirst = seq;
  if (seq > counts.seqLast) counts.seqLast = seq;
});
socket.on('error', (err) => {
  console.error(`raw-udp: ${err.message}`);
  process.exit(1);
});
socket.bind(port, mode === 'multicast' ? group : '127.0.0.1', () => {
  if (mode === 'multicast') socket.addMembership(group, '127.0.0.1');
  if (receiveBufferSize > 0) socket.setRecvBufferSize(receiveBufferSize);
  ipc.ready({ port: socket.address().port, receiveBuffer: socket.getRecvBufferSize() });
});

ipc.serve({
  reset: () => Object.assign(counts, { msgs: 0, frames: 0, seqFirst: -1, seqLast: -1 }),
  stats: () => ({ ...counts, receiveBuffer: socket.getRecvBufferSize() }),
});
