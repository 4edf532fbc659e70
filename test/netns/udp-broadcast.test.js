'use strict';
// Broadcast leaves the host, so it is tested only inside the namespace scripts/run-netns-tests.js
// makes; there eth0 is a veth on a bridge of its own and the kernel hands the broadcast back to
// this host's sockets too.
require('should');
const { requireNamespace } = require('./netns-support');

requireNamespace('solo');

const { helper, load, nodeSet, catchNode, useHelper, endpointOf } = require('../support/red');
const { collect, until } = require('../support/events');

const udpNodes = nodeSet('udp');

function flow(broadcast) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'listener', type: 'netcast-udp-endpoint', port: 43001 },
    { id: 'in', type: 'netcast-udp-in', z: 'tab', endpoint: 'listener', output: 'utf8', wires: [['sink']] },
    { id: 'talker', type: 'netcast-udp-endpoint', localAddress: '10.200.9.1', port: 0, broadcast, remoteHost: '10.200.9.255', remotePort: 43001 },
    { id: 'out', type: 'netcast-udp-out', z: 'tab', endpoint: 'talker' },
    { id: 'sink', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

describe('udp out broadcast (inside a network namespace)', function () {
  useHelper();

  it('sends to the subnet broadcast address when Broadcast is on', async function () {
    await load([udpNodes, catchNode], flow(true));
    const listener = endpointOf('listener');
    await until(() => listener.state.phase === 'ready', 5000, 'the listener to bind');
    const arrived = collect(helper.getNode('sink'), 1);
    helper.getNode('out').receive({ payload: 'who is there?' });
    const [msg] = await arrived;
    msg.payload.should.equal('who is there?');
    msg.ip.should.equal('10.200.9.1');
  });

  it('refuses a broadcast address with Broadcast off, and says how to allow it', async function () {
    await load([udpNodes, catchNode], flow(false));
    const errors = collect(helper.getNode('errors'), 1);
    helper.getNode('out').receive({ payload: 'who is there?' });
    const [error] = await errors;
    error.error.message.should.match(/permission denied .*10\.200\.9\.255:43001; to send to a broadcast address, turn on Broadcast on the UDP endpoint$/);
  });
});
