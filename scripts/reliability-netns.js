#!/usr/bin/env node
'use strict';
// Builds the network namespaces of the reliability suite's multicast part, runs
// test/reliability/netns-multicast.js inside them and removes everything, also after a failure or
// Ctrl-C. Root only. Prefix ncrel-<pid>, distinct from scripts/run-netns-tests.js.
//
//   <p>-br   bridge "lan" (IGMP snooping on; flooding of unknown multicast off on the ports)
//   <p>-nr   Node-RED: eth0 10.201.1.1/24 on lan (port nr0); multicast route on eth0
//   <p>-h2   the device: eth0 10.201.1.2/24 on lan (port h2-0); sends to 239.77.0.1
// Exit code: that of the part; 0 with a loud SKIPPED line when the kernel refuses namespaces.
const { execFileSync, spawn } = require('child_process');
const path = require('path');
const tools = require('../test/support/tools');

const root = path.join(__dirname, '..');
const prefix = `ncrel-${process.pid}`;
const ns = { br: `${prefix}-br`, nr: `${prefix}-nr`, h2: `${prefix}-h2` };
const created = [];

const ip = (args) => execFileSync(tools.ip(), args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const inNs = (name, args) => ip(['netns', 'exec', name, ...args]);

function addNamespace(name) {
  ip(['netns', 'add', name]);
  created.push(name);
  inNs(name, ['ip', 'link', 'set', 'lo', 'up']);
}

function cable(host, hostIf, bridgeIf, address) {
  ip(['link', 'add', 'name', hostIf, 'netns', host, 'type', 'veth', 'peer', 'name', bridgeIf, 'netns', ns.br]);
  inNs(ns.br, ['ip', 'link', 'set', bridgeIf, 'master', 'lan', 'up']);
  inNs(ns.br, ['bridge', 'link', 'set', 'dev', bridgeIf, 'mcast_flood', 'off']);
  inNs(host, ['ip', 'addr', 'add', address, 'dev', hostIf, 'broadcast', '+']);
  inNs(host, ['ip', 'link', 'set', hostIf, 'up']);
  inNs(host, ['ip', 'route', 'add', '224.0.0.0/4', 'dev', hostIf]);
}

function build() {
  for (const name of Object.values(ns)) addNamespace(name);
  inNs(ns.br, ['ip', 'link', 'add', 'lan', 'type', 'bridge', 'mcast_snooping', '1', 'mcast_querier', '1']);
  inNs(ns.br, ['ip', 'link', 'set', 'lan', 'up']);
  cable(ns.nr, 'eth0', 'nr0', '10.201.1.1/24');
  cable(ns.h2, 'eth0', 'h2-0', '10.201.1.2/24');
}

function cleanUp() {
  while (created.length > 0) {
    const name = created.pop();
    try {
      ip(['netns', 'del', name]);
    } catch (err) {
      console.error(`could not delete namespace ${name}: ${err.message}`);
    }
  }
}

function namespacesAllowed() {
  try {
    ip(['netns', 'add', `${prefix}-probe`]);
    ip(['netns', 'del', `${prefix}-probe`]);
    return true;
  } catch {
    return false;
  }
}

async function main() {
  if (!namespacesAllowed()) {
    console.log('\n*** SKIPPED: the kernel refused to create a network namespace; the multicast fault tests did NOT run ***\n');
    return 0;
  }
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      cleanUp();
      process.exit(130);
    });
  }
  try {
    build();
    const child = spawn(tools.ip(), ['netns', 'exec', ns.nr, process.execPath, path.join(root, 'test', 'reliability', 'netns-multicast.js')], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NETCAST_REL_NETNS: JSON.stringify(ns) },
    });
    return await new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
  } finally {
    cleanUp();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err.stderr ? `${err.message}\n${err.stderr}` : err);
    cleanUp();
    process.exit(1);
  },
);
