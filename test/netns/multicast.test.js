'use strict';
// Node-level multicast tests. They run only inside the namespace scripts/run-netns-tests.js makes:
// lo carries IPv4 multicast there, and eth0 (a veth on a bridge of its own) IPv6 multicast.
require('should');
const { execFileSync } = require('child_process');
const dgram = require('dgram');
const fs = require('fs');
const { requireNamespace, joinGroup, sender, sendUntil, captureHopLimit, joinedIPv4Groups } = require('./netns-support');

requireNamespace('solo');

const { helper, load, nodeSet, catchNode, useHelper, endpointOf } = require('../support/red');
const { collect, until } = require('../support/events');

const multicastNodes = nodeSet('multicast');
let nextPort = 42000;
const port = () => nextPort++;

function flow(group, inNode = {}, outNode = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'grp', type: 'netcast-multicast-group', iface: 'lo', ttl: 1, loopback: true, ...group },
    { id: 'in', type: 'netcast-multicast-in', z: 'tab', endpoint: 'grp', output: 'utf8', wires: [['sink']], ...inNode },
    { id: 'out', type: 'netcast-multicast-out', z: 'tab', endpoint: 'grp', ...outNode },
    { id: 'sink', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

function errorText(msg) {
  return msg.error.message.replace(/^[A-Za-z]*Error: /, '');
}

function statusesOf(node) {
  return node.status.getCalls().filter((call) => call.thisValue === node).map((call) => call.args[0]);
}

async function joined(configId = 'grp') {
  const endpoint = endpointOf(configId);
  await until(() => endpoint.state.phase === 'ready' || endpoint.state.phase === 'failed', 5000, 'the groups to be joined');
  if (endpoint.state.phase === 'failed') throw new Error(endpoint.state.reason);
  return endpoint;
}

function sh(...args) {
  execFileSync(args[0], args.slice(1), { stdio: 'pipe' });
}

/** This namespace's cap on a socket's receive buffer (read only: never raised by a test). */
function rmemMax() {
  return Number(fs.readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
}

function warningsOf(node) {
  return node.warn.getCalls().filter((call) => call.thisValue === node).map((call) => String(call.args[0]));
}

describe('multicast in/out (inside a network namespace)', function () {
  useHelper();
  const sockets = [];
  const track = (socket) => {
    sockets.push(socket);
    return socket;
  };
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });

  describe('receiving', function () {
    const cases = [
      ['IPv4 on lo', '239.10.0.1', 'lo', { type: 'udp4', bindAddress: '127.0.0.1', iface: '127.0.0.1' }, '127.0.0.1'],
      ['IPv6 on eth0', 'ff15::10:1', 'eth0', { type: 'udp6', bindAddress: 'fd00:200:9::1', iface: '::%eth0' }, 'fd00:200:9::1'],
    ];
    for (const [label, group, iface, from, source] of cases) {
      it(`emits msg.payload, msg.group, msg.ip and msg.port (${label})`, async function () {
        const p = port();
        await load([multicastNodes, catchNode], flow({ groups: [{ group, source: '' }], port: p, iface }, { topic: 'line/1' }));
        await joined();
        const device = track(await sender(from));
        const arrived = collect(helper.getNode('sink'), 1);
        await device.send('{"temp":21}', group, p);
        const [msg] = await arrived;
        msg.payload.should.equal('{"temp":21}');
        msg.group.should.equal(group);
        msg.ip.should.equal(source);
        msg.port.should.equal(device.socket.address().port);
        msg.topic.should.equal('line/1');
      });
    }

    it('parses JSON and joins several groups with one config node', async function () {
      const p = port();
      const groups = [{ group: '239.10.0.2', source: '' }, { group: '239.10.0.3', source: '' }];
      await load([multicastNodes, catchNode], flow({ groups, port: p }, { output: 'json' }));
      await joined();
      const device = track(await sender({ bindAddress: '127.0.0.1', iface: '127.0.0.1' }));
      const arrived = collect(helper.getNode('sink'), 2);
      await device.send('{"n":1}', '239.10.0.2', p);
      await device.send('{"n":2}', '239.10.0.3', p);
      const messages = await arrived;
      messages.map((m) => [m.group, m.payload.n]).should.eql([['239.10.0.2', 1], ['239.10.0.3', 2]]);
    });

    it('only delivers the groups this node joined, though another node shares the port (IP_MULTICAST_ALL)', async function () {
      const p = port();
      const config = flow({ groups: [{ group: '239.10.1.1', source: '' }], port: p });
      config.push({ id: 'grpB', type: 'netcast-multicast-group', iface: 'lo', groups: [{ group: '239.10.1.2', source: '' }], port: p });
      config.push({ id: 'inB', type: 'netcast-multicast-in', z: 'tab', endpoint: 'grpB', output: 'utf8', wires: [['sinkB']] });
      config.push({ id: 'sinkB', type: 'helper', z: 'tab' });
      await load([multicastNodes, catchNode], config);
      await joined('grp');
      await joined('grpB');
      // a socket on the wildcard address shows what Linux does without the bind-to-group: it
      // hears both groups, though it joined neither
      const wildcard = track(await joinGroup({ port: p, bindAddress: '0.0.0.0' }));
      const device = track(await sender({ bindAddress: '127.0.0.1', iface: '127.0.0.1' }));
      const inA = collect(helper.getNode('sink'), 2);
      const inB = collect(helper.getNode('sinkB'), 2);
      for (const text of ['A1', 'B1', 'A2', 'B2']) await device.send(text, text.startsWith('A') ? '239.10.1.1' : '239.10.1.2', p);
      (await inA).map((m) => m.payload).should.eql(['A1', 'A2']);
      (await inB).map((m) => m.payload).should.eql(['B1', 'B2']);
      await wildcard.waitFor(4);
      wildcard.texts().should.eql(['A1', 'B1', 'A2', 'B2']);
    });

    const ssm = [
      ['IPv4', '232.10.0.1', 'lo', '10.200.9.1', { type: 'udp4', bindAddress: '10.200.9.1', iface: '127.0.0.1' }, { type: 'udp4', bindAddress: '127.0.0.1', iface: '127.0.0.1' }],
      ['IPv6', 'ff35::10:1', 'eth0', 'fd00:200:9::1', { type: 'udp6', bindAddress: 'fd00:200:9::1', iface: '::%eth0' }, { type: 'udp6', bindAddress: 'fd00:200:9::2', iface: '::%eth0' }],
    ];
    for (const [label, group, iface, source, chosen, other] of ssm) {
      it(`source-specific: delivers only the chosen source (${label})`, async function () {
        const p = port();
        await load([multicastNodes, catchNode], flow({ groups: [{ group, source }], port: p, iface }));
        await joined();
        const good = track(await sender(chosen));
        const bad = track(await sender(other));
        // a plain any-source member proves the other source's datagrams do reach this host
        const control = track(await joinGroup({ group, port: p, iface: chosen.iface, bindAddress: chosen.type === 'udp4' ? '0.0.0.0' : '::' }));
        const arrived = collect(helper.getNode('sink'), 3);
        for (const n of [1, 2, 3]) {
          await bad.send(`other ${n}`, group, p);
          await good.send(`chosen ${n}`, group, p);
        }
        (await arrived).map((m) => [m.payload, m.ip]).should.eql([1, 2, 3].map((n) => [`chosen ${n}`, source]));
        await control.waitFor(6);
        control.texts().filter((text) => text.startsWith('other')).length.should.equal(3);
      });
    }
  });

  describe('kernel buffers', function () {
    const MAX_BUFFER = 256 * 1024 * 1024;

    it('gives each group\'s socket the receive buffer asked for, and the sender its send buffer; messages flow', async function () {
      const p = port();
      // at most the namespace's cap, so the kernel grants it all
      const asked = Math.min(1024 * 1024, rmemMax());
      const groups = [{ group: '239.10.6.1', source: '' }, { group: '239.10.6.2', source: '' }];
      await load([multicastNodes, catchNode], flow({ groups, port: p, receiveBufferSize: asked, sendBufferSize: 262144 }));
      const endpoint = await joined();
      const sizes = endpoint.bufferSizes;
      // Linux reports twice what it granted, for its bookkeeping; the smallest of the group sockets
      sizes.receive.should.be.aboveOrEqual(asked);
      sizes.send.should.be.aboveOrEqual(262144);
      const arrived = collect(helper.getNode('sink'), 4);
      const device = track(await sender({ bindAddress: '127.0.0.1', iface: '127.0.0.1' }));
      await device.send('one', '239.10.6.1', p);
      await device.send('two', '239.10.6.2', p);
      helper.getNode('out').receive({ payload: 'three', group: '239.10.6.1' });
      helper.getNode('out').receive({ payload: 'four', group: '239.10.6.2' });
      (await arrived).map((m) => m.payload).sort().should.eql(['four', 'one', 'three', 'two']);
      warningsOf(helper.getNode('grp')).should.eql([]);
    });

    it('warns once, naming net.core.rmem_max, when the kernel grants less than asked; messages still flow', async function () {
      const cap = rmemMax();
      if (2 * cap > MAX_BUFFER) this.skip(); // this namespace allows any size a node may ask for
      const p = port();
      const groups = [{ group: '239.10.6.3', source: '' }, { group: '239.10.6.4', source: '' }];
      await load([multicastNodes, catchNode], flow({ groups, port: p, receiveBufferSize: 2 * cap }));
      await joined();
      const config = helper.getNode('grp');
      await until(() => warningsOf(config).length > 0, 5000, 'the warning');
      const arrived = collect(helper.getNode('sink'), 2);
      const device = track(await sender({ bindAddress: '127.0.0.1', iface: '127.0.0.1' }));
      await device.send('a', '239.10.6.3', p);
      await device.send('b', '239.10.6.4', p);
      (await arrived).map((m) => m.payload).should.eql(['a', 'b']);
      // two group sockets, both capped: one warning
      warningsOf(config).should.eql([
        `Receive buffer: the kernel granted ${cap} of the ${2 * cap} bytes asked for, because the system caps it (net.core.rmem_max on Linux); raise that limit (sysctl -w net.core.rmem_max=${2 * cap}) or ask for less`,
      ]);
    });
  });

  describe('sending', function () {
    for (const [label, group, iface, peerIface, ttl] of [['IPv4', '239.10.2.1', 'eth0', '10.200.9.1', 7], ['IPv6', 'ff15::10:2', 'eth0', '::%eth0', 9]]) {
      it(`sends from the chosen interface with the configured TTL / hop limit (${label})`, async function () {
        const p = port();
        const receiver = track(await joinGroup({ group, port: p, iface: peerIface }));
        const capture = captureHopLimit('eth0', p);
        await capture.ready;
        await load([multicastNodes, catchNode], flow({ groups: [{ group, source: '' }], port: p, iface, ttl }));
        helper.getNode('out').receive({ payload: { machine: 'press-4', state: 'run' } });
        await receiver.waitFor(1);
        receiver.texts().should.eql(['{"machine":"press-4","state":"run"}']);
        (await capture.hop).should.equal(ttl);
      });
    }

    it('keeps what is sent right after deploy: nothing is dropped while the socket binds', async function () {
      const p = port();
      const group = '239.10.2.2';
      const receiver = track(await joinGroup({ group, port: p, iface: '127.0.0.1' }));
      await load([multicastNodes, catchNode], flow({ groups: [{ group, source: '' }], port: p }));
      endpointOf('grp').state.phase.should.equal('starting');
      for (let i = 0; i < 20; i++) helper.getNode('out').receive({ payload: `m${i}` });
      await receiver.waitFor(20);
      receiver.texts().should.eql(Array.from({ length: 20 }, (_, i) => `m${i}`));
    });

    it('with loopback off, this host does not hear itself; with it on, it does', async function () {
      const p = port();
      const group = '239.10.2.3';
      // on eth0, not lo: lo hands every packet back to this host whatever the loopback option says
      const config = flow({ groups: [{ group, source: '' }], port: p, iface: 'eth0', loopback: false });
      config.push({ id: 'loud', type: 'netcast-multicast-group', iface: 'eth0', groups: [{ group, source: '' }], port: p, loopback: true });
      config.push({ id: 'outLoud', type: 'netcast-multicast-out', z: 'tab', endpoint: 'loud' });
      await load([multicastNodes, catchNode], config);
      await joined('grp');
      const arrived = collect(helper.getNode('sink'), 1);
      helper.getNode('out').receive({ payload: 'quiet' });
      helper.getNode('outLoud').receive({ payload: 'loud' });
      (await arrived).map((m) => m.payload).should.eql(['loud']);
    });

    it('sends to every group of the config, or to msg.group alone', async function () {
      const p = port();
      const a = track(await joinGroup({ group: '239.10.3.1', port: p, iface: '127.0.0.1', bindAddress: '239.10.3.1' }));
      const b = track(await joinGroup({ group: '239.10.3.2', port: p, iface: '127.0.0.1', bindAddress: '239.10.3.2' }));
      await load([multicastNodes, catchNode], flow({ groups: [{ group: '239.10.3.1', source: '' }, { group: '239.10.3.2', source: '' }], port: p }));
      helper.getNode('out').receive({ payload: 'both' });
      helper.getNode('out').receive({ payload: 'only b', group: '239.10.3.2' });
      await b.waitFor(2);
      await a.waitFor(1);
      a.texts().should.eql(['both']);
      b.texts().should.eql(['both', 'only b']);
    });

    it('reports a msg.group that is not configured and a payload too large for a datagram', async function () {
      await load([multicastNodes, catchNode], flow({ groups: [{ group: '239.10.3.3', source: '' }], port: port() }));
      const errors = collect(helper.getNode('errors'), 2);
      helper.getNode('out').receive({ payload: 'x', group: '239.99.99.99' });
      helper.getNode('out').receive({ payload: Buffer.alloc(65508) });
      const texts = (await errors).map(errorText);
      texts[0].should.equal("msg.group 239.99.99.99 is not one of this multicast config's groups (239.10.3.3); add it there or remove msg.group");
      texts[1].should.equal('msg.payload is 65508 bytes but one UDP datagram over IPv4 carries at most 65507 bytes; split the data into smaller messages');
    });
  });

  describe('interfaces that are not there yet', function () {
    afterEach(() => {
      try {
        sh('ip', 'link', 'del', 'late0');
      } catch {
        // not created, or already gone
      }
    });

    function addLateInterface() {
      // a veth pair with both ends here: like a cable plugged in late
      sh('ip', 'link', 'add', 'late0', 'type', 'veth', 'peer', 'name', 'late0-peer');
      sh('ip', 'addr', 'add', '10.200.8.1/24', 'dev', 'late0');
      sh('ip', 'link', 'set', 'late0-peer', 'up');
      sh('ip', 'link', 'set', 'late0', 'up');
    }

    for (const iface of ['late0', '10.200.8.1']) {
      it(`says "waiting for ${iface}", then joins when it comes up, with no redeploy`, async function () {
        const p = port();
        const group = '239.10.4.1';
        await load([multicastNodes, catchNode], flow({ groups: [{ group, source: '' }], port: p, iface }));
        const errors = collect(helper.getNode('errors'), 1);
        const endpoint = endpointOf('grp');
        await until(() => endpoint.state.phase === 'waiting', 5000, 'the waiting state');
        endpoint.state.reason.should.equal(`waiting for ${iface}`);
        errorText((await errors)[0]).should.equal(
          `network interface ${iface} is not on this machine yet (or has no address); netcast keeps trying and joins as soon as it is up; check the interface name if it never is`,
        );
        const inNode = helper.getNode('in');
        await until(() => statusesOf(inNode).some((s) => s.text === `waiting for ${iface}` && s.fill === 'yellow'), 5000, 'the yellow waiting status');
        addLateInterface();
        const device = track(await sender({ bindAddress: '10.200.8.1', iface: '10.200.8.1' }));
        const sink = helper.getNode('sink');
        let got = 0;
        sink.on('input', () => got++);
        await sendUntil(device, 'hello late', group, p, () => got > 0);
        endpoint.state.phase.should.equal('ready');
      });
    }

    it('joins again after the interface is removed and re-created (membership renewal)', async function () {
      const p = port();
      const group = '239.10.4.2';
      addLateInterface();
      await load([multicastNodes, catchNode], flow({ groups: [{ group, source: '' }], port: p, iface: 'late0', renewInterval: 0.2 }));
      await joined();
      joinedIPv4Groups('late0').should.containEql(group);
      sh('ip', 'link', 'del', 'late0');
      addLateInterface();
      joinedIPv4Groups('late0').should.not.containEql(group);
      const device = track(await sender({ bindAddress: '10.200.8.1', iface: '10.200.8.1' }));
      let got = 0;
      helper.getNode('sink').on('input', () => got++);
      await sendUntil(device, 'after renewal', group, p, () => got > 0);
      joinedIPv4Groups('late0').should.containEql(group);
    });

    it('leaves its groups and frees the port on close, also after a join that never succeeded', async function () {
      const p = port();
      await load([multicastNodes, catchNode], flow({ groups: [{ group: '239.10.4.3', source: '' }], port: p, iface: 'missing9', reuseAddr: false }));
      const endpoint = endpointOf('grp');
      await until(() => endpoint.state.phase === 'waiting', 5000, 'the waiting state');
      await helper.unload();
      const probe = dgram.createSocket('udp4');
      await new Promise((resolve, reject) => {
        probe.once('error', reject);
        probe.bind(p, '239.10.4.3', resolve);
      });
      await new Promise((resolve) => probe.close(resolve));

      await load([multicastNodes, catchNode], flow({ groups: [{ group: '239.10.4.4', source: '' }], port: p, reuseAddr: false }));
      await joined();
      joinedIPv4Groups('lo').should.containEql('239.10.4.4');
      await helper.unload();
      joinedIPv4Groups('lo').should.not.containEql('239.10.4.4');
    });
  });

  describe('bad configuration', function () {
    const cases = [
      [{ groups: [{ group: '10.1.2.3', source: '' }] }, '10.1.2.3 is not a multicast address; use one in 224.0.0.0/4 (224.x.x.x to 239.x.x.x)'],
      [{ groups: [{ group: 'fd00::1', source: '' }] }, 'fd00::1 is not a multicast address; use one in ff00::/8'],
      [{ groups: [{ group: '239.1.1.1', source: '10.0.0.1' }] }, 'a source is given for 239.1.1.1, which is not a source-specific group; use a group in 232.0.0.0/8 or clear the source'],
      [{ groups: [{ group: '232.1.1.1', source: 'ff02::1' }] }, 'source "ff02::1" for group 232.1.1.1 must be the IPv4 unicast address of the sending device'],
      [{ groups: [{ group: 'plant-bus', source: '' }] }, 'group "plant-bus" is not an IP address; enter a multicast address such as 239.1.2.3 or ff15::1'],
      [{ groups: [] }, 'no multicast group is set; add a group such as 239.1.2.3'],
      [{ groups: [{ group: 'ff15::1', source: '' }], iface: '127.0.0.1' }, 'Interface 127.0.0.1 is an IPv4 address but group ff15::1 is not; choose the interface by name (such as eth0) to use both'],
      [{ groups: [{ group: '239.1.1.1', source: '' }], port: '' }, 'Port is empty; enter a whole number from 1 to 65535'],
      [{ groups: [{ group: '239.1.1.1', source: '' }], ttl: 300 }, 'TTL must be a whole number from 0 to 255 (got 300)'],
      [{ groups: [{ group: '239.1.1.1', source: '' }], receiveBufferSize: -1 }, 'Receive buffer must be a whole number from 0 to 268435456 (got -1)'],
      [{ groups: [{ group: '239.1.1.1', source: '' }], receiveBufferSize: 'abc' }, 'Receive buffer must be a whole number from 0 to 268435456 (got "abc")'],
      [{ groups: [{ group: '239.1.1.1', source: '' }], sendBufferSize: 268435457 }, 'Send buffer must be a whole number from 0 to 268435456 (got 268435457)'],
    ];
    for (const [group, expected] of cases) {
      it(`reports ${JSON.stringify(group)}`, async function () {
        await load([multicastNodes, catchNode], flow({ port: 42999, ...group }));
        const inNode = helper.getNode('in');
        const reportedBy = () => inNode.error.getCalls().filter((call) => call.thisValue === inNode);
        await until(() => reportedBy().length > 0, 5000, 'the in node to report the error');
        const reported = reportedBy();
        reported.length.should.equal(1);
        String(reported[0].args[0]).should.equal(expected);
        statusesOf(inNode).pop().fill.should.equal('red');
      });
    }

    it('accepts groups written as text in a hand-edited flow', async function () {
      const p = port();
      await load([multicastNodes, catchNode], flow({ groups: '239.10.5.1, 232.10.5.2@127.0.0.1', port: p }));
      const endpoint = await joined();
      endpoint.options.groups.map((g) => [g.group, g.source]).should.eql([['239.10.5.1', ''], ['232.10.5.2', '127.0.0.1']]);
    });
  });

  describe('the editor', function () {
    it('serves the host\'s interfaces for the drop-down', async function () {
      await load([multicastNodes], [{ id: 'grp', type: 'netcast-multicast-group', iface: 'lo', groups: [{ group: '239.1.1.1', source: '' }], port: 1 }]);
      const response = await helper.request().get('/netcast/interfaces').expect(200);
      const names = response.body.map((entry) => entry.name);
      names.should.containEql('lo');
      names.should.containEql('eth0');
      const eth0 = response.body.find((entry) => entry.name === 'eth0');
      eth0.addresses.map((a) => a.address).should.containEql('10.200.9.1');
    });
  });
});
