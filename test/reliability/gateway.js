'use strict';
// "When one Node-RED is not enough" (README), on one machine with real parts: devices -> HAProxy
// (TCP mode) -> two Node-RED hosts running netcast (tcp in -> core mqtt out) -> Mosquitto -> a
// subscriber. Every host is a network namespace this part creates and removes (root only):
//
//   <p>-br   bridge "lan"                    <p>-lb   HAProxy      10.200.60.1:7000
//   <p>-nr1  Node-RED 10.200.60.11:7000      <p>-nr2  Node-RED     10.200.60.12:7000
//   <p>-mq   Mosquitto 10.200.60.30:1883     <p>-dev  20 devices + the MQTT subscriber, 10.200.60.40
//
// Checks: every device line reaches the subscriber exactly once, through both hosts; one host
// stops, its devices reconnect through HAProxy to the other, and their lines keep arriving.
const { execFileSync, fork, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runPart, sleep, withTimeout, prepareUserDir } = require('./lib/harness');
const tools = require('../support/tools');

const prefix = `ncgw-${process.pid}`;
const ns = { br: `${prefix}-br`, lb: `${prefix}-lb`, nr1: `${prefix}-nr1`, nr2: `${prefix}-nr2`, mq: `${prefix}-mq`, dev: `${prefix}-dev` };
const ADDRESS = { lb: '10.200.60.1', nr1: '10.200.60.11', nr2: '10.200.60.12', mq: '10.200.60.30', dev: '10.200.60.40' };
const PORT = 7000;
const DEVICES = 20;
const LINES = 50;
const redJs = require.resolve('node-red/red.js');

const ip = (args) => execFileSync(tools.ip(), args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const inNs = (name, args) => ip(['netns', 'exec', name, ...args]);

function buildNamespaces(created) {
  for (const name of Object.values(ns)) {
    ip(['netns', 'add', name]);
    created.push(name);
    inNs(name, ['ip', 'link', 'set', 'lo', 'up']);
  }
  inNs(ns.br, ['ip', 'link', 'add', 'lan', 'type', 'bridge']);
  inNs(ns.br, ['ip', 'link', 'set', 'lan', 'up']);
  for (const host of ['lb', 'nr1', 'nr2', 'mq', 'dev']) {
    ip(['link', 'add', 'name', 'eth0', 'netns', ns[host], 'type', 'veth', 'peer', 'name', `${host}0`, 'netns', ns.br]);
    inNs(ns.br, ['ip', 'link', 'set', `${host}0`, 'master', 'lan', 'up']);
    inNs(ns[host], ['ip', 'addr', 'add', `${ADDRESS[host]}/24`, 'dev', 'eth0']);
    inNs(ns[host], ['ip', 'link', 'set', 'eth0', 'up']);
  }
}

/** A process inside a namespace, its output kept for the failure message. */
function startIn(name, command, args) {
  const child = spawn(tools.ip(), ['netns', 'exec', name, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.log = '';
  child.stdout.on('data', (chunk) => (child.log += chunk));
  child.stderr.on('data', (chunk) => (child.log += chunk));
  child.exited = new Promise((resolve) => child.once('exit', resolve));
  return child;
}

async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
  await child.exited;
  clearTimeout(timer);
}

function gatewayFlow(host) {
  return [
    { id: 'tab', type: 'tab', label: `gateway ${host}` },
    { id: 'devices', type: 'netcast-tcp-endpoint', mode: 'server', host: '', port: PORT, framing: 'delimiter', delimiter: '\\n', maxConnections: 1000 },
    { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'devices', output: 'utf8', topic: `devices/${host}`, wires: [['out']] },
    { id: 'broker', type: 'mqtt-broker', name: 'mosquitto', broker: ADDRESS.mq, port: '1883', clientid: `netcast-gateway-${host}`, autoConnect: true, usetls: false, protocolVersion: '4', keepalive: '15', cleansession: true },
    { id: 'out', type: 'mqtt out', z: 'tab', topic: '', qos: '1', retain: 'false', broker: 'broker', wires: [] },
  ];
}

async function startGateway(host, template) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), `netcast-gw-${host}-`));
  fs.cpSync(template, userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(gatewayFlow(host)));
  fs.writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = { uiHost: '127.0.0.1', uiPort: 1880, flowFile: 'flows.json', credentialSecret: false, telemetry: { enabled: false, updateNotification: false }, diagnostics: { enabled: false }, logging: { console: { level: 'info' } } };\n`,
  );
  const red = startIn(ns[host], process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')]);
  red.userDir = userDir;
  const deadline = Date.now() + 90000;
  while (!(/Started flows/.test(red.log) && /Connected to broker/.test(red.log))) {
    if (red.exitCode !== null) throw new Error(`node-red ${host} exited:\n${red.log}`);
    if (Date.now() > deadline) throw new Error(`node-red ${host} did not start and reach the broker in 90 s; log:\n${red.log.slice(-1500)}`);
    await sleep(200);
  }
  return red;
}

function haproxyConfig() {
  return `global
  maxconn 2000
defaults
  mode tcp
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  retries 2
  option redispatch
frontend devices
  bind ${ADDRESS.lb}:${PORT}
  default_backend gateways
backend gateways
  balance roundrobin
  server nr1 ${ADDRESS.nr1}:${PORT} check inter 300 fall 1 rise 2
  server nr2 ${ADDRESS.nr2}:${PORT} check inter 300 fall 1 rise 2
`;
}

/** The devices and subscriber process, with call(cmd, args). */
async function startPeers() {
  const child = fork(path.join(__dirname, 'peers', 'gateway-devices.js'), [], { execPath: tools.ip(), execArgv: ['netns', 'exec', ns.dev, process.execPath], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map();
  let next = 0;
  const ready = new Promise((resolve, reject) => {
    child.on('message', (message) => {
      if (message.ready) return resolve();
      const pending = waiting.get(message.id);
      waiting.delete(message.id);
      if (message.error) pending?.reject(new Error(message.error));
      else pending?.resolve(message.result);
    });
    child.once('exit', (code) => reject(new Error(`gateway-devices exited (${code})`)));
  });
  await withTimeout(ready, 20000, 'the devices process');
  return {
    child,
    call: (cmd, args) => new Promise((resolve, reject) => {
      const id = ++next;
      waiting.set(id, { resolve, reject });
      child.send({ id, cmd, args });
    }),
  };
}

/** Per device: seq -> how many times it arrived, and the hosts that carried it. */
function tally(received) {
  const byDevice = new Map();
  for (const { topic, text } of received) {
    const [device, seq] = text.split(' ');
    if (!byDevice.has(device)) byDevice.set(device, { counts: new Map(), hosts: new Set(), hostOf: new Map() });
    const entry = byDevice.get(device);
    entry.counts.set(Number(seq), (entry.counts.get(Number(seq)) || 0) + 1);
    entry.hosts.add(topic);
    entry.hostOf.set(Number(seq), topic);
  }
  return byDevice;
}

/** Lines from..to of every device: missing and duplicated ones. */
function account(byDevice, from, to) {
  let missing = 0;
  let duplicates = 0;
  for (let d = 0; d < DEVICES; d++) {
    const entry = byDevice.get(`d${d}`);
    for (let seq = from; seq <= to; seq++) {
      const count = entry?.counts.get(seq) || 0;
      if (count === 0) missing += 1;
      if (count > 1) duplicates += count - 1;
    }
  }
  return { missing, duplicates };
}

runPart('gateway', async (result, onCleanup) => {
  const created = [];
  onCleanup(() => {
    while (created.length) {
      const name = created.pop();
      try {
        ip(['netns', 'del', name]);
      } catch (err) {
        console.error(`could not delete namespace ${name}: ${err.message}`);
      }
    }
  });
  buildNamespaces(created);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-gw-'));
  onCleanup(() => fs.rmSync(tmp, { recursive: true, force: true }));

  fs.writeFileSync(path.join(tmp, 'mosquitto.conf'), `listener 1883 ${ADDRESS.mq}\nallow_anonymous true\npersistence false\n`);
  const mosquitto = startIn(ns.mq, tools.command('mosquitto'), ['-c', path.join(tmp, 'mosquitto.conf')]);
  onCleanup(() => stop(mosquitto));

  const template = process.env.RELIABILITY_USERDIR_TEMPLATE && fs.existsSync(process.env.RELIABILITY_USERDIR_TEMPLATE) ? process.env.RELIABILITY_USERDIR_TEMPLATE : prepareUserDir();
  const gateways = {};
  const started = await Promise.all(['nr1', 'nr2'].map((host) => startGateway(host, template)));
  for (const [i, host] of ['nr1', 'nr2'].entries()) {
    gateways[host] = started[i];
    onCleanup(async () => {
      await stop(gateways[host]);
      fs.rmSync(gateways[host].userDir, { recursive: true, force: true });
    });
  }

  fs.writeFileSync(path.join(tmp, 'haproxy.cfg'), haproxyConfig());
  const haproxy = startIn(ns.lb, tools.command('haproxy'), ['-db', '-f', path.join(tmp, 'haproxy.cfg')]);
  onCleanup(() => stop(haproxy));

  const peers = await startPeers();
  onCleanup(() => peers.child.kill());
  await peers.call('start', { lb: ADDRESS.lb, port: PORT, broker: ADDRESS.mq, count: DEVICES });
  const connected = async (n) => {
    const deadline = Date.now() + 20000;
    while (Date.now() < deadline) {
      if ((await peers.call('stats')).connected === n) return true;
      await sleep(100);
    }
    return false;
  };
  result.check(`${DEVICES} devices connect through HAProxy`, await connected(DEVICES), haproxy.log.slice(-300));

  const arrive = async (total) => {
    const deadline = Date.now() + 30000;
    let stats;
    while (Date.now() < deadline) {
      stats = await peers.call('stats');
      if (stats.receivedCount >= total) break;
      await sleep(100);
    }
    await sleep(500); // a duplicate would come right behind
    return peers.call('stats', { full: true });
  };

  // 1. both hosts up
  await peers.call('send', { count: LINES, gapMs: 10 });
  result.add('sent', DEVICES * LINES);
  let stats = await arrive(DEVICES * LINES);
  let byDevice = tally(stats.received);
  const first = account(byDevice, 1, LINES);
  result.check('both hosts up: every device line reaches the subscriber exactly once', first.missing === 0 && first.duplicates === 0, `${DEVICES * LINES} sent, ${stats.receivedCount} received, ${first.missing} missing, ${first.duplicates} duplicated`);
  const hosts = new Set(stats.received.map((m) => m.topic));
  result.check('HAProxy spread the devices over both Node-RED hosts', hosts.has('devices/nr1') && hosts.has('devices/nr2'), [...hosts].join(', '));
  const onNr1 = [...byDevice.entries()].filter(([, entry]) => entry.hosts.has('devices/nr1')).map(([device]) => device);

  // 2. one host stops; its devices reconnect through HAProxy to the other
  await stop(gateways.nr1);
  result.add('faults', 1);
  let reconnects = 0;
  let back = false;
  for (const deadline = Date.now() + 20000; Date.now() < deadline && !back; await sleep(100)) {
    const now = await peers.call('stats');
    reconnects = now.connects.reduce((sum, n) => sum + n - 1, 0);
    back = now.connected === DEVICES && reconnects >= onNr1.length;
  }
  result.check('host nr1 stopped: its devices reconnect through HAProxy', back, `${onNr1.length} devices were on nr1; ${reconnects} reconnects`);

  // 3. messages keep arriving, all through the surviving host
  await peers.call('send', { count: LINES, gapMs: 10 });
  result.add('sent', DEVICES * LINES);
  stats = await arrive(2 * DEVICES * LINES);
  byDevice = tally(stats.received);
  const second = account(byDevice, LINES + 1, 2 * LINES);
  const whole = account(byDevice, 1, 2 * LINES);
  result.check('after the failover every device line still reaches the subscriber exactly once', second.missing === 0 && whole.duplicates === 0 && stats.receivedCount === 2 * DEVICES * LINES, `${DEVICES * LINES} sent after the stop, ${second.missing} missing; ${whole.duplicates} duplicated over the run; ${stats.receivedCount} received in all`);
  const late = stats.received.slice(DEVICES * LINES).filter((m) => m.topic !== 'devices/nr2').length;
  result.check('after the failover every line came through nr2', late === 0, `${late} through another host`);
  result.add('delivered', stats.receivedCount);
  result.note(`devices -> HAProxy -> 2 Node-RED -> Mosquitto -> subscriber: ${stats.receivedCount} lines, ${onNr1.length} of ${DEVICES} devices moved from nr1 to nr2`);
});
