'use strict';
// Two real node-red processes share one TCP port and one UDP port (Share port / reusePort). Runs
// on the Node-RED 5 / Node 22 leg (Node >= 22.12): connections and datagrams reach both; when one
// process stops, new connections go to the other and the survivor's connections lose nothing. On
// an older Node (the Node 20 leg) the same flow is refused with the coded error, and binds nothing.
require('should');
const dgram = require('dgram');
const net = require('net');
const { startNodeRed, freePort } = require('../support/node-red-process');
const { connectClient, closeQuietly } = require('../support/peers');
const { until, withTimeout } = require('../support/events');
const { nodeHasReusePort, REUSE_PORT_NODE } = require('../../dist/transport/reuse-port');

function udpPort() {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/** Replies to every TCP line and UDP datagram with "<name>:<what arrived>", on a shared port. */
function sharedFlow(name, tcpPort, udp) {
  const tab = `tab-${name}`;
  const tag = `msg.payload = ${JSON.stringify(`${name}:`)} + msg.payload; return msg;`;
  return [
    { id: tab, type: 'tab', label: `process ${name}` },
    { id: 'tcp', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: tcpPort, reusePort: true, framing: 'delimiter', delimiter: '\\n' },
    { id: 'tcpIn', type: 'netcast-tcp-in', z: tab, endpoint: 'tcp', output: 'utf8', wires: [['tagTcp']] },
    { id: 'tagTcp', type: 'function', z: tab, func: tag, outputs: 1, wires: [['tcpOut']] },
    { id: 'tcpOut', type: 'netcast-tcp-out', z: tab, endpoint: 'tcp', wires: [] },
    { id: 'udp', type: 'netcast-udp-endpoint', localAddress: '127.0.0.1', port: udp, reusePort: true },
    { id: 'udpIn', type: 'netcast-udp-in', z: tab, endpoint: 'udp', output: 'utf8', wires: [['tagUdp']] },
    { id: 'tagUdp', type: 'function', z: tab, func: tag, outputs: 1, wires: [['udpOut']] },
    { id: 'udpOut', type: 'netcast-udp-out', z: tab, endpoint: 'udp', allowMsgDestination: true, wires: [] },
  ];
}

/** A TCP client that says `text` and resolves with the name of the process that answered. */
async function askTcp(port, text, sockets) {
  const socket = await connectClient(port);
  sockets.push(socket);
  socket.write(`${text}\n`);
  await socket.waitForText(`:${text}\n`, 15000);
  socket.owner = socket.received.toString().split(':')[0];
  return socket;
}

/** A UDP sender of its own (its own source port) that says `text`; resolves with who answered. */
async function askUdp(port, text) {
  const socket = dgram.createSocket('udp4');
  await new Promise((resolve) => socket.bind(0, '127.0.0.1', resolve));
  try {
    const reply = new Promise((resolve) => socket.on('message', (data) => resolve(data.toString())));
    // a datagram sent before a process has bound is not answered: send again until one is
    const timer = setInterval(() => socket.send(text, port, '127.0.0.1'), 500);
    socket.send(text, port, '127.0.0.1');
    const answer = await withTimeout(reply, 15000, `an answer to ${text}`).finally(() => clearInterval(timer));
    answer.should.endWith(`:${text}`);
    return answer.split(':')[0];
  } finally {
    socket.close();
  }
}

describe('two node-red processes on one port (Share port)', function () {
  this.timeout(180000);
  const reds = [];
  const sockets = [];
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map(closeQuietly));
    await Promise.all(reds.splice(0).map((red) => red.stop()));
  });

  if (nodeHasReusePort()) {
    it(`share a TCP and a UDP port; after one stops the other takes new peers and keeps its own (Node ${process.versions.node})`, async function () {
      const tcpPort = await freePort();
      const udp = await udpPort();
      const a = await startNodeRed();
      reds.push(a);
      const b = await startNodeRed();
      reds.push(b);
      await a.deploy(sharedFlow('A', tcpPort, udp));
      await b.deploy(sharedFlow('B', tcpPort, udp));

      const first = [];
      for (let i = 0; i < 24; i++) first.push(await askTcp(tcpPort, `hello ${i}`, sockets));
      const owners = new Set(first.map((s) => s.owner));
      owners.should.eql(new Set(['A', 'B']), 'connections reached both processes');
      const udpOwners = new Set();
      for (let i = 0; i < 24; i++) udpOwners.add(await askUdp(udp, `ping ${i}`));
      udpOwners.should.eql(new Set(['A', 'B']), 'datagrams reached both processes');

      // A stops: its connections close, B's keep working and every line sent on them is answered
      await a.stop();
      reds.splice(reds.indexOf(a), 1);
      const ofA = first.filter((s) => s.owner === 'A');
      const ofB = first.filter((s) => s.owner === 'B');
      await Promise.all(ofA.map((s) => withTimeout(s.whenClosed, 15000, 'A\'s connections to close')));
      ofB.forEach((s, i) => s.write(`again ${i}\n`));
      await Promise.all(ofB.map((s, i) => s.waitForText(`B:again ${i}\n`, 15000)));

      const later = [];
      for (let i = 0; i < 12; i++) later.push(await askTcp(tcpPort, `later ${i}`, sockets));
      later.map((s) => s.owner).should.eql(Array(12).fill('B'), 'new connections all go to the survivor');
      for (let i = 0; i < 12; i++) (await askUdp(udp, `later ${i}`)).should.equal('B');
      b.log.should.not.match(/\[error\]/);
    });
  } else {
    it(`is refused on Node ${process.versions.node} with the coded error, and binds nothing`, async function () {
      const tcpPort = await freePort();
      const udp = await udpPort();
      const red = await startNodeRed();
      reds.push(red);
      await red.deploy(sharedFlow('A', tcpPort, udp));
      await until(() => (red.log.match(/needs Node\.js 22\.12 or later/g) || []).length >= 2, 15000, 'the refusal in the log');
      red.log.should.containEql(`Share port (reusePort) needs Node.js ${REUSE_PORT_NODE} or later, and this Node-RED runs on Node.js ${process.versions.node}`);
      const server = net.createServer();
      await new Promise((resolve, reject) => server.once('error', reject).listen(tcpPort, '127.0.0.1', resolve));
      await new Promise((resolve) => server.close(resolve));
    });
  }
});
