#!/usr/bin/env node
'use strict';
// The system tools the tests, the bench and the reliability suite use, in one table, and the
// one way to find them. `npm test` runs this file first (pretest): it checks every row, and when
// something is missing it installs it (as root, with apt-get) or stops at once with one sentence
// naming the command to run. test/support/tools.js uses the same lookup, so no test hard-codes a
// path.
//
// Add a tool: one row. `find` is how to detect it:
//   command: 'socat'          an executable on PATH (sbin directories are searched too)
//   python: 'websockets'      a module the system Python 3 can import
//   chromium: true            Chromium: CHROMIUM_PATH, else chromium / chromium-browser on PATH
// `deb` is the Debian package that provides it.
//
// Environment: NETCAST_SYSTEM_DEPS=check only checks (never installs, as for a non-root user).
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

const SYSTEM_DEPS = [
  { name: 'socat', find: { command: 'socat' }, deb: 'socat', for: 'system tests: a TCP client talking to a real node-red' },
  { name: 'nc', find: { command: 'nc' }, deb: 'netcat-openbsd', for: 'system tests: the README quick start command' },
  { name: 'python3 websockets', find: { python: 'websockets' }, deb: 'python3-websockets', for: 'system tests: a WebSocket peer not written in Node' },
  { name: 'chromium', find: { chromium: true }, deb: 'chromium', for: 'editor and browser tests (playwright-core drives it)' },
  { name: 'openssl', find: { command: 'openssl' }, deb: 'openssl', for: 'TLS tests: test certificates' },
  { name: 'python3', find: { command: 'python3' }, deb: 'python3', for: 'netns tests: a raw-socket capture of the TTL multicast leaves with' },
  { name: 'ip', find: { command: 'ip' }, deb: 'iproute2', for: 'multicast tests in network namespaces' },
  { name: 'haproxy', find: { command: 'haproxy' }, deb: 'haproxy', for: 'reliability suite (gateway part): the TCP load balancer in front of two Node-RED hosts' },
  { name: 'mosquitto', find: { command: 'mosquitto' }, deb: 'mosquitto', for: 'reliability suite (gateway part): the MQTT broker the Node-RED hosts publish to' },
  { name: 'python3 pymodbus', find: { python: 'pymodbus' }, deb: 'python3-pymodbus', for: 'tcp request tests: a Modbus/TCP server not written here' },
  { name: 'avahi-daemon', find: { command: 'avahi-daemon' }, deb: 'avahi-daemon', for: 'udp request netns test: a real mDNS responder (only ever inside a test namespace)' },
  { name: 'prometheus', find: { command: 'prometheus' }, deb: 'prometheus', for: 'reliability suite (prometheus part): a real server scraping /netcast/metrics' },
  { name: 'promtool', find: { command: 'promtool' }, deb: 'prometheus', for: 'reliability suite (prometheus part): promtool check metrics on the exposition' },
];

// Searched after PATH: a non-root user's PATH often lacks the sbin directories (ip, haproxy, ...).
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

function isExecutable(file) {
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Every executable called `name` on PATH (then in the sbin directories), first match first. */
function commandsOnPath(name, env = process.env) {
  const dirs = (env.PATH || '').split(path.delimiter).filter(Boolean).concat(SBIN);
  const found = [];
  for (const dir of dirs) {
    const file = path.join(dir, name);
    if (isExecutable(file) && !found.includes(file)) found.push(file);
  }
  return found;
}

/** A Python 3 on PATH that can import every module named (a pyenv or venv python may lack them). */
function pythonWith(modules, env = process.env) {
  const imports = `import ${[].concat(modules).join(', ')}`;
  for (const python of commandsOnPath('python3', env)) {
    const result = spawnSync(python, ['-c', imports], { stdio: 'ignore', env, timeout: 10000 });
    if (result.status === 0) return python;
  }
  return undefined;
}

function chromiumPath(env = process.env) {
  if (env.CHROMIUM_PATH) return isExecutable(env.CHROMIUM_PATH) ? env.CHROMIUM_PATH : undefined;
  return commandsOnPath('chromium', env)[0] || commandsOnPath('chromium-browser', env)[0];
}

/** Where a row's tool is, or undefined when it is missing. */
function locate(row, env = process.env) {
  if (row.find.command) return commandsOnPath(row.find.command, env)[0];
  if (row.find.python) return pythonWith(row.find.python, env);
  if (row.find.chromium) return chromiumPath(env);
  throw new Error(`system-deps row ${row.name} has no way to find it`);
}

function missing(rows = SYSTEM_DEPS, env = process.env) {
  return rows.filter((row) => !locate(row, env));
}

function installCommand(rows, { asRoot = isRoot() } = {}) {
  const packages = [...new Set(rows.map((row) => row.deb))];
  const sudo = asRoot ? '' : 'sudo ';
  return `${sudo}apt-get update && ${sudo}apt-get install -y ${packages.join(' ')}`;
}

/** One sentence: what is missing and the exact command that installs it. */
function missingSentence(rows, { asRoot = isRoot() } = {}) {
  const names = rows.map((row) => row.name).join(', ');
  return `netcast tests need ${names}, which ${rows.length === 1 ? 'is' : 'are'} not installed: run  ${installCommand(rows, { asRoot })}  and then npm test again.`;
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function canInstall(env) {
  return env.NETCAST_SYSTEM_DEPS !== 'check' && isRoot() && commandsOnPath('apt-get', env).length > 0;
}

function main(env = process.env) {
  const absent = missing(SYSTEM_DEPS, env);
  if (absent.length === 0) return 0;
  if (!canInstall(env)) {
    console.error(missingSentence(absent));
    return 1;
  }
  const packages = [...new Set(absent.map((row) => row.deb))];
  console.error(`netcast: installing ${packages.join(' ')} (needed by the tests) with apt-get`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = commandsOnPath('apt-get', env)[0];
  for (const args of [['update', '-qq'], ['install', '-y', '-qq', ...packages]]) {
    const result = spawnSync(apt, args, { stdio: ['ignore', 'inherit', 'inherit'], env: aptEnv });
    if (result.status !== 0) {
      console.error(`netcast: apt-get ${args[0]} failed (exit ${result.status}); ${missingSentence(absent)}`);
      return 1;
    }
  }
  const still = missing(SYSTEM_DEPS, env);
  if (still.length > 0) {
    console.error(`netcast: apt-get installed ${packages.join(' ')} but ${still.map((row) => row.name).join(', ')} still cannot be found; ${missingSentence(still)}`);
    return 1;
  }
  return 0;
}

module.exports = { SYSTEM_DEPS, commandsOnPath, pythonWith, chromiumPath, locate, missing, missingSentence, installCommand };

if (require.main === module) process.exitCode = main();
