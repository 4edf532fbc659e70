'use strict';
// The editor's netcast sidebar tab in Chromium: it lists the endpoints of a deployed flow, their
// sessions appear and vanish as socat peers connect and leave, the counters move, a click on an
// endpoint reveals its node, nothing is polled while the tab is hidden, and zh-CN.
require('should');
const { spawn } = require('child_process');
const { chromium } = require('playwright-core');
const { startNodeRed, freePort } = require('../support/node-red-process');
const { withTimeout } = require('../support/events');
const tools = require('../support/tools');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('editor: the netcast sidebar tab', function () {
  this.timeout(180000);
  let red;
  let browser;
  let page;
  let port;
  const peers = [];
  const polls = [];
  const pageErrors = [];

  before(async function () {
    port = await freePort();
    red = await startNodeRed();
    await red.deploy([
      { id: 'tab1', type: 'tab', label: 'first' },
      { id: 'tab2', type: 'tab', label: 'lines' },
      { id: 'ep1', type: 'netcast-tcp-endpoint', name: 'line sensors', mode: 'server', host: '127.0.0.1', port, framing: 'delimiter', delimiter: '\\n' },
      { id: 'in1', type: 'netcast-tcp-in', z: 'tab2', name: 'sensor lines', endpoint: 'ep1', output: 'utf8', x: 600, y: 400, wires: [[]] },
    ]);
    browser = await chromium.launch({ executablePath: tools.chromium(), args: CHROMIUM_ARGS });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    page = await context.newPage();
    page.setDefaultTimeout(15000);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('request', (request) => {
      if (/\/netcast\/endpoints$/.test(new URL(request.url()).pathname)) polls.push(Date.now());
    });
    await page.goto(red.url, { timeout: 30000 });
    await page.waitForFunction(() => {
      try {
        return RED.nodes.node('in1') && RED.sidebar.containsTab('netcast');
      } catch {
        return false; // the editor is still starting
      }
    }, null, { timeout: 30000 });
  });

  after(async function () {
    for (const peer of peers) peer.kill('SIGKILL');
    if (browser) await browser.close();
    if (red) await red.stop();
  });

  const endpointBox = '.netcast-ops-endpoint[data-endpoint="ep1"]';
  const sessionRows = () => page.locator(`${endpointBox} .netcast-ops-session`).count();
  const messagesIn = async () => Number(await page.locator(`${endpointBox} .netcast-ops-counters`).getAttribute('data-in'));

  function socat() {
    const peer = spawn(tools.socat(), ['-', `TCP:127.0.0.1:${port},retry=50,interval=0.1`], { stdio: ['pipe', 'ignore', 'ignore'] });
    peer.exited = new Promise((resolve) => peer.once('exit', resolve));
    peers.push(peer);
    return peer;
  }

  it('lists the deployed endpoint; socat sessions appear and vanish; counters move', async function () {
    await page.evaluate(() => RED.sidebar.show('netcast'));
    await page.waitForSelector(endpointBox);
    (await page.locator(`${endpointBox} .netcast-ops-name`).innerText()).should.equal('line sensors');
    (await page.locator(`${endpointBox} .netcast-ops-address`).innerText()).should.equal(`tcp://127.0.0.1:${port}`);
    (await page.locator(`${endpointBox} .netcast-ops-state`).innerText()).should.match(/^listening :\d+/);
    (await sessionRows()).should.equal(0);

    const alice = socat();
    const bob = socat();
    alice.stdin.write('a1\na2\n');
    bob.stdin.write('b1\n');
    await page.waitForFunction((box) => document.querySelectorAll(`${box} .netcast-ops-session`).length === 2, endpointBox);
    await page.waitForFunction((box) => Number(document.querySelector(`${box} .netcast-ops-counters`).dataset.in) === 3, endpointBox);
    const peersShown = await page.locator(`${endpointBox} .netcast-ops-session`).evaluateAll((rows) => rows.map((row) => row.dataset.peer));
    peersShown.every((peer) => /^127\.0\.0\.1:\d+$/.test(peer)).should.be.true(peersShown.join(', '));

    // the counters move as more arrives
    alice.stdin.write('a3\na4\na5\n');
    await page.waitForFunction((box) => Number(document.querySelector(`${box} .netcast-ops-counters`).dataset.in) === 6, endpointBox);
    (await messagesIn()).should.equal(6);
    (await page.locator(`${endpointBox} .netcast-ops-counters`).innerText()).should.match(/^in 6 msgs \(\d+ B\) · out 0 msgs/);
    (await page.locator(`${endpointBox} .netcast-ops-rate`).innerText()).should.match(/msgs\/s/);

    alice.kill('SIGKILL');
    await alice.exited;
    await page.waitForFunction((box) => document.querySelectorAll(`${box} .netcast-ops-session`).length === 1, endpointBox);
    bob.kill('SIGKILL');
    await bob.exited;
    await page.waitForFunction((box) => document.querySelectorAll(`${box} .netcast-ops-session`).length === 0, endpointBox);
    (await messagesIn()).should.equal(6, 'closed sessions stay in the endpoint counters');
  });

  it('clicking an endpoint reveals its node, on the tab it is on', async function () {
    (await page.evaluate(() => RED.workspaces.active())).should.equal('tab1');
    await page.locator(`${endpointBox} .netcast-ops-head`).click();
    await page.waitForFunction(() => RED.workspaces.active() === 'tab2');
  });

  it('polls only while the tab is shown', async function () {
    await page.evaluate(() => RED.sidebar.show('info'));
    const hiddenAt = Date.now();
    const before = polls.length;
    // a few seconds of activity while hidden: a peer connects, sends and leaves, seen through the API
    const carol = socat();
    carol.stdin.write('c1\n');
    await withTimeout((async () => {
      for (;;) {
        const endpoint = await red.request('GET', '/netcast/endpoints/ep1');
        if (endpoint.counters.messagesIn === 7) return;
      }
    })(), 15000, 'the line counted');
    carol.kill('SIGKILL');
    await carol.exited;
    // Polls that do not happen have no event to wait for: watch four poll intervals (0.75 s each).
    await page.waitForTimeout(3000);
    const elapsed = Date.now() - hiddenAt;
    // at most the one poll already on its way when the tab was hidden
    (polls.length - before).should.be.belowOrEqual(1, `${polls.length - before} polls in ${elapsed} ms while hidden`);
    await page.evaluate(() => RED.sidebar.show('netcast'));
    await page.waitForFunction((box) => Number(document.querySelector(`${box} .netcast-ops-counters`).dataset.in) === 7, endpointBox);
  });

  it('in zh-CN the tab speaks Chinese', async function () {
    await page.evaluate(() => localStorage.setItem('editor-language', 'zh-CN'));
    await page.reload();
    await page.waitForFunction(() => {
      try {
        return RED.nodes.node('in1') && RED.sidebar.containsTab('netcast') && i18next.language === 'zh-CN';
      } catch {
        return false; // the editor is still starting
      }
    }, null, { timeout: 30000 });
    await page.evaluate(() => RED.sidebar.show('netcast'));
    await page.waitForSelector(endpointBox);
    (await page.locator(`${endpointBox} .netcast-ops-counters`).innerText()).should.match(/收 7 条/);
    (await page.locator(`${endpointBox} .netcast-ops-body`).innerText()).should.match(/没有会话/);
    (await page.locator(`${endpointBox} .netcast-ops-head`).getAttribute('title')).should.match(/[\u4e00-\u9fff]/);
  });

  it('the editor raised no errors in the page', function () {
    pageErrors.should.eql([]);
  });
});
