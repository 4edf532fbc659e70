'use strict';
require('should');
const { helper, load, nodeSet, catchNode, useHelper, endpointOf } = require('../support/red');
const { collect, until, withTimeout } = require('../support/events');
const { startServer } = require('../system/peers/websocket-peers');

const wsNodes = nodeSet('websocket');

function clientFlow(endpoint, { inNode = {}, outFirst = false } = {}) {
  const inDef = { id: 'in', type: 'netcast-websocket-in', z: 'tab', endpoint: 'ep', events: true, wires: [['sink'], ['events']], ...inNode };
  const outDef = { id: 'out', type: 'netcast-websocket-out', z: 'tab', endpoint: 'ep' };
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-websocket-endpoint', mode: 'client', heartbeat: 0, reconnectInitial: 0.05, reconnectMax: 0.2, ...endpoint },
    ...(outFirst ? [outDef, inDef] : [inDef, outDef]),
    { id: 'sink', type: 'helper', z: 'tab' },
    { id: 'events', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

const withoutCatch = (flow) => flow.filter((node) => node.type !== 'catch');

async function loggedError(nodeId, pattern) {
  const find = () =>
    helper
      .log()
      .args.map(([entry]) => entry)
      .find((entry) => entry.level === helper.log().ERROR && entry.id === nodeId && pattern.test(String(entry.msg)));
  const entry = await until(find, 5000, `an error from ${nodeId} matching ${pattern}`);
  return entry.msg instanceof Error ? entry.msg.message : String(entry.msg);
}

describe('websocket in/out, client mode', function () {
  useHelper();
  let server;
  afterEach(async () => {
    if (server) await server.stop();
    server = undefined;
  });

  it('receives text and binary and replies to the server with msg._session on the same connection', async function () {
    server = await startServer();
    await load([wsNodes, catchNode], clientFlow({ url: `${server.url}/feed` }));
    await server.waitForConnections(1);
    server.upgrades[0].url.should.equal('/feed');
    const arrived = collect(helper.getNode('sink'), 2);
    server.clients[0].send('temp=21');
    server.clients[0].send(Buffer.from([0xca, 0xfe]));
    const [text, binary] = await arrived;
    text.payload.should.equal('temp=21');
    binary.payload.should.eql(Buffer.from([0xca, 0xfe]));
    text._session.type.should.equal('websocket');
    text.ip.should.equal('127.0.0.1');
    text.port.should.equal(server.port);
    text._session.should.not.have.property('headers');
    helper.getNode('out').receive({ payload: 'ack', _session: text._session });
    helper.getNode('out').receive({ payload: '' });
    (await server.waitForMessages(2)).should.eql(['ack', '']);
    server.clients.length.should.equal(1);
  });

  for (const outFirst of [false, true]) {
    it(`opens exactly one connection when the ${outFirst ? 'out' : 'in'} node is created first`, async function () {
      server = await startServer();
      await load([wsNodes, catchNode], clientFlow({ url: server.url }, { outFirst }));
      await server.waitForConnections(1);
      helper.getNode('out').receive({ payload: 'one' });
      await server.waitForMessages(1);
      const arrived = collect(helper.getNode('sink'), 1);
      server.clients[0].send('two');
      (await arrived)[0].payload.should.equal('two');
      server.clients.length.should.equal(1);
      endpointOf('ep').connectionsOpened.should.equal(1);
    });
  }

  it('queues messages while the server is down and delivers them in order after it comes back', async function () {
    server = await startServer();
    const port = server.port;
    await load([wsNodes, catchNode], clientFlow({ url: server.url, queueSize: 100 }));
    await server.waitForConnections(1);
    const endpoint = endpointOf('ep');
    const events = collect(helper.getNode('events'), 2);
    await server.stop();
    await until(() => endpoint.state.phase === 'reconnecting', 5000, 'the client to notice the server went away');
    const out = helper.getNode('out');
    for (let i = 0; i < 20; i++) out.receive({ payload: `reading ${i}` });
    await until(() => endpoint.counters.queued === 20, 5000, '20 queued messages');
    helper.getNode('in').status.lastCall.should.be.ok();
    server = await startServer(port);
    const received = await server.waitForMessages(20);
    received.should.eql(Array.from({ length: 20 }, (_, i) => `reading ${i}`));
    endpoint.counters.queued.should.equal(0);
    const [connected, disconnected] = await events;
    connected.event.should.equal('connect');
    disconnected.event.should.equal('disconnect');
    disconnected.payload.code.should.equal(1006);
  });

  it('drops the oldest queued message when the queue is full and counts the drops', async function () {
    server = await startServer();
    const port = server.port;
    await load([wsNodes, catchNode], clientFlow({ url: server.url, queueSize: 3, queuePolicy: 'drop-oldest' }));
    await server.waitForConnections(1);
    const endpoint = endpointOf('ep');
    await server.stop();
    await until(() => endpoint.state.phase === 'reconnecting', 5000, 'the client to notice the server went away');
    for (let i = 0; i < 5; i++) helper.getNode('out').receive({ payload: `m${i}` });
    await until(() => endpoint.counters.dropped === 2, 5000, 'two drops');
    await until(() => helper.getNode('out').status.args.some(([status]) => /2 dropped/.test(status.text || '')), 5000, 'the drops in the status');
    server = await startServer(port);
    (await server.waitForMessages(3)).should.eql(['m2', 'm3', 'm4']);
  });

  it('sends again on the next connection what the dead connection had not handed to the kernel', async function () {
    // the server reads nothing on the first connection: the kernel buffers fill, then the 1 MiB
    // the client lets its socket buffer, then the queue; then the server resets that connection
    const size = 8192;
    const count = 2500;
    server = await startServer();
    server.wss.once('connection', (ws) => ws._socket.pause());
    await load([wsNodes, catchNode], clientFlow({ url: server.url, queueSize: count }));
    await server.waitForConnections(1);
    const endpoint = endpointOf('ep');
    await until(() => endpoint.state.phase === 'connected', 5000, 'the client to be connected');
    const line = (i) => `${String(i).padStart(6, '0')} ${'x'.repeat(size - 7)}`;
    for (let i = 0; i < count; i++) helper.getNode('out').receive({ payload: line(i) });
    const queuedAtReset = endpoint.counters.queued;
    queuedAtReset.should.be.above(0, 'the socket buffer should have filled up');
    server.clients[0]._socket.resetAndDestroy();
    const last = String(count - 1).padStart(6, '0');
    await until(() => server.received.length > 0 && server.received[server.received.length - 1].startsWith(last), 10000, 'the last message on the second connection');
    server.clients.length.should.equal(2);
    const ids = server.received.map((text) => {
      text.length.should.equal(size);
      return Number(text.slice(0, 6));
    });
    ids.should.eql(Array.from({ length: ids.length }, (_, k) => count - ids.length + k), 'in order, none missing, none twice');
    // what sat in the socket's own buffer (about 1 MiB, ~128 messages) came back along with the queue
    ids.length.should.be.aboveOrEqual(queuedAtReset + 100);
    endpoint.counters.dropped.should.equal(0);
  });

  it('sends the bearer token and extra headers, with header values from environment variables', async function () {
    process.env.NETCAST_TEST_API_KEY = 'key-from-env';
    try {
      server = await startServer();
      const flow = clientFlow({ url: server.url, auth: 'bearer', headers: [{ name: 'X-Api-Key', value: '${NETCAST_TEST_API_KEY}' }, { name: 'X-Line', value: '4' }] });
      await load([wsNodes, catchNode], flow, { ep: { token: 't0ken' } });
      await server.waitForConnections(1);
      const headers = server.upgrades[0].headers;
      headers.authorization.should.equal('Bearer t0ken');
      headers['x-api-key'].should.equal('key-from-env');
      headers['x-line'].should.equal('4');
    } finally {
      delete process.env.NETCAST_TEST_API_KEY;
    }
  });

  it('reports a server that refuses the upgrade with 401 in plain words, once, and keeps retrying', async function () {
    let attempts = 0;
    server = await startServer(0, {
      verifyClient: (_info, callback) => {
        attempts += 1;
        callback(false, 401, 'Unauthorized');
      },
    });
    await load([wsNodes], withoutCatch(clientFlow({ url: server.url })));
    const text = await loggedError('in', /401/);
    text.should.equal(`${server.url} refused the connection: authentication required or wrong (HTTP 401); set the authentication on the endpoint`);
    await until(() => attempts >= 3 && endpointOf('ep').counters.refused >= 3, 5000, 'three refused attempts');
    const reports = helper.log().args.filter(([entry]) => entry.level === helper.log().ERROR && /401/.test(String(entry.msg)));
    reports.length.should.equal(1);
  });

  it('reports an unreachable server in plain words', async function () {
    server = await startServer();
    const port = server.port;
    await server.stop();
    server = undefined;
    await load([wsNodes], withoutCatch(clientFlow({ url: `ws://127.0.0.1:${port}/x` })));
    const text = await loggedError('in', /refused/);
    text.should.match(new RegExp(`connection refused by 127.0.0.1:${port}`));
    await until(() => endpointOf('ep').state.phase === 'reconnecting', 5000, 'a reconnect to be scheduled');
  });

  it('rejects a URL that is not ws:// or wss:// with a sentence naming the fix', async function () {
    await load([wsNodes], withoutCatch(clientFlow({ url: 'http://127.0.0.1:1880/ws' })));
    const text = await loggedError('in', /URL/);
    text.should.equal('URL "http://127.0.0.1:1880/ws" must start with ws:// or wss://, for example ws://192.168.1.10:8080/feed');
    helper.getNode('in').status.lastCall.args[0].should.containEql({ fill: 'red' });
  });

  it('drops a server that stops answering pings and reconnects', async function () {
    server = await startServer(0, { autoPong: false });
    await load([wsNodes, catchNode], clientFlow({ url: server.url, heartbeat: 0.1 }));
    const events = collect(helper.getNode('events'), 3);
    const [connected, disconnected, reconnected] = await events;
    connected.event.should.equal('connect');
    disconnected.event.should.equal('disconnect');
    disconnected.payload.reason.should.match(/no answer to ping/);
    reconnected.event.should.equal('connect');
    server.clients.length.should.equal(2);
  });

  it('closes with 1009 when the server sends more than Max message size, tells the flow, and reconnects', async function () {
    server = await startServer();
    await load([wsNodes, catchNode], clientFlow({ url: server.url, maxPayload: 100 }));
    await server.waitForConnections(1);
    const closed = new Promise((resolve) => server.clients[0].once('close', (code) => resolve(code)));
    const caught = collect(helper.getNode('errors'), 1);
    server.clients[0].send('y'.repeat(101));
    (await withTimeout(closed, 5000, 'the server side to close')).should.equal(1009);
    (await caught)[0].error.message.should.match(/larger than the 100-byte limit.*1009/);
    await server.waitForConnections(2);
  });

  it('asks for subprotocols and closes the connection on msg.close', async function () {
    server = await startServer(0, { handleProtocols: (offered) => (offered.has('feed.v1') ? 'feed.v1' : false) });
    await load([wsNodes, catchNode], clientFlow({ url: server.url, subprotocols: 'feed.v2, feed.v1' }));
    await server.waitForConnections(1);
    server.clients[0].protocol.should.equal('feed.v1');
    // the server sees the connection a moment before the client has read the server's answer
    await until(() => endpointOf('ep').connected, 5000, 'the client to be connected');
    const closed = new Promise((resolve) => server.clients[0].once('close', (code, reason) => resolve([code, reason.toString()])));
    helper.getNode('out').receive({ close: true, code: 4100, reason: 'maintenance' });
    (await withTimeout(closed, 5000, 'the close')).should.eql([4100, 'maintenance']);
  });

  it('closes its connection and timers on redeploy so nothing is left open', async function () {
    server = await startServer();
    await load([wsNodes, catchNode], clientFlow({ url: server.url }));
    await server.waitForConnections(1);
    const gone = new Promise((resolve) => server.clients[0].once('close', resolve));
    const endpoint = endpointOf('ep');
    await helper.unload();
    await withTimeout(gone, 5000, 'the connection to close');
    endpoint.state.phase.should.equal('closed');
  });
});
