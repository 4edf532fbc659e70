'use strict';
// The operations view's runtime half: every endpoint listed with its sessions and counters
// (GET /netcast/endpoints), and the control node steering a client and answering with a snapshot.
const should = require('should');
const net = require('net');
const { helper, load, nodeSet, catchNode, useHelper, endpointOf, listeningPort } = require('../support/red');
const { collect, until } = require('../support/events');
const { connectClient, startDevice, closeQuietly } = require('../support/peers');

const tcpNodes = nodeSet('tcp');
const udpNodes = nodeSet('udp');
const controlNodes = nodeSet('control');
const wsNodes = nodeSet('websocket');
const { startServer: startWebSocketServer } = require('../system/peers/websocket-peers');

async function endpoints() {
  const res = await helper.request().get('/netcast/endpoints').expect(200);
  return res.body;
}

describe('operations: registry, admin API and control messages', function () {
  useHelper();
  const sockets = [];
  const devices = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map(closeQuietly));
    await Promise.all(devices.splice(0).map((device) => device.stop()));
  });

  it('lists every running endpoint with its sessions and counters, and forgets it when closed', async function () {
    const flow = [
      { id: 'tab', type: 'tab' },
      { id: 'srv', type: 'netcast-tcp-endpoint', name: 'lines', mode: 'server', host: '127.0.0.1', port: 0, framing: 'delimiter', delimiter: '\\n' },
      { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'srv', output: 'utf8', wires: [['echo', 'sink']] },
      { id: 'echo', type: 'netcast-tcp-out', z: 'tab', endpoint: 'srv' },
      { id: 'sink', type: 'helper', z: 'tab' },
      { id: 'udp', type: 'netcast-udp-endpoint', localAddress: '127.0.0.1', port: 0 },
      { id: 'uin', type: 'netcast-udp-in', z: 'tab', endpoint: 'udp', wires: [[]] },
    ];
    await load([tcpNodes, udpNodes, controlNodes], flow);
    const port = await listeningPort('srv');
    const received = collect(helper.getNode('sink'), 2);
    const alice = await connectClient(port);
    sockets.push(alice);
    alice.write('one\ntwo\n');
    await received;
    await alice.waitForText('two\n');

    const list = await endpoints();
    list.map((e) => e.id).sort().should.eql(['srv', 'udp']);
    const srv = list.find((e) => e.id === 'srv');
    srv.should.containDeep({ name: 'lines', type: 'netcast-tcp-endpoint', transport: 'tcp', mode: 'server', address: `tcp://127.0.0.1:${port}`, state: 'listening' });
    srv.nodes.sort().should.eql(['echo', 'in']);
    srv.sessions.should.have.length(1);
    srv.sessions[0].should.containDeep({ ip: '127.0.0.1', port: alice.localPort, peer: `127.0.0.1:${alice.localPort}`, messagesIn: 2, messagesOut: 2, bytesIn: 8, bytesOut: 8, queued: 0, dropped: 0 });
    Date.parse(srv.sessions[0].since).should.be.belowOrEqual(Date.now());
    srv.counters.should.containDeep({ messagesIn: 2, messagesOut: 2, bytesIn: 8, bytesOut: 8, refused: 0, errors: 0 });

    const one = await helper.request().get('/netcast/endpoints/udp').expect(200);
    one.body.should.containDeep({ id: 'udp', transport: 'udp', mode: 'socket', state: 'ready', sessions: [] });
    one.body.address.should.match(/^udp:\/\/127\.0\.0\.1:\d+$/);
    await helper.request().get('/netcast/endpoints/nope').expect(404);

    // a closed session's traffic stays in the endpoint's counters
    alice.resetAndDestroy();
    await until(() => endpointOf('srv').sessionCount === 0);
    const after = (await endpoints()).find((e) => e.id === 'srv');
    after.sessions.should.eql([]);
    after.counters.messagesIn.should.equal(2);

  });

  function clientFlow(device) {
    return [
      { id: 'tab', type: 'tab' },
      { id: 'cli', type: 'netcast-tcp-endpoint', mode: 'client', host: '127.0.0.1', port: device.port, framing: 'delimiter', delimiter: '\\n', reconnectInitial: 0.05, reconnectMax: 0.2 },
      { id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'cli' },
      { id: 'ctl', type: 'netcast-control', z: 'tab', endpoint: 'cli', wires: [['answers']] },
      { id: 'answers', type: 'helper', z: 'tab' },
      { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
      { id: 'errors', type: 'helper', z: 'tab' },
    ];
  }

  async function control(msg) {
    const answer = collect(helper.getNode('answers'), 1);
    helper.getNode('ctl').receive(msg);
    return (await answer)[0];
  }

  it('moves a TCP client to another server; what was queued meanwhile arrives there in order', async function () {
    const first = await startDevice();
    const second = await startDevice();
    devices.push(first, second);
    await load([tcpNodes, controlNodes, catchNode], clientFlow(first));
    await first.waitForConnection();
    const out = helper.getNode('out');
    out.receive({ payload: 'a' });
    await first.waitForText('a\n');

    const down = await control({ action: 'disconnect' });
    down.payload.should.containDeep({ id: 'cli', state: 'stopped', sessions: [] });
    for (const line of ['b', 'c', 'd']) out.receive({ payload: line });
    await until(() => endpointOf('cli').counters.queued === 3);
    endpointOf('cli').state.phase.should.equal('stopped');

    const moved = await control({ action: 'connect', port: second.port });
    moved.payload.address.should.equal(`tcp://127.0.0.1:${second.port}`);
    await second.waitForText('b\nc\nd\n');
    out.receive({ payload: 'e' });
    await second.waitForText('b\nc\nd\ne\n');
    first.received.toString().should.equal('a\n');
    await until(() => endpointOf('cli').state.phase === 'connected');
    endpointOf('cli').state.should.containDeep({ target: `127.0.0.1:${second.port}`, moved: true });

    // the answer to status lists the one connection: to the new server
    const status = await control({ _msgid: 'asked-0001', action: 'status' });
    status._msgid.should.equal('asked-0001'); // the answer is the message that asked
    status.payload.sessions.should.have.length(1);
    status.payload.sessions[0].peer.should.equal(`127.0.0.1:${second.port}`);
    status.payload.sessions[0].messagesOut.should.equal(4);
    status.payload.counters.messagesOut.should.equal(5);
  });

  it('moves a connected client at once, sending what the flow sends meanwhile to the new server only', async function () {
    const first = await startDevice();
    const second = await startDevice();
    devices.push(first, second);
    await load([tcpNodes, controlNodes, catchNode], clientFlow(first));
    await first.waitForConnection();
    await until(() => endpointOf('cli').state.phase === 'connected');
    const out = helper.getNode('out');
    helper.getNode('ctl').receive({ action: 'reconnect', host: '127.0.0.1', port: second.port });
    for (let i = 0; i < 50; i++) out.receive({ payload: `m${i}` });
    const expected = Array.from({ length: 50 }, (_, i) => `m${i}\n`).join('');
    await second.waitForText(expected);
    second.received.toString().should.equal(expected);
    first.received.length.should.equal(0);
  });

  it("answers status on a server with one session per connected peer", async function () {
    const flow = [
      { id: 'tab', type: 'tab' },
      { id: 'srv', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: 0 },
      { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'srv', wires: [[]] },
      { id: 'ctl', type: 'netcast-control', z: 'tab', endpoint: 'srv', wires: [['answers']] },
      { id: 'answers', type: 'helper', z: 'tab' },
    ];
    await load([tcpNodes, controlNodes], flow);
    const port = await listeningPort('srv');
    const peers = [await connectClient(port), await connectClient(port), await connectClient(port)];
    sockets.push(...peers);
    await until(() => endpointOf('srv').sessionCount === 3);
    const { payload } = await control({});
    payload.state.should.equal('listening');
    payload.sessions.map((s) => s.port).sort().should.eql(peers.map((p) => p.localPort).sort());
    payload.sessions.every((s) => s.ip === '127.0.0.1').should.be.true();
  });

  it('refuses a bad action or target through Catch, with a code, and changes nothing', async function () {
    const device = await startDevice();
    devices.push(device);
    await load([tcpNodes, controlNodes, catchNode], clientFlow(device));
    await device.waitForConnection();
    await until(() => endpointOf('cli').state.phase === 'connected');
    const cases = [
      [{ action: 'jump' }, 'ERR_NETCAST_CONTROL_ACTION', /msg.action "jump" does not apply.*status, connect, reconnect, disconnect/],
      [{ action: 'join', group: '239.1.2.3' }, 'ERR_NETCAST_CONTROL_ACTION', /does not apply/],
      [{ action: 'connect', port: 70000 }, 'ERR_NETCAST_CONTROL_TARGET', /msg.port 70000 is not a port/],
      [{ action: 'connect', host: 'bad host!' }, 'ERR_NETCAST_CONTROL_TARGET', /msg.host "bad host!" is not a host name/],
    ];
    for (const [msg, code, text] of cases) {
      const caught = collect(helper.getNode('errors'), 1);
      helper.getNode('ctl').receive(msg);
      const [error] = await caught;
      error.error.code.should.equal(code);
      error.error.message.should.match(text);
    }
    endpointOf('cli').state.should.containDeep({ phase: 'connected', target: `127.0.0.1:${device.port}` });
    endpointOf('cli').state.should.not.have.property('moved', true);
    device.sockets.length.should.equal(1);
  });

  it('moves a WebSocket client to another URL; what was queued while disconnected arrives there in order', async function () {
    const first = await startWebSocketServer();
    const second = await startWebSocketServer();
    try {
      const firstPort = first.wss.address().port;
      const secondPort = second.wss.address().port;
      await load([wsNodes, controlNodes, catchNode], [
        { id: 'tab', type: 'tab' },
        { id: 'ws', type: 'netcast-websocket-endpoint', mode: 'client', url: `ws://127.0.0.1:${firstPort}/feed`, heartbeat: 0, reconnectInitial: 0.05, reconnectMax: 0.2 },
        { id: 'out', type: 'netcast-websocket-out', z: 'tab', endpoint: 'ws' },
        { id: 'ctl', type: 'netcast-control', z: 'tab', endpoint: 'ws', wires: [['answers']] },
        { id: 'answers', type: 'helper', z: 'tab' },
        { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
        { id: 'errors', type: 'helper', z: 'tab' },
      ]);
      await until(() => endpointOf('ws').state.phase === 'connected', 5000, 'the first connection');
      const down = (await control({ action: 'disconnect' })).payload;
      down.state.should.equal('stopped');
      for (let i = 0; i < 20; i++) helper.getNode('out').receive({ payload: `m${i}` });
      const moved = (await control({ action: 'connect', url: `ws://127.0.0.1:${secondPort}/other` })).payload;
      moved.should.containDeep({ state: 'connected', address: `ws://127.0.0.1:${secondPort}/other` });
      moved.sessions.should.have.length(1);
      await until(() => second.received.length === 20, 5000, '20 messages at the second server');
      second.received.should.eql(Array.from({ length: 20 }, (_, i) => `m${i}`));
      first.received.should.eql([]);
      endpointOf('ws').state.should.containDeep({ phase: 'connected', moved: true });
      const caught = collect(helper.getNode('errors'), 1);
      helper.getNode('ctl').receive({ action: 'connect', url: 'http://127.0.0.1/feed' });
      (await caught)[0].error.code.should.equal('ERR_NETCAST_CONTROL_TARGET');
    } finally {
      await first.stop();
      await second.stop();
    }
  });
});
