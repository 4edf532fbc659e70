'use strict';
// Request cases (issue 18): a flow polling devices, each request answered before the next to that
// device (a pipelining device: 8 in flight, matched by id). The devices run in the load process
// (load/tcp-answer-devices.js: each line "<id>:read" answered "<id>:ok", at once or after 1 ms) and
// start first; the server under test connects to them. In Node-RED, bench-requester keeps `window`
// requests outstanding per device through the request node and back, timing each round trip.
// Ours: netcast-tcp-request on a client endpoint (delimiter \n, utf8 out, msg.host/msg.port allowed:
// one pooled connection per device). Core: tcp request, "keep connection open" (out: sit, its
// fastest mode), split at \n, one connection per msg.host:msg.port. Raw: a plain-Node client doing
// the same loop (servers/raw-tcp-request.js).
const requester = (ports, window, newline) => ({ id: 'poll', type: 'bench-requester', ports, window, newline, wires: [['req']] });

const flows = ({ window, pipelined }) => ({
  ours: (_, { ports }) => [
    { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'client', host: '127.0.0.1', port: ports[0], framing: 'delimiter', delimiter: '\\n', queueSize: 10000 },
    requester(ports, window, false),
    {
      id: 'req',
      type: 'netcast-tcp-request',
      endpoint: 'ep',
      output: 'utf8',
      allowMsgDestination: true,
      timeout: 10000,
      ...(pipelined ? { match: 'id', idOffset: 0, idLength: 9, maxInFlight: window } : {}),
      wires: [['poll']],
    },
  ],
  // core cannot pipeline: it keeps one request in flight per connection
  core: (_, { ports }) => [
    requester(ports, 1, true),
    { id: 'req', type: 'tcp request', server: '', port: '', out: 'sit', ret: 'string', splitc: ' ', newline: '\\n', trim: false, tls: '', wires: [['poll']] },
  ],
});

const rates = ({ server, proc }) => {
  const rps = server.msgs / (server.elapsedMs / 1000);
  return {
    'requests/s': rps,
    'p50 µs': server.requests?.p50Us,
    'p99 µs': server.requests?.p99Us,
    // the polling process's CPU per request: steadier than the rate on a shared machine
    'CPU µs per request': (proc.cpuPercent * 1e4) / rps,
  };
};

function requestCase(name, { devices, delayMs, window = 1, note }) {
  return {
    name,
    note,
    metrics: ['requests/s', 'p50 µs', 'p99 µs', 'CPU µs per request'],
    lowerIsBetter: ['p50 µs', 'p99 µs', 'CPU µs per request'],
    // the devices start first; the flow (or the raw client) gets their ports
    devices: { script: 'load/tcp-answer-devices.js', args: { count: devices, delayMs } },
    flows: flows({ window, pipelined: window > 1 }),
    raw: { script: 'servers/raw-tcp-request.js', args: ({ ports }) => ({ ports, window }) },
    window: 3,
    measure: rates,
  };
}

module.exports = [
  requestCase('tcp-request-1d-0ms', { devices: 1, delayMs: 0, note: '1 device answering at once, 1 request in flight' }),
  requestCase('tcp-request-1d-1ms', { devices: 1, delayMs: 1, note: '1 device answering after 1 ms, 1 request in flight' }),
  requestCase('tcp-request-20d-0ms', { devices: 20, delayMs: 0, note: '20 devices answering at once, 1 request in flight each, from one node (msg.host/msg.port)' }),
  requestCase('tcp-request-20d-1ms', { devices: 20, delayMs: 1, note: '20 devices answering after 1 ms, 1 request in flight each' }),
  requestCase('tcp-request-pipe8', {
    devices: 1,
    delayMs: 1,
    window: 8,
    note: '1 pipelining device answering each request after 1 ms; ours and raw keep 8 in flight (ours matched by id), core cannot pipeline and keeps 1',
  }),
];
