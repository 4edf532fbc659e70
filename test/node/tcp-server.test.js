'use strict';
const should = require('should');
const net = require('net');
const { helper, load, nodeSet, catchNode, useHelper, endpointOf, listeningPort } = require('../support/red');
const { collect, once, until } = require('../support/events');
const { connectClient, closeQuietly } = require('../support/peers');

const tcpNodes = nodeSet('tcp');

function serverFlow(endpoint = {}, inNode = {}, extra = []) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: 0, framing: 'delimiter', delimiter: '\\n', ...endpoint },
    { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', output: 'utf8', wires: [['sink'], ['events']], ...inNode },
    { id: 'sink', type: 'helper', z: 'tab' },
    { id: 'events', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
    ...extra,
  ];
}

describe('tcp in/out, server mode', function () {
  useHelper();
  const sockets = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map(closeQuietly));
  });
  async function client(port, host) {
    const socket = await connectClient(port, host);
    sockets.push(socket);
    return socket;
  }

  it('emits one message per line with the peer address and session', async function () {
    await load([tcpNodes, catchNode], serverFlow());
    const port = await listeningPort('ep');
    const received = collect(helper.getNode('sink'), 3);
    const socket = await client(port);
    socket.write('first\nsec');
    socket.write('ond\n\nthird\n');
    const messages = await received;
    messages.map((m) => m.payload).should.eql(['first', 'second', '', 'third'].slice(0, 3));
    messages[0].ip.should.equal('127.0.0.1');
    messages[0].port.should.equal(socket.localPort);
    messages[0]._session.type.should.equal('tcp');
    messages[0]._session.id.should.be.a.String().and.not.be.empty();
    messages[1]._session.id.should.equal(messages[0]._session.id);
  });

  it('replies on the connection a message came from and broadcasts when there is no session', async function () {
    const flow = serverFlow({}, { wires: [['out', 'sink']] }, [
      { id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' },
      { id: 'bcast', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' },
    ]);
    await load([tcpNodes, catchNode], flow);
    const port = await listeningPort('ep');
    const alice = await client(port);
    const bob = await client(port);
    await until(() => endpointOf('ep').sessionCount === 2);
    const arrived = collect(helper.getNode('sink'), 1);
    alice.write('ping from alice\n');
    await arrived;
    await alice.waitForText('ping from alice\n');
    helper.getNode('bcast').receive({ payload: 'to everyone' });
    await alice.waitForText('to everyone\n');
    await bob.waitForText('to everyone\n');
    bob.received.toString().should.not.containEql('ping from alice');
  });

  it('sends Buffers as they are, objects as JSON, and base64 strings decoded when configured', async function () {
    const flow = serverFlow({ framing: 'raw' }, {}, [
      { id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' },
      { id: 'out64', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep', encoding: 'base64' },
    ]);
    await load([tcpNodes, catchNode], flow);
    const port = await listeningPort('ep');
    const socket = await client(port);
    await until(() => endpointOf('ep').sessionCount === 1);
    helper.getNode('out').receive({ payload: Buffer.from([0, 1, 2, 255]) });
    await socket.waitForBytes(4);
    socket.received.should.eql(Buffer.from([0, 1, 2, 255]));
    helper.getNode('out').receive({ payload: { temperature: 21.5 } });
    await socket.waitForText('{"temperature":21.5}');
    helper.getNode('out64').receive({ payload: Buffer.from('hi there').toString('base64') });
    await socket.waitForText('hi there');
    socket.received.toString().should.not.containEql('[object Object]');
  });

  it('closes one session on msg.close and leaves the others connected', async function () {
    const flow = serverFlow({}, { wires: [['out', 'sink']] }, [{ id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' }]);
    flow[2].wires = [['sink']];
    await load([tcpNodes, catchNode], flow);
    const port = await listeningPort('ep');
    const first = await client(port);
    const second = await client(port);
    const arrived = collect(helper.getNode('sink'), 1);
    first.write('bye\n');
    const [msg] = await arrived;
    helper.getNode('out').receive({ payload: 'goodbye', _session: msg._session, close: true });
    await first.whenClosed;
    first.received.toString().should.equal('goodbye\n');
    second.destroyed.should.be.false();
    const later = collect(helper.getNode('sink'), 1);
    second.write('still here\n');
    (await later)[0].payload.should.equal('still here');
  });

  it('emits connect and disconnect events on the second output', async function () {
    await load([tcpNodes, catchNode], serverFlow({}, { events: true }));
    const port = await listeningPort('ep');
    const events = collect(helper.getNode('events'), 2);
    const socket = await client(port);
    await until(() => endpointOf('ep').sessionCount === 1);
    socket.end();
    const [connect, disconnect] = await events;
    connect.event.should.equal('connect');
    connect.ip.should.equal('127.0.0.1');
    disconnect.event.should.equal('disconnect');
    disconnect.payload.reason.should.equal('closed by peer');
    disconnect._session.id.should.equal(connect._session.id);
  });

  it('refuses connections past Max connections and counts them', async function () {
    await load([tcpNodes, catchNode], serverFlow({ maxConnections: 1 }, { events: true }));
    const port = await listeningPort('ep');
    const events = collect(helper.getNode('events'), 2);
    await client(port);
    const extra = await client(port);
    await extra.whenClosed;
    const [, refused] = await events;
    refused.event.should.equal('refused');
    refused.payload.reason.should.match(/limit of 1 connections/);
    endpointOf('ep').counters.refused.should.equal(1);
  });

  it('refuses clients outside the allowlist', async function () {
    await load([tcpNodes, catchNode], serverFlow({ allowlist: '10.0.0.0/8, 192.168.1.5' }, { events: true }));
    const port = await listeningPort('ep');
    const events = collect(helper.getNode('events'), 1);
    const socket = await client(port);
    await socket.whenClosed;
    (await events)[0].payload.reason.should.match(/127\.0\.0\.1 is not in the allowed clients list/);
  });

  it('closes a connection that stays silent past the idle timeout', async function () {
    await load([tcpNodes, catchNode], serverFlow({ idleTimeout: 0.2 }, { events: true }));
    const port = await listeningPort('ep');
    const events = collect(helper.getNode('events'), 2);
    const socket = await client(port);
    await socket.whenClosed;
    (await events)[1].payload.reason.should.equal('no data for 0.2 s');
  });

  it('closes a connection whose frame passes the size limit, with a clear error, and keeps the others', async function () {
    await load([tcpNodes, catchNode], serverFlow({ maxFrame: 64 }));
    const port = await listeningPort('ep');
    const good = await client(port);
    const bad = await client(port);
    const errors = collect(helper.getNode('errors'), 1);
    bad.write(Buffer.alloc(200, 0x41));
    const [error] = await errors;
    error.error.message.should.match(/64/).and.match(/limit/i);
    await bad.whenClosed;
    const arrived = collect(helper.getNode('sink'), 1);
    good.write('fine\n');
    (await arrived)[0].payload.should.equal('fine');
  });

  it('parses JSON lines and reports a line that is not JSON without dropping the next', async function () {
    await load([tcpNodes, catchNode], serverFlow({}, { output: 'json' }));
    const port = await listeningPort('ep');
    const socket = await client(port);
    const errors = collect(helper.getNode('errors'), 1);
    const arrived = collect(helper.getNode('sink'), 1);
    socket.write('not json\n{"a":1}\n');
    (await arrived)[0].payload.should.eql({ a: 1 });
    const [error] = await errors;
    error.error.message.should.match(/not valid JSON/);
    error.payload.should.equal('not json');
  });

  it('reports payloads that cannot be sent and a session that is gone through Catch', async function () {
    const flow = serverFlow({}, {}, [{ id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' }]);
    await load([tcpNodes, catchNode], flow);
    await listeningPort('ep');
    const errors = collect(helper.getNode('errors'), 3);
    const circular = { name: 'loop' };
    circular.self = circular;
    helper.getNode('out').receive({ payload: circular });
    helper.getNode('out').receive({ payload: () => 1 });
    helper.getNode('out').receive({ payload: 'late reply', _session: { type: 'tcp', id: 'deadbeef0000' } });
    const texts = (await errors).map((m) => m.error.message);
    texts[0].should.match(/circular reference/);
    texts[1].should.match(/function and cannot be sent/);
    texts[2].should.match(/connection deadbeef0000 has closed/);
  });

  it('says so when the port is in use by another program', async function () {
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await once(blocker, 'listening');
    try {
      await load([tcpNodes, catchNode], serverFlow({ port: blocker.address().port }));
      const errors = collect(helper.getNode('errors'), 1);
      const [error] = await errors;
      error.error.message.should.match(new RegExp(`port ${blocker.address().port} is in use by another program`));
      endpointOf('ep').state.phase.should.equal('failed');
    } finally {
      blocker.close();
    }
  });

  it('rejects a port outside 1-65535 in the config with a sentence naming the field', async function () {
    await load([tcpNodes, catchNode], serverFlow({ port: 70000 }));
    const caughtByCatch = collect(helper.getNode('errors'), 1);
    should(endpointOf('ep')).be.undefined();
    const [caught] = await caughtByCatch;
    caught.error.message.should.match(/Port must be a whole number from 0 to 65535 \(got 70000\)/);
    caught.error.source.id.should.equal('in', 'the in node reports it to Catch nodes');
    // once: the config node does not log it a second time
    const logged = helper.log().args.map(([entry]) => entry).filter((entry) => entry.level === helper.log().ERROR && entry.id === 'ep');
    logged.should.have.length(0);
  });

  it('listens on IPv6 ::1', async function () {
    await load([tcpNodes, catchNode], serverFlow({ host: '::1' }));
    const port = await listeningPort('ep');
    const arrived = collect(helper.getNode('sink'), 1);
    const socket = await client(port, '::1');
    socket.write('over v6\n');
    const [msg] = await arrived;
    msg.payload.should.equal('over v6');
    msg.ip.should.equal('::1');
  });

  it('frames Modbus/TCP requests by their MBAP length field', async function () {
    const mbap = { framing: 'length', lengthOffset: 4, lengthSize: 2, lengthEndian: 'be', lengthAdjust: 0, lengthStrip: 0 };
    await load([tcpNodes, catchNode], serverFlow(mbap, { output: 'buffer' }));
    const port = await listeningPort('ep');
    const arrived = collect(helper.getNode('sink'), 2);
    const socket = await client(port);
    const readHolding = Buffer.from('000100000006010300000002', 'hex');
    const writeSingle = Buffer.from('000200000006010600010003', 'hex');
    const both = Buffer.concat([readHolding, writeSingle]);
    socket.write(both.subarray(0, 5));
    await new Promise((resolve) => setImmediate(resolve));
    socket.write(both.subarray(5));
    const messages = await arrived;
    messages[0].payload.should.eql(readHolding);
    messages[1].payload.should.eql(writeSingle);
  });

  it('emits an array of frames per message in batch mode', async function () {
    await load([tcpNodes, catchNode], serverFlow({}, { batch: true }));
    const port = await listeningPort('ep');
    const socket = await client(port);
    const sink = helper.getNode('sink');
    const seen = [];
    sink.on('input', (msg) => seen.push(...msg.payload));
    socket.write(Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''));
    await until(() => seen.length === 100);
    seen[0].should.equal('line 0');
    seen[99].should.equal('line 99');
  });

  it('hands a flood to the flow a bounded number of frames per event-loop turn, all of them, in order', async function () {
    this.timeout(40000); // 20,000 frames through a test-helper runtime: slow on a loaded 2-core machine
    await load([tcpNodes, catchNode], serverFlow());
    const port = await listeningPort('ep');
    const socket = await client(port);
    const total = 20000;
    let turn = 0;
    let running = true;
    const tick = () => {
      turn += 1;
      if (running) setImmediate(tick);
    };
    tick();
    const perTurn = new Map();
    const seen = [];
    helper.getNode('sink').on('input', (msg) => {
      seen.push(msg.payload);
      perTurn.set(turn, (perTurn.get(turn) || 0) + 1);
    });
    socket.write(Array.from({ length: total }, (_, i) => `l${i}`).join('\n') + '\n');
    await until(() => seen.length === total, 30000, `${total} frames`);
    running = false;
    seen[0].should.equal('l0');
    seen[total - 1].should.equal(`l${total - 1}`);
    seen.every((line, i) => line === `l${i}`).should.be.true('frames arrive in order');
    Math.max(...perTurn.values()).should.be.belowOrEqual(256);
  });

  it('holds at most the queue size for a client that stops reading, and counts the drops', async function () {
    const flow = serverFlow({ framing: 'raw', queueSize: 50 }, {}, [{ id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' }]);
    await load([tcpNodes, catchNode], flow);
    const port = await listeningPort('ep');
    const stalled = await client(port);
    stalled.pause();
    await until(() => endpointOf('ep').sessionCount === 1);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const out = helper.getNode('out');
    const endpoint = endpointOf('ep');
    for (let i = 0; i < 400; i++) {
      out.receive({ payload: chunk });
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await until(() => endpoint.counters.dropped > 0, 10000, 'drops to be counted');
    endpoint.counters.queued.should.be.belowOrEqual(50);
    const { dropped } = endpoint.counters;
    stalled.resume();
    const expected = (400 - dropped) * chunk.length;
    await until(() => stalled.received.length === expected, 10000, `${expected} bytes: everything not counted as dropped`);
    endpoint.counters.dropped.should.equal(dropped);
  });
});

