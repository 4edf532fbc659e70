'use strict';
// Share port (reusePort) on the TCP server, UDP and WebSocket (own port) endpoints. What runs
// depends on the Node that runs the suite: Node >= 22.12 (the Node-RED 5 / Node 22 leg) binds two
// endpoints to one port and sees the kernel spread connections and datagrams over both; an older
// Node (the Node 20 leg) refuses the setting with a coded error naming the Node version needed.
// Two separate node-red processes sharing ports: test/system/reuse-port.test.js.
require('should');
const dgram = require('dgram');
const net = require('net');
const { WebSocket } = require('ws');
const { helper, load, nodeSet, catchNode, useHelper, endpointOf, listeningPort } = require('../support/red');
const { collect, once, until } = require('../support/events');
const { nodeHasReusePort, REUSE_PORT_NODE } = require('../../dist/transport/reuse-port');

const tcpNodes = nodeSet('tcp');
const udpNodes = nodeSet('udp');
const wsNodes = nodeSet('websocket');

function freePort(kind) {
  return new Promise((resolve, reject) => {
    if (kind === 'udp') {
      const socket = dgram.createSocket('udp4');
      socket.bind(0, '127.0.0.1', () => {
        const { port } = socket.address();
        socket.close(() => resolve(port));
      });
      return;
    }
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Two endpoints of each transport with Share port on, on the same ports; an in node on each. */
function sharedPortsFlow({ tcp, udp, ws }) {
  const flow = [{ id: 'tab', type: 'tab' }];
  for (const n of [1, 2]) {
    flow.push(
      { id: `tcp${n}`, type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: tcp, reusePort: true, framing: 'delimiter', delimiter: '\\n' },
      { id: `tcpin${n}`, type: 'netcast-tcp-in', z: 'tab', endpoint: `tcp${n}`, output: 'utf8', wires: [['sink']] },
      { id: `udp${n}`, type: 'netcast-udp-endpoint', localAddress: '127.0.0.1', port: udp, reusePort: true },
      { id: `udpin${n}`, type: 'netcast-udp-in', z: 'tab', endpoint: `udp${n}`, output: 'utf8', wires: [['sink']] },
      { id: `ws${n}`, type: 'netcast-websocket-endpoint', mode: 'server', listenOn: 'port', host: '127.0.0.1', port: ws, path: '/shared', reusePort: true },
      { id: `wsin${n}`, type: 'netcast-websocket-in', z: 'tab', endpoint: `ws${n}`, output: 'auto', wires: [['sink']] },
    );
  }
  flow.push(
    { id: 'sink', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  );
  return flow;
}

async function ports() {
  return { tcp: await freePort('tcp'), udp: await freePort('udp'), ws: await freePort('tcp') };
}

describe('Share port (reusePort)', function () {
  this.timeout(20000);
  useHelper();

  if (nodeHasReusePort()) {
    it(`lets two endpoints bind one TCP, UDP and WebSocket port, and the kernel spreads the peers over both (Node ${process.versions.node})`, async function () {
      const p = await ports();
      await load([tcpNodes, udpNodes, wsNodes, catchNode], sharedPortsFlow(p));
      const errors = [];
      helper.getNode('errors').on('input', (msg) => errors.push(msg.error.message));
      for (const id of ['tcp1', 'tcp2', 'ws1', 'ws2']) (await listeningPort(id)).should.equal(id.startsWith('tcp') ? p.tcp : p.ws);
      await until(() => endpointOf('udp1').port === p.udp && endpointOf('udp2').port === p.udp, 5000, 'both UDP endpoints to bind');

      // 32 peers of each kind: the kernel hashes each one's address and port onto one socket
      const peers = 32;
      const sockets = [];
      const clients = [];
      const udpSockets = [];
      try {
        for (let i = 0; i < peers; i++) {
          const socket = net.connect({ port: p.tcp, host: '127.0.0.1' });
          socket.on('error', () => {});
          sockets.push(socket);
          await once(socket, 'connect');
          const ws = new WebSocket(`ws://127.0.0.1:${p.ws}/shared`);
          ws.on('error', () => {});
          clients.push(ws);
          await once(ws, 'open');
          const udp = dgram.createSocket('udp4');
          udpSockets.push(udp);
          await new Promise((resolve) => udp.bind(0, '127.0.0.1', resolve));
        }
        await until(() => endpointOf('tcp1').sessionCount + endpointOf('tcp2').sessionCount === peers, 5000, 'every TCP connection accepted');
        await until(() => endpointOf('ws1').sessionCount + endpointOf('ws2').sessionCount === peers, 5000, 'every WebSocket accepted');
        endpointOf('tcp1').sessionCount.should.be.above(0);
        endpointOf('tcp2').sessionCount.should.be.above(0);
        endpointOf('ws1').sessionCount.should.be.above(0);
        endpointOf('ws2').sessionCount.should.be.above(0);

        const byNode = {};
        const arrived = collect(helper.getNode('sink'), peers * 3);
        helper.getNode('sink').on('input', (msg) => {
          const via = msg._session ? msg._session.endpoint : 'udp';
          byNode[via] = (byNode[via] || 0) + 1;
        });
        const udpBy = { 1: 0, 2: 0 };
        for (const n of [1, 2]) endpointOf(`udp${n}`).on('records', () => (udpBy[n] += 1));
        sockets.forEach((socket, i) => socket.write(`tcp ${i}\n`));
        clients.forEach((ws, i) => ws.send(`ws ${i}`));
        udpSockets.forEach((udp, i) => udp.send(`udp ${i}`, p.udp, '127.0.0.1'));
        const messages = await arrived;
        const texts = messages.map((m) => m.payload).sort();
        for (const kind of ['tcp', 'ws', 'udp']) texts.filter((t) => t.startsWith(`${kind} `)).length.should.equal(peers, `${kind} messages`);
        udpBy[1].should.be.above(0, 'datagrams reached the first UDP endpoint');
        udpBy[2].should.be.above(0, 'datagrams reached the second UDP endpoint');
        // each connection's message came out of the endpoint that accepted it
        for (const id of ['tcp1', 'tcp2', 'ws1', 'ws2']) (byNode[id] || 0).should.equal(endpointOf(id).sessionCount, id);
        errors.should.eql([]);
      } finally {
        sockets.forEach((socket) => socket.destroy());
        clients.forEach((ws) => ws.terminate());
        udpSockets.forEach((udp) => udp.close());
      }
    });
  } else {
    it(`is refused on Node ${process.versions.node} with a coded error naming Node ${REUSE_PORT_NODE}, and binds nothing`, async function () {
      const p = await ports();
      await load([tcpNodes, udpNodes, wsNodes, catchNode], sharedPortsFlow(p));
      const errors = await collect(helper.getNode('errors'), 6);
      for (const msg of errors) {
        msg.error.code.should.equal('ERR_NETCAST_REUSEPORT_UNSUPPORTED');
        msg.error.message.should.containEql(
          `Share port (reusePort) needs Node.js ${REUSE_PORT_NODE} or later, and this Node-RED runs on Node.js ${process.versions.node}; upgrade Node.js or turn Share port off`,
        );
      }
      errors.map((msg) => msg.error.source.id).sort().should.eql(['tcpin1', 'tcpin2', 'udpin1', 'udpin2', 'wsin1', 'wsin2']);
      for (const id of ['tcp1', 'tcp2', 'udp1', 'udp2', 'ws1', 'ws2']) (helper.getNode(id).owner.endpoint === undefined).should.be.true(`${id} has no endpoint`);
      // nothing was bound: the ports are still free
      for (const port of [p.tcp, p.ws]) {
        const server = net.createServer();
        await new Promise((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
        await new Promise((resolve) => server.close(resolve));
      }
      const udp = dgram.createSocket('udp4');
      await new Promise((resolve, reject) => udp.once('error', reject).bind(p.udp, '127.0.0.1', resolve));
      await new Promise((resolve) => udp.close(resolve));
    });
  }
});
