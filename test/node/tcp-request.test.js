'use strict';
require('should');
const net = require('net');
const { helper, load, nodeSet, catchNode, useHelper, endpointOf } = require('../support/red');
const { collect, until, once } = require('../support/events');
const { startAnsweringDevice } = require('../support/answering-device');

const tcpNodes = nodeSet('tcp');
const requestNodes = nodeSet('request');

function requestFlow(endpoint, request = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'client', host: '127.0.0.1', framing: 'delimiter', delimiter: '\\n', reconnectInitial: 0.05, reconnectMax: 0.2, ...endpoint },
    { id: 'req', type: 'netcast-tcp-request', z: 'tab', endpoint: 'ep', output: 'utf8', timeout: 2000, wires: [['answers'], ['failures'], ['unmatched']], ...request },
    { id: 'answers', type: 'helper', z: 'tab' },
    { id: 'failures', type: 'helper', z: 'tab' },
    { id: 'unmatched', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('tcp request', function () {
  useHelper();
  let devices = [];
  afterEach(async () => {
    await Promise.all(devices.map((d) => d.stop()));
    devices = [];
  });
  const device = async (options) => {
    const d = await startAnsweringDevice(options);
    devices.push(d);
    return d;
  };

  it('emits the message that asked, every property kept, with the answer, ip, port and round trip', async function () {
    const d = await device({ answer: (frame, reply) => reply(`re:${frame}\n`) });
    await load([tcpNodes, requestNodes, catchNode], requestFlow({ port: d.port }));
    const answered = collect(helper.getNode('answers'), 1);
    const res = { statusCode: 200, note: 'an http response object stands here' };
    helper.getNode('req').receive({ payload: 'temp?', topic: 'boiler/3', deviceId: 'B-3', res, nested: { a: [1, 2] } });
    const [msg] = await answered;
    msg.payload.should.equal('re:temp?');
    msg.topic.should.equal('boiler/3');
    msg.deviceId.should.equal('B-3');
    msg.res.should.eql(res);
    msg.nested.should.eql({ a: [1, 2] });
    msg.ip.should.equal('127.0.0.1');
    msg.port.should.equal(d.port);
    msg.roundTripMs.should.be.a.Number().and.above(0).and.below(2000);
    msg.should.have.property('_msgid');
  });

  it('answers 100 requests to a slow device in order, one in flight', async function () {
    const d = await device({ answer: (frame, reply) => setTimeout(() => reply(`${frame}=ok\n`), 2) });
    await load([tcpNodes, requestNodes, catchNode], requestFlow({ port: d.port }, { output: 'utf8' }));
    const answered = collect(helper.getNode('answers'), 100, 15000);
    for (let i = 0; i < 100; i++) helper.getNode('req').receive({ payload: `r${i}`, n: i });
    const messages = await answered;
    messages.map((m) => m.n).should.eql(Array.from({ length: 100 }, (_, i) => i));
    messages.every((m) => m.payload === `r${m.n}=ok`).should.be.true();
    d.maxOutstanding.should.equal(1);
    d.connections.should.equal(1);
  });

  it('pipelines requests by transaction id and matches answers that come out of order', async function () {
    // the device holds 8 requests, then answers them last first
    const held = [];
    const d = await device({
      answer: (frame, reply) => {
        held.push(() => reply(`${frame.toString().slice(0, 3)}:answer to ${frame}\n`));
        if (held.length === 8) held.splice(0).reverse().forEach((fn) => fn());
      },
    });
    await load([tcpNodes, requestNodes, catchNode], requestFlow({ port: d.port }, { match: 'id', idOffset: 0, idLength: 3, maxInFlight: 8 }));
    const answered = collect(helper.getNode('answers'), 16, 10000);
    for (let i = 0; i < 16; i++) helper.getNode('req').receive({ payload: `${String(i).padStart(3, '0')}read`, n: i });
    const messages = await answered;
    messages.length.should.equal(16);
    for (const msg of messages) msg.payload.should.equal(`${String(msg.n).padStart(3, '0')}:answer to ${String(msg.n).padStart(3, '0')}read`);
    messages.slice(0, 8).map((m) => m.n).should.eql([7, 6, 5, 4, 3, 2, 1, 0]);
    d.maxOutstanding.should.equal(8);
  });

  it('fails a request that times out with the original message, to Catch with a code', async function () {
    const d = await device({ answer: () => {} });
    const flow = requestFlow({ port: d.port }, { timeout: 100, wires: [['answers']] });
    await load([tcpNodes, requestNodes, catchNode], flow);
    const caught = collect(helper.getNode('errors'), 1);
    const started = Date.now();
    helper.getNode('req').receive({ payload: 'hello?', topic: 'quiet-device' });
    const [msg] = await caught;
    (Date.now() - started).should.be.below(1500);
    msg.topic.should.equal('quiet-device');
    msg.payload.should.equal('hello?');
    msg.error.code.should.equal('ERR_NETCAST_REQUEST_TIMEOUT');
    msg.error.message.should.match(/no answer within 100 ms/);
  });

  it('msg.timeout overrides the node timeout; retries send again before failing, to the error output', async function () {
    const d = await device({ answer: () => {} });
    await load([tcpNodes, requestNodes, catchNode], requestFlow({ port: d.port }, { timeout: 60000, retries: 1, errorOutput: true, outputs: 2 }));
    const failed = collect(helper.getNode('failures'), 1, 10000);
    helper.getNode('req').receive({ payload: 'x', timeout: 80 });
    const [msg] = await failed;
    msg.error.code.should.equal('ERR_NETCAST_REQUEST_TIMEOUT');
    msg.error.message.should.match(/2 attempts/);
    d.requests.map(String).should.eql(['x', 'x']);
  });

  it('fails every pending request at once when the device dies, without waiting for the timeout', async function () {
    const d = await device({ answer: () => {} });
    await load([tcpNodes, requestNodes, catchNode], requestFlow({ port: d.port }, { timeout: 60000, errorOutput: true, outputs: 2 }));
    await until(() => endpointOf('ep').connected, 5000, 'the connection');
    const failed = collect(helper.getNode('failures'), 5);
    for (let i = 0; i < 5; i++) helper.getNode('req').receive({ payload: `q${i}`, n: i });
    await until(() => d.requests.length === 1, 5000, 'the first request at the device');
    const started = Date.now();
    for (const socket of d.sockets) socket.destroy();
    const messages = await failed;
    (Date.now() - started).should.be.below(2000);
    messages.map((m) => m.n).should.eql([0, 1, 2, 3, 4]);
    messages.every((m) => m.error.code === 'ERR_NETCAST_REQUEST_CONNECTION_LOST').should.be.true();
  });

  it('fails at once while the device is known to be unreachable', async function () {
    const port = await freePort();
    await load([tcpNodes, requestNodes, catchNode], requestFlow({ port, reconnectInitial: 5, reconnectMax: 5 }, { timeout: 60000, errorOutput: true, outputs: 2 }));
    const endpoint = endpointOf('ep');
    await until(() => endpoint.state.phase === 'reconnecting', 5000, 'the first attempt to fail');
    const failed = collect(helper.getNode('failures'), 1, 1000);
    helper.getNode('req').receive({ payload: 'anyone?' });
    const [msg] = await failed;
    msg.error.code.should.equal('ERR_NETCAST_REQUEST_NOT_CONNECTED');
    msg.error.message.should.match(/not reachable .*next attempt/);
  });

  it('sends frames that answer nothing to the unmatched output, with ip and port', async function () {
    const d = await device({ answer: (frame, reply) => reply(`ok\n`) });
    await load([tcpNodes, requestNodes, catchNode], requestFlow({ port: d.port }, { unmatchedOutput: true, errorOutput: true, outputs: 3 }));
    await until(() => endpointOf('ep').connected, 5000, 'the connection');
    const strays = collect(helper.getNode('unmatched'), 1);
    for (const socket of d.sockets) socket.write('alarm: door open\n');
    const [stray] = await strays;
    stray.payload.should.equal('alarm: door open');
    stray.port.should.equal(d.port);
    stray._msgid.should.match(/^[0-9a-f]{16}$/); // a new message gets its own id (MessageIds)
  });

  it('after a next-frame timeout, reconnects so a late answer is not taken for the next request', async function () {
    let first = true;
    const d = await device({
      answer: (frame, reply) => {
        if (first) {
          first = false;
          setTimeout(() => reply('late\n'), 150);
        } else reply(`fresh:${frame}\n`);
      },
    });
    await load([tcpNodes, requestNodes, catchNode], requestFlow({ port: d.port }, { timeout: 50, errorOutput: true, outputs: 2 }));
    const failed = collect(helper.getNode('failures'), 1);
    const answered = collect(helper.getNode('answers'), 1);
    helper.getNode('req').receive({ payload: 'one' });
    helper.getNode('req').receive({ payload: 'two' });
    (await failed)[0].payload.should.equal('one');
    (await answered)[0].payload.should.equal('fresh:two');
    d.connections.should.equal(2);
  });
});
