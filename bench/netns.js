'use strict';
// Network namespaces for the cases that send multicast: nothing they send can reach a real
// network. One namespace per case (netcast-bench-<pid>), with only lo: up, multicast on, and
// the multicast route on it. Removed when the case ends, and also when the run fails, exits or
// is interrupted.
const { execFileSync } = require('child_process');
const fs = require('fs');
const tools = require('../test/support/tools');

const created = new Set();

function ip(args) {
  return execFileSync(tools.ip(), args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
}

function removeAll() {
  for (const name of created) remove(name);
}

function onSignal(signal) {
  removeAll();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

/** Creates the namespace; throws (leaving nothing behind) when it cannot (not root, no `ip`). */
function create(name) {
  try {
    ip(['netns', 'add', name]);
  } catch (err) {
    throw new Error(`cannot create network namespace ${name} (run as root with iproute2): ${String(err.stderr || err.message).trim()}`);
  }
  if (created.size === 0) {
    process.on('exit', removeAll);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  created.add(name);
  try {
    const inside = (args) => ip(['netns', 'exec', name, 'ip', ...args]);
    inside(['link', 'set', 'lo', 'up']);
    inside(['link', 'set', 'lo', 'multicast', 'on']);
    inside(['route', 'add', '224.0.0.0/4', 'dev', 'lo']);
  } catch (err) {
    remove(name);
    throw new Error(`cannot set up network namespace ${name}: ${String(err.stderr || err.message).trim()}`);
  }
  return name;
}

function remove(name) {
  if (!created.has(name)) return;
  try {
    ip(['netns', 'del', name]);
  } catch (err) {
    console.error(`bench: could not delete network namespace ${name}: ${String(err.stderr || err.message).trim()}`);
  }
  created.delete(name);
  if (created.size === 0) {
    process.off('exit', removeAll);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The calling process's network namespace (an inode); compared to refuse multicast in the root one. */
function currentNamespace() {
  return fs.readlinkSync('/proc/self/ns/net');
}

module.exports = { create, remove, currentNamespace };
