'use strict';
// Multicast in at 100k datagrams/s, inside a network namespace the harness creates for the case
// (only lo, multicast on, 224.0.0.0/4 routed to it): servers, load and Node-RED's admin API all
// run in it, so no multicast is ever sent in the root namespace. Same numbered 64 B datagrams
// and loss counting as the UDP cases. Ours: netcast-multicast-group (group 239.77.0.1, all
// interfaces, which is lo here, receiveBufferSize 8 MiB as in the UDP cases) + netcast-multicast-in
// (Buffer out). Core: udp in in multicast mode (it has no receive buffer option). Raw: a dgram
// socket bound to the group and joined on 127.0.0.1, with the same receive buffer as ours.
const { udpRates, seqSink: sink, RECEIVE_BUFFER } = require('./udp');

const GROUP = '239.77.0.1';
const RATE = 100000;

module.exports = [
  {
    name: 'mcast-in-100k',
    note: `group ${GROUP} on lo inside a network namespace made for the case (deleted afterwards); ours and raw ask for an ${RECEIVE_BUFFER / 1048576} MiB receive buffer (capped at the namespace's net.core.rmem_max), core keeps the default`,
    metrics: ['recv msgs/s', 'loss %', 'sent msgs/s'],
    lowerIsBetter: ['loss %'],
    noRatio: ['loss %'],
    netns: true,
    portKind: 'udp',
    window: 3,
    flows: {
      ours: (port) => [
        { id: 'grp', type: 'netcast-multicast-group', groups: [{ group: GROUP, source: '' }], port, iface: '', ttl: 1, loopback: true, reuseAddr: true, receiveBufferSize: RECEIVE_BUFFER },
        { id: 'in', type: 'netcast-multicast-in', endpoint: 'grp', output: 'buffer', wires: [['sink']] },
        sink,
      ],
      core: (port) => [{ id: 'in', type: 'udp in', iface: '', port, ipv: 'udp4', multicast: 'true', group: GROUP, datatype: 'buffer', wires: [['sink']] }, sink],
    },
    raw: { script: 'servers/raw-udp.js', args: { mode: 'multicast', group: GROUP, receiveBufferSize: RECEIVE_BUFFER } },
    load: (port, { rootNs }) => ({ script: 'load/udp-send.js', args: { port, rate: RATE, size: 64, group: GROUP, rootNs } }),
    measure: udpRates,
  },
];
