'use strict';
// Control messages on a multicast group config (inside the namespace scripts/run-netns-tests.js
// makes): join and leave at runtime, and only the groups joined arrive.
require('should');
const { requireNamespace, sender } = require('./netns-support');

requireNamespace('solo');

const { helper, load, nodeSet, catchNode, useHelper, endpointOf } = require('../support/red');
const { collect, until } = require('../support/events');

const multicastNodes = nodeSet('multicast');
const controlNodes = nodeSet('control');
const PORT = 42500;
const [A, B, C] = ['239.10.50.1', '239.10.50.2', '239.10.50.3'];

describe('control node on a multicast group (inside a network namespace)', function () {
  useHelper();
  let device;
  afterEach(async () => {
    if (device) await device.close();
    device = undefined;
  });

  it('joins and leaves groups at runtime: only the groups joined arrive; a bad group changes nothing', async function () {
    await load([multicastNodes, controlNodes, catchNode], [
      { id: 'tab', type: 'tab' },
      { id: 'grp', type: 'netcast-multicast-group', groups: [{ group: A, source: '' }], port: PORT, iface: 'lo', ttl: 1, loopback: true },
      { id: 'in', type: 'netcast-multicast-in', z: 'tab', endpoint: 'grp', output: 'utf8', wires: [['sink']] },
      { id: 'ctl', type: 'netcast-control', z: 'tab', endpoint: 'grp', wires: [['answers']] },
      { id: 'sink', type: 'helper', z: 'tab' },
      { id: 'answers', type: 'helper', z: 'tab' },
      { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
      { id: 'errors', type: 'helper', z: 'tab' },
    ]);
    const endpoint = endpointOf('grp');
    await until(() => endpoint.state.phase === 'ready', 5000, 'the group to be joined');
    const received = [];
    helper.getNode('sink').on('input', (msg) => received.push(`${msg.group} ${msg.payload}`));
    device = await sender({ bindAddress: '127.0.0.1', iface: '127.0.0.1' });
    const control = async (msg) => {
      const answer = collect(helper.getNode('answers'), 1);
      helper.getNode('ctl').receive(msg);
      return (await answer)[0].payload;
    };
    // sends to C, B and A, then to `last` (a joined group), and waits for that one: what was sent
    // before it on the same host has been delivered or dropped by then
    const round = async (tag, last) => {
      received.length = 0;
      for (const group of [C, B, A]) await device.send(`${tag}`, group, PORT);
      await device.send(`${tag} end`, last, PORT);
      await until(() => received.includes(`${last} ${tag} end`), 5000, `${tag} end on ${last}`);
      return received.filter((line) => !line.endsWith(' end')).sort();
    };

    (await round('r1', A)).should.eql([`${A} r1`]);

    const joined = await control({ action: 'join', group: B });
    joined.groups.should.eql([A, B]);
    joined.state.should.equal('ready');
    (await round('r2', B)).should.eql([`${A} r2`, `${B} r2`]);

    const left = await control({ action: 'leave', group: A });
    left.groups.should.eql([B]);
    (await round('r3', B)).should.eql([`${B} r3`]);

    for (const [msg, code] of [[{ action: 'join', group: '10.0.0.1' }, 'ERR_NETCAST_CONTROL_TARGET'], [{ action: 'leave', group: C }, 'ERR_NETCAST_CONTROL_TARGET'], [{ action: 'connect' }, 'ERR_NETCAST_CONTROL_ACTION']]) {
      const caught = collect(helper.getNode('errors'), 1);
      helper.getNode('ctl').receive(msg);
      (await caught)[0].error.code.should.equal(code);
    }
    (await control({ action: 'status' })).groups.should.eql([B]);
    (await round('r4', B)).should.eql([`${B} r4`]);
  });
});
