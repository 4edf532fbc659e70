'use strict';
// A real node-red process with this package installed into its user dir from `npm pack`,
// the way a user installs it, driven through the admin API.
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');
const { withTimeout } = require('./events');

const root = path.join(__dirname, '..', '..');
// NETCAST_NODE_RED selects another Node-RED install (the directory of its node-red package).
const redJs = process.env.NETCAST_NODE_RED ? path.join(path.resolve(process.env.NETCAST_NODE_RED), 'red.js') : require.resolve('node-red/red.js');
let packedTarball;

/** The package as npm would publish it; packed once per test run. */
function packTarball() {
  if (packedTarball && fs.existsSync(packedTarball)) return packedTarball;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-pack-'));
  const name = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', dir, root], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').pop();
  packedTarball = path.join(dir, name);
  return packedTarball;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function settingsFile(port, extra = '') {
  return `module.exports = {
  uiHost: '127.0.0.1',
  uiPort: ${port},
  flowFile: 'flows.json',
  credentialSecret: false,
  telemetry: { enabled: false, updateNotification: false },
  diagnostics: { enabled: false },
  editorTheme: { tours: false, palette: {} },
  externalModules: { palette: { allowInstall: false } },
  logging: { console: { level: 'info', metrics: false, audit: false } },
  ${extra}
};
`;
}

/** Makes a user dir with the packed package installed (npm install, dependencies from the npm cache). */
function prepareUserDir() {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-nr-'));
  fs.writeFileSync(path.join(userDir, 'package.json'), JSON.stringify({ name: 'node-red-project', private: true, version: '0.0.1' }));
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', packTarball()], { cwd: userDir, stdio: 'pipe' });
  return userDir;
}

// what Node-RED logs once a full, "modified flows" or "modified nodes" deploy has started
const STARTED = /Started (flows|modified flows|modified nodes)/g;

class NodeRedProcess {
  constructor(userDir, port, child) {
    this.userDir = userDir;
    this.port = port;
    this.child = child;
    this.log = '';
    child.stdout.on('data', (chunk) => (this.log += chunk));
    child.stderr.on('data', (chunk) => (this.log += chunk));
    this.exited = new Promise((resolve) => child.once('exit', resolve));
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async request(method, route, body, headers = {}) {
    const response = await fetch(`${this.url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} -> ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  /** Deploys and resolves once the flows have started: POST /flows answers before that. */
  async deploy(flow, type = 'full') {
    const starts = () => (this.log.match(STARTED) || []).length;
    const before = starts();
    const result = await this.request('POST', '/flows', flow, { 'Node-RED-Deployment-Type': type });
    await withTimeout(new Promise((resolve) => {
      const check = () => {
        if (starts() > before) {
          this.child.stdout.off('data', check);
          resolve();
        }
      };
      this.child.stdout.on('data', check);
      check();
    }), 30000, 'the deployed flows to start');
    return result;
  }

  /** Open file descriptors of the node-red process (Linux). */
  openFds() {
    return fs.readdirSync(`/proc/${this.child.pid}/fd`).length;
  }

  async stop() {
    if (this.child.exitCode === null) {
      this.child.kill('SIGINT');
      await withTimeout(this.exited, 10000, 'node-red to exit').catch(() => this.child.kill('SIGKILL'));
    }
    fs.rmSync(this.userDir, { recursive: true, force: true });
  }
}

/** Starts node-red with the package installed; resolves when its admin API answers. */
async function startNodeRed({ settings = '', userDir = prepareUserDir() } = {}) {
  const port = await freePort();
  fs.writeFileSync(path.join(userDir, 'settings.js'), settingsFile(port, settings));
  const child = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const red = new NodeRedProcess(userDir, port, child);
  await withTimeout(new Promise((resolve, reject) => {
    const onData = () => {
      // a deploy sent before the first start has finished can be replaced by the saved (empty) flows
      if (red.log.includes('Server now running') && red.log.includes('Started flows')) resolve();
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`node-red exited with ${code}:\n${red.log}`)));
  }), 30000, 'node-red to start');
  return red;
}

module.exports = { startNodeRed, prepareUserDir, freePort, packTarball, settingsFile, redJs };
