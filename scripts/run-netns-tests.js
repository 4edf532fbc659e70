#!/usr/bin/env node
'use strict';
// Runs the tests that send and join multicast inside network namespaces this script builds, so
// nothing reaches the real network. Usage (as root): node scripts/run-netns-tests.js
//
// Topology (every address in 10.200.0.0/16, every link inside a namespace of this run):
//
//   <p>-br     bridges lan-a, lan-b, lan-c, lan-s (multicast snooping off, so results repeat)
//   <p>-solo   lo (IPv4 multicast), eth0 on lan-s 10.200.9.1/24 fd00:200:9::1/64: node-level tests
//   <p>-nr     Node-RED: eth0 on lan-a 10.200.1.1, eth1 on lan-b 10.200.2.1 (the multicast route
//              points at eth1, so only an explicit interface choice sends on eth0); eth2 on lan-c
//              10.200.3.1 is added by the test while Node-RED runs
//   <p>-h2     eth0 on lan-a 10.200.1.2
//   <p>-h3     eth0 on lan-a 10.200.1.3, eth1 on lan-c 10.200.3.3
//   <p>-h4     eth0 on lan-b 10.200.2.4
//
// Everything is removed at the end, also after a failure or Ctrl-C. Exits non-zero when a test
// fails; prints a loud SKIPPED line and exits 0 only when the kernel refuses namespaces.
const { execFileSync, spawn } = require('child_process');
const path = require('path');
const tools = require('../test/support/tools');

const root = path.join(__dirname, '..');
const prefix = `netcast-${process.pid}`;
const ns = {
  br: `${prefix}-br`,
  solo: `${prefix}-solo`,
  nr: `${prefix}-nr`,
  h2: `${prefix}-h2`,
  h3: `${prefix}-h3`,
  h4: `${prefix}-h4`,
};
const created = [];

function ip(args, options = {}) {
  return execFileSync(tools.ip(), args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...options });
}

function inNs(name, args) {
  return ip(['netns', 'exec', name, ...args]);
}

function addNamespace(name) {
  ip(['netns', 'add', name]);
  created.push(name);
  inNs(name, ['ip', 'link', 'set', 'lo', 'up']);
}

/** A veth pair made directly inside the two namespaces: nothing appears in the root namespace. */
function cable(host, hostIf, bridge, bridgeIf, addresses) {
  ip(['link', 'add', 'name', hostIf, 'netns', host, 'type', 'veth', 'peer', 'name', bridgeIf, 'netns', ns.br]);
  inNs(ns.br, ['ip', 'link', 'set', bridgeIf, 'master', bridge, 'up']);
  for (const address of addresses) {
    const extra = address.includes(':') ? ['nodad'] : ['broadcast', '+'];
    inNs(host, ['ip', 'addr', 'add', address, 'dev', hostIf, ...extra]);
  }
  inNs(host, ['ip', 'link', 'set', hostIf, 'up']);
}

function multicastRoute(host, dev) {
  inNs(host, ['ip', 'route', 'add', '224.0.0.0/4', 'dev', dev]);
}

function build() {
  addNamespace(ns.br);
  for (const lan of ['lan-a', 'lan-b', 'lan-c', 'lan-s']) {
    inNs(ns.br, ['ip', 'link', 'add', lan, 'type', 'bridge', 'mcast_snooping', '0']);
    inNs(ns.br, ['ip', 'link', 'set', lan, 'up']);
  }
  for (const host of [ns.solo, ns.nr, ns.h2, ns.h3, ns.h4]) addNamespace(host);

  inNs(ns.solo, ['ip', 'link', 'set', 'lo', 'multicast', 'on']);
  multicastRoute(ns.solo, 'lo');
  cable(ns.solo, 'eth0', 'lan-s', 'solo0', ['10.200.9.1/24', 'fd00:200:9::1/64', 'fd00:200:9::2/64']);

  cable(ns.nr, 'eth0', 'lan-a', 'nr0', ['10.200.1.1/24']);
  cable(ns.nr, 'eth1', 'lan-b', 'nr1', ['10.200.2.1/24']);
  multicastRoute(ns.nr, 'eth1');
  cable(ns.h2, 'eth0', 'lan-a', 'h2-0', ['10.200.1.2/24']);
  multicastRoute(ns.h2, 'eth0');
  cable(ns.h3, 'eth0', 'lan-a', 'h3-0', ['10.200.1.3/24']);
  cable(ns.h3, 'eth1', 'lan-c', 'h3-1', ['10.200.3.3/24']);
  multicastRoute(ns.h3, 'eth0');
  cable(ns.h4, 'eth0', 'lan-b', 'h4-0', ['10.200.2.4/24']);
  multicastRoute(ns.h4, 'eth0');
}

function cleanUp() {
  // deleting a namespace deletes the veth ends and bridges inside it
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
  const probe = `${prefix}-probe`;
  try {
    ip(['netns', 'add', probe]);
  } catch (err) {
    return { ok: false, reason: String(err.stderr || err.message).trim() };
  }
  ip(['netns', 'del', probe]);
  return { ok: true };
}

/** Runs mocha inside a namespace; resolves with its exit code. */
function mochaIn(name, files, env) {
  const mocha = path.join(root, 'node_modules', 'mocha', 'bin', 'mocha.js');
  const args = ['netns', 'exec', name, process.execPath, mocha, '--no-config', '--timeout', '60000', '--exit', ...files];
  console.log(`\n$ ip ${args.join(' ')}`);
  const child = spawn(tools.ip(), args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function main() {
  const allowed = namespacesAllowed();
  if (!allowed.ok) {
    console.log('\n*** SKIPPED: the kernel refused to create a network namespace; the multicast tests did NOT run ***');
    console.log(`*** reason: ${allowed.reason} ***\n`);
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
    const topology = JSON.stringify({ ...ns, root });
    const env = { NETCAST_NETNS: topology };
    const nodeLevel = await mochaIn(ns.solo, ['test/netns/multicast*.test.js', 'test/netns/udp*.test.js'], { ...env, NETCAST_NETNS_ROLE: 'solo' });
    const multiHost = await mochaIn(ns.nr, ['test/netns/multihost.test.js'], { ...env, NETCAST_NETNS_ROLE: 'nr' });
    return nodeLevel === 0 && multiHost === 0 ? 0 : 1;
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
