'use strict';
require('should');
const { helper, load, nodeSet, tlsConfigNode, catchNode, useHelper, endpointOf } = require('../support/red');
const { collect, until } = require('../support/events');
const { makeCertificates } = require('../support/certs');
const { freePort } = require('../support/node-red-process');

const wsNodes = nodeSet('websocket');

function tlsConfig(id, files, verify = true) {
  return { id, type: 'tls-config', cert: files.cert || '', key: files.key || '', ca: files.ca || '', verifyservercert: verify };
}

/**
 * A TLS server on its own port and a wss:// client endpoint, in one flow. (Node-RED takes any
 * config value equal to a config node's id as a reference, so ids are not "server"/"client".)
 */
function secureFlow(port, clientTls) {
  return [
    { id: 'tab', type: 'tab' },
    tlsConfig('servertls', certs.server),
    clientTls,
    { id: 'serverEp', type: 'netcast-websocket-endpoint', mode: 'server', listenOn: 'port', host: '127.0.0.1', port, path: '/secure', useTls: true, tls: 'servertls', heartbeat: 0 },
    { id: 'clientEp', type: 'netcast-websocket-endpoint', mode: 'client', url: `wss://localhost:${port}/secure`, useTls: true, tls: 'clienttls', heartbeat: 0, reconnectInitial: 0.05, reconnectMax: 0.2 },
    { id: 'serverIn', type: 'netcast-websocket-in', z: 'tab', endpoint: 'serverEp', wires: [['serverSink', 'serverOut']] },
    { id: 'serverOut', type: 'netcast-websocket-out', z: 'tab', endpoint: 'serverEp' },
    { id: 'clientIn', type: 'netcast-websocket-in', z: 'tab', endpoint: 'clientEp', wires: [['clientSink']] },
    { id: 'clientOut', type: 'netcast-websocket-out', z: 'tab', endpoint: 'clientEp' },
    { id: 'serverSink', type: 'helper', z: 'tab' },
    { id: 'clientSink', type: 'helper', z: 'tab' },
  ];
}

let certs;

describe('websocket endpoints with TLS from tls-config', function () {
  useHelper();
  before(() => {
    certs = makeCertificates();
  });
  after(() => certs.remove());

  it('serves wss:// on its own port and connects to it as a client that trusts the CA', async function () {
    const port = await freePort();
    await load([tlsConfigNode, wsNodes, catchNode], secureFlow(port, tlsConfig('clienttls', { ca: certs.ca })));
    await until(() => endpointOf('clientEp').connected, 5000, 'the wss:// client to connect');
    const atServer = collect(helper.getNode('serverSink'), 1);
    const atClient = collect(helper.getNode('clientSink'), 1);
    helper.getNode('clientOut').receive({ payload: 'over TLS' });
    const [request] = await atServer;
    request.payload.should.equal('over TLS');
    // the server's in node is wired to its out node: the message comes back to the same session
    (await atClient)[0].payload.should.equal('over TLS');
  });

  it('reports a server certificate the client does not trust in plain words', async function () {
    const port = await freePort();
    const flow = secureFlow(port, tlsConfig('clienttls', {})).filter((node) => node.type !== 'catch');
    await load([tlsConfigNode, wsNodes], flow);
    const entry = await until(
      () => helper.log().args.map(([e]) => e).find((e) => e.level === helper.log().ERROR && e.id === 'clientIn'),
      5000,
      'an error from the client',
    );
    const text = entry.msg instanceof Error ? entry.msg.message : String(entry.msg);
    text.should.match(/TLS handshake with localhost:\d+ failed: its certificate is not trusted/);
    endpointOf('clientEp').state.phase.should.equal('reconnecting');
  });
});
