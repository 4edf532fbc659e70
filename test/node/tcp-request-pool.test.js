'use strict';
require('should');
const { helper, load, nodeSet, catchNode, useHelper, endpointOf } = require('../support/red');
const { collect, until } = require('../support/events');
const { startAnsweringDevice } = require('../support/answering-device');

const tcpNodes = nodeSet('tcp');
const requestNodes = nodeSet('request');

function poolFlow(home, endpoint = {}, request = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'client', host: '127.0.0.1', port: home, framing: 'delimiter', delimiter: '\\n', reconnectInitial: 0.05, reconnectMax: 0.2, poolIdleTimeout: 0.3, ...endpoint },
    { id: 'req', type: 'netcast-tcp-request', z: 'tab', endpoint: 'ep', output: 'utf8', allowMsgDestination: true, timeout: 3000, wires: [['answers']], ...request },
    { id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep', allowMsgDestination: true },
    { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', output: 'utf8', wires: [['heard']] },
    { id: 'answers', type: 'helper', z: 'tab' },
    { id: 'heard', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

describe('tcp request: many devices through msg.host/msg.port', function () {
  useHelper();
  let devices = [];
  afterEach(async () => {
    await Promise.all(devices.map((d) => d.stop()));
    devices = [];
  });

  it('polls 20 devices from one node, one pooled connection each, and closes the idle ones', async function () {
    for (let i = 0; i < 20; i++) {
      devices.push(await startAnsweringDevice({ answer: (frame, reply) => setTimeout(() => reply(`device ${i}: ${frame}\n`), 1) }));
    }
    const home = devices[0];
    await load([tcpNodes, requestNodes, catchNode], poolFlow(home.port));
    const answered = collect(helper.getNode('answers'), 100, 15000);
    for (let round = 0; round < 5; round++) {
      devices.forEach((d, i) => helper.getNode('req').receive({ payload: `poll ${round}`, host: '127.0.0.1', port: d.port, deviceNo: i }));
    }
    const messages = await answered;
    for (const msg of messages) {
      msg.payload.should.match(new RegExp(`^device ${msg.deviceNo}: poll \\d$`));
      msg.port.should.equal(devices[msg.deviceNo].port);
    }
    devices.forEach((d) => d.connections.should.equal(1));
    const pool = endpointOf('ep').pool;
    pool.size.should.equal(19); // the endpoint's own device is not a pooled extra
    // idle ones close; the endpoint's own connection stays
    await until(() => pool.size === 0, 5000, 'idle pooled connections to close');
    await Promise.all(devices.slice(1).map((d) => d.waitForOpen(0)));
    home.open.should.equal(1);
  });

  it('tcp out to msg.host/msg.port uses the same pool, and tcp in hears the device on it', async function () {
    const answerer = await startAnsweringDevice({ answer: (frame, reply) => reply(`got ${frame}\n`) });
    const other = await startAnsweringDevice({ answer: (frame, reply) => reply(`other got ${frame}\n`) });
    devices.push(answerer, other);
    await load([tcpNodes, requestNodes, catchNode], poolFlow(answerer.port));
    const answered = collect(helper.getNode('answers'), 1);
    helper.getNode('req').receive({ payload: 'first', host: '127.0.0.1', port: other.port });
    (await answered)[0].payload.should.equal('other got first');
    const heard = collect(helper.getNode('heard'), 1);
    helper.getNode('out').receive({ payload: 'second', host: '127.0.0.1', port: other.port });
    const [line] = await heard;
    line.payload.should.equal('other got second');
    line.port.should.equal(other.port);
    other.connections.should.equal(1);
  });

  it('limits the pool: the connection unused longest makes room, a busy pool says so', async function () {
    for (let i = 0; i < 3; i++) devices.push(await startAnsweringDevice({ answer: i === 2 ? () => {} : (frame, reply) => reply(`ok\n`) }));
    const [home, a, b] = devices;
    await load([tcpNodes, requestNodes, catchNode], poolFlow(home.port, { poolSize: 1, poolIdleTimeout: 60 }, { errorOutput: true, outputs: 2, wires: [['answers'], ['errors']] }));
    const answered = collect(helper.getNode('answers'), 1);
    helper.getNode('req').receive({ payload: 'x', host: '127.0.0.1', port: a.port });
    await answered;
    // b never answers: it holds the only pooled slot while its request waits
    helper.getNode('req').receive({ payload: 'y', host: '127.0.0.1', port: b.port, timeout: 2000 });
    await a.waitForOpen(0);
    await until(() => b.requests.length === 1, 5000, 'the request at b');
    const failed = collect(helper.getNode('errors'), 1);
    helper.getNode('req').receive({ payload: 'z', host: '127.0.0.1', port: a.port });
    const [msg] = await failed;
    msg.error.code.should.equal('ERR_NETCAST_REQUEST_POOL_FULL');
    msg.payload.should.equal('z');
  });

  it('msg.reset "host:port" drops that connection; the next request opens a new one', async function () {
    devices.push(await startAnsweringDevice({ answer: (frame, reply) => reply(`ok ${frame}\n`) }));
    devices.push(await startAnsweringDevice({ answer: (frame, reply) => reply(`ok ${frame}\n`) }));
    const [home, d] = devices;
    await load([tcpNodes, requestNodes, catchNode], poolFlow(home.port));
    let answered = collect(helper.getNode('answers'), 1);
    helper.getNode('req').receive({ payload: 'a', host: '127.0.0.1', port: d.port });
    await answered;
    helper.getNode('req').receive({ reset: `127.0.0.1:${d.port}` });
    await d.waitForOpen(0);
    answered = collect(helper.getNode('answers'), 1);
    helper.getNode('req').receive({ payload: 'b', host: '127.0.0.1', port: d.port });
    (await answered)[0].payload.should.equal('ok b');
    d.connections.should.equal(2);
  });
});

describe('tcp request: bad input says what to fix', function () {
  useHelper();
  const flowWith = (request, endpoint = { mode: 'client', host: '127.0.0.1', port: 9 }) => [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-tcp-endpoint', framing: 'delimiter', ...endpoint },
    { id: 'req', type: 'netcast-tcp-request', z: 'tab', wires: [[]], ...request },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
  const firstError = async (request, endpoint, msg = { payload: 'x' }) => {
    await load([tcpNodes, requestNodes, catchNode], flowWith(request, endpoint));
    const caught = collect(helper.getNode('errors'), 1);
    helper.getNode('req').receive(msg);
    return (await caught).find((m) => m.payload === msg.payload) || (await caught)[0];
  };

  it('no endpoint', async function () {
    const msg = await firstError({});
    msg.error.message.should.match(/no TCP endpoint is selected/);
  });

  it('a server endpoint', async function () {
    const msg = await firstError({ endpoint: 'ep' }, { mode: 'server', port: 0 });
    msg.error.code.should.equal('ERR_NETCAST_CONFIG');
    msg.error.message.should.match(/needs a TCP endpoint in client mode/);
  });

  it('a negative timeout, on the node and in msg.timeout', async function () {
    (await firstError({ endpoint: 'ep', timeout: -5 })).error.message.should.match(/Timeout cannot be negative/);
    await helper.unload();
    const msg = await firstError({ endpoint: 'ep' }, undefined, { payload: 'y', timeout: -1 });
    msg.error.message.should.match(/msg.timeout must be a number of milliseconds/);
  });

  it('an id offset past the frame', async function () {
    const msg = await firstError({ endpoint: 'ep', match: 'id', idOffset: 10, idLength: 2 }, undefined, { payload: 'short' });
    msg.error.code.should.equal('ERR_NETCAST_REQUEST_ID');
    msg.error.message.should.match(/too short for a transaction id at bytes 10-11/);
  });
});
