'use strict';
require('should');
const dgram = require('dgram');
const { helper, load, nodeSet, catchNode, useHelper, endpointOf, boundPort } = require('../support/red');
const { startUdpPeer: startPeer } = require('../support/peers');
const { collect, until, once } = require('../support/events');

const udpNodes = nodeSet('udp');

function flow(endpoint, inNode = {}, outNode = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-udp-endpoint', localAddress: '127.0.0.1', port: 0, ...endpoint },
    { id: 'in', type: 'netcast-udp-in', z: 'tab', endpoint: 'ep', output: 'utf8', wires: [['sink']], ...inNode },
    { id: 'out', type: 'netcast-udp-out', z: 'tab', endpoint: 'ep', ...outNode },
    { id: 'sink', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

/** The text of an error as a Catch node shows it, without the "Error: " Node-RED puts in front. */
function errorText(msg) {
  return msg.error.message.replace(/^[A-Za-z]*Error: /, '');
}

/** The statuses one node has shown (the test helper spies on every node at once). */
function statusesOf(node) {
  return node.status.getCalls().filter((call) => call.thisValue === node).map((call) => call.args[0]);
}

function freePort(type = 'udp4') {
  const socket = dgram.createSocket(type);
  return new Promise((resolve) => socket.bind(0, () => {
    const { port } = socket.address();
    socket.close(() => resolve(port));
  }));
}

describe('udp in/out', function () {
  useHelper();
  const peers = [];
  async function peerOf(...args) {
    const peer = await startPeer(...args);
    peers.push(peer);
    return peer;
  }
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer.close()));
  });

  describe('receiving', function () {
    for (const [family, type, address] of [['ipv4', 'udp4', '127.0.0.1'], ['ipv6', 'udp6', '::1']]) {
      it(`emits one message per datagram with msg.ip, msg.port and msg.topic (${family})`, async function () {
        await load([udpNodes, catchNode], flow({ family, localAddress: address }, { topic: 'plc/1' }));
        const port = await boundPort();
        const peer = await peerOf(type, address);
        const arrived = collect(helper.getNode('sink'), 2);
        await peer.send('temp=21', port);
        await peer.send('temp=22', port);
        const messages = await arrived;
        messages.map((m) => m.payload).should.eql(['temp=21', 'temp=22']);
        messages[0].ip.should.equal(address);
        messages[0].port.should.equal(peer.port);
        messages[0].topic.should.equal('plc/1');
      });
    }

    const formats = [
      ['buffer', Buffer.from([0, 1, 0xfe]), (p) => Buffer.isBuffer(p).should.be.true() && p.should.eql(Buffer.from([0, 1, 0xfe]))],
      ['hex', Buffer.from([0, 1, 0xfe]), (p) => p.should.equal('0001fe')],
      ['base64', Buffer.from('hi'), (p) => p.should.equal('aGk=')],
      ['json', Buffer.from('{"t":21.5,"ok":true}'), (p) => p.should.eql({ t: 21.5, ok: true })],
    ];
    for (const [output, bytes, check] of formats) {
      it(`delivers the payload as ${output}`, async function () {
        await load([udpNodes, catchNode], flow({}, { output }));
        const port = await boundPort();
        const peer = await peerOf();
        const arrived = collect(helper.getNode('sink'), 1);
        await peer.send(bytes, port);
        const [msg] = await arrived;
        check(msg.payload);
      });
    }

    it('reports a datagram that is not JSON to Catch and goes on with the next one', async function () {
      await load([udpNodes, catchNode], flow({}, { output: 'json' }));
      const port = await boundPort();
      const peer = await peerOf();
      const errors = collect(helper.getNode('errors'), 1);
      const arrived = collect(helper.getNode('sink'), 1);
      await peer.send('not json', port);
      await peer.send('[1,2]', port);
      const [error] = await errors;
      error.error.message.should.match(/not valid JSON/);
      error.ip.should.equal('127.0.0.1');
      (await arrived)[0].payload.should.eql([1, 2]);
    });

    it('accepts IPv4 peers on a dual-stack IPv6 endpoint and shows their plain IPv4 address', async function () {
      await load([udpNodes, catchNode], flow({ family: 'ipv6', localAddress: '', ipv6Only: false }));
      const port = await boundPort();
      const peer = await peerOf('udp4', '127.0.0.1');
      const arrived = collect(helper.getNode('sink'), 1);
      await peer.send('from v4', port);
      const [msg] = await arrived;
      msg.payload.should.equal('from v4');
      msg.ip.should.equal('127.0.0.1');
    });

    it('leaves the IPv4 port free with "IPv6 only"', async function () {
      await load([udpNodes, catchNode], flow({ family: 'ipv6', localAddress: '', ipv6Only: true }));
      const port = await boundPort();
      const v4 = dgram.createSocket('udp4');
      await new Promise((resolve, reject) => {
        v4.once('error', reject);
        v4.bind(port, '0.0.0.0', resolve);
      });
      await new Promise((resolve) => v4.close(resolve));
    });

    it('splits a datagram into records with delimiter framing', async function () {
      await load([udpNodes, catchNode], flow({ framing: 'delimiter', delimiter: '\\n' }));
      const port = await boundPort();
      const peer = await peerOf();
      const arrived = collect(helper.getNode('sink'), 3);
      await peer.send('a=1\nb=2\nc=3', port);
      (await arrived).map((m) => m.payload).should.eql(['a=1', 'b=2', 'c=3']);
    });

    it('splits by a length field and reports a record cut short by the end of the datagram', async function () {
      await load([udpNodes, catchNode], flow({ framing: 'length', lengthSize: 1, lengthOffset: 0, lengthStrip: 1 }));
      const port = await boundPort();
      const peer = await peerOf();
      const arrived = collect(helper.getNode('sink'), 3);
      await peer.send(Buffer.from('\x02hi\x03abc', 'latin1'), port);
      const errors = collect(helper.getNode('errors'), 1);
      await peer.send(Buffer.from('\x01Z\x09short', 'latin1'), port);
      (await arrived).map((m) => m.payload).should.eql(['hi', 'abc', 'Z']);
      (await errors)[0].error.message.should.match(/datagram ended inside a record \(6 bytes left over\)/);
    });

    it('sets the receive and send buffer sizes', async function () {
      await load([udpNodes, catchNode], flow({ receiveBufferSize: 1048576, sendBufferSize: 524288 }));
      await boundPort();
      const sizes = endpointOf('ep').bufferSizes;
      // Linux doubles the request for its own bookkeeping
      sizes.receive.should.be.aboveOrEqual(1048576);
      sizes.send.should.be.aboveOrEqual(524288);
    });
  });

  describe('sending', function () {
    for (const [family, type, address] of [['ipv4', 'udp4', '127.0.0.1'], ['ipv6', 'udp6', '::1']]) {
      it(`sends to the default remote, from the endpoint's port (${family})`, async function () {
        const peer = await peerOf(type, address);
        await load([udpNodes, catchNode], flow({ family, localAddress: address, remoteHost: address, remotePort: peer.port }));
        const port = await boundPort();
        helper.getNode('out').receive({ payload: 'hello' });
        await peer.waitFor(1);
        peer.received[0].data.toString().should.equal('hello');
        peer.received[0].rinfo.port.should.equal(port);
      });
    }

    it('sends to msg.ip and msg.port when the out node allows it, and ignores them when not', async function () {
      const fixed = await peerOf();
      const other = await peerOf();
      const config = flow({ remoteHost: '127.0.0.1', remotePort: fixed.port });
      config.push({ id: 'locked', type: 'netcast-udp-out', z: 'tab', endpoint: 'ep', allowMsgDestination: false });
      await load([udpNodes, catchNode], config);
      helper.getNode('out').receive({ payload: 'to other', ip: '127.0.0.1', port: other.port });
      helper.getNode('locked').receive({ payload: 'to fixed', ip: '127.0.0.1', port: other.port });
      await other.waitFor(1);
      await fixed.waitFor(1);
      other.received.map((d) => d.data.toString()).should.eql(['to other']);
      fixed.received.map((d) => d.data.toString()).should.eql(['to fixed']);
    });

    it('answers a device on the port it sent from, through an in node wired to an out node', async function () {
      const config = flow({}, { wires: [['sink', 'out']] });
      await load([udpNodes, catchNode], config);
      const port = await boundPort();
      const device = await peerOf();
      await device.send('PING', port);
      await device.waitFor(1);
      device.received[0].data.toString().should.equal('PING');
      device.received[0].rinfo.port.should.equal(port);
    });

    it('sends nothing-lost right after deploy: every message sent before the socket is bound arrives', async function () {
      const peer = await peerOf();
      // bound to a name: resolving it takes a moment (an IP address is bound during the deploy)
      await load([udpNodes, catchNode], flow({ localAddress: 'localhost', remoteHost: '127.0.0.1', remotePort: peer.port }));
      const out = helper.getNode('out');
      endpointOf('ep').state.phase.should.equal('starting');
      for (let i = 0; i < 50; i++) out.receive({ payload: `m${i}` });
      await peer.waitFor(50);
      peer.received.map((d) => d.data.toString()).should.eql(Array.from({ length: 50 }, (_, i) => `m${i}`));
    });

    it('converts payloads: objects as JSON, strings as hex or base64 when configured', async function () {
      const peer = await peerOf();
      const config = flow({ remoteHost: '127.0.0.1', remotePort: peer.port });
      config.push({ id: 'hex', type: 'netcast-udp-out', z: 'tab', endpoint: 'ep', encoding: 'hex' });
      await load([udpNodes, catchNode], config);
      helper.getNode('out').receive({ payload: { t: 1 } });
      await peer.waitFor(1);
      helper.getNode('hex').receive({ payload: '0102ff' });
      await peer.waitFor(2);
      peer.received[0].data.toString().should.equal('{"t":1}');
      peer.received[1].data.should.eql(Buffer.from([1, 2, 0xff]));
    });

    it('appends the delimiter when the endpoint frames records', async function () {
      const peer = await peerOf();
      await load([udpNodes, catchNode], flow({ remoteHost: '127.0.0.1', remotePort: peer.port, framing: 'delimiter', delimiter: '\\r\\n' }));
      helper.getNode('out').receive({ payload: 'READ?' });
      await peer.waitFor(1);
      peer.received[0].data.toString().should.equal('READ?\r\n');
    });

    for (const [family, type, address, limit] of [['ipv4', 'udp4', '127.0.0.1', 65507], ['ipv6', 'udp6', '::1', 65527]]) {
      it(`sends a ${limit}-byte datagram and refuses ${limit + 1} bytes with an error (${family})`, async function () {
        const peer = await peerOf(type, address);
        await load([udpNodes, catchNode], flow({ family, localAddress: address, remoteHost: address, remotePort: peer.port }));
        await boundPort();
        const errors = collect(helper.getNode('errors'), 1);
        helper.getNode('out').receive({ payload: Buffer.alloc(limit + 1), topic: 'too big' });
        const [error] = await errors;
        errorText(error).should.equal(
          `msg.payload is ${limit + 1} bytes but one UDP datagram over ${family === 'ipv4' ? 'IPv4' : 'IPv6'} carries at most ${limit} bytes; split the data into smaller messages`,
        );
        error.topic.should.equal('too big');
        helper.getNode('out').receive({ payload: Buffer.alloc(limit, 7) });
        await peer.waitFor(1);
        peer.received[0].data.length.should.equal(limit);
      });
    }

    it('reports an unresolvable destination and keeps sending to good ones', async function () {
      const peer = await peerOf();
      await load([udpNodes, catchNode], flow({ remoteHost: '127.0.0.1', remotePort: peer.port }));
      const errors = collect(helper.getNode('errors'), 1);
      helper.getNode('out').receive({ payload: 'lost', ip: 'no-such-device.invalid', port: 9 });
      const [error] = await errors;
      errorText(error).should.equal('cannot resolve host "no-such-device.invalid"; check the host name or the DNS settings');
      helper.getNode('out').receive({ payload: 'still fine' });
      await peer.waitFor(1);
      peer.received[0].data.toString().should.equal('still fine');
    });

    it('says what to do when a message has no destination', async function () {
      await load([udpNodes, catchNode], flow({}));
      const errors = collect(helper.getNode('errors'), 1);
      helper.getNode('out').receive({ payload: 'x' });
      (await errors)[0].error.message.should.match(/no destination for this message; set Remote host and port on the UDP endpoint, or send msg.ip and msg.port/);
    });

    it('rejects a bad msg.port with a sentence', async function () {
      await load([udpNodes, catchNode], flow({}));
      const errors = collect(helper.getNode('errors'), 1);
      helper.getNode('out').receive({ payload: 'x', ip: '127.0.0.1', port: 'abc' });
      errorText((await errors)[0]).should.equal('msg.port must be a port number from 1 to 65535 (got "abc")');
    });
  });

  describe('the socket', function () {
    it('reports a port in use when address reuse is off, and leaves the other endpoint working', async function () {
      const port = await freePort();
      const config = flow({ port, reuseAddr: false });
      config.push({ id: 'ep2', type: 'netcast-udp-endpoint', localAddress: '127.0.0.1', port, reuseAddr: false });
      config.push({ id: 'in2', type: 'netcast-udp-in', z: 'tab', endpoint: 'ep2', wires: [] });
      await load([udpNodes, catchNode], config);
      const first = endpointOf('ep');
      const second = endpointOf('ep2');
      await until(() => first.state.phase !== 'starting' && second.state.phase !== 'starting', 5000, 'both endpoints to bind or fail');
      const failed = [first, second].filter((endpoint) => endpoint.state.phase === 'failed');
      failed.length.should.equal(1);
      failed[0].state.reason.should.match(new RegExp(`port ${port} is in use by another program`));
    });

    it('shares a port between endpoints with address reuse on', async function () {
      const port = await freePort();
      const config = flow({ port, reuseAddr: true });
      config.push({ id: 'ep2', type: 'netcast-udp-endpoint', localAddress: '127.0.0.1', port, reuseAddr: true });
      config.push({ id: 'in2', type: 'netcast-udp-in', z: 'tab', endpoint: 'ep2', wires: [] });
      await load([udpNodes, catchNode], config);
      (await boundPort('ep')).should.equal(port);
      (await boundPort('ep2')).should.equal(port);
    });

    it('frees its port on every redeploy: 30 deploys of the same fixed port', async function () {
      const port = await freePort();
      for (let i = 0; i < 30; i++) {
        await load([udpNodes, catchNode], flow({ port, reuseAddr: false }));
        (await boundPort()).should.equal(port);
        await helper.unload();
      }
      const probe = dgram.createSocket('udp4');
      await new Promise((resolve, reject) => {
        probe.once('error', reject);
        probe.bind(port, '127.0.0.1', resolve);
      });
      await new Promise((resolve) => probe.close(resolve));
    });

    it('shows the bound state under the nodes', async function () {
      await load([udpNodes, catchNode], flow({}));
      await boundPort();
      const inNode = helper.getNode('in');
      await until(() => statusesOf(inNode).some((status) => status.fill === 'green'), 5000, 'a green status');
    });
  });

  describe('bad configuration', function () {
    const cases = [
      [{ family: 'ipv4', localAddress: '::1' }, 'Local address ::1 is an IPv6 address; set IP version to IPv6, or enter an IPv4 address'],
      [{ remoteHost: '10.0.0.9', remotePort: '' }, 'Remote host 10.0.0.9 is set but Remote port is empty; enter the device\'s port'],
      [{ port: 70000 }, 'Local port must be a whole number from 0 to 65535 (got 70000)'],
      [{ framing: 'idle' }, /Framing "idle gap" does not apply to UDP/],
    ];
    for (const [endpoint, expected] of cases) {
      it(`reports ${JSON.stringify(endpoint)} and the in node shows the error`, async function () {
        const config = flow(endpoint);
        await load([udpNodes, catchNode], config);
        const inNode = helper.getNode('in');
        const reportedBy = () => inNode.error.getCalls().filter((call) => call.thisValue === inNode);
        await until(() => reportedBy().length > 0, 5000, 'the in node to report the error');
        const reported = reportedBy();
        reported.length.should.equal(1);
        const text = String(reported[0].args[0]);
        if (expected instanceof RegExp) text.should.match(expected);
        else text.should.equal(expected);
        statusesOf(inNode).pop().fill.should.equal('red');
      });
    }

    it('an out node without an endpoint fails each message with a sentence', async function () {
      const config = flow({});
      config[3].endpoint = '';
      await load([udpNodes, catchNode], config);
      const errors = collect(helper.getNode('errors'), 1);
      helper.getNode('out').receive({ payload: 'x' });
      errorText((await errors)[0]).should.equal('no UDP endpoint is selected; open the node and choose or add one');
    });
  });
});

