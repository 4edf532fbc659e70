'use strict';
// TCP cases. Ours and core get the same load and do the same work: lines decoded as UTF-8
// strings (core can only split lines in its utf8 mode), one message per line, into bench-sink.
// Ours: netcast-tcp-endpoint (server, delimiter \n) + netcast-tcp-in. Core: tcp in (stream,
// utf8, newline \n). Raw: bench/servers/raw-tcp.js.
const KiB = 1024;
const MiB = 1024 * KiB;

const { sinkOf, ceilingFlow } = require('./sinks');

function oursEndpoint(port, framing) {
  return { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port, ...framing };
}
const LINES = { framing: 'delimiter', delimiter: '\\n' };
const LENPREFIX = { framing: 'length', lengthSize: 2, lengthEndian: 'be', lengthOffset: 0, lengthAdjust: 0, lengthStrip: 2 };

const oursIn = (port, { framing = LINES, output = 'utf8', batch = false, sink = 'count' } = {}) => [
  oursEndpoint(port, framing),
  { id: 'in', type: 'netcast-tcp-in', endpoint: 'ep', output, batch, wires: [[sinkOf(sink).entry]] },
  ...sinkOf(sink).nodes,
];
const coreIn = (port, { sink = 'count' } = {}) => [
  { id: 'in', type: 'tcp in', server: 'server', host: '', port, datamode: 'stream', datatype: 'utf8', newline: '\\n', topic: '', trim: false, base64: false, tls: '', wires: [[sinkOf(sink).entry]] },
  ...sinkOf(sink).nodes,
];
const oursEcho = (port) => [
  oursEndpoint(port, LINES),
  { id: 'in', type: 'netcast-tcp-in', endpoint: 'ep', output: 'utf8', wires: [['out']] },
  { id: 'out', type: 'netcast-tcp-out', endpoint: 'ep', wires: [] },
];
// trim: true makes core tcp in put the \n back on each line, so the reply is a line too.
const coreEcho = (port) => [
  { id: 'in', type: 'tcp in', server: 'server', host: '', port, datamode: 'stream', datatype: 'utf8', newline: '\\n', topic: '', trim: true, base64: false, tls: '', wires: [['out']] },
  { id: 'out', type: 'tcp out', host: '', port: '', beserver: 'reply', base64: false, end: false, tls: '', wires: [] },
];

/** Messages (or frames) per second counted by the server, and the bytes they carried. */
const inRates = (size) => ({ server }) => {
  const seconds = server.elapsedMs / 1000;
  return { 'msgs/s': server.msgs / seconds, 'frames/s': server.frames / seconds, 'MB/s': (server.frames * size) / seconds / 1e6 };
};
const echoRates = ({ load }) => ({ 'replies/s': load.replies / (load.elapsedMs / 1000), 'p50 µs': load.p50Us, 'p99 µs': load.p99Us });

/** ceiling: also run the runtime ceiling (64 B cases); sink: 'count' or 'work' (bench/cases/sinks.js). */
function tcpIn(name, { size, conns = 1, note, ceiling = false, sink = 'count' }) {
  return {
    name,
    note,
    metrics: ['msgs/s', 'MB/s', 'CPU µs per message'],
    lowerIsBetter: ['CPU µs per message'],
    flows: { ours: (port) => oursIn(port, { sink }), core: (port) => coreIn(port, { sink }), ...(ceiling ? { ceiling: ceilingFlow(sink) } : {}) },
    raw: { script: 'servers/raw-tcp.js', args: { mode: 'lines' } },
    load: (port) => ({ script: 'load/tcp-send.js', args: { port, conns, frame: 'line', size } }),
    measure: inRates(size),
  };
}

module.exports = [
  tcpIn('tcp-in-64B-1c', { size: 64, ceiling: true }),
  tcpIn('tcp-in-64B-1c-work', {
    size: 64,
    ceiling: true,
    sink: 'work',
    note: 'the same load into a sink that does a little work per message first: a change node (sets msg.topic) and a function node (reads msg.payload.length), then bench-sink; raw does no such work',
  }),
  tcpIn('tcp-in-64B-16c', { size: 64, conns: 16 }),
  tcpIn('tcp-in-64KiB-1c', { size: 64 * KiB }),
  tcpIn('tcp-in-1MiB-1c', { size: MiB }),
  {
    name: 'tcp-in-64B-1c-batch',
    note: 'ours: batch output (one message per read, an array of lines); core has no batch mode, so it is its usual one message per line; compared in frames (lines) per second',
    metrics: ['frames/s', 'msgs/s'],
    flows: { ours: (port) => oursIn(port, { batch: true }), core: coreIn },
    raw: { script: 'servers/raw-tcp.js', args: { mode: 'lines' } },
    load: (port) => ({ script: 'load/tcp-send.js', args: { port, conns: 1, frame: 'line', size: 64 } }),
    measure: inRates(64),
  },
  {
    name: 'tcp-in-lenprefix',
    note: '64 B frames: 2-byte big-endian length + 62 B payload, emitted as Buffers; core tcp in cannot frame these, so ours is compared with raw only',
    metrics: ['msgs/s', 'MB/s'],
    flows: { ours: (port) => oursIn(port, { framing: LENPREFIX, output: 'buffer' }) },
    raw: { script: 'servers/raw-tcp.js', args: { mode: 'lenprefix' } },
    load: (port) => ({ script: 'load/tcp-send.js', args: { port, conns: 1, frame: 'lenprefix', size: 64 } }),
    measure: inRates(64),
  },
  ...[1, 256].map((inFlight) => ({
    name: `tcp-echo-w${inFlight}`,
    note: inFlight === 1 ? undefined : 'raw writes every line read in one write per chunk',
    metrics: ['replies/s', 'p50 µs', 'p99 µs'],
    lowerIsBetter: ['p50 µs', 'p99 µs'],
    flows: { ours: oursEcho, core: coreEcho },
    raw: { script: 'servers/raw-tcp.js', args: { mode: 'echo' } },
    load: (port) => ({ script: 'load/tcp-echo.js', args: { port, inFlight, size: 64 } }),
    measure: echoRates,
  })),
];
