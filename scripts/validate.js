#!/usr/bin/env node
'use strict';
// `npm run validate`: node-red-dev's `validate` checks (the Node-RED flow library's scorecard) on
// this package, run with node-red-dev's own check code, and honest about what it could not run.
//
// node-red-dev (443 packages, ~48 MB) is not a devDependency: it is installed on first use into
// .ci/node-red-dev/ (gitignored), pinned below. Several of its checks fetch from the internet:
//   P06, P07   registry.npmjs.org/node-red          (Node-RED / Node version compatibility)
//   P08, N01   catalogue.nodered.org/catalogue.json (similar package names, duplicate node types)
//   D02, D03   registry.npmjs.org                   (dependency tree, dependencies up to date)
// `node-red-dev validate` itself stops at the first host it cannot reach and skips every check
// after it. Here each host is probed first; a check whose host is unreachable is reported as
// NOT RUN (never as passed), and the offline checks (P01 licence, P03 repository/bugs, P04 name,
// P05 keyword, N02 examples, D01 dependency count) always run.
//
// Exit code: 1 when a check that ran failed, else 0. Needs `npm run build` first (the node
// definitions are read from dist/nodes/*.html, as package.json's node-red section points there).
// --offline: treat every host as unreachable.  --output <file>: write the scorecard as JSON.
const { spawnSync } = require('child_process');
const dns = require('dns');
const fs = require('fs');
const https = require('https');
const Module = require('module');
const path = require('path');

const root = path.join(__dirname, '..');
const toolDir = path.join(root, '.ci', 'node-red-dev');
const TOOL_VERSION = '0.1.6';

const HOSTS = { registry: 'registry.npmjs.org', catalogue: 'catalogue.nodered.org' };
const CHECKS = {
  P01: { what: 'has a licence' },
  P03: { what: 'has a repository or bugs URL' },
  P04: { what: 'uses a scoped or valid name' },
  P05: { what: 'has the node-red keyword' },
  P06: { what: 'declares a node-red version that current Node-RED releases satisfy', host: 'registry' },
  P07: { what: 'declares a Node version compatible with current Node-RED', host: 'registry' },
  P08: { what: 'no similarly named package in the flow library', host: 'catalogue' },
  N01: { what: 'node type names unique in the flow library', host: 'catalogue' },
  N02: { what: 'an example flow uses every node' },
  D01: { what: 'six or fewer dependencies' },
  D02: { what: 'no known-incompatible package in the dependency tree', host: 'registry' },
  D03: { what: 'dependencies at their latest versions', host: 'registry' },
};
// node-red-dev's own output lines, by check, so a check that did not run prints nothing of its own
const LINES = {
  P06: /P06|Compatible with Node-RED/,
  P07: /P07|Compatible NodeJS/,
  P08: /P08|similar named packages/,
  N01: /Duplicate nodename|unique names/,
  D02: /D02|incompatible packages/,
  D03: /D03|prod dependencies/,
};

function toolInstalled() {
  try {
    return JSON.parse(fs.readFileSync(path.join(toolDir, 'node_modules', 'node-red-dev', 'package.json'), 'utf8')).version === TOOL_VERSION;
  } catch {
    return false;
  }
}

function installTool() {
  if (toolInstalled()) return;
  console.log(`validate: installing node-red-dev@${TOOL_VERSION} into ${path.relative(root, toolDir)}/ (needs registry.npmjs.org)`);
  fs.mkdirSync(toolDir, { recursive: true });
  fs.writeFileSync(path.join(toolDir, 'package.json'), JSON.stringify({ name: 'netcast-node-red-dev', private: true, dependencies: { 'node-red-dev': TOOL_VERSION } }, null, 2));
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error'], { cwd: toolDir, stdio: 'inherit' });
  if (result.status !== 0 || !toolInstalled()) {
    throw new Error('could not install node-red-dev (no network?). It must be installed once to validate at all; nothing was checked');
  }
}

/** true when https://host answers at all within 5 s */
function reachable(host) {
  return new Promise((resolve) => {
    dns.lookup(host, (err) => {
      if (err) return resolve(false);
      const req = https.request({ host, method: 'HEAD', path: '/', timeout: 5000 }, (res) => {
        res.resume();
        resolve(true);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', () => resolve(false));
      req.end();
    });
  });
}

function notRunError(host) {
  const err = new Error(`${host} is unreachable from here`);
  err.netcastNotRun = host;
  return err;
}

async function main() {
  const args = process.argv.slice(2);
  const offline = args.includes('--offline');
  const outputAt = args.indexOf('--output');
  const output = outputAt === -1 ? undefined : path.resolve(args[outputAt + 1]);
  for (const file of Object.values(require(path.join(root, 'package.json'))['node-red'].nodes)) {
    const html = path.join(root, file.replace(/\.js$/, '.html'));
    if (!fs.existsSync(html)) throw new Error(`${path.relative(root, html)} is missing: run npm run build first`);
  }
  installTool();

  const up = {};
  for (const [key, host] of Object.entries(HOSTS)) up[key] = !offline && (await reachable(host));
  const toolRequire = Module.createRequire(path.join(toolDir, 'node_modules', 'node-red-dev', 'src', 'libs', 'x.js'));

  // Network access of the checks, gated per host: an unreachable host makes its calls fail fast
  // with a marked error, which the checks below turn into "not run".
  const axios = toolRequire('axios');
  const realGet = axios.get.bind(axios);
  axios.get = (url, ...rest) => {
    const host = new URL(url).hostname;
    const key = Object.keys(HOSTS).find((k) => HOSTS[k] === host);
    if (key && !up[key]) return Promise.reject(notRunError(host));
    return realGet(url, ...rest);
  };
  if (!up.registry) {
    // npm-remote-ls (D02) and npm-check (D03) talk to the registry with their own clients
    const remoteLs = toolRequire.resolve('npm-remote-ls');
    require.cache[remoteLs] = { id: remoteLs, filename: remoteLs, loaded: true, exports: { ls: (_n, _v, _f, cb) => cb([]), config: () => {} } };
    const npmCheck = toolRequire.resolve('npm-check');
    require.cache[npmCheck] = { id: npmCheck, filename: npmCheck, loaded: true, exports: () => Promise.reject(notRunError(HOSTS.registry)) };
  }

  // Each check module is a promise chain whose catch hands the first error to cli.error; to let
  // the later checks run, a "not run" error is swallowed at the step that hit it: the step's
  // network promise is replaced by one that resolves, and the check is marked not run afterwards.
  const notRun = new Map();
  for (const id of Object.keys(CHECKS)) {
    const host = CHECKS[id].host;
    if (host && !up[host]) notRun.set(id, offline ? `needs ${HOSTS[host]}; --offline` : `needs ${HOSTS[host]}, which is unreachable here`);
  }
  axios.get = ((gated) => (url, ...rest) => gated(url, ...rest).catch((err) => {
    if (!err.netcastNotRun) throw err;
    // an empty catalogue and a placeholder registry document, only so the chain goes on; the
    // checks that read them are marked not run and their output is dropped
    return { data: { modules: [], 'dist-tags': { latest: '0.0.0' }, versions: { '0.0.0': { engines: { node: '*' } } } } };
  }))(axios.get);

  const printed = [];
  const cli = {
    log: (line) => printed.push({ level: 'log', line: String(line) }),
    warn: (line) => printed.push({ level: 'warn', line: String(line) }),
    error: (err) => {
      throw err instanceof Error ? err : new Error(String(err));
    },
  };
  const scorecard = {};
  const libs = path.join(toolDir, 'node_modules', 'node-red-dev', 'src', 'libs');
  const checkpackage = require(path.join(libs, 'checkpackage.js'));
  const checknodes = require(path.join(libs, 'checknodes.js'));
  const checkdeps = require(path.join(libs, 'checkdeps.js'));
  const guard = (promise) => Promise.resolve(promise).catch((err) => {
    if (!err.netcastNotRun) throw err;
  });
  await guard(checkpackage(root, cli, scorecard, false));
  await guard(checknodes(root, cli, scorecard, false));
  await guard(checkdeps(root, cli, scorecard, false));
  // the node-red-dev modules open a readline on stdin; the process is ended explicitly below

  for (const [id, reason] of notRun) scorecard[id] = { test: 'not run', reason };
  const pkgLines = printed.filter(({ line }) => !Object.entries(LINES).some(([id, re]) => notRun.has(id) && re.test(line)));
  console.log(`node-red-dev ${TOOL_VERSION} validate on ${path.relative(process.cwd(), root) || '.'}${offline ? ' (--offline)' : ''}`);
  for (const { level, line } of pkgLines) console.log(level === 'warn' ? `⚠️  ${line}` : line);

  console.log('\nscorecard:');
  let failed = 0;
  for (const [id, { what }] of Object.entries(CHECKS)) {
    const entry = scorecard[id];
    let state;
    if (!entry) state = 'NOT RUN (node-red-dev did not reach it)';
    else if (entry.test === 'not run') state = `NOT RUN (${entry.reason})`;
    else if (entry.test) state = 'pass';
    else {
      state = 'FAIL';
      failed++;
    }
    console.log(`  ${id}  ${state.padEnd(8)}  ${what}`);
  }
  if (output) fs.writeFileSync(output, `${JSON.stringify(scorecard, null, 2)}\n`);
  const skipped = Object.values(scorecard).filter((entry) => entry.test === 'not run').length + Object.keys(CHECKS).filter((id) => !scorecard[id]).length;
  console.log(`\n${failed === 0 ? 'no check that ran failed' : `${failed} check(s) failed`}${skipped ? `; ${skipped} not run (see above)` : ''}`);
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(`validate: ${err.message}`);
  process.exit(2);
});
