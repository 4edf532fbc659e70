'use strict';
// Who gets in to a netcast WebSocket server: settings.js webSocketNodeVerifyClient (asked the way
// core asks it, before the endpoint's own checks), the address allowlist and client certificates.
require('should');
const path = require('path');
const { WebSocket } = require('ws');
const { helper, load, nodeSet, tlsConfigNode, useHelper, endpointOf, listeningPort } = require('../support/red');
const { until } = require('../support/events');
const { makeCertificates } = require('../support/certs');
const { connect, closeClient } = require('../system/peers/websocket-peers');

const wsNodes = nodeSet('websocket');
const nodeRedDir = process.env.NETCAST_NODE_RED ? path.resolve(process.env.NETCAST_NODE_RED) : path.dirname(require.resolve('node-red/package.json'));
const coreWebSocket = require(require.resolve('@node-red/nodes/core/network/22-websocket.js', { paths: [nodeRedDir] }));

/** Core's websocket in on /core, ours on Node-RED's port (/ours) and on a port of its own (/own). */
function flow(ours = {}) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'coreListener', type: 'websocket-listener', path: '/core', wholemsg: 'false' },
    { id: 'coreIn', type: 'websocket in', z: 'tab', server: 'coreListener', client: '', wires: [] },
    { id: 'shared', type: 'netcast-websocket-endpoint', mode: 'server', path: '/ours', heartbeat: 0, ...ours },
    { id: 'own', type: 'netcast-websocket-endpoint', mode: 'server', listenOn: 'port', host: '127.0.0.1', port: 0, path: '/own', heartbeat: 0, ...ours },
    { id: 'sharedIn', type: 'netcast-websocket-in', z: 'tab', endpoint: 'shared', wires: [] },
    { id: 'ownIn', type: 'netcast-websocket-in', z: 'tab', endpoint: 'own', wires: [] },
  ];
}

describe('websocket server: who gets in', function () {
  useHelper();
  const clients = [];
  const open = async (url, options) => {
    const result = await connect(url, options).catch((err) => ({ failed: err.message }));
    if (result instanceof WebSocket) clients.push(result);
    return result;
  };
  const outcome = (result) => (result instanceof WebSocket ? 'open' : result.refused ?? 'no socket');
  afterEach(async () => {
    helper.settings({ webSocketNodeVerifyClient: undefined });
    await Promise.all(clients.splice(0).map(closeClient));
  });

  async function urls() {
    const base = helper.url().replace(/^http/, 'ws');
    await listeningPort('shared');
    return { core: `${base}/core`, ours: `${base}/ours`, own: `ws://127.0.0.1:${await listeningPort('own')}/own` };
  }

  async function outcomes(options) {
    const at = await urls();
    return { core: outcome(await open(at.core, options)), ours: outcome(await open(at.ours, options)), own: outcome(await open(at.own, options)) };
  }

  it('webSocketNodeVerifyClient refusing everyone: core 401, ours 401 on Node-RED\'s port and on its own', async function () {
    helper.settings({ webSocketNodeVerifyClient: () => false });
    await load([coreWebSocket, wsNodes], flow());
    (await outcomes()).should.eql({ core: 401, ours: 401, own: 401 });
    endpointOf('shared').counters.refused.should.equal(1);
    endpointOf('own').counters.refused.should.equal(1);
  });

  it('webSocketNodeVerifyClient accepting a chosen header: core and ours let that client in, and no other', async function () {
    helper.settings({ webSocketNodeVerifyClient: (info) => info.req.headers['x-site-key'] === 'plant-7' && info.secure === false });
    await load([coreWebSocket, wsNodes], flow());
    (await outcomes({ headers: { 'X-Site-Key': 'plant-7' } })).should.eql({ core: 'open', ours: 'open', own: 'open' });
    (await outcomes({ headers: { 'X-Site-Key': 'plant-8' } })).should.eql({ core: 401, ours: 401, own: 401 });
  });

  it('the callback form answers with the code the hook gives, as core does', async function () {
    helper.settings({
      webSocketNodeVerifyClient: (info, callback) => setImmediate(() => (info.origin === 'https://hmi.example' ? callback(true) : callback(false, 403, 'Not from the HMI'))),
    });
    await load([coreWebSocket, wsNodes], flow());
    (await outcomes({ origin: 'https://evil.example' })).should.eql({ core: 403, ours: 403, own: 403 });
    (await outcomes({ origin: 'https://hmi.example' })).should.eql({ core: 'open', ours: 'open', own: 'open' });
  });

  it('asks the hook before the endpoint\'s own token check: the right token does not get past a refusing hook', async function () {
    let asked = 0;
    helper.settings({ webSocketNodeVerifyClient: (info) => (asked++, info.req.headers['x-site-key'] === 'plant-7') });
    await load([coreWebSocket, wsNodes], flow({ auth: 'bearer' }), { shared: { token: 'right-token' }, own: { token: 'right-token' } });
    const at = await urls();
    outcome(await open(at.ours, { headers: { Authorization: 'Bearer right-token' } })).should.equal(401);
    endpointOf('shared').counters.authFailures.should.equal(0, 'the token was never looked at');
    outcome(await open(at.ours, { headers: { Authorization: 'Bearer wrong', 'X-Site-Key': 'plant-7' } })).should.equal(401);
    endpointOf('shared').counters.authFailures.should.equal(1);
    outcome(await open(at.own, { headers: { Authorization: 'Bearer right-token', 'X-Site-Key': 'plant-7' } })).should.equal('open');
    asked.should.equal(3);
  });

  it('a hook that throws refuses with 500 and says so with a code', async function () {
    helper.settings({ webSocketNodeVerifyClient: () => { throw new Error('typo in settings.js'); } });
    await load([wsNodes], flow().filter((node) => !/^core/.test(node.id)));
    const at = await urls();
    outcome(await open(at.ours)).should.equal(500);
    const entry = await until(() => helper.log().args.map(([e]) => e).find((e) => e.level === helper.log().ERROR && /webSocketNodeVerifyClient threw/.test(String(e.msg))), 5000, 'the error');
    (entry.msg.code || '').should.equal('ERR_NETCAST_VERIFY_CLIENT');
  });

  it('allowlist: on its own port a client outside it gets no socket; on Node-RED\'s port it gets 403', async function () {
    await load([wsNodes], flow({ allowlist: '127.0.0.2, 10.0.0.0/8' }).filter((node) => !/^core/.test(node.id)));
    const at = await urls();
    outcome(await open(at.own)).should.equal('no socket');
    outcome(await open(at.ours)).should.equal(403);
    outcome(await open(at.own, { localAddress: '127.0.0.2' })).should.equal('open');
    outcome(await open(at.ours, { localAddress: '127.0.0.2' })).should.equal('open');
    endpointOf('own').counters.refused.should.equal(1);
    endpointOf('shared').counters.refused.should.equal(1);
  });

  it('a bad allowlist entry is a config error naming the entry', async function () {
    await load([wsNodes], flow({ allowlist: '10.0.0.0/40' }).filter((node) => node.id !== 'own' && node.id !== 'ownIn' && !/^core/.test(node.id)));
    const entry = await until(() => helper.log().args.map(([e]) => e).find((e) => e.level === helper.log().ERROR && /allowed clients list/.test(String(e.msg))), 5000, 'the config error');
    String(entry.msg).should.match(/"10\.0\.0\.0\/40" in the allowed clients list has an invalid prefix length/);
  });

  describe('client certificates (mutual TLS on its own port)', function () {
    let certs;
    before(() => (certs = makeCertificates()));
    after(() => certs.remove());

    it('lets in a client with a certificate from the CA; one without, or with another, gets no socket', async function () {
      const tlsConfig = { id: 'servertls', type: 'tls-config', cert: certs.server.cert, key: certs.server.key, ca: certs.ca, verifyservercert: true };
      const endpoint = { id: 'own', type: 'netcast-websocket-endpoint', mode: 'server', listenOn: 'port', host: '127.0.0.1', port: 0, path: '/own', heartbeat: 0, useTls: true, tls: 'servertls', requireClientCert: true };
      await load([tlsConfigNode, wsNodes], [{ id: 'tab', type: 'tab' }, tlsConfig, endpoint, { id: 'ownIn', type: 'netcast-websocket-in', z: 'tab', endpoint: 'own', wires: [] }]);
      const url = `wss://localhost:${await listeningPort('own')}/own`;
      const fs = require('fs');
      const trust = { ca: fs.readFileSync(certs.ca) };
      outcome(await open(url, trust)).should.equal('no socket');
      outcome(await open(url, { ...trust, cert: fs.readFileSync(certs.rogue.cert), key: fs.readFileSync(certs.rogue.key) })).should.equal('no socket');
      await until(() => endpointOf('own').counters.refused === 2, 5000, 'both refusals to be counted');
      outcome(await open(url, { ...trust, cert: fs.readFileSync(certs.client.cert), key: fs.readFileSync(certs.client.key) })).should.equal('open');
    });
  });

  it('counts failed logins in the status and lets the right token in straight after', async function () {
    await load([wsNodes], flow({ auth: 'bearer' }).filter((node) => node.id !== 'own' && node.id !== 'ownIn' && !/^core/.test(node.id)), { shared: { token: 'right-token' } });
    await listeningPort('shared');
    const at = { ours: `${helper.url().replace(/^http/, 'ws')}/ours` };
    for (const token of ['a', 'b', 'c']) outcome(await open(at.ours, { headers: { Authorization: `Bearer ${token}` } })).should.equal(401);
    outcome(await open(at.ours, { headers: { Authorization: 'Bearer right-token' } })).should.equal('open');
    endpointOf('shared').counters.should.containEql({ authFailures: 3, refused: 3 });
    const status = await until(() => {
      const calls = helper.getNode('sharedIn').status.args || [];
      const last = calls.length ? calls[calls.length - 1][0] : undefined;
      return last && /3 failed logins/.test(last.text) && last;
    }, 5000, 'the status to show the failed logins');
    status.text.should.match(/listening :\d+\/ours · 1 client · 3 failed logins/);
    // the operations view (issue 14) shows the same count
    const snapshot = await helper.request().get('/netcast/endpoints/shared').expect(200);
    snapshot.body.counters.should.containDeep({ authFailures: 3, refused: 3 });
  });
});
