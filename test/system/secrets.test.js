'use strict';
// Secrets stay secret: a real node-red runs endpoints with tokens, a password and a TLS key held
// as credentials, clients get in and fail, every message, status and error goes to a console
// debug node, and then everything the run produced is searched for the secret values: the log,
// GET /flows, the export of the tab (GET /flow/:id) and the flow file. flows_cred.json is where
// the secrets belong: finding them there shows the search would find them anywhere else.
require('should');
const fs = require('fs');
const path = require('path');
const { WebSocket } = require('ws');
const { startNodeRed, freePort } = require('../support/node-red-process');
const { makeCertificates } = require('../support/certs');
const { until } = require('../support/events');
const { connect, closeClient } = require('./peers/websocket-peers');

const TOKEN = 'tok-9f3a61c2e8b4d7a5';
const PASSWORD = 'pw-5e1c7b0d9a2f4e86';
const CLIENT_TOKEN = 'ctok-71d04be95a3c2f68';

describe('system: secrets never leave the credentials', function () {
  this.timeout(120000);
  let red;
  let certs;
  const clients = [];

  before(async function () {
    certs = makeCertificates();
    red = await startNodeRed({ settings: 'debugMaxLength: 100000,' });
  });
  after(async function () {
    await Promise.all(clients.splice(0).map(closeClient));
    if (red) await red.stop();
    if (certs) certs.remove();
  });

  it('appear in no log line, debug message, status, error, GET /flows, export or flow file', async function () {
    const keyPem = fs.readFileSync(certs.server.key, 'utf8');
    const keyLine = keyPem.split('\n')[5];
    const ownPort = await freePort();
    const debug = (id, complete = 'true') => ({ id, type: 'debug', z: 'tab', active: true, tosidebar: true, console: true, complete, x: 500, y: 100, wires: [] });
    const flow = [
      { id: 'tab', type: 'tab', label: 'secrets' },
      { id: 'servertls', type: 'tls-config', name: 'server tls', cert: '', key: '', ca: '', verifyservercert: false, credentials: { certdata: fs.readFileSync(certs.server.cert, 'utf8'), keydata: keyPem } },
      { id: 'bearerEp', type: 'netcast-websocket-endpoint', mode: 'server', listenOn: 'port', host: '127.0.0.1', port: ownPort, path: '/bearer', useTls: true, tls: 'servertls', auth: 'bearer', heartbeat: 0, credentials: { token: TOKEN } },
      { id: 'basicEp', type: 'netcast-websocket-endpoint', mode: 'server', path: '/basic', auth: 'basic', heartbeat: 0, credentials: { user: 'operator', password: PASSWORD } },
      { id: 'clientEp', type: 'netcast-websocket-endpoint', mode: 'client', url: `ws://127.0.0.1:${red.port}/basic`, auth: 'bearer', heartbeat: 0, reconnectInitial: 0.1, reconnectMax: 0.5, credentials: { token: CLIENT_TOKEN } },
      { id: 'bearerIn', type: 'netcast-websocket-in', z: 'tab', endpoint: 'bearerEp', events: true, headers: true, x: 100, y: 100, wires: [['d1'], ['d1']] },
      { id: 'basicIn', type: 'netcast-websocket-in', z: 'tab', endpoint: 'basicEp', events: true, headers: true, x: 100, y: 200, wires: [['d1'], ['d1']] },
      { id: 'clientIn', type: 'netcast-websocket-in', z: 'tab', endpoint: 'clientEp', events: true, headers: true, x: 100, y: 300, wires: [['d1'], ['d1']] },
      { id: 'statusAll', type: 'status', z: 'tab', scope: null, x: 100, y: 400, wires: [['d1']] },
      { id: 'catchAll', type: 'catch', z: 'tab', scope: null, uncaught: false, x: 100, y: 500, wires: [['d1']] },
      debug('d1'),
    ];
    await red.deploy(flow);
    // the own-port server may start listening just after "Started flows": its status says when
    await until(() => red.log.includes(`listening :${ownPort}`), 20000, 'the TLS server to listen');
    const trust = { ca: fs.readFileSync(certs.ca) };
    const bearerUrl = `wss://localhost:${ownPort}/bearer`;
    const basicUrl = `ws://127.0.0.1:${red.port}/basic`;
    const basic = (user, password) => ({ Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
    const keep = async (url, options) => {
      const result = await connect(url, options);
      if (result instanceof WebSocket) clients.push(result);
      return result;
    };
    // in with the right credentials (headers and the access_token query), out with wrong ones
    const inBearer = await keep(bearerUrl, { ...trust, headers: { Authorization: `Bearer ${TOKEN}` } });
    const inQuery = await keep(`${bearerUrl}?access_token=${TOKEN}`, trust);
    const inBasic = await keep(basicUrl, { headers: basic('operator', PASSWORD) });
    (inBearer instanceof WebSocket && inQuery instanceof WebSocket && inBasic instanceof WebSocket).should.be.true();
    (await keep(bearerUrl, { ...trust, headers: { Authorization: `Bearer ${TOKEN}x` } })).refused.should.equal(401);
    (await keep(basicUrl, { headers: basic('operator', `${PASSWORD}x`) })).refused.should.equal(401);
    (await keep(basicUrl, { headers: basic(TOKEN, PASSWORD) })).refused.should.equal(401);
    inBearer.send(`hello over ${'tls'}`);
    inBasic.send('hello over basic');
    // the client endpoint's token is wrong for the basic server: it is refused, reported, retried
    await until(() => red.log.includes('hello over basic') && red.log.includes('hello over tls') && /refused|401/.test(red.log), 20000, 'the messages and the refusal in the log');

    const flows = JSON.stringify(await red.request('GET', '/flows'));
    const exported = JSON.stringify(await red.request('GET', '/flow/tab'));
    const flowFile = fs.readFileSync(path.join(red.userDir, 'flows.json'), 'utf8');
    const credentialsFile = fs.readFileSync(path.join(red.userDir, 'flows_cred.json'), 'utf8');
    const secrets = { TOKEN, PASSWORD, CLIENT_TOKEN, 'the TLS key': keyLine, 'the basic header': basic('operator', PASSWORD).Authorization.slice(6) };
    const places = { 'the log (with every debug message, status and error)': red.log, 'GET /flows': flows, 'the tab export (GET /flow/tab)': exported, 'flows.json': flowFile };
    for (const [secretName, value] of Object.entries(secrets)) {
      for (const [placeName, text] of Object.entries(places)) {
        const at = text.indexOf(value);
        (at === -1).should.be.true(`${secretName} appears in ${placeName}: ...${text.slice(Math.max(0, at - 300), at + 60)}`);
      }
    }
    // the search works: the secrets are where they belong
    for (const value of [TOKEN, PASSWORD, CLIENT_TOKEN]) credentialsFile.should.containEql(value);
    red.log.should.match(/_session/, 'the debug messages with the sessions and their headers were logged');
  });
});
