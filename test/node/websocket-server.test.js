'use strict';
require('should');
const { WebSocket } = require('ws');
const { helper, load, nodeSet, catchNode, useHelper, endpointOf } = require('../support/red');
const { collect, until, withTimeout } = require('../support/events');
const { connect, closeClient } = require('../system/peers/websocket-peers');

const wsNodes = nodeSet('websocket');

function serverFlow(endpoint = {}, inNode = {}, outNode = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-websocket-endpoint', mode: 'server', path: '/ws/test', heartbeat: 0, ...endpoint },
    { id: 'in', type: 'netcast-websocket-in', z: 'tab', endpoint: 'ep', events: true, wires: [['sink'], ['events']], ...inNode },
    { id: 'out', type: 'netcast-websocket-out', z: 'tab', endpoint: 'ep', ...outNode },
    { id: 'sink', type: 'helper', z: 'tab' },
    { id: 'events', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

const url = (path = '/ws/test') => `${helper.url().replace(/^http/, 'ws')}${path}`;

const withoutCatch = (flow) => flow.filter((node) => node.type !== 'catch');

/**
 * Waits for a node to report an error through node.error and returns its text. For errors that
 * can come before the test could listen to a Catch node: without one in the flow, they are logged.
 */
async function loggedError(nodeId, pattern) {
  const find = () =>
    helper
      .log()
      .args.map(([entry]) => entry)
      .find((entry) => entry.level === helper.log().ERROR && entry.id === nodeId && pattern.test(String(entry.msg)));
  const entry = await until(find, 5000, `an error from ${nodeId} matching ${pattern}`);
  return entry.msg instanceof Error ? entry.msg.message : String(entry.msg);
}

async function listening(id = 'ep') {
  const endpoint = endpointOf(id);
  await until(() => endpoint.state.phase !== 'starting', 5000, 'the endpoint to start');
  return endpoint;
}

describe('websocket in/out, server on the Node-RED HTTP server', function () {
  useHelper();
  const clients = [];
  const open = async (...args) => {
    const result = await connect(...args);
    if (result instanceof WebSocket) clients.push(result);
    return result;
  };
  afterEach(async () => {
    await Promise.all(clients.splice(0).map(closeClient));
  });

  it('delivers text as strings and binary as Buffers with the client in msg._session', async function () {
    await load([wsNodes, catchNode], serverFlow());
    await listening();
    const client = await open(url());
    const arrived = collect(helper.getNode('sink'), 2);
    client.send('hello');
    client.send(Buffer.from([1, 2, 3]));
    const [text, binary] = await arrived;
    text.payload.should.equal('hello');
    Buffer.isBuffer(binary.payload).should.be.true();
    binary.payload.should.eql(Buffer.from([1, 2, 3]));
    text.ip.should.equal('127.0.0.1');
    text.port.should.equal(client._socket.localPort);
    text._session.should.containEql({ type: 'websocket', ip: '127.0.0.1', port: client._socket.localPort });
    text._session.id.should.be.a.String();
    text._session.should.not.have.property('headers');
  });

  it('replies to one client with msg._session and broadcasts to every client without it', async function () {
    await load([wsNodes, catchNode], serverFlow());
    await listening();
    const alice = await open(url());
    const bob = await open(url());
    await until(() => endpointOf('ep').sessionCount === 2, 5000, 'two sessions');
    const arrived = collect(helper.getNode('sink'), 1);
    alice.send('who am I');
    const [question] = await arrived;
    const out = helper.getNode('out');
    out.receive({ payload: 'only for alice', _session: question._session });
    out.receive({ payload: 'for everyone' });
    (await alice.waitForMessages(2)).should.eql(['only for alice', 'for everyone']);
    (await bob.waitForMessages(1)).should.eql(['for everyone']);
  });

  it('sends empty strings, objects as JSON text, Buffers as binary and hex strings as bytes', async function () {
    await load([wsNodes, catchNode], serverFlow({}, {}, { encoding: 'utf8' }));
    await listening();
    const client = await open(url());
    await until(() => endpointOf('ep').sessionCount === 1);
    const out = helper.getNode('out');
    out.receive({ payload: '' });
    out.receive({ payload: { temp: 21.5, ok: true } });
    out.receive({ payload: Buffer.from('beef', 'hex') });
    out.receive({ payload: 42 });
    const received = await client.waitForMessages(4);
    received[0].should.equal('');
    JSON.parse(received[1]).should.eql({ temp: 21.5, ok: true });
    Buffer.isBuffer(received[2]).should.be.true();
    received[2].toString('hex').should.equal('beef');
    received[3].should.equal('42');
  });

  it('sends strings as binary frames of the decoded bytes when the encoding is hex', async function () {
    await load([wsNodes, catchNode], serverFlow({}, {}, { encoding: 'hex' }));
    await listening();
    const client = await open(url());
    await until(() => endpointOf('ep').sessionCount === 1);
    helper.getNode('out').receive({ payload: '0a0b' });
    const [frame] = await client.waitForMessages(1);
    Buffer.isBuffer(frame).should.be.true();
    frame.should.eql(Buffer.from([10, 11]));
  });

  it('parses JSON when the output is json and tells the flow when a message is not JSON', async function () {
    await load([wsNodes, catchNode], serverFlow({}, { output: 'json' }));
    await listening();
    const client = await open(url());
    const arrived = collect(helper.getNode('sink'), 1);
    const caught = collect(helper.getNode('errors'), 1);
    client.send('{"a":[1,2]}');
    client.send('not json');
    (await arrived)[0].payload.should.eql({ a: [1, 2] });
    const [error] = await caught;
    error.error.message.should.match(/not valid JSON/);
    error.payload.should.equal('not json');
  });

  it('emits connect and disconnect events with the code and reason, and upgrade headers when asked', async function () {
    await load([wsNodes, catchNode], serverFlow({}, { headers: true }));
    await listening();
    const events = collect(helper.getNode('events'), 2);
    const client = await open(url(), { headers: { 'X-Device': 'press-7' } });
    const arrived = collect(helper.getNode('sink'), 1);
    client.send('hi');
    const [msg] = await arrived;
    msg._session.headers['x-device'].should.equal('press-7');
    client.close(4001, 'shift over');
    const [connected, disconnected] = await events;
    connected.event.should.equal('connect');
    connected.payload.should.eql({ event: 'connect' });
    connected._session.id.should.equal(msg._session.id);
    disconnected.event.should.equal('disconnect');
    disconnected.payload.should.eql({ event: 'disconnect', code: 4001, reason: 'shift over' });
    disconnected._session.id.should.equal(msg._session.id);
  });

  it('closes one client with msg.close and msg.code, after sending the payload', async function () {
    await load([wsNodes, catchNode], serverFlow());
    await listening();
    const alice = await open(url());
    const bob = await open(url());
    const arrived = collect(helper.getNode('sink'), 1);
    alice.send('bye please');
    const [msg] = await arrived;
    helper.getNode('out').receive({ payload: 'goodbye', close: true, code: 4000, reason: 'done', _session: msg._session });
    const closed = await withTimeout(alice.closed, 5000, 'alice to be closed');
    closed.should.eql({ code: 4000, reason: 'done' });
    alice.received.should.eql(['goodbye']);
    bob.readyState.should.equal(WebSocket.OPEN);
  });

  it('reports a reply to a client that has gone, and a close code that is not allowed', async function () {
    await load([wsNodes, catchNode], serverFlow());
    await listening();
    const client = await open(url());
    const arrived = collect(helper.getNode('sink'), 1);
    client.send('x');
    const [msg] = await arrived;
    await closeClient(client);
    await until(() => endpointOf('ep').sessionCount === 0);
    const caught = collect(helper.getNode('errors'), 2);
    const out = helper.getNode('out');
    out.receive({ payload: 'late reply', _session: msg._session });
    out.receive({ close: true, code: 1006 });
    const [gone, badCode] = await caught;
    gone.error.message.should.match(/has disconnected, so the message was not sent/);
    gone.error.source.id.should.equal('out');
    badCode.error.message.should.match(/msg.code 1006 cannot close a WebSocket; use 1000/);
  });

  it('accepts the right bearer token and refuses a wrong or missing one with HTTP 401 and no socket', async function () {
    await load([wsNodes, catchNode], serverFlow({ auth: 'bearer' }), { ep: { token: 's3cret' } });
    const endpoint = await listening();
    (await open(url(), { headers: { Authorization: 'Bearer wrong' } })).refused.should.equal(401);
    (await open(url())).refused.should.equal(401);
    endpoint.sessionCount.should.equal(0);
    endpoint.counters.refused.should.equal(2);
    const withHeader = await open(url(), { headers: { Authorization: 'Bearer s3cret' } });
    withHeader.readyState.should.equal(WebSocket.OPEN);
    const withQuery = await open(`${url()}?access_token=s3cret`);
    withQuery.readyState.should.equal(WebSocket.OPEN);
    await until(() => endpoint.sessionCount === 2);
  });

  it('checks basic authentication user and password during the upgrade', async function () {
    await load([wsNodes, catchNode], serverFlow({ auth: 'basic' }), { ep: { user: 'op', password: 'pa:ss' } });
    const endpoint = await listening();
    const events = collect(helper.getNode('events'), 1);
    const refused = await open(url(), { headers: { Authorization: `Basic ${Buffer.from('op:nope').toString('base64')}` } });
    refused.refused.should.equal(401);
    refused.headers['www-authenticate'].should.match(/^Basic/);
    const [event] = await events;
    event.payload.should.eql({ event: 'refused', reason: 'the user name or password for "op" is wrong' });
    const accepted = await open(url(), { headers: { Authorization: `Basic ${Buffer.from('op:pa:ss').toString('base64')}` } });
    accepted.readyState.should.equal(WebSocket.OPEN);
    await until(() => endpoint.sessionCount === 1);
  });

  it('refuses origins not in the allowed list with HTTP 403', async function () {
    await load([wsNodes, catchNode], serverFlow({ origins: 'https://hmi.example.com, http://localhost:1880' }));
    await listening();
    (await open(url(), { origin: 'https://evil.example.net' })).refused.should.equal(403);
    (await open(url(), { origin: 'https://HMI.example.com' })).readyState.should.equal(WebSocket.OPEN);
    (await open(url())).readyState.should.equal(WebSocket.OPEN);
  });

  it('refuses connections past Max connections with HTTP 503', async function () {
    await load([wsNodes, catchNode], serverFlow({ maxConnections: 1 }));
    const endpoint = await listening();
    await open(url());
    (await open(url())).refused.should.equal(503);
    endpoint.counters.refused.should.equal(1);
    endpoint.sessionCount.should.equal(1);
  });

  it('closes a client that sends more than Max message size with 1009 and tells the flow', async function () {
    await load([wsNodes, catchNode], serverFlow({ maxPayload: 1024 }));
    await listening();
    const client = await open(url());
    const events = collect(helper.getNode('events'), 2);
    const caught = collect(helper.getNode('errors'), 1);
    const arrived = collect(helper.getNode('sink'), 1);
    client.send('x'.repeat(1024));
    (await arrived)[0].payload.length.should.equal(1024);
    client.send('x'.repeat(1025));
    (await withTimeout(client.closed, 5000, 'the client to be closed')).code.should.equal(1009);
    const [error] = await caught;
    error.error.message.should.match(/larger than the 1024-byte limit.*closed with code 1009; raise Max message size/);
    error._session.type.should.equal('websocket');
    const [, disconnected] = await events;
    disconnected.payload.should.containEql({ event: 'disconnect', code: 1009 });
  });

  it('terminates a client that does not answer pings, and keeps one that does', async function () {
    await load([wsNodes, catchNode], serverFlow({ heartbeat: 0.25 }));
    const endpoint = await listening();
    const events = collect(helper.getNode('events'), 3);
    const silent = await open(url(), { autoPong: false });
    const healthy = await open(url());
    const closed = await withTimeout(silent.closed, 5000, 'the silent client to be dropped');
    closed.code.should.equal(1006);
    const disconnected = (await events).find((msg) => msg.event === 'disconnect');
    disconnected.payload.reason.should.match(/no answer to ping/);
    healthy.readyState.should.equal(WebSocket.OPEN);
    endpoint.sessionCount.should.equal(1);
  });

  it('agrees a subprotocol from the list and compresses when per-message deflate is on', async function () {
    await load([wsNodes, catchNode], serverFlow({ subprotocols: 'mqtt, chat.v2', perMessageDeflate: true }));
    await listening();
    const client = await open(url(), {}, ['chat.v1', 'chat.v2']);
    client.protocol.should.equal('chat.v2');
    client.extensions.should.match(/permessage-deflate/);
    const plain = await open(url(), { perMessageDeflate: false });
    plain.protocol.should.equal('');
  });

  it('holds messages for a client that stops reading in a bounded queue, counts drops, and sends the rest in order', async function () {
    await load([wsNodes, catchNode], serverFlow({ queueSize: 10, queuePolicy: 'drop-newest' }));
    const endpoint = await listening();
    const slow = await open(url());
    const fast = await open(url());
    await until(() => endpoint.sessionCount === 2);
    slow._socket.pause(); // stops reading: the kernel's buffers fill, then ours
    const chunk = 'z'.repeat(64 * 1024);
    const out = helper.getNode('out');
    const total = 400; // 25 MiB: more than loopback socket buffers hold
    for (let i = 0; i < total; i++) {
      out.receive({ payload: `${i}:${chunk}` });
      await fast.waitForMessages(i + 1); // the client that reads keeps up and gets everything
    }
    await until(() => endpoint.counters.dropped > 0, 5000, 'drops for the slow client');
    endpoint.counters.queued.should.be.belowOrEqual(10);
    const dropped = endpoint.counters.dropped;
    slow._socket.resume();
    const delivered = await slow.waitForMessages(total - dropped, 10000);
    delivered.length.should.equal(total - dropped);
    const indexes = delivered.map((text) => Number(text.slice(0, text.indexOf(':'))));
    indexes.should.eql([...indexes].sort((a, b) => a - b));
    indexes[0].should.equal(0);
  });

  it('gives a clear error when two endpoints use the same path, and the first keeps working', async function () {
    const flow = serverFlow();
    flow.push(
      { id: 'ep2', type: 'netcast-websocket-endpoint', mode: 'server', path: '/ws/test/' },
      { id: 'in2', type: 'netcast-websocket-in', z: 'tab', endpoint: 'ep2', wires: [[]] },
    );
    await load([wsNodes], withoutCatch(flow));
    const text = await loggedError('in2', /already used/);
    text.should.equal('WebSocket path /ws/test is already used by another WebSocket endpoint on this server; give each endpoint its own path');
    endpointOf('ep2').state.phase.should.equal('failed');
    const client = await open(url());
    const arrived = collect(helper.getNode('sink'), 1);
    client.send('still here');
    (await arrived)[0].payload.should.equal('still here');
  });

  it('takes only its own path: the editor comms socket still works and the upgrade listener goes on close', async function () {
    const server = helper._server;
    const before = server.listeners('upgrade').length;
    await load([wsNodes, catchNode], serverFlow());
    await listening();
    server.listeners('upgrade').length.should.equal(before + 1);
    const comms = await open(url('/comms'));
    comms.readyState.should.equal(WebSocket.OPEN);
    const client = await open(url());
    await helper.unload();
    (await withTimeout(client.closed, 5000, 'the client to be closed')).code.should.equal(1001);
    server.listeners('upgrade').length.should.equal(before);
  });
});

describe('websocket in/out, server on its own port', function () {
  useHelper();
  let client;
  afterEach(() => closeClient(client));

  it('listens on a port of its own and reports a port in use in plain words', async function () {
    const flow = serverFlow({ listenOn: 'port', host: '127.0.0.1', port: 0, path: '/feed' });
    await load([wsNodes, catchNode], flow);
    const endpoint = await listening();
    endpoint.state.phase.should.equal('listening');
    client = await connect(`ws://127.0.0.1:${endpoint.port}/feed`);
    const arrived = collect(helper.getNode('sink'), 1);
    client.send('on my own port');
    (await arrived)[0].payload.should.equal('on my own port');
    const taken = endpoint.port;
    await helper.unload();
    const blocker = require('net').createServer().listen(taken, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const second = serverFlow({ listenOn: 'port', host: '127.0.0.1', port: taken, path: '/feed' });
      await load([wsNodes], withoutCatch(second));
      const text = await loggedError('in', /in use/);
      text.should.match(new RegExp(`port ${taken} is in use by another program.*; stop that program or choose another port`));
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
