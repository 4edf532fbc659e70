#!/usr/bin/env node
'use strict';
// Request/answer bench: requests/s and round trip (p50, p99) through netcast tcp request, core
// tcp request ("keep connection open", its fastest setting) and a plain Node client, same devices,
// same closed loop, one run. Devices run in their own process (./devices.js) and answer lines at
// once or after 1 ms. The driver keeps `window` requests outstanding per device (1 unless
// pipelining; core cannot pipeline, it only knows the last message) and times each from the
// node's input to its answer at the next node. Usage: node bench/request/run.js [--reps 3] [--seconds 3]
const { spawn } = require('child_process');
const net = require('net');
const path = require('path');
const { performance } = require('perf_hooks');
const helper = require('node-red-node-test-helper');

const root = path.join(__dirname, '..', '..');
helper.init(require.resolve('node-red'));
const ours = require(path.join(root, 'dist', 'nodes', 'tcp.js'));
const request = require(path.join(root, 'dist', 'nodes', 'request.js'));
const coreTcp = require(require.resolve('@node-red/nodes/core/network/31-tcpin.js', { paths: [path.dirname(require.resolve('node-red/package.json'))] }));

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback);
const REPS = opt('reps', 3);
const SECONDS = opt('seconds', 3);

function startDevices(count, delayMs) {
  const child = spawn(process.execPath, [path.join(__dirname, 'devices.js'), String(count), String(delayMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve) => child.stdout.once('data', (chunk) => resolve({ ports: JSON.parse(String(chunk)), stop: () => child.kill() })));
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

/** Closed loop: `window` outstanding per target; ask(target, id) sends; answered(id) is called by the answer path. */
async function closedLoop(targets, window, ask) {
  const started = new Map();
  const latencies = [];
  let done = 0;
  let nextId = 0;
  let measuring = false;
  let stopped = false;
  const send = (target) => {
    if (stopped) return;
    const id = String(nextId++ % 1e9);
    started.set(id, [performance.now(), target]);
    ask(target, id);
  };
  const answered = (id) => {
    const entry = started.get(id);
    if (!entry) return;
    started.delete(id);
    if (measuring) {
      latencies.push(performance.now() - entry[0]);
      done += 1;
    }
    send(entry[1]);
  };
  return {
    answered,
    async run() {
      for (const target of targets) for (let w = 0; w < window; w++) send(target);
      await new Promise((resolve) => setTimeout(resolve, 500)); // warm-up
      measuring = true;
      const t0 = performance.now();
      await new Promise((resolve) => setTimeout(resolve, SECONDS * 1000));
      measuring = false;
      const elapsed = (performance.now() - t0) / 1000;
      stopped = true;
      latencies.sort((a, b) => a - b);
      return { rps: done / elapsed, p50: percentile(latencies, 50) * 1000, p99: percentile(latencies, 99) * 1000 };
    },
  };
}

async function viaNodeRed(flow, nodeSets, ports, window, toMsg, idOf) {
  await helper.load(nodeSets, flow);
  let loop;
  helper.getNode('sink').on('input', (msg) => loop.answered(idOf(msg)));
  loop = await closedLoop(ports, window, (port, id) => helper.getNode('req').receive(toMsg(port, id)));
  const result = await loop.run();
  await helper.unload();
  return result;
}

const line = (id) => `${id}:read\n`;

const KINDS = {
  async ours(ports, window) {
    const pipelined = window > 1;
    const flow = [
      { id: 'tab', type: 'tab' },
      { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'client', host: '127.0.0.1', port: ports[0], framing: 'delimiter', delimiter: '\\n', queueSize: 10000 },
      { id: 'req', type: 'netcast-tcp-request', z: 'tab', x: 1, y: 1, endpoint: 'ep', output: 'utf8', allowMsgDestination: true, timeout: 10000, ...(pipelined ? { match: 'id', idOffset: 0, idLength: 9, maxInFlight: window } : {}), wires: [['sink']] },
      { id: 'sink', type: 'helper', z: 'tab', x: 1, y: 1 },
    ];
    // ids padded to 9 bytes so the transaction id has a fixed place
    const pad = (id) => id.padStart(9, '0');
    return viaNodeRed(flow, [ours, request], ports, window, (port, id) => ({ payload: `${pad(id)}:read`, host: '127.0.0.1', port, reqId: id }), (msg) => msg.reqId);
  },
  async core(ports, window) {
    const flow = [
      { id: 'tab', type: 'tab' },
      { id: 'req', type: 'tcp request', z: 'tab', x: 1, y: 1, server: '', port: '', out: 'sit', ret: 'string', splitc: ' ', newline: '\\n', trim: false, tls: '', wires: [['sink']] },
      { id: 'sink', type: 'helper', z: 'tab', x: 1, y: 1 },
    ];
    // core emits its last message per connection with each answer: the answer's text carries the id
    return viaNodeRed(flow, [coreTcp], ports, window, (port, id) => ({ payload: line(id), host: '127.0.0.1', port }), (msg) => String(msg.payload).slice(0, String(msg.payload).indexOf(':')).replace(/^0+(?=\d)/, ''));
  },
  async raw(ports, window) {
    const sockets = new Map();
    let loop;
    await Promise.all(ports.map((port) => new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', resolve);
      socket.setNoDelay(true);
      let rest = '';
      socket.on('data', (chunk) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop();
        for (const l of lines) loop.answered(l.slice(0, l.indexOf(':')));
      });
      sockets.set(port, socket);
    })));
    loop = await closedLoop(ports, window, (port, id) => sockets.get(port).write(line(id)));
    const result = await loop.run();
    for (const socket of sockets.values()) socket.destroy();
    return result;
  },
};

const CASES = [
  { name: '1 device, answers at once', devices: 1, delayMs: 0, window: 1, kinds: ['ours', 'core', 'raw'] },
  { name: '1 device, answers after 1 ms', devices: 1, delayMs: 1, window: 1, kinds: ['ours', 'core', 'raw'] },
  { name: '20 devices, answer at once', devices: 20, delayMs: 0, window: 1, kinds: ['ours', 'core', 'raw'] },
  { name: '20 devices, answer after 1 ms', devices: 20, delayMs: 1, window: 1, kinds: ['ours', 'core', 'raw'] },
  { name: '1 pipelining device, 8 in flight by id, after 1 ms (core: 1 in flight)', devices: 1, delayMs: 1, window: 8, kinds: ['ours', 'raw'], coreWindow: 1 },
];

const fmt = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const range = (values, d = 0) => {
  const s = values.slice().sort((a, b) => a - b);
  return `${fmt(s[Math.floor(s.length / 2)], d)} (${fmt(s[0], d)}–${fmt(s[s.length - 1], d)})`;
};

async function main() {
  await helper.startServer();
  console.log(`request bench: ${REPS} reps x ${SECONDS} s, node ${process.version}\n`);
  console.log('| case | kind | requests/s | p50 µs | p99 µs | /raw requests/s | /core requests/s |');
  console.log('|---|---|---|---|---|---|---|');
  for (const c of CASES) {
    const devices = await startDevices(c.devices, c.delayMs);
    const results = { ours: [], core: [], raw: [] };
    for (let rep = 0; rep < REPS; rep++) {
      for (const kind of ['ours', 'core', 'raw']) {
        const window = kind === 'core' ? (c.coreWindow ?? c.window) : c.window;
        results[kind].push(await KINDS[kind](devices.ports, window));
      }
    }
    devices.stop();
    for (const kind of ['ours', 'core', 'raw']) {
      const r = results[kind];
      const ratio = (other) => r.map((x, i) => x.rps / results[other][i].rps);
      console.log(`| ${c.name} | ${kind}${kind === 'core' && c.coreWindow ? ' (1 in flight)' : ''} | ${range(r.map((x) => x.rps))} | ${range(r.map((x) => x.p50))} | ${range(r.map((x) => x.p99))} | ${kind === 'raw' ? '' : range(ratio('raw'), 2)} | ${kind === 'ours' ? range(ratio('core'), 2) : ''} |`);
    }
  }
  await helper.stopServer();
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
