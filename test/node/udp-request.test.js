'use strict';
require('should');
const dgram = require('dgram');
const { helper, load, nodeSet, catchNode, useHelper } = require('../support/red');
const { collect, once } = require('../support/events');

const udpNodes = nodeSet('udp');
const requestNodes = nodeSet('request');

/** A UDP device: answer(data, rinfo, reply) decides; replies go back to the sender. */
async function udpDevice(answer) {
  const socket = dgram.createSocket('udp4');
  socket.received = [];
  socket.on('message', (data, rinfo) => {
    socket.received.push(data.toString());
    answer(data, rinfo, (bytes, from = socket) => from.send(bytes, rinfo.port, rinfo.address));
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  socket.port = socket.address().port;
  socket.stop = () => new Promise((resolve) => socket.close(resolve));
  return socket;
}

function flow(request = {}, endpoint = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-udp-endpoint', localAddress: '127.0.0.1', port: 0, ...endpoint },
    { id: 'req', type: 'netcast-udp-request', z: 'tab', endpoint: 'ep', output: 'utf8', timeout: 2000, wires: [['answers'], ['failures']], ...request },
    { id: 'answers', type: 'helper', z: 'tab' },
    { id: 'failures', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

describe('udp request', function () {
  useHelper();
  let devices = [];
  afterEach(async () => {
    await Promise.all(devices.map((d) => d.stop()));
    devices = [];
  });
  const device = async (answer) => {
    const d = await udpDevice(answer);
    devices.push(d);
    return d;
  };

  it('answers to msg.ip/msg.port with the message that asked, every property kept', async function () {
    const d = await device((data, rinfo, reply) => reply(Buffer.from(`re:${data}`)));
    await load([udpNodes, requestNodes, catchNode], flow());
    const answered = collect(helper.getNode('answers'), 1);
    helper.getNode('req').receive({ payload: 'status?', ip: '127.0.0.1', port: d.port, topic: 'pump/7', meta: { site: 'B' } });
    const [msg] = await answered;
    msg.payload.should.equal('re:status?');
    msg.topic.should.equal('pump/7');
    msg.meta.should.eql({ site: 'B' });
    msg.ip.should.equal('127.0.0.1');
    msg.port.should.equal(d.port);
    msg.roundTripMs.should.be.a.Number().and.below(2000);
    msg.attempts.should.equal(1);
  });

  it('an answer from another address is not the answer; a lost datagram is sent again', async function () {
    const stranger = await device(() => {});
    let seen = 0;
    const d = await device((data, rinfo, reply) => {
      seen += 1;
      // first datagram "lost"; a stranger speaks meanwhile
      if (seen === 1) stranger.send(Buffer.from('not me'), rinfo.port, rinfo.address);
      else reply(Buffer.from('here'));
    });
    await load([udpNodes, requestNodes, catchNode], flow({ timeout: 150, retries: 2 }));
    const answered = collect(helper.getNode('answers'), 1);
    helper.getNode('req').receive({ payload: 'ping', ip: '127.0.0.1', port: d.port });
    const [msg] = await answered;
    msg.payload.should.equal('here');
    msg.attempts.should.equal(2);
    d.received.should.eql(['ping', 'ping']);
  });

  it('times out with a code and the original message, to Catch', async function () {
    const d = await device(() => {});
    await load([udpNodes, requestNodes, catchNode], flow({ timeout: 80, retries: 1 }));
    const caught = collect(helper.getNode('errors'), 1);
    helper.getNode('req').receive({ payload: 'hello', ip: '127.0.0.1', port: d.port, tag: 7 });
    const [msg] = await caught;
    msg.tag.should.equal(7);
    msg.error.code.should.equal('ERR_NETCAST_REQUEST_TIMEOUT');
    d.received.length.should.equal(2);
  });

  it('discovery collects every answer within the window: one message with the list, or one per answer', async function () {
    // a hub stands for the broadcast address: three devices answer unicast to the sender's port
    const answerers = [];
    for (let i = 0; i < 3; i++) answerers.push(await device(() => {}));
    const hub = await device((data, rinfo) => {
      answerers.forEach((a, i) => setTimeout(() => a.send(Buffer.from(`device ${i}`), rinfo.port, rinfo.address), 5 * i));
    });
    await load([udpNodes, requestNodes, catchNode], flow({ mode: 'discover', window: 300 }));
    let answered = collect(helper.getNode('answers'), 1);
    helper.getNode('req').receive({ payload: 'who is there?', ip: '127.0.0.1', port: hub.port, topic: 'scan' });
    const [msg] = await answered;
    msg.topic.should.equal('scan');
    msg.payload.map((a) => a.payload).sort().should.eql(['device 0', 'device 1', 'device 2']);
    msg.payload.map((a) => a.port).sort().should.eql(answerers.map((a) => a.port).sort());
    await helper.unload();
    await load([udpNodes, requestNodes, catchNode], flow({ mode: 'discover', window: 300, discoverOutput: 'each' }));
    answered = collect(helper.getNode('answers'), 3);
    helper.getNode('req').receive({ payload: 'who is there?', ip: '127.0.0.1', port: hub.port, topic: 'scan' });
    const each = await answered;
    each.map((m) => m.payload).sort().should.eql(['device 0', 'device 1', 'device 2']);
    each.every((m) => m.topic === 'scan').should.be.true();
    // each answer is a message of its own: its own _msgid
    each.forEach((m) => m._msgid.should.match(/^[0-9a-f]{16}$/));
    new Set(each.map((m) => m._msgid)).size.should.equal(3);
  });
});
