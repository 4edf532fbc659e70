'use strict';
// A real node-red process (node_modules/node-red/red.js) in a throwaway user dir. The `ours`
// flavour has this package installed as a symlink in <userDir>/node_modules; `core` is stock
// Node-RED. Both load the bench sink/source nodes from bench/nodes via settings.nodesDir.
// The symlink points at a snapshot of the package (package.json, dist/, icons/, examples/) taken
// once per run in bench/.package, so a rebuild during the run cannot mix two versions. It sits
// inside the checkout, so the package's own dependencies (ws) resolve from node_modules.
// With `netns`, node-red runs inside that network namespace and the admin API is reached
// through a small helper process started in the same namespace (servers/netns-helper.js).
const { spawn } = require('child_process');
const dgram = require('dgram');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const ipc = require('../ipc');
const { launcher } = require('../launcher');
const { sleep } = require('../metrics');

const root = path.join(__dirname, '..', '..');
const redJs = require.resolve('node-red/red.js', { paths: [root] });

/** A free port on 127.0.0.1: kind 'tcp' (default) or 'udp'. */
function freePort(kind = 'tcp') {
  if (kind === 'udp') {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket('udp4');
      socket.on('error', reject);
      socket.bind(0, '127.0.0.1', () => {
        const { port } = socket.address();
        socket.close(() => resolve(port));
      });
    });
  }
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function settings(port) {
  return `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  credentialSecret: false,
  nodesDir: ${JSON.stringify(path.join(__dirname, '..', 'nodes'))},
  telemetry: { enabled: false, updateNotification: false },
  diagnostics: { enabled: false },
  editorTheme: { tours: false },
  externalModules: { palette: { allowInstall: false } },
  logging: { console: { level: 'warn', metrics: false, audit: false } },
};
`;
}

const snapshotDir = path.join(__dirname, '..', '.package');
// --baseline <checkout>: the `before` flavour runs that checkout's build, copied here (inside this
// checkout, so its dependencies resolve from this node_modules too)
const baselineDir = path.join(__dirname, '..', '.package-before');

/** Copies what npm would publish from another built checkout into bench/.package-before. */
function snapshotBaseline(checkout) {
  const from = path.resolve(checkout);
  const pkg = require(path.join(from, 'package.json'));
  const missing = Object.values(pkg['node-red'].nodes).filter((file) => !fs.existsSync(path.join(from, file)));
  if (missing.length) throw new Error(`--baseline ${checkout}: ${missing.join(', ')} missing: run npm run build there first`);
  fs.rmSync(baselineDir, { recursive: true, force: true });
  fs.mkdirSync(baselineDir, { recursive: true });
  fs.copyFileSync(path.join(from, 'package.json'), path.join(baselineDir, 'package.json'));
  for (const dir of ['dist', 'icons', 'examples']) {
    if (fs.existsSync(path.join(from, dir))) fs.cpSync(path.join(from, dir), path.join(baselineDir, dir), { recursive: true });
  }
  let commit = 'unknown';
  try {
    commit = require('child_process').execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: from, encoding: 'utf8' }).trim();
  } catch {
    // not a git checkout
  }
  return { dir: from, commit };
}

/** Copies what npm would publish into bench/.package; returns a short description of it. */
function snapshotPackage() {
  // BENCH_KEEP_PACKAGE=1 reuses the snapshot as it is: for trying a patched build without touching src.
  if (process.env.BENCH_KEEP_PACKAGE === '1' && fs.existsSync(path.join(snapshotDir, 'package.json'))) {
    return { nodeSets: Object.keys(require(path.join(snapshotDir, 'package.json'))['node-red'].nodes), built: 'kept snapshot (BENCH_KEEP_PACKAGE=1)' };
  }
  const pkg = require(path.join(root, 'package.json'));
  const main = Object.values(pkg['node-red'].nodes).map((file) => path.join(root, file));
  const missing = main.filter((file) => !fs.existsSync(file));
  if (missing.length) throw new Error(`${missing.map((f) => path.relative(root, f)).join(', ')} missing: run npm run build first`);
  fs.rmSync(snapshotDir, { recursive: true, force: true });
  fs.mkdirSync(snapshotDir, { recursive: true });
  fs.copyFileSync(path.join(root, 'package.json'), path.join(snapshotDir, 'package.json'));
  for (const dir of ['dist', 'icons', 'examples']) {
    if (fs.existsSync(path.join(root, dir))) fs.cpSync(path.join(root, dir), path.join(snapshotDir, dir), { recursive: true });
  }
  const built = fs.statSync(main[0]).mtime.toISOString();
  return { nodeSets: Object.keys(pkg['node-red'].nodes), built };
}

/** ours: this checkout's snapshot; before: the --baseline snapshot; core and ceiling: stock Node-RED. */
function makeUserDir(flavour) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), `netcast-bench-${flavour}-`));
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'bench-user-dir', private: true, version: '0.0.0' }));
  if (flavour === 'ours' || flavour === 'before') {
    const scope = path.join(userDir, 'node_modules', '@netcast');
    fs.mkdirSync(scope, { recursive: true });
    if (flavour === 'ours' && !fs.existsSync(path.join(snapshotDir, 'package.json'))) snapshotPackage();
    if (flavour === 'before' && !fs.existsSync(path.join(baselineDir, 'package.json'))) throw new Error('the before flavour needs --baseline <checkout>');
    fs.symlinkSync(flavour === 'ours' ? snapshotDir : baselineDir, path.join(scope, 'node-red-transports'), 'dir');
  }
  return userDir;
}

/** Config node types: deployed without a tab. */
const CONFIG_NODE = /-endpoint$|-group$|^websocket-(listener|client)$/;

class NodeRedServer {
  /**
   * flavour: 'ours' | 'before' | 'core' | 'ceiling'; execArgv: extra node options (e.g. --cpu-prof);
   * netns: a network namespace to run in; nofile: the open-file limit to run with (bench/launcher.js).
   */
  constructor(flavour, { execArgv = [], netns, nofile } = {}) {
    this.flavour = flavour;
    this.execArgv = execArgv;
    this.netns = netns;
    this.nofile = nofile;
    this.log = '';
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async start() {
    this.userDir = makeUserDir(this.flavour);
    this.port = await freePort();
    fs.writeFileSync(path.join(this.userDir, 'settings.js'), settings(this.port));
    if (this.netns) {
      this.helper = ipc.start(path.join(__dirname, 'netns-helper.js'), [], { netns: this.netns });
      await this.helper.ready;
    }
    const args = [...this.execArgv, redJs, '--userDir', this.userDir, '--settings', path.join(this.userDir, 'settings.js')];
    // `ip netns exec` and the `ulimit -n` shell exec node in place: the pid is node-red's own.
    const [command, ...prefix] = launcher({ netns: this.netns, nofile: this.nofile });
    this.child = spawn(command, [...prefix, ...args], {
      cwd: this.userDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.pid = this.child.pid;
    this.child.stdout.on('data', (chunk) => (this.log += chunk));
    this.child.stderr.on('data', (chunk) => (this.log += chunk));
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    // generous: on a loaded 2-core machine a node-red start can take over 30 s
    const deadline = Date.now() + 120000;
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`node-red (${this.flavour}) exited:\n${this.log}`);
      try {
        await this.request('GET', '/bench/stats');
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`node-red (${this.flavour}) did not start: ${err.message}\n${this.log}`);
        await sleep(100);
      }
    }
  }

  async request(method, route, body, headers = {}) {
    const init = { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) };
    let response;
    if (this.helper) {
      response = await this.helper.call('request', { url: `${this.url}${route}`, ...init });
    } else {
      const res = await fetch(`${this.url}${route}`, init);
      response = { ok: res.ok, status: res.status, text: await res.text() };
    }
    const { ok, status, text } = response;
    if (!ok) throw new Error(`${method} ${route} -> ${status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** Deploys the flow (an array of nodes; z is filled in) and waits until the log shows it started. */
  async deploy(nodes) {
    const tab = { id: 'bench-tab', type: 'tab', label: 'bench' };
    const flow = [tab, ...nodes.map((n) => (CONFIG_NODE.test(n.type) ? n : { z: tab.id, ...n }))];
    await this.request('POST', '/flows', flow, { 'Node-RED-Deployment-Type': 'full' });
    const deployed = await this.request('GET', '/flows');
    if (!Array.isArray(deployed) || deployed.length !== flow.length) throw new Error('deploy did not take');
    if (/\[error\]/.test(this.log)) throw new Error(`node-red (${this.flavour}) logged an error:\n${this.log}`);
  }

  reset() {
    return this.request('POST', '/bench/reset');
  }

  /** Answers once the runtime is idle, after forced GCs (needs --expose-gc; bench/nodes/bench-nodes.js). */
  settle() {
    return this.request('POST', '/bench/settle');
  }

  stats() {
    return this.request('GET', '/bench/stats');
  }

  async stop() {
    if (this.child && this.child.exitCode === null) {
      this.child.kill('SIGINT');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10000);
      await this.exited;
      clearTimeout(timer);
    }
    await this.helper?.stop();
    if (this.userDir) fs.rmSync(this.userDir, { recursive: true, force: true });
  }
}

module.exports = { NodeRedServer, freePort, snapshotPackage, snapshotBaseline };
