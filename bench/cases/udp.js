'use strict';
// UDP in at fixed rates: a paced sender (bench/load/udp-send.js) sends 64 B datagrams, each
// numbered, to 127.0.0.1 at the case's rate for the whole run; the receiver counts them and
// reads the numbers, so loss % is exact (numbers missing between the first and last seen in the
// window), whatever the timing of the window's start and end.
// Ours: netcast-udp-endpoint (127.0.0.1, receiveBufferSize 8 MiB) + netcast-udp-in (Buffer out).
// Core: udp in (Buffer out; it has no receive buffer option). Raw: bench/servers/raw-udp.js
// with the same receive buffer as ours.
const fs = require('fs');

const RECEIVE_BUFFER = 8 * 1024 * 1024;
const SIZE = 64;

function rmemMax() {
  try {
    return Number(fs.readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  } catch {
    return NaN;
  }
}
const MiB = (bytes) => `${+(bytes / 1048576).toFixed(2)} MiB`;
const cap = rmemMax();
const bufferNote =
  `ours and raw ask for a ${MiB(RECEIVE_BUFFER)} receive buffer (ours: udp endpoint receiveBufferSize ${RECEIVE_BUFFER}); ` +
  (Number.isFinite(cap) && cap < RECEIVE_BUFFER
    ? `the kernel caps the request at net.core.rmem_max (${MiB(cap)} here) and doubles it for bookkeeping, so each gets ${MiB(2 * cap)}`
    : 'the kernel doubles the request for bookkeeping') +
  '; core udp in has no such option and keeps the default (net.core.rmem_default). 64 B datagrams, numbered; loss % = numbers missing between the first and last seen in the window';

const sink = { id: 'sink', type: 'bench-sink', seq: true, wires: [] };

/** Received rate and loss from the receiver's counts (bench-sink or raw), sent rate from the load. */
function udpRates({ server, load }) {
  const seconds = server.elapsedMs / 1000;
  const expected = server.seqLast >= 0 ? server.seqLast - server.seqFirst + 1 : NaN;
  return {
    'recv msgs/s': server.msgs / seconds,
    'loss %': expected > 0 ? Math.max(0, (100 * (expected - server.msgs)) / expected) : NaN,
    'sent msgs/s': load.sent / (load.elapsedMs / 1000),
  };
}

function udpIn(rate) {
  return {
    name: `udp-in-${rate / 1000}k`,
    note: rate === 20000 ? bufferNote : undefined,
    metrics: ['recv msgs/s', 'loss %', 'sent msgs/s'],
    lowerIsBetter: ['loss %'],
    noRatio: ['loss %'],
    portKind: 'udp',
    window: 3, // numbered datagrams: loss is exact in any window; 3 s keeps the full run under 20 min
    flows: {
      ours: (port) => [
        { id: 'ep', type: 'netcast-udp-endpoint', family: 'ipv4', localAddress: '127.0.0.1', port, receiveBufferSize: RECEIVE_BUFFER },
        { id: 'in', type: 'netcast-udp-in', endpoint: 'ep', output: 'buffer', wires: [['sink']] },
        sink,
      ],
      core: (port) => [{ id: 'in', type: 'udp in', iface: '', port, ipv: 'udp4', multicast: 'false', group: '', datatype: 'buffer', wires: [['sink']] }, sink],
    },
    raw: { script: 'servers/raw-udp.js', args: { mode: 'udp', receiveBufferSize: RECEIVE_BUFFER } },
    load: (port) => ({ script: 'load/udp-send.js', args: { port, rate, size: SIZE } }),
    measure: udpRates,
  };
}

module.exports = [udpIn(20000), udpIn(50000), udpIn(100000), udpIn(200000)];
module.exports.udpRates = udpRates;
module.exports.RECEIVE_BUFFER = RECEIVE_BUFFER;
module.exports.seqSink = sink;
