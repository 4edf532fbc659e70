'use strict';
require('should');
const net = require('net');
const { helper, load, nodeSet, catchNode, useHelper, endpointOf } = require('../support/red');
const { collect, until, once } = require('../support/events');
const { startDevice } = require('../support/peers');

const tcpNodes = nodeSet('tcp');

function clientFlow(endpoint, inNode = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'client', host: '127.0.0.1', framing: 'delimiter', delimiter: '\\n', reconnectInitial: 0.05, reconnectMax: 0.2, ...endpoint },
    { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', output: 'utf8', wires: [['sink'], ['events']], ...inNode },
    { id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' },
    { id: 'sink', type: 'helper', z: 'tab' },
    { id: 'events', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

describe('tcp in/out, client mode', function () {
  useHelper();
  let device;
  afterEach(async () => {
    if (device) await device.stop();
    device = undefined;
  });

  it('connects, receives lines and sends on the same connection', async function () {
    device = await startDevice();
    await load([tcpNodes, catchNode], clientFlow({ port: device.port }));
    await device.waitForConnection();
    const arrived = collect(helper.getNode('sink'), 2);
    device.sockets[0].write('temp=21\nhum=40\n');
    const messages = await arrived;
    messages.map((m) => m.payload).should.eql(['temp=21', 'hum=40']);
    messages[0].ip.should.equal('127.0.0.1');
    messages[0].port.should.equal(device.port);
    helper.getNode('out').receive({ payload: 'ack', _session: messages[0]._session });
    await device.waitForText('ack\n');
    device.sockets.length.should.equal(1);
  });

  it('keeps messages sent while the device is down and delivers them in order after it comes back', async function () {
    device = await startDevice();
    const port = device.port;
    await load([tcpNodes, catchNode], clientFlow({ port, queueSize: 100 }));
    await device.waitForConnection();
    const endpoint = endpointOf('ep');
    await device.stop();
    await until(() => endpoint.state.phase === 'reconnecting', 5000, 'the client to notice the device went away');
    for (let i = 0; i < 20; i++) helper.getNode('out').receive({ payload: `reading ${i}` });
    await until(() => endpoint.counters.queued === 20, 5000, '20 queued messages');
    device = await startDevice(port);
    const expected = Array.from({ length: 20 }, (_, i) => `reading ${i}\n`).join('');
    await device.waitForText(expected);
    device.received.toString().should.equal(expected);
    endpoint.counters.queued.should.equal(0);
    endpoint.counters.dropped.should.equal(0);
  });

  it('drops the oldest queued messages when the queue is full, and counts them', async function () {
    const free = net.createServer().listen(0, '127.0.0.1');
    await once(free, 'listening');
    const port = free.address().port;
    await new Promise((resolve) => free.close(resolve));
    await load([tcpNodes, catchNode], clientFlow({ port, queueSize: 3, queuePolicy: 'drop-oldest' }));
    const endpoint = endpointOf('ep');
    for (let i = 0; i < 5; i++) helper.getNode('out').receive({ payload: `m${i}` });
    await until(() => endpoint.counters.dropped === 2, 5000, '2 drops');
    device = await startDevice(port);
    await device.waitForText('m2\nm3\nm4\n');
    device.received.toString().should.equal('m2\nm3\nm4\n');
  });

  it('keeps the oldest under drop-newest', async function () {
    const free = net.createServer().listen(0, '127.0.0.1');
    await once(free, 'listening');
    const port = free.address().port;
    await new Promise((resolve) => free.close(resolve));
    await load([tcpNodes, catchNode], clientFlow({ port, queueSize: 2, queuePolicy: 'drop-newest' }));
    for (let i = 0; i < 4; i++) helper.getNode('out').receive({ payload: `m${i}` });
    await until(() => endpointOf('ep').counters.dropped === 2);
    device = await startDevice(port);
    await device.waitForText('m0\nm1\n');
    device.received.toString().should.equal('m0\nm1\n');
  });

  it('sends again on the next connection what the dead connection had not handed to the kernel', async function () {
    // the device reads nothing on its first connection: the kernel buffers fill, then the 1 MiB
    // the client lets its socket buffer, then the queue; then the device resets that connection
    const size = 8192;
    const count = 2500;
    const connections = [];
    const server = net.createServer((socket) => {
      const record = { socket, text: '' };
      connections.push(record);
      socket.on('error', () => {});
      if (connections.length === 1) socket.pause();
      else socket.on('data', (chunk) => (record.text += chunk.toString('latin1')));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    device = { stop: () => new Promise((resolve) => { connections.forEach((c) => c.socket.destroy()); server.close(() => resolve()); }) };
    await load([tcpNodes, catchNode], clientFlow({ port: server.address().port, queueSize: count }));
    const endpoint = endpointOf('ep');
    await until(() => endpoint.state.phase === 'connected' && connections.length === 1, 5000, 'the first connection');
    const line = (i) => `${String(i).padStart(6, '0')} ${'x'.repeat(size - 8)}`;
    for (let i = 0; i < count; i++) helper.getNode('out').receive({ payload: line(i) });
    const queuedAtReset = endpoint.counters.queued;
    queuedAtReset.should.be.above(0, 'the socket buffer should have filled up');
    connections[0].socket.resetAndDestroy();
    const last = String(count - 1).padStart(6, '0');
    const second = () => connections[1]?.text ?? '';
    await until(() => second().endsWith('\n') && second().slice(-size).startsWith(last), 10000, 'the last message on the second connection');
    const ids = second().split('\n').filter(Boolean).map((text) => {
      text.length.should.equal(size - 1);
      return Number(text.slice(0, 6));
    });
    ids.should.eql(Array.from({ length: ids.length }, (_, k) => count - ids.length + k), 'in order, none missing, none twice');
    // what sat in the socket's own buffer (about 1 MiB, ~128 messages) came back along with the queue
    ids.length.should.be.aboveOrEqual(queuedAtReset + 100);
    endpoint.counters.dropped.should.equal(0);
  });

  it('reports a refused connection once, in plain words, and says when it retries', async function () {
    const free = net.createServer().listen(0, '127.0.0.1');
    await once(free, 'listening');
    const port = free.address().port;
    await new Promise((resolve) => free.close(resolve));
    await load([tcpNodes, catchNode], clientFlow({ port, reconnectInitial: 0.02, reconnectMax: 0.05 }));
    const [error] = await collect(helper.getNode('errors'), 1);
    // the sentence itself (no "Error: " in front), and its code for Catch flows
    error.error.message.should.equal(`connection refused by 127.0.0.1:${port}; is the device or server listening on that port?`);
    error.error.should.have.property('code');
    const endpoint = endpointOf('ep');
    await until(() => endpoint.state.phase === 'reconnecting');
    endpoint.state.reason.should.match(/connection refused/);
    const more = [];
    helper.getNode('errors').on('input', (msg) => more.push(msg));
    const attempts = [];
    endpoint.on('state', () => attempts.push(endpoint.state.phase));
    await until(() => attempts.filter((p) => p === 'connecting').length >= 3, 5000, 'three more attempts');
    more.length.should.equal(0, 'a repeated failure is not reported again');
  });

  it('reports a host name that cannot be resolved', async function () {
    await load([tcpNodes, catchNode], clientFlow({ host: 'no-such-host.invalid', port: 502 }));
    const [error] = await collect(helper.getNode('errors'), 1);
    error.error.message.should.match(/cannot resolve host "no-such-host\.invalid"/);
  });

  it('takes host and port from environment variables', async function () {
    device = await startDevice();
    process.env.NETCAST_TEST_HOST = '127.0.0.1';
    process.env.NETCAST_TEST_PORT = String(device.port);
    try {
      await load([tcpNodes, catchNode], clientFlow({ host: '${NETCAST_TEST_HOST}', port: '${NETCAST_TEST_PORT}' }));
      await device.waitForConnection();
      helper.getNode('out').receive({ payload: 'via env' });
      await device.waitForText('via env\n');
    } finally {
      delete process.env.NETCAST_TEST_HOST;
      delete process.env.NETCAST_TEST_PORT;
    }
  });

  it('detects a silent peer with the idle timeout and reconnects', async function () {
    device = await startDevice();
    await load([tcpNodes, catchNode], clientFlow({ port: device.port, idleTimeout: 0.2 }, { events: true }));
    const events = collect(helper.getNode('events'), 3);
    const [connect, disconnect, reconnect] = await events;
    connect.event.should.equal('connect');
    disconnect.event.should.equal('disconnect');
    disconnect.payload.reason.should.equal('no data for 0.2 s');
    reconnect.event.should.equal('connect');
    device.sockets.length.should.be.aboveOrEqual(2);
  });

  it('opens exactly one connection whichever of in and out is created first', async function () {
    device = await startDevice();
    const flow = clientFlow({ port: device.port });
    const reversed = [flow[0], flow[1], flow[3], flow[2], ...flow.slice(4)];
    await load([tcpNodes, catchNode], reversed);
    await device.waitForConnection();
    helper.getNode('out').receive({ payload: 'one' });
    await device.waitForText('one\n');
    device.sockets.length.should.equal(1);
  });
});
