'use strict';
// An older saved flow (no configVersion, values as the editor typed them) loads, works and reports
// its upgraded config; admin defaults from settings.js fill blank fields, typed values win.
require('should');
const { helper, load, nodeSet, catchNode, useHelper, listeningPort, endpointOf } = require('../support/red');
const { startNodeRed } = require('../support/node-red-process');
const { collect } = require('../support/events');
const { connectClient, closeQuietly } = require('../support/peers');

const tcpNodes = nodeSet('tcp');
const udpNodes = nodeSet('udp');
const multicastNodes = nodeSet('multicast');
const websocketNodes = nodeSet('websocket');

/** A flow as an earlier netcast editor saved it: no configVersion, numbers and flags as text. */
function oldTcpFlow(endpoint = {}) {
  return [
    { id: 'tab', type: 'tab' },
    {
      id: 'ep', type: 'netcast-tcp-endpoint', name: '', mode: 'server', host: '127.0.0.1', port: '0',
      framing: 'delimiter', delimiter: '\\n', delimiterFormat: 'text', keepDelimiter: 'false',
      maxFrame: '', idleTimeout: '', keepAlive: 'true', keepAliveDelay: '30', noDelay: 'true',
      maxConnections: '100', queueSize: '1000', ...endpoint,
    },
    // no output (tcp in read it as UTF-8), events as text
    { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', topic: 'line', events: 'false', wires: [['sink']] },
    { id: 'sink', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

describe('config versions: an older saved flow', function () {
  useHelper();
  const sockets = [];
  afterEach(async () => {
    helper.settings({});
    await Promise.all(sockets.splice(0).map(closeQuietly));
  });

  it('loads, works, and each node reports the config it was upgraded to', async function () {
    await load([tcpNodes, catchNode], oldTcpFlow());
    const port = await listeningPort('ep');
    const received = collect(helper.getNode('sink'), 2);
    const socket = await connectClient(port);
    sockets.push(socket);
    socket.write('hello\nworld\n');
    const messages = await received;
    messages.map((m) => m.payload).should.eql(['hello', 'world']);
    messages[0].topic.should.equal('line');

    const endpoint = helper.getNode('ep').netcastConfig;
    endpoint.from.should.equal(0);
    endpoint.to.should.equal(1);
    endpoint.config.should.containEql({ configVersion: 1, port: 0, keepAlive: true, keepDelimiter: false, keepAliveDelay: 30, noDelay: true, idleTimeout: '', maxConnections: 100, queuePolicy: 'drop-oldest', maxFrame: '' });
    const inNode = helper.getNode('in').netcastConfig;
    inNode.should.containEql({ from: 0, to: 1 });
    inNode.config.should.containEql({ configVersion: 1, output: 'utf8', events: false, batch: false, outputs: 1, topic: 'line' });
  });

  it('upgrades every node type of an old flow without losing a property', async function () {
    const flow = [
      { id: 'tab', type: 'tab' },
      { id: 'u', type: 'netcast-udp-endpoint', localAddress: '127.0.0.1', port: '0', broadcast: 'false', receiveBufferSize: '', custom: 42 },
      { id: 'ui', type: 'netcast-udp-in', z: 'tab', endpoint: 'u', wires: [] },
      { id: 'uo', type: 'netcast-udp-out', z: 'tab', endpoint: 'u', allowMsgDestination: 'false' },
      { id: 'm', type: 'netcast-multicast-group', groups: '239.10.20.30', port: '45000', loopback: 'true' },
      { id: 'w', type: 'netcast-websocket-endpoint', mode: 'client', url: 'ws://127.0.0.1:9/none', headers: { 'X-Api-Key': 'k' }, perMessageDeflate: 'false' },
      { id: 'wo', type: 'netcast-websocket-out', z: 'tab', endpoint: 'w' },
    ];
    await load([udpNodes, multicastNodes, websocketNodes], flow);
    const report = (id) => helper.getNode(id).netcastConfig;
    report('u').config.should.containEql({ configVersion: 1, port: 0, broadcast: false, receiveBufferSize: 0, custom: 42, localAddress: '127.0.0.1', family: 'ipv4' });
    report('ui').config.should.containEql({ output: 'buffer', topic: '' });
    report('uo').config.should.containEql({ allowMsgDestination: false, encoding: 'utf8' });
    report('m').config.should.containEql({ groups: [{ group: '239.10.20.30', source: '' }], port: 45000, loopback: true, ttl: '' });
    report('w').config.headers.should.eql([{ name: 'X-Api-Key', value: 'k' }]);
    report('w').config.perMessageDeflate.should.equal(false);
    report('wo').config.configVersion.should.equal(1);
    // hand-written object headers reached the client endpoint (before, they were silently ignored)
    endpointOf('w').options.headers.should.eql({ 'X-Api-Key': 'k' });
  });

  it('leaves a node saved by this version as it is', async function () {
    const flow = oldTcpFlow({ configVersion: 1, port: 0, maxFrame: 2048 });
    await load([tcpNodes, catchNode], flow);
    const report = helper.getNode('ep').netcastConfig;
    report.should.containEql({ from: 1, to: 1 });
    report.config.maxFrame.should.equal(2048);
  });
});

describe('admin defaults from settings.js', function () {
  useHelper();
  const sockets = [];
  afterEach(async () => {
    helper.settings({});
    await Promise.all(sockets.splice(0).map(closeQuietly));
  });

  it('fill a blank field: a 16-byte max frame from netcastTcpEndpointMaxFrame rejects a longer line', async function () {
    helper.settings({ netcastTcpEndpointMaxFrame: 16 });
    await load([tcpNodes, catchNode], oldTcpFlow());
    helper.getNode('ep').netcastConfig.config.maxFrame.should.equal(16);
    const port = await listeningPort('ep');
    const errors = collect(helper.getNode('errors'), 1);
    const socket = await connectClient(port);
    sockets.push(socket);
    socket.write('this line is longer than sixteen bytes\n');
    const [error] = await errors;
    error.error.message.should.match(/16/);
  });

  it('never override a value typed into the node', async function () {
    helper.settings({ netcastTcpEndpointMaxFrame: 16, netcastTcpEndpointQueueSize: 5 });
    await load([tcpNodes, catchNode], oldTcpFlow({ maxFrame: '4096' }));
    const { config } = helper.getNode('ep').netcastConfig;
    config.maxFrame.should.equal(4096);
    config.queueSize.should.equal(1000, 'the old flow saved 1000');
    const port = await listeningPort('ep');
    const received = collect(helper.getNode('sink'), 1);
    const socket = await connectClient(port);
    sockets.push(socket);
    socket.write('this line is longer than sixteen bytes\n');
    (await received)[0].payload.should.equal('this line is longer than sixteen bytes');
  });

  it('set client reconnect delays, and a setting that is not a number is a warning, not a broken node', async function () {
    helper.settings({ netcastWebsocketEndpointReconnectInitial: 2, netcastWebsocketEndpointReconnectMax: 'later' });
    const flow = [
      { id: 'tab', type: 'tab' },
      { id: 'w', type: 'netcast-websocket-endpoint', configVersion: 1, mode: 'client', url: 'ws://127.0.0.1:9/none', reconnectInitial: '', reconnectMax: '' },
      { id: 'wo', type: 'netcast-websocket-out', z: 'tab', configVersion: 1, endpoint: 'w' },
    ];
    await load([websocketNodes], flow);
    const node = helper.getNode('w');
    const { config } = node.netcastConfig;
    config.reconnectInitial.should.equal(2);
    config.reconnectMax.should.equal('');
    node.warn.should.be.calledWithMatch(/netcastWebsocketEndpointReconnectMax must be a number/);
    const backoff = endpointOf('w').options.backoff;
    backoff.should.containEql({ initialMs: 2000, maxMs: 30000 });
  });
});

describe('admin defaults in a real Node-RED', function () {
  let red;
  after(async () => {
    if (red) await red.stop();
  });

  it('are exported to the editor through GET /settings, with settings.js values over the built-ins', async function () {
    this.timeout(60000);
    red = await startNodeRed({ settings: 'netcastTcpEndpointMaxFrame: 4096, netcastMulticastGroupTtl: 4,' });
    const settings = await red.request('GET', '/settings');
    settings.should.containEql({ netcastTcpEndpointMaxFrame: 4096, netcastMulticastGroupTtl: 4 });
    settings.should.containEql({ netcastTcpEndpointReconnectMax: 30, netcastUdpEndpointMaxFrame: 1048576, netcastWebsocketEndpointMaxPayload: 1048576 });
  });
});
