'use strict';
require('should');
const fs = require('fs');
const tls = require('tls');
const { helper, load, nodeSet, tlsConfigNode, catchNode, useHelper, listeningPort } = require('../support/red');
const { collect, once, until } = require('../support/events');
const { makeCertificates } = require('../support/certs');

const tcpNodes = nodeSet('tcp');

function tlsConfig(id, files, verify = true) {
  return { id, type: 'tls-config', cert: files.cert || '', key: files.key || '', ca: files.ca || '', verifyservercert: verify };
}

describe('tcp endpoint with TLS and mutual TLS', function () {
  useHelper();
  let certs;
  const sockets = [];
  before(() => {
    certs = makeCertificates();
  });
  after(() => certs.remove());
  afterEach(() => sockets.splice(0).forEach((s) => s.destroy()));

  function serverFlow(extra) {
    return [
      { id: 'tab', type: 'tab' },
      tlsConfig('servertls', { ...certs.server, ca: certs.ca }),
      { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: 0, framing: 'delimiter', delimiter: '\\n', useTls: true, tls: 'servertls', ...extra },
      { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', output: 'utf8', events: true, wires: [['sink', 'echo'], ['events']] },
      { id: 'echo', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' },
      { id: 'sink', type: 'helper', z: 'tab' },
      { id: 'events', type: 'helper', z: 'tab' },
    ];
  }

  function tlsClient(port, options) {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: fs.readFileSync(certs.ca), ...options });
    sockets.push(socket);
    socket.on('error', () => {});
    socket.text = '';
    socket.on('data', (chunk) => (socket.text += chunk));
    return socket;
  }

  it('serves TLS: a client that trusts the CA talks to the flow', async function () {
    await load([tlsConfigNode, tcpNodes, catchNode], serverFlow());
    const port = await listeningPort('ep');
    const socket = tlsClient(port);
    await once(socket, 'secureConnect');
    const arrived = collect(helper.getNode('sink'), 1);
    socket.write('secret\n');
    (await arrived)[0].payload.should.equal('secret');
    await until(() => socket.text === 'secret\n');
  });

  it('with mutual TLS accepts a client certificate from the CA and refuses one without', async function () {
    await load([tlsConfigNode, tcpNodes, catchNode], serverFlow({ requireClientCert: true }));
    const port = await listeningPort('ep');
    const trusted = tlsClient(port, { cert: fs.readFileSync(certs.client.cert), key: fs.readFileSync(certs.client.key) });
    await once(trusted, 'secureConnect');
    const arrived = collect(helper.getNode('sink'), 1);
    trusted.write('from a known client\n');
    (await arrived)[0].payload.should.equal('from a known client');

    const refusedEvent = new Promise((resolve) => helper.getNode('events').on('input', (msg) => msg.event === 'refused' && resolve(msg)));
    const anonymous = tlsClient(port);
    await once(anonymous, 'close');
    const refused = await refusedEvent;
    refused.payload.reason.should.match(/TLS handshake/);

    const rogue = tlsClient(port, { cert: fs.readFileSync(certs.rogue.cert), key: fs.readFileSync(certs.rogue.key) });
    await once(rogue, 'close');
    rogue.text.should.equal('');
  });

  it('connects as a TLS client with a client certificate and verifies the server', async function () {
    const server = tls.createServer({
      cert: fs.readFileSync(certs.server.cert), key: fs.readFileSync(certs.server.key), ca: fs.readFileSync(certs.ca),
      requestCert: true, rejectUnauthorized: true,
    }, (socket) => {
      socket.on('data', (chunk) => socket.write(`device got ${chunk}`));
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const flow = [
        { id: 'tab', type: 'tab' },
        tlsConfig('clienttls', { ...certs.client, ca: certs.ca }),
        { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'client', host: 'localhost', port: server.address().port, framing: 'delimiter', delimiter: '\\n', useTls: true, tls: 'clienttls' },
        { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', output: 'utf8', wires: [['sink']] },
        { id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' },
        { id: 'sink', type: 'helper', z: 'tab' },
      ];
      await load([tlsConfigNode, tcpNodes, catchNode], flow);
      const arrived = collect(helper.getNode('sink'), 1);
      helper.getNode('out').receive({ payload: 'hello' });
      (await arrived)[0].payload.should.equal('device got hello');
    } finally {
      server.close();
    }
  });

  it('reports a server certificate it does not trust in plain words', async function () {
    const server = tls.createServer({ cert: fs.readFileSync(certs.rogue.cert), key: fs.readFileSync(certs.rogue.key) }, () => {}).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const flow = [
        { id: 'tab', type: 'tab' },
        tlsConfig('clienttls', { ca: certs.ca }),
        { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'client', host: '127.0.0.1', port: server.address().port, useTls: true, tls: 'clienttls', reconnectInitial: 5, reconnectMax: 5 },
        { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', wires: [[]] },
        { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
        { id: 'errors', type: 'helper', z: 'tab' },
      ];
      await load([tlsConfigNode, tcpNodes, catchNode], flow);
      const [error] = await collect(helper.getNode('errors'), 1);
      error.error.message.should.match(/^TLS handshake with 127\.0\.0\.1:\d+ failed: its certificate is not trusted/);
    } finally {
      server.close();
    }
  });
});
