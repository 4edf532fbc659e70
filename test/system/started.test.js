'use strict';
// A device that connects the moment Node-RED says the flows started must be accepted: every
// endpoint listens, binds or has its WebSocket path before Node-RED logs "Started flows".
require('should');
const dgram = require('dgram');
const net = require('net');
const WebSocket = require('ws');
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const { startNodeRed, freePort, prepareUserDir, settingsFile, redJs } = require('../support/node-red-process');
const { withTimeout } = require('../support/events');

function connectTcp(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (err) => resolve(err.code));
  });
}

function connectWebSocket(url) {
  return new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.once('open', () => {
      socket.terminate();
      resolve('accepted');
    });
    socket.once('error', (err) => resolve(err.code || err.message));
    socket.once('unexpected-response', (_req, res) => {
      socket.terminate();
      resolve(`HTTP ${res.statusCode}`);
    });
  });
}

/** Whether someone holds the UDP port: binding it ourselves fails with EADDRINUSE. */
function udpTaken(port) {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', (err) => {
      socket.close();
      resolve(err.code === 'EADDRINUSE' ? 'bound' : err.code);
    });
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve('free')));
  });
}

/** The endpoints of the test flow: TCP server, WebSocket server on its own port, UDP socket. */
function endpoints(ports, prefix) {
  const configs = [
    { id: `${prefix}-tcp`, type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: ports.tcp },
    { id: `${prefix}-wsown`, type: 'netcast-websocket-endpoint', mode: 'server', listenOn: 'port', host: '127.0.0.1', port: ports.ws, path: '/own' },
    { id: `${prefix}-udp`, type: 'netcast-udp-endpoint', localAddress: '127.0.0.1', port: ports.udp },
  ];
  const kind = (config) => config.type.replace(/^netcast-|-endpoint$/g, '');
  const inNodes = configs.map((config, i) => ({ id: `${config.id}-in`, type: `netcast-${kind(config)}-in`, z: `${prefix}-tab`, endpoint: config.id, x: 100, y: 60 * (i + 1), wires: [[]] }));
  return [{ id: `${prefix}-tab`, type: 'tab', label: prefix }, ...configs, ...inNodes];
}

/** Starts every check in the turn the "Started flows" line arrives in; resolves with their outcomes. */
function checksAtStarted(child, alreadySeen, checks) {
  let log = alreadySeen;
  return new Promise((resolve) => {
    const onData = (chunk) => {
      log += chunk;
      if (!/Started (flows|modified flows)/.test(log)) return;
      child.stdout.off('data', onData);
      resolve(Promise.all(checks.map((check) => check())));
    };
    child.stdout.on('data', onData);
  });
}

describe('system: endpoints are up when Node-RED reports the flows started', function () {
  this.timeout(120000);
  let red;
  before(async () => {
    red = await startNodeRed();
  });
  after(async () => {
    if (red) await red.stop();
  });

  it('at boot: accepts TCP and WebSocket clients and holds the UDP port at the "Started flows" line', async function () {
    const ports = { tcp: await freePort(), ws: await freePort(), udp: await freePort(), red: await freePort() };
    const userDir = prepareUserDir();
    fs.writeFileSync(path.join(userDir, 'settings.js'), settingsFile(ports.red));
    fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(endpoints(ports, 'boot')));
    const child = spawn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const outcomes = checksAtStarted(child, '', [() => connectTcp(ports.tcp), () => connectWebSocket(`ws://127.0.0.1:${ports.ws}/own`), () => udpTaken(ports.udp)]);
      const [tcp, ws, udp] = await withTimeout(outcomes, 30000, 'the "Started flows" line and the connections');
      ({ tcp, ws, udp }).should.eql({ tcp: 'accepted', ws: 'accepted', udp: 'bound' });
    } finally {
      child.kill('SIGKILL');
      fs.rmSync(userDir, { recursive: true, force: true });
    }
  });

  it('on deploy: accepts TCP and WebSocket clients (own port and Node-RED\'s) and holds the UDP port at the "Started flows" line', async function () {
    const ports = { tcp: await freePort(), ws: await freePort(), udp: await freePort() };
    const flow = endpoints(ports, 'deploy');
    flow.push(
      { id: 'deploy-wsred', type: 'netcast-websocket-endpoint', mode: 'server', listenOn: 'nodered', path: '/ws/started' },
      { id: 'deploy-wsred-in', type: 'netcast-websocket-in', z: 'deploy-tab', endpoint: 'deploy-wsred', x: 100, y: 300, wires: [[]] },
    );
    const seen = red.log.length;
    const outcomes = checksAtStarted(red.child, '', [
      () => connectTcp(ports.tcp),
      () => connectWebSocket(`ws://127.0.0.1:${ports.ws}/own`),
      () => connectWebSocket(`ws://127.0.0.1:${red.port}/ws/started`),
      () => udpTaken(ports.udp),
    ]);
    await red.request('POST', '/flows', flow, { 'Node-RED-Deployment-Type': 'full' });
    const [tcp, wsOwn, wsRed, udp] = await withTimeout(outcomes, 30000, 'the "Started flows" line and the connections');
    ({ tcp, wsOwn, wsRed, udp }).should.eql({ tcp: 'accepted', wsOwn: 'accepted', wsRed: 'accepted', udp: 'bound' });
    red.log.slice(seen).should.not.match(/\[error\]/);
  });
});
