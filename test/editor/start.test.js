'use strict';
// The first minutes of a new user, in Chromium: `npm start`, the editor, the examples. Every
// example opens on its own tab (no "Recovered Nodes"), none is marked invalid, every started
// example runs (its ports and paths answer, no node shows an error) and the log has no error in
// its first 10 s. A failure names the example file and why. Also: status words in Chinese.
require('should');
const { spawn } = require('child_process');
const net = require('net');
const path = require('path');
const { chromium } = require('playwright-core');
const fs = require('fs');
const { freePort, prepareUserDir, settingsFile, redJs } = require('../support/node-red-process');
const { withTimeout } = require('../support/events');
const tools = require('../support/tools');
const { loadExamples } = require('../../scripts/examples');

const ROOT = path.join(__dirname, '..', '..');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const QUIET_MS = 10000;

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function openEditor(browser, url, locale) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale });
  const page = await context.newPage();
  page.setDefaultTimeout(30000);
  await page.goto(url, { timeout: 60000 });
  await page.waitForFunction(() => window.RED && RED.nodes && RED.nodes.getType('netcast-tcp-endpoint') !== null && RED.workspaces.count() > 0, null, { timeout: 60000 });
  return page;
}

describe('editor: npm start, as a new user sees it', function () {
  this.timeout(240000);
  let child;
  let log = '';
  let browser;
  let port;
  let startedAt;

  before(async function () {
    port = await freePort();
    child = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.js')], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => (log += chunk));
    child.stderr.on('data', (chunk) => (log += chunk));
    await withTimeout(new Promise((resolve) => child.stdout.on('data', () => log.includes('Node-RED is running at') && resolve())), 90000, 'npm start to report the editor address');
    startedAt = Date.now();
    browser = await chromium.launch({ executablePath: tools.chromium(), args: CHROMIUM_ARGS });
  });

  after(async function () {
    if (browser) await browser.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await withTimeout(exited, 15000, 'npm start to exit').catch(() => child.kill('SIGKILL'));
    }
  });

  it('opens every example on its own tab, with no Recovered Nodes and no invalid node', async function () {
    const page = await openEditor(browser, `http://127.0.0.1:${port}/`, 'en-US');
    const view = await page.evaluate(() => {
      const tabs = {};
      RED.nodes.eachWorkspace((ws) => (tabs[ws.id] = ws.label));
      const invalid = [];
      const homeless = [];
      const check = (node) => {
        if (node.valid === false) invalid.push({ id: node.id, type: node.type, name: node.name || '' });
      };
      RED.nodes.eachNode((node) => {
        check(node);
        if (!tabs[node.z]) homeless.push(node.id);
      });
      RED.nodes.eachConfig(check);
      return { tabs, invalid, homeless };
    });
    const problems = [];
    for (const { file, flow } of loadExamples()) {
      const tab = flow.find((node) => node.type === 'tab');
      if (!tab) problems.push(`examples/${file}: has no tab node, so its nodes land on "Recovered Nodes"`);
      else if (!view.tabs[tab.id]) problems.push(`examples/${file}: its tab "${tab.label}" is not open in the editor`);
      for (const node of flow) {
        if (view.homeless.includes(node.id)) problems.push(`examples/${file}: node ${node.type} "${node.name || node.id}" is on no tab`);
        const bad = view.invalid.find((entry) => entry.id === node.id);
        if (bad) problems.push(`examples/${file}: node ${bad.type} "${bad.name || bad.id}" is marked invalid (Deploy asks "not properly configured")`);
      }
    }
    Object.values(view.tabs).filter((label) => /recovered/i.test(label)).forEach((label) => problems.push(`the editor has a "${label}" tab`));
    problems.should.eql([]);
  });

  it('runs every started example: no node shows an error, its TCP ports, WebSocket paths and pages answer', async function () {
    const page = await openEditor(browser, `http://127.0.0.1:${port}/`, 'en-US');
    const problems = [];
    const examples = loadExamples();
    // statuses arrive over the editor's comms: give each netcast node until it has left "starting"
    const netcastIds = examples.flatMap(({ flow }) => flow.filter((node) => /^netcast-.*-(in|out|request)$/.test(node.type) && node.d !== true).map((node) => node.id));
    await page.waitForFunction((ids) => ids.every((id) => {
      const node = RED.nodes.node(id);
      return node && node.status && node.status.text && !/^starting/.test(node.status.text);
    }), netcastIds, { timeout: 30000 }).catch(() => {});
    const statuses = await page.evaluate((ids) => Object.fromEntries(ids.map((id) => [id, RED.nodes.node(id)?.status ?? null])), netcastIds);
    for (const { file, flow } of examples) {
      for (const node of flow.filter((n) => netcastIds.includes(n.id))) {
        const status = statuses[node.id];
        if (!status || !status.text) problems.push(`examples/${file}: node ${node.type} "${node.name || node.id}" shows no status`);
        else if (status.fill === 'red' || /^error/.test(status.text)) problems.push(`examples/${file}: node ${node.type} "${node.name || node.id}" shows "${status.text}"`);
      }
      for (const endpoint of flow.filter((n) => n.type === 'netcast-tcp-endpoint' && n.mode === 'server')) {
        if (!(await accepts(Number(endpoint.port)))) problems.push(`examples/${file}: nothing accepts on TCP port ${endpoint.port} (${endpoint.name})`);
      }
      for (const endpoint of flow.filter((n) => n.type === 'netcast-websocket-endpoint' && n.mode === 'server')) {
        const url = endpoint.listenOn === 'port' ? `ws://127.0.0.1:${endpoint.port}${endpoint.path}` : `ws://127.0.0.1:${port}${endpoint.path}`;
        const ok = await page.evaluate((target) => new Promise((resolve) => {
          const socket = new WebSocket(target);
          socket.onopen = () => {
            socket.close();
            resolve(true);
          };
          socket.onerror = () => resolve(false);
        }), url);
        if (!ok) problems.push(`examples/${file}: the WebSocket server ${url} (${endpoint.name}) does not answer`);
      }
      for (const httpIn of flow.filter((n) => n.type === 'http in' && n.method === 'get')) {
        const response = await fetch(`http://127.0.0.1:${port}${httpIn.url}`);
        if (response.status !== 200) problems.push(`examples/${file}: GET ${httpIn.url} answers ${response.status}`);
      }
    }
    problems.should.eql([]);
  });

  it('logs no error in its first 10 s', async function () {
    const left = QUIET_MS - (Date.now() - startedAt);
    if (left > 0) await new Promise((resolve) => setTimeout(resolve, left)); // a span of time is what is checked
    const errors = log.split('\n').filter((line) => /\[error\]|\[warn\].*(refused|ECONN)/i.test(line));
    errors.should.eql([], `npm start logged in its first 10 s:\n${errors.join('\n')}`);
  });
});

describe('editor: status words in Chinese', function () {
  this.timeout(180000);
  let child;
  let userDir;
  let url;
  let browser;

  before(async function () {
    // a runtime speaking zh-CN (its log is in Chinese too, so wait for its address, not for words)
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    userDir = prepareUserDir();
    fs.writeFileSync(path.join(userDir, 'settings.js'), settingsFile(port, "lang: 'zh-CN',"));
    child = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await withTimeout(new Promise((resolve) => child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes(`${url}/`)) resolve();
    })), 90000, 'node-red (zh-CN) to serve its editor');
    browser = await chromium.launch({ executablePath: tools.chromium(), args: CHROMIUM_ARGS });
  });

  after(async function () {
    if (browser) await browser.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await withTimeout(exited, 15000, 'node-red to exit').catch(() => child.kill('SIGKILL'));
    }
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('shows a listening server and a failed one in zh-CN words, the failure as what happened', async function () {
    const tcpPort = await freePort();
    const blocker = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => blocker.once('listening', resolve));
    try {
      const deployed = await fetch(`${url}/flows`, { method: 'POST', headers: { 'content-type': 'application/json', 'Node-RED-Deployment-Type': 'full' }, body: JSON.stringify([
        { id: 'zh-tab', type: 'tab', label: '状态' },
        { id: 'zh-ep', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: tcpPort, name: 'ok' },
        { id: 'zh-busy', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: blocker.address().port, name: 'busy' },
        { id: 'zh-in', type: 'netcast-tcp-in', z: 'zh-tab', endpoint: 'zh-ep', x: 150, y: 80, wires: [[]] },
        { id: 'zh-busy-in', type: 'netcast-tcp-in', z: 'zh-tab', endpoint: 'zh-busy', x: 150, y: 160, wires: [[]] },
      ]) });
      deployed.ok.should.be.true(`deploy answered ${deployed.status}`);
      const page = await openEditor(browser, url, 'zh-CN');
      const text = (id) => page.waitForFunction((nodeId) => RED.nodes.node(nodeId)?.status?.text, id).then((handle) => handle.jsonValue());
      (await text('zh-in')).should.equal(`正在监听 :${tcpPort} · 0 个客户端`);
      (await text('zh-busy-in')).should.equal(`错误：port ${blocker.address().port} is in use by another program on 127.0.0.1`);
      const drawn = await page.locator('#red-ui-workspace-chart text', { hasText: `正在监听 :${tcpPort}` }).count();
      drawn.should.be.above(0, 'the status is drawn under the node');
    } finally {
      blocker.close();
    }
  });
});
