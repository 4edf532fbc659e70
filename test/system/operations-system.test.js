'use strict';
// GET /netcast/endpoints on a real node-red with adminAuth on: 401 without a token, the running
// endpoints (with a socat peer's session) with one; the session leaves the list when socat does.
require('should');
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { startNodeRed, prepareUserDir, freePort } = require('../support/node-red-process');
const { withTimeout } = require('../support/events');
const tools = require('../support/tools');

const SETTINGS = `
  adminAuth: {
    type: 'credentials',
    users: [],
    tokens: (token) => Promise.resolve(token === 'operator' ? { username: 'operator', permissions: ['netcast.read'] } : null),
  },
`;

describe('system: GET /netcast/endpoints with adminAuth on', function () {
  this.timeout(90000);
  let red;
  let port;
  const peers = [];

  before(async function () {
    port = await freePort();
    const userDir = prepareUserDir();
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify([
      { id: 'tab', type: 'tab', label: 'operations' },
      { id: 'ep1', type: 'netcast-tcp-endpoint', name: 'lines', mode: 'server', host: '127.0.0.1', port, framing: 'delimiter', delimiter: '\\n' },
      { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep1', output: 'utf8', x: 100, y: 100, wires: [[]] },
    ]));
    red = await startNodeRed({ settings: SETTINGS, userDir });
  });
  after(async function () {
    for (const peer of peers) peer.kill();
    if (red) await red.stop();
  });

  /** Asks again, one request after the other, until `probe` answers something truthy. */
  const poll = (probe, ms, what) => withTimeout((async () => {
    for (;;) {
      const value = await probe();
      if (value) return value;
    }
  })(), ms, what);

  const get = async (route, token) => {
    const response = await fetch(`${red.url}${route}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, body: response.headers.get('content-type')?.includes('json') ? await response.json() : await response.text() };
  };

  it('answers 401 without a token and the endpoints, with a socat peer\'s session, with one', async function () {
    (await get('/netcast/endpoints')).status.should.equal(401);
    (await get('/netcast/endpoints/ep1')).status.should.equal(401);
    (await get('/netcast/endpoints', 'wrong')).status.should.equal(401);

    const socat = spawn(tools.socat(), ['-', `TCP:127.0.0.1:${port},retry=50,interval=0.1`], { stdio: ['pipe', 'ignore', 'ignore'] });
    peers.push(socat);
    socat.stdin.write('one\ntwo\nthree\n');
    const listed = await poll(async () => {
      const { body } = await get('/netcast/endpoints', 'operator');
      const lines = Array.isArray(body) && body.find((e) => e.id === 'ep1');
      return lines && lines.counters.messagesIn === 3 ? lines : false;
    }, 20000, 'the three lines counted').catch(async (err) => {
      err.message += ` — log: ${red.log.slice(-1500)} — last answer: ${JSON.stringify((await get('/netcast/endpoints', 'operator')).body).slice(0, 500)}`;
      throw err;
    });
    listed.should.containDeep({ name: 'lines', transport: 'tcp', mode: 'server', address: `tcp://127.0.0.1:${port}`, state: 'listening', nodes: ['in'] });
    listed.sessions.should.have.length(1);
    listed.sessions[0].should.containDeep({ ip: '127.0.0.1', messagesIn: 3, bytesIn: 14 });

    const one = await get('/netcast/endpoints/ep1', 'operator');
    one.status.should.equal(200);
    one.body.id.should.equal('ep1');
    (await get('/netcast/endpoints/none', 'operator')).should.containDeep({ status: 404, body: { code: 'ERR_NETCAST_NO_ENDPOINT' } });

    socat.kill('SIGKILL');
    await withTimeout(new Promise((resolve) => socat.once('exit', resolve)), 5000, 'socat to exit');
    await poll(async () => (await get('/netcast/endpoints/ep1', 'operator')).body.sessions.length === 0, 10000, 'the session to leave the list');
  });
});
