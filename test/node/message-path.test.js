'use strict';
// Every in node gives its messages a _msgid of its own (src/nodes/shared/message-ids.ts), so
// node.send never calls Node-RED's RED.util.generateId for them; downstream nodes keep that id.
require('should');
const dgram = require('dgram');
const { helper, load, nodeSet, fromNodeRed, useHelper, listeningPort, boundPort, endpointOf } = require('../support/red');
const { collect, until } = require('../support/events');
const { connectClient, closeQuietly } = require('../support/peers');
const { connect, closeClient } = require('../system/peers/websocket-peers');

const tcpNodes = nodeSet('tcp');
const wsNodes = nodeSet('websocket');
const udpNodes = nodeSet('udp');
const functionNode = fromNodeRed('@node-red/nodes/core/function/10-function.js');
const changeNode = fromNodeRed('@node-red/nodes/core/function/15-change.js');
// the runtime's own @node-red/util: Node.js reads redUtil.generateId at each call
const redUtil = fromNodeRed('@node-red/util').util;

const SHAPE = /^[0-9a-f]{16}$/;
const PER_SOURCE = 500;

/** Counts RED.util.generateId calls while fn runs. */
async function countingGenerateId(fn) {
  const original = redUtil.generateId;
  let calls = 0;
  redUtil.generateId = () => {
    calls += 1;
    return original();
  };
  try {
    await fn();
  } finally {
    redUtil.generateId = original;
  }
  return calls;
}

describe('msg._msgid of received messages', function () {
  useHelper();
  const peers = [];
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer()));
  });

  it('is unique across many messages and several endpoints, and Node-RED generates none of them', async function () {
    // two TCP servers, one with events on (two outputs: the array send path), a WebSocket server, a UDP socket
    const flow = [
      { id: 'tab', type: 'tab' },
      { id: 'ep1', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: 0, framing: 'delimiter', delimiter: '\\n' },
      { id: 'ep2', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: 0, framing: 'delimiter', delimiter: '\\n' },
      { id: 'wsep', type: 'netcast-websocket-endpoint', mode: 'server', path: '/ws/ids', heartbeat: 0 },
      { id: 'udpep', type: 'netcast-udp-endpoint', localAddress: '127.0.0.1', port: 0 },
      { id: 'in1', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep1', output: 'utf8', wires: [['sink']] },
      { id: 'in2', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep2', output: 'utf8', events: true, wires: [['sink'], []] },
      { id: 'in3', type: 'netcast-websocket-in', z: 'tab', endpoint: 'wsep', wires: [['sink']] },
      { id: 'in4', type: 'netcast-udp-in', z: 'tab', endpoint: 'udpep', output: 'utf8', wires: [['sink']] },
      { id: 'sink', type: 'helper', z: 'tab' },
    ];
    await load([tcpNodes, wsNodes, udpNodes], flow);
    const [port1, port2] = [await listeningPort('ep1'), await listeningPort('ep2')];
    const udpPort = await boundPort('udpep');
    const tcp1 = await connectClient(port1);
    const tcp2 = await connectClient(port2);
    const ws = await connect(`${helper.url().replace(/^http/, 'ws')}/ws/ids`);
    const sender = dgram.createSocket('udp4');
    peers.push(() => closeQuietly(tcp1), () => closeQuietly(tcp2), () => closeClient(ws), () => new Promise((resolve) => sender.close(resolve)));
    await until(() => endpointOf('ep1').sessionCount === 1 && endpointOf('ep2').sessionCount === 1, 5000, 'both TCP clients');

    const lines = (tag) => Array.from({ length: PER_SOURCE }, (_, i) => `${tag}${i}\n`).join('');
    let messages;
    const generated = await countingGenerateId(async () => {
      const sink = helper.getNode('sink');
      const received = collect(sink, 4 * PER_SOURCE, 15000);
      let datagrams = 0;
      sink.on('input', (m) => {
        if (m.payload[0] === 'd') datagrams += 1;
      });
      tcp1.write(lines('a'));
      tcp2.write(lines('b'));
      for (let i = 0; i < PER_SOURCE; i++) ws.send(`c${i}`);
      // UDP in batches the default receive buffer holds, each once the last has arrived
      for (let i = 0; i < PER_SOURCE; i++) {
        sender.send(`d${i}`, udpPort, '127.0.0.1');
        if (i % 50 === 49) await until(() => datagrams === i + 1, 5000, `datagram ${i} at the sink`);
      }
      messages = await received;
    });
    generated.should.equal(0);
    const ids = messages.map((m) => m._msgid);
    for (const id of ids) id.should.match(SHAPE);
    new Set(ids).size.should.equal(ids.length);
    new Set(messages.map((m) => m.payload[0])).should.eql(new Set(['a', 'b', 'c', 'd']));
  });

  it('is never overwritten downstream: a clone to a second wire, a function node and a change node keep it', async function () {
    const flow = [
      { id: 'tab', type: 'tab' },
      { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: 0, framing: 'delimiter', delimiter: '\\n' },
      { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', output: 'utf8', wires: [['direct', 'fn']] },
      { id: 'direct', type: 'helper', z: 'tab' },
      { id: 'fn', type: 'function', z: 'tab', func: 'msg.seen = true;\nreturn msg;', outputs: 1, wires: [['change']] },
      { id: 'change', type: 'change', z: 'tab', rules: [{ t: 'set', p: 'topic', pt: 'msg', to: 'changed', tot: 'str' }], wires: [['last']] },
      { id: 'last', type: 'helper', z: 'tab' },
    ];
    await load([tcpNodes, functionNode, changeNode], flow);
    const port = await listeningPort('ep');
    const direct = collect(helper.getNode('direct'), 100);
    const last = collect(helper.getNode('last'), 100);
    const socket = await connectClient(port);
    peers.push(() => closeQuietly(socket));
    socket.write(Array.from({ length: 100 }, (_, i) => `line ${i}\n`).join(''));
    const [first, after] = await Promise.all([direct, last]);
    const idOf = (messages) => new Map(messages.map((m) => [m.payload, m._msgid]));
    const emitted = idOf(first);
    emitted.size.should.equal(100);
    for (const m of after) {
      m.seen.should.be.true();
      m.topic.should.equal('changed');
      m._msgid.should.equal(emitted.get(m.payload));
    }
  });
});
