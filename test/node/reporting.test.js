'use strict';
// How errors reach a person and a Catch flow, whatever nodes use the endpoint: each error once,
// the sentence as plain text (log, debug sidebar), msg.error.code kept; and a half-closing peer
// is closed at once when no out node could ever answer it.
require('should');
const path = require('path');
const { helper, load, nodeSet, catchNode, useHelper, endpointOf, listeningPort } = require('../support/red');
const { collect, until, withTimeout } = require('../support/events');
const { connectClient, closeQuietly } = require('../support/peers');

const tcpNodes = nodeSet('tcp');
const nodeRedDir = process.env.NETCAST_NODE_RED ? path.resolve(process.env.NETCAST_NODE_RED) : path.dirname(require.resolve('node-red/package.json'));
const { util } = require(require.resolve('@node-red/util', { paths: [nodeRedDir] }));

const TOO_LONG = /^frame is longer than the 64-byte limit \(maxFrame\); raise Max frame size/;

function flow(nodes) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: 0, framing: 'delimiter', delimiter: '\\n', maxFrame: 64 },
    ...nodes,
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

describe('errors and half-close, whatever nodes are attached', function () {
  useHelper();
  const sockets = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map(closeQuietly));
  });
  async function client(port) {
    const socket = await connectClient(port);
    sockets.push(socket);
    return socket;
  }

  /**
   * Two sessions each send a frame past maxFrame, one after the other; the second's error arriving
   * at the Catch node proves any duplicate of the first would have arrived too.
   */
  async function sessionErrors() {
    const port = await listeningPort('ep');
    const caught = [];
    helper.getNode('errors').on('input', (msg) => caught.push(msg));
    // (a closed socket forgets its local port)
    const first = await client(port);
    first.port = first.localPort;
    first.write('x'.repeat(100));
    await until(() => caught.length >= 1, 5000, 'the first session error');
    const second = await client(port);
    second.port = second.localPort;
    second.write('y'.repeat(100));
    await until(() => caught.some((msg) => msg.port === second.port), 5000, 'the second session error');
    return { caught, first, second };
  }

  it('a Catch node gets a session error once with two in nodes on the endpoint, with the sentence, code and session', async function () {
    await load([tcpNodes, catchNode], flow([
      { id: 'in1', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', wires: [[]] },
      { id: 'in2', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', wires: [[]] },
    ]));
    const { caught, first, second } = await sessionErrors();
    caught.filter((msg) => msg.port === first.port).should.have.length(1);
    caught.filter((msg) => msg.port === second.port).should.have.length(1);
    caught.should.have.length(2);
    const [error] = caught;
    error.error.message.should.match(TOO_LONG);
    error.error.code.should.equal('ERR_NETCAST_FRAMING');
    error._session.should.have.properties({ type: 'tcp', endpoint: 'ep' });
    error.ip.should.equal('127.0.0.1');
    ['in1', 'in2'].should.containEql(error.error.source.id);
  });

  it('a Catch node gets a session error once when only an out node uses the endpoint', async function () {
    await load([tcpNodes, catchNode], flow([{ id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' }]));
    const { caught, first } = await sessionErrors();
    caught.should.have.length(2);
    caught.filter((msg) => msg.port === first.port).should.have.length(1);
    caught[0].error.source.id.should.equal('out');
    caught[0].error.code.should.equal('ERR_NETCAST_FRAMING');
  });

  it('without a Catch node the log and the debug sidebar get the sentence as plain text, once', async function () {
    const nodes = flow([{ id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', wires: [[]] }]).filter((node) => node.type !== 'catch');
    await load([tcpNodes], nodes);
    const port = await listeningPort('ep');
    const socket = await client(port);
    socket.write('x'.repeat(100));
    const logged = () => helper.log().args.map(([entry]) => entry).filter((entry) => entry.level === helper.log().ERROR);
    await until(() => logged().length > 0, 5000, 'the error in the log');
    await withTimeout(socket.whenClosed, 5000, 'the session to close');
    logged().should.have.length(1);
    const [entry] = logged();
    entry.id.should.equal('in');
    (entry.msg instanceof Error).should.be.false('not an Error object, which the sidebar shows collapsed');
    String(entry.msg).should.match(TOO_LONG);
    // what the debug sidebar receives for it: text, not an error object
    const sidebar = util.encodeObject({ ...entry, msg: entry.msg });
    sidebar.format.should.not.match(/error|Object/i);
    JSON.parse(JSON.stringify(sidebar)).msg.should.equal(String(entry.msg));
  });

  it('closes a half-closing client at once when no out node can reply', async function () {
    await load([tcpNodes, catchNode], flow([{ id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', wires: [['sink']] }, { id: 'sink', type: 'helper', z: 'tab' }]));
    const port = await listeningPort('ep');
    const received = collect(helper.getNode('sink'), 1);
    const socket = await client(port);
    socket.end('hello\n');
    (await received)[0].payload.should.equal('hello');
    // the wait for a reply is 5 s; nothing can reply here, so the server ends its side at once
    await withTimeout(socket.whenClosed, 2500, 'the server to close a half-closed connection no node can answer');
  });

  it('keeps a half-closed connection open for the reply when an out node is attached', async function () {
    await load([tcpNodes, catchNode], flow([
      { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', wires: [['sink']] },
      { id: 'sink', type: 'helper', z: 'tab' },
      { id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' },
    ]));
    const port = await listeningPort('ep');
    const received = collect(helper.getNode('sink'), 1);
    const socket = await client(port);
    socket.end('question\n');
    const [msg] = await received;
    const session = () => [...endpointOf('ep').sessions.values()][0];
    await until(() => session()?.peerEnded === true, 5000, 'the server to see the half-close');
    helper.getNode('out').receive({ payload: 'answer\n', _session: msg._session });
    await socket.waitForText('answer\n');
    await withTimeout(socket.whenClosed, 5000, 'the server to close after its reply');
  });
});
