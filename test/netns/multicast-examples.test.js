'use strict';
// The multicast example flows, deployed in a real Node-RED inside this run's namespace (they join
// and send to groups, so they never run in the root namespace): the sensor publishes, the
// WebSocket bridge passes readings to a browser-style client, the collector sums them up.
require('should');
const fs = require('fs');
const os = require('os');
const path = require('path');
const WebSocket = require('ws');
const { requireNamespace } = require('./netns-support');
const { startNodeRed } = require('../support/node-red-process');
const { once, withTimeout } = require('../support/events');
const { loadExamples, usesMulticast } = require('../../scripts/examples');

requireNamespace('solo');
const root = path.join(__dirname, '..', '..');

function linkedUserDir() {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-mcast-examples-'));
  const scope = path.join(userDir, 'node_modules', '@netcast');
  fs.mkdirSync(scope, { recursive: true });
  fs.symlinkSync(root, path.join(scope, 'node-red-transports'), 'dir');
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'examples', private: true }));
  return userDir;
}

/** Debug sidebar messages, read the way the editor reads them: over the admin /comms socket. */
async function debugMessages(red) {
  const comms = new WebSocket(`ws://127.0.0.1:${red.port}/comms`);
  await once(comms, 'open');
  const messages = [];
  const waiters = [];
  comms.on('message', (data) => {
    for (const event of [].concat(JSON.parse(String(data)))) if (event.topic === 'debug') messages.push(event.data);
    for (const waiter of waiters) if (messages.some(waiter.predicate)) waiter.resolve();
  });
  comms.send(JSON.stringify({ subscribe: 'debug' }));
  const waitFor = (predicate, ms, what) => withTimeout(new Promise((resolve) => {
    if (messages.some(predicate)) resolve();
    else waiters.push({ predicate, resolve });
  }), ms, what);
  return { messages, waitFor, close: () => comms.close() };
}

describe('multicast examples in a real Node-RED (inside a network namespace)', function () {
  this.timeout(60000);
  let red;
  before(async () => {
    red = await startNodeRed({ userDir: linkedUserDir() });
  });
  after(async () => {
    if (red) await red.stop();
  });

  it('the sensor publishes, the bridge serves its page and broadcasts readings, the collector summarises', async function () {
    const examples = loadExamples({ includeMulticast: true }).filter(({ flow }) => usesMulticast(flow));
    examples.map(({ file }) => file).should.containDeep(['multicast/03 - Multicast to WebSocket bridge.json']);
    const debug = await debugMessages(red);
    await red.deploy(examples.flatMap(({ flow }) => flow));

    const page = await fetch(`http://127.0.0.1:${red.port}/factory`);
    (await page.text()).should.match(/Plant floor, live/, `the bridge page is served; node-red said:\n${red.log.slice(-3000)}`);

    const browser = new WebSocket(`ws://127.0.0.1:${red.port}/ws/factory`);
    const [data] = await once(browser, 'message', 10000).then((args) => [].concat(args));
    const reading = JSON.parse(String(data));
    reading.machine.should.equal('press-4');
    reading.temperature.should.be.a.Number();
    reading.from.should.be.a.String().and.not.be.empty();
    browser.close();

    await debug.waitFor((m) => m.name === 'temperature per machine' && /press-4/.test(m.msg), 20000, 'the collector summary in the debug sidebar');
    debug.close();
    red.log.should.not.match(/\[error\]/);
  });
});
