'use strict';
require('should');
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');
const { startNodeRed } = require('../support/node-red-process');
const { withTimeout } = require('../support/events');
const tools = require('../support/tools');
const { connect, closeClient } = require('./peers/websocket-peers');

const ROOT = path.join(__dirname, '..', '..');
const WEBSOCKET_TYPES = ['netcast-websocket-endpoint', 'netcast-websocket-in', 'netcast-websocket-out'];
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** A Node-RED user dir with this working tree installed as the package, by symlink. */
function linkedUserDir() {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-ws-nr-'));
  const scope = path.join(userDir, 'node_modules', '@netcast');
  fs.mkdirSync(scope, { recursive: true });
  fs.symlinkSync(ROOT, path.join(scope, 'node-red-transports'), 'dir');
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true, version: '0.0.1', dependencies: { '@netcast/node-red-transports': '*' } }));
  return userDir;
}

function runPython(args) {
  const child = spawn(tools.python3('websockets'), [path.join(__dirname, 'peers', 'websocket-python-peer.py'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (errors += chunk));
  return withTimeout(
    new Promise((resolve, reject) => {
      child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(output)) : reject(new Error(`python peer exited ${code}: ${errors}`))));
    }),
    15000,
    'the python peer',
  );
}

/** Resolves once a WebSocket at `url` accepts a connection (the endpoint starts just after deploy). */
async function whenAccepting(url, options = {}) {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      const ws = await connect(url, { handshakeTimeout: 500, ...options });
      if (ws.refused === undefined) return closeClient(ws);
      throw new Error(`HTTP ${ws.refused}`);
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${url} did not accept a WebSocket: ${err.message}`);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

function echoFlow() {
  return [
    { id: 'wstab', type: 'tab', label: 'websocket echo' },
    { id: 'wsep', type: 'netcast-websocket-endpoint', mode: 'server', path: '/ws/echo', auth: 'bearer', credentials: { token: 'py-s3cret' } },
    { id: 'wsin', type: 'netcast-websocket-in', z: 'wstab', endpoint: 'wsep', x: 100, y: 100, wires: [['wsupper']] },
    { id: 'wsupper', type: 'change', z: 'wstab', x: 300, y: 100, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '"echo: " & $uppercase(payload)', tot: 'jsonata' }], wires: [['wsout']] },
    { id: 'wsout', type: 'netcast-websocket-out', z: 'wstab', endpoint: 'wsep', x: 500, y: 100, wires: [] },
  ];
}

/** The chat example, on its own tab as Import > Examples puts it. */
function chatExample() {
  return JSON.parse(fs.readFileSync(path.join(ROOT, 'examples', 'websocket', '01 - Chat broadcast server.json'), 'utf8'));
}

describe('system: websocket nodes in a real node-red, with peers nobody here wrote', function () {
  this.timeout(120000);
  let red;
  let userDir;
  before(async () => {
    userDir = linkedUserDir();
    red = await startNodeRed({ userDir });
  });
  after(async () => {
    // the package is a link to this tree: remove the link itself before the user dir goes
    if (userDir) fs.rmSync(path.join(userDir, 'node_modules', '@netcast', 'node-red-transports'), { force: true });
    if (red) await red.stop();
  });

  it('lists the three websocket node types in GET /nodes with no load error', async function () {
    const sets = await red.request('GET', '/nodes', undefined, { accept: 'application/json' });
    const set = sets.find((candidate) => candidate.module === '@netcast/node-red-transports' && candidate.types.includes('netcast-websocket-in'));
    (set !== undefined).should.be.true('package.json "node-red".nodes lists netcast-websocket');
    (set.err === undefined || set.err === null).should.be.true(`${set.id} failed to load: ${set.err}`);
    set.enabled.should.be.true();
    set.types.should.containDeep(WEBSOCKET_TYPES);
    const editor = await fetch(`${red.url}/nodes`, { headers: { accept: 'text/html' } }).then((response) => response.text());
    editor.should.match(/data-template-name="netcast-websocket-endpoint"/);
    editor.should.match(/data-help-name="netcast-websocket-in"/);
  });

  it("answers Python's websockets client through a deployed flow, and refuses it without the token", async function () {
    await red.deploy(echoFlow());
    const url = `${red.url.replace(/^http/, 'ws')}/ws/echo`;
    await whenAccepting(url, { headers: { Authorization: 'Bearer py-s3cret' } });
    (await runPython([url, 'hello from python', 'py-s3cret'])).should.eql({ reply: 'echo: HELLO FROM PYTHON', binary: false });
    (await runPython([url, 'let me in', 'wrong'])).should.eql({ refused: 401 });
  });

  it('serves the chat example page to headless Chromium, whose WebSocket gets a broadcast', async function () {
    await red.deploy(chatExample());
    const socketUrl = `${red.url.replace(/^http/, 'ws')}/ws/chat`;
    await whenAccepting(socketUrl);
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: tools.chromium(), headless: true, args: CHROMIUM_ARGS });
    let sender;
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      await page.goto(`${red.url}/chat`);
      await page.waitForFunction(() => document.getElementById('state').textContent === 'connected', null, { timeout: 10000 });
      sender = await connect(socketUrl);
      sender.send('hello browser');
      await page.waitForFunction(() => /: hello browser$/m.test(document.getElementById('log').innerText), null, { timeout: 10000 });
      const lines = await page.evaluate(() => document.getElementById('log').innerText.split('\n'));
      lines.some((line) => /^user [0-9a-f]{4}: hello browser$/.test(line)).should.be.true(JSON.stringify(lines));
      // the sender gets the same broadcast: nothing was addressed to one session
      const received = await sender.waitForMessages(2);
      received.map((text) => JSON.parse(text).text).should.containEql('hello browser');
    } finally {
      await closeClient(sender);
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });

  it('loads the editor without script errors and marks a URL without ws:// or wss:// invalid', async function () {
    await red.deploy([
      { id: 'edtab', type: 'tab', label: 'editor check' },
      { id: 'goodep', type: 'netcast-websocket-endpoint', mode: 'client', url: 'wss://feeds.example.com/line/4' },
      { id: 'badep', type: 'netcast-websocket-endpoint', mode: 'client', url: 'http://feeds.example.com/line/4' },
      { id: 'badpath', type: 'netcast-websocket-endpoint', mode: 'server', path: 'no-slash' },
      { id: 'edin', type: 'netcast-websocket-in', z: 'edtab', endpoint: 'goodep', x: 100, y: 100, wires: [[]] },
      { id: 'edout', type: 'netcast-websocket-out', z: 'edtab', endpoint: 'badep', x: 300, y: 100, wires: [] },
      { id: 'edout2', type: 'netcast-websocket-out', z: 'edtab', endpoint: 'badpath', x: 300, y: 200, wires: [] },
    ]);
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-chromium-'));
    const browser = await chromium.launchPersistentContext(profile, { executablePath: tools.chromium(), headless: true, args: CHROMIUM_ARGS });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const scriptErrors = [];
      page.on('pageerror', (err) => scriptErrors.push(err.message));
      await page.goto(red.url);
      await page.waitForFunction(() => window.RED && RED.nodes && RED.nodes.node('edin'), null, { timeout: 60000 });
      // valid, or the sentences the editor shows on the fields it marks invalid
      const validity = await page.evaluate(() => ({
        good: RED.nodes.node('goodep').valid || RED.nodes.node('goodep').validationErrors,
        badUrl: RED.nodes.node('badep').valid || RED.nodes.node('badep').validationErrors,
        badPath: RED.nodes.node('badpath').valid || RED.nodes.node('badpath').validationErrors,
        palette: ['netcast-websocket-in', 'netcast-websocket-out'].map((type) => RED.nodes.getType(type).category),
        label: RED.nodes.getType('netcast-websocket-in').paletteLabel,
      }));
      validity.should.eql({
        good: true,
        badUrl: ['The URL must start with ws:// or wss://, e.g. ws://192.168.1.10:8080/feed'],
        badPath: ['The path must start with / and contain no spaces, ? or #'],
        palette: ['netcast', 'netcast'],
        label: 'websocket in',
      });
      scriptErrors.should.eql([]);
    } finally {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    }
  });

  it('redeploys a path endpoint 50 times without "already used" errors or leaked descriptors', async function () {
    await red.deploy(echoFlow());
    const url = `${red.url.replace(/^http/, 'ws')}/ws/echo`;
    await whenAccepting(url, { headers: { Authorization: 'Bearer py-s3cret' } });
    const baseline = red.openFds();
    for (let i = 0; i < 50; i++) {
      const flow = echoFlow();
      flow[2].topic = `deploy ${i}`;
      await red.deploy(flow, i % 2 === 0 ? 'full' : 'nodes');
    }
    await whenAccepting(url, { headers: { Authorization: 'Bearer py-s3cret' } });
    (await runPython([url, 'still here', 'py-s3cret'])).should.eql({ reply: 'echo: STILL HERE', binary: false });
    red.openFds().should.be.belowOrEqual(baseline + 2);
    red.log.should.not.match(/already used by another WebSocket endpoint/);
  });
});
