'use strict';
// Node-RED on one host, multicast devices on others: the hosts are network namespaces with veth
// cables to bridges, built by scripts/run-netns-tests.js (see its header for the addresses).
// This file runs in the Node-RED host's namespace and reaches the others with `ip netns exec`.
require('should');
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const http = require('http');
const os = require('os');
const path = require('path');
const { requireNamespace } = require('./netns-support');
const { until, withTimeout } = require('../support/events');
const tools = require('../support/tools');

const topology = requireNamespace('nr');
const root = topology.root;
const HOST = '10.200.1.1';
const UI_PORT = 1880;
const OUR_TYPES = ['netcast-udp-endpoint', 'netcast-udp-in', 'netcast-udp-out', 'netcast-multicast-group', 'netcast-multicast-in', 'netcast-multicast-out'];

/**
 * A user dir with the package "installed" as npm would lay it out: its package.json, and links to
 * this tree's dist/, icons/, examples/ and dependencies.
 */
function makeUserDir(manifest) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-multihost-'));
  const installed = path.join(userDir, 'node_modules', '@netcast', 'node-red-transports');
  fs.mkdirSync(installed, { recursive: true });
  fs.writeFileSync(path.join(installed, 'package.json'), JSON.stringify(manifest, null, 2));
  for (const entry of ['dist', 'icons', 'examples', 'node_modules']) fs.symlinkSync(path.join(root, entry), path.join(installed, entry), 'dir');
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'multihost', private: true, dependencies: { '@netcast/node-red-transports': '*' } }));
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = {
  uiHost: '${HOST}', uiPort: ${UI_PORT}, flowFile: 'flows.json', credentialSecret: false,
  telemetry: { enabled: false, updateNotification: false }, diagnostics: { enabled: false },
  editorTheme: { tours: false }, externalModules: { palette: { allowInstall: false } },
  logging: { console: { level: 'info', metrics: false, audit: false } },
};\n`);
  return userDir;
}

async function startNodeRed(userDir) {
  // the Node-RED under test: the one CI selects for its Node-RED 5 run, else this tree's
  const redJs = process.env.NETCAST_NODE_RED ? path.join(path.resolve(process.env.NETCAST_NODE_RED), 'red.js') : path.join(root, 'node_modules', 'node-red', 'red.js');
  const child = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const red = { child, log: '' };
  child.stdout.on('data', (chunk) => (red.log += chunk));
  child.stderr.on('data', (chunk) => (red.log += chunk));
  red.exited = new Promise((resolve) => child.once('exit', resolve));
  await withTimeout(new Promise((resolve, reject) => {
    child.stdout.on('data', () => red.log.includes('Server now running') && red.log.includes('Started flows') && resolve());
    child.once('exit', (code) => reject(new Error(`node-red exited with ${code}:\n${red.log}`)));
  }), 30000, 'node-red to start');
  return red;
}

async function admin(method, route, body, headers = {}) {
  const response = await fetch(`http://${HOST}:${UI_PORT}${route}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${route} -> ${response.status} ${text}`);
  return response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
}

/** What the flow reports back: every message and error, POSTed by an http request node. */
function startCollector() {
  const reports = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      reports.push(JSON.parse(body));
      res.end('ok');
    });
  });
  return new Promise((resolve) => server.listen(0, HOST, () => resolve({ server, reports, port: server.address().port })));
}

function flow(collectorPort) {
  const report = { url: `http://${HOST}:${collectorPort}/report`, method: 'POST', ret: 'txt', paytoqs: 'ignore', type: 'http request', z: 't', wires: [] };
  const at = (i) => ({ x: 150 + 200 * (i % 4), y: 60 + 60 * Math.floor(i / 4) });
  let i = 0;
  const node = (props) => ({ z: 't', ...at(i++), ...props });
  return [
    { id: 't', type: 'tab', label: 'multihost' },
    { id: 'gA', type: 'netcast-multicast-group', groups: [{ group: '239.20.1.1', source: '' }], port: 45001, iface: 'eth0' },
    { id: 'gS', type: 'netcast-multicast-group', groups: [{ group: '232.20.1.1', source: '10.200.1.2' }], port: 45002, iface: 'eth0' },
    { id: 'gL', type: 'netcast-multicast-group', groups: [{ group: '239.20.3.1', source: '' }], port: 45003, iface: 'eth2' },
    { id: 'gO0', type: 'netcast-multicast-group', groups: [{ group: '239.20.2.1', source: '' }], port: 45004, iface: 'eth0', ttl: 1 },
    { id: 'gO1', type: 'netcast-multicast-group', groups: [{ group: '239.20.2.1', source: '' }], port: 45004, iface: 'eth1', ttl: 1 },
    node({ id: 'inA', type: 'netcast-multicast-in', endpoint: 'gA', output: 'utf8', wires: [['asMessage']] }),
    node({ id: 'inS', type: 'netcast-multicast-in', endpoint: 'gS', output: 'utf8', wires: [['asMessage']] }),
    node({ id: 'inL', type: 'netcast-multicast-in', endpoint: 'gL', output: 'utf8', wires: [['asMessage']] }),
    node({ id: 'asMessage', type: 'function', outputs: 1, func: "msg.payload = { kind: 'message', text: msg.payload, group: msg.group, ip: msg.ip, port: msg.port };\nreturn msg;", wires: [['report']] }),
    node({ id: 'errors', type: 'catch', scope: null, uncaught: false, wires: [['asError']] }),
    node({ id: 'asError', type: 'function', outputs: 1, func: "msg.payload = { kind: 'error', text: msg.error.message, node: msg.error.source && msg.error.source.id };\nreturn msg;", wires: [['report']] }),
    node({ ...report, id: 'report' }),
    node({ id: 'injA', type: 'inject', payload: 'from node-red on eth0', payloadType: 'str', repeat: '', once: false, wires: [['outA']] }),
    node({ id: 'outA', type: 'netcast-multicast-out', endpoint: 'gO0', wires: [] }),
    node({ id: 'injB', type: 'inject', payload: 'from node-red on eth1', payloadType: 'str', repeat: '', once: false, wires: [['outB']] }),
    node({ id: 'outB', type: 'netcast-multicast-out', endpoint: 'gO1', wires: [] }),
  ];
}

/** A device on another host; resolves once it has joined (listen) or started sending. */
async function peer(host, options, running) {
  const child = spawn(tools.ip(), ['netns', 'exec', topology[host], process.execPath, path.join(__dirname, 'multihost-peer.js'), JSON.stringify(options)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const device = { child, events: [], texts: () => device.events.filter((e) => e.event === 'message').map((e) => e.text) };
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) if (line) device.events.push(JSON.parse(line));
  });
  device.stop = () => new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
  running.push(device);
  await until(() => device.events.some((e) => e.event === 'ready'), 5000, `the peer on ${host} to be ready`);
  return device;
}

function sh(namespace, args) {
  execFileSync(tools.ip(), namespace ? ['netns', 'exec', namespace, ...args] : args, { stdio: 'pipe' });
}

describe('multi-host: Node-RED and multicast devices on separate hosts (network namespaces)', function () {
  let red;
  let userDir;
  let collector;
  const running = [];
  const messages = (predicate) => collector.reports.filter((r) => r.kind === 'message' && predicate(r));

  before(async function () {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    const sets = manifest['node-red'].nodes;
    (sets['netcast-udp'] === 'dist/nodes/udp.js' && sets['netcast-multicast'] === 'dist/nodes/multicast.js').should.be.true(
      'package.json "node-red".nodes must list "netcast-udp": "dist/nodes/udp.js" and "netcast-multicast": "dist/nodes/multicast.js"',
    );
    userDir = makeUserDir(manifest);
    collector = await startCollector();
    red = await startNodeRed(userDir);
    await admin('POST', '/flows', flow(collector.port), { 'Node-RED-Deployment-Type': 'full' });
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((device) => device.stop()));
  });

  after(async () => {
    if (red && red.child.exitCode === null) {
      red.child.kill('SIGINT');
      await withTimeout(red.exited, 10000, 'node-red to exit').catch(() => red.child.kill('SIGKILL'));
    }
    if (collector) collector.server.close();
    if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  });

  it('a real Node-RED lists the six UDP and multicast types with no load error', async function () {
    const sets = await admin('GET', '/nodes');
    const ours = sets.filter((set) => set.module === '@netcast/node-red-transports');
    for (const set of ours) (set.err ? `${set.id}: ${set.err}` : '').should.equal('');
    const types = ours.flatMap((set) => set.types);
    for (const type of OUR_TYPES) types.should.containEql(type);
    red.log.should.not.match(/Failed to register|Error loading/i);
  });

  it('a group message sent by a device on another host reaches Node-RED', async function () {
    await peer('h2', { mode: 'send', group: '239.20.1.1', port: 45001, iface: '10.200.1.2', text: 'line 2 speed' }, running);
    await until(() => messages((r) => r.group === '239.20.1.1').length > 0, 10000, 'the group message in Node-RED');
    const [first] = messages((r) => r.group === '239.20.1.1');
    first.text.should.startWith('line 2 speed');
    first.ip.should.equal('10.200.1.2');
    first.port.should.be.a.Number();
  });

  it('multicast out reaches two hosts on the chosen interface and not the LAN the route points at', async function () {
    const options = { mode: 'listen', group: '239.20.2.1', port: 45004 };
    const h2 = await peer('h2', { ...options, iface: '10.200.1.2' }, running);
    const h3 = await peer('h3', { ...options, iface: '10.200.1.3' }, running);
    const h4 = await peer('h4', { ...options, iface: '10.200.2.4' }, running);
    await admin('POST', '/inject/injA');
    await until(() => h2.texts().length > 0 && h3.texts().length > 0, 10000, 'both hosts on eth0 to receive');
    // now the same group on eth1, so h4's LAN gets a message we can wait for
    await admin('POST', '/inject/injB');
    await until(() => h4.texts().length > 0, 10000, 'the host on eth1 to receive');
    h2.texts().should.eql(['from node-red on eth0']);
    h3.texts().should.eql(['from node-red on eth0']);
    h4.texts().should.eql(['from node-red on eth1']);
  });

  it('source-specific multicast delivers only the chosen source', async function () {
    await peer('h3', { mode: 'send', group: '232.20.1.1', port: 45002, iface: '10.200.1.3', text: 'h3 (not chosen)' }, running);
    await peer('h2', { mode: 'send', group: '232.20.1.1', port: 45002, iface: '10.200.1.2', text: 'h2 (chosen)' }, running);
    await until(() => messages((r) => r.group === '232.20.1.1').length >= 5, 10000, '5 messages from the chosen source');
    const ssm = messages((r) => r.group === '232.20.1.1');
    ssm.every((r) => r.ip === '10.200.1.2' && r.text.startsWith('h2 (chosen)')).should.be.true(JSON.stringify(ssm));
  });

  it('a receiver deployed before its interface exists starts receiving once it comes up, with no redeploy', async function () {
    const { rev } = await admin('GET', '/flows', undefined, { 'Node-RED-API-Version': 'v2' });
    await until(() => collector.reports.some((r) => r.kind === 'error' && r.node === 'inL'), 10000, 'the "waiting for eth2" error');
    collector.reports.find((r) => r.kind === 'error' && r.node === 'inL').text.should.match(/network interface eth2 is not on this machine yet/);
    // plug in the cable: eth2 on lan-c, where h3 has eth1
    sh(null, ['link', 'add', 'eth2', 'type', 'veth', 'peer', 'name', 'nr2', 'netns', topology.br]);
    sh(topology.br, ['ip', 'link', 'set', 'nr2', 'master', 'lan-c', 'up']);
    sh(null, ['addr', 'add', '10.200.3.1/24', 'dev', 'eth2']);
    sh(null, ['link', 'set', 'eth2', 'up']);
    await peer('h3', { mode: 'send', group: '239.20.3.1', port: 45003, iface: '10.200.3.3', text: 'late lan' }, running);
    await until(() => messages((r) => r.group === '239.20.3.1').length > 0, 20000, 'a message on the late interface');
    messages((r) => r.group === '239.20.3.1')[0].ip.should.equal('10.200.3.3');
    (await admin('GET', '/flows', undefined, { 'Node-RED-API-Version': 'v2' })).rev.should.equal(rev);
  });
});
