'use strict';
// The pretest step (scripts/system-deps.js) on a machine that lacks a tool: it must stop at once
// with one sentence naming the exact command, not let 7 tests fail later with `spawn socat ENOENT`.
require('should');
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const deps = require('../../scripts/system-deps');
const tools = require('../support/tools');

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'system-deps.js');

/** A PATH directory holding every tool of the table except those named (and node itself). */
function pathWithout(...absent) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-path-'));
  fs.symlinkSync(process.execPath, path.join(dir, 'node'));
  for (const row of deps.SYSTEM_DEPS) {
    if (absent.includes(row.name) || row.find.chromium) continue;
    const found = deps.locate(row);
    const name = row.find.command || 'python3';
    if (found && !fs.existsSync(path.join(dir, name))) fs.symlinkSync(found, path.join(dir, name));
  }
  return dir;
}

function runCheck(env) {
  return spawnSync(process.execPath, [SCRIPT], { env, encoding: 'utf8', timeout: 20000 });
}

describe('system tools the tests need (scripts/system-deps.js)', function () {
  it('every row says what it is for, how to find it and which Debian package has it', function () {
    for (const row of deps.SYSTEM_DEPS) {
      row.should.have.properties('name', 'find', 'deb', 'for');
      Object.keys(row.find).should.have.length(1, `${row.name}: find by exactly one of command, python, chromium`);
      row.deb.should.match(/^[a-z0-9][a-z0-9.+-]+$/);
    }
    new Set(deps.SYSTEM_DEPS.map((row) => row.name)).size.should.equal(deps.SYSTEM_DEPS.length);
  });

  it('finds every tool on this machine (the pretest step passed)', function () {
    deps.missing().map((row) => row.name).should.eql([]);
  });

  it('without socat on PATH, stops at once naming the exact apt-get command (no install when told to only check)', function () {
    const dir = pathWithout('socat');
    try {
      const result = runCheck({ PATH: dir, HOME: os.tmpdir(), CHROMIUM_PATH: tools.chromium(), NETCAST_SYSTEM_DEPS: 'check' });
      result.status.should.equal(1, result.stderr);
      const lines = result.stderr.trim().split('\n');
      lines.should.have.length(1);
      const sudo = process.getuid() === 0 ? '' : 'sudo ';
      lines[0].should.equal(`netcast tests need socat, which is not installed: run  ${sudo}apt-get update && ${sudo}apt-get install -y socat  and then npm test again.`);
      result.stdout.should.equal('');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the Python module and Chromium when those are what is missing', function () {
    const dir = pathWithout('python3 websockets');
    try {
      // the python3 linked in has websockets; a PATH with only a python lacking it is what a pyenv user has
      fs.rmSync(path.join(dir, 'python3'));
      fs.writeFileSync(path.join(dir, 'python3'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
      const result = runCheck({ PATH: dir, HOME: os.tmpdir(), CHROMIUM_PATH: path.join(dir, 'no-chromium'), NETCAST_SYSTEM_DEPS: 'check' });
      result.status.should.equal(1);
      // (python3-pymodbus too: the same broken python cannot import it either)
      result.stderr.should.match(/need python3 websockets, chromium, python3 pymodbus, which are not installed: run .*apt-get install -y python3-websockets chromium python3-pymodbus {2}and then npm test again\.\n$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the test lookup honours CHROMIUM_PATH and throws the same sentence for a missing tool', function () {
    const saved = process.env.CHROMIUM_PATH;
    try {
      process.env.CHROMIUM_PATH = process.execPath; // any executable: the lookup must take it as given
      deps.chromiumPath().should.equal(process.execPath);
      process.env.CHROMIUM_PATH = '/nonexistent/chromium';
      (deps.chromiumPath() === undefined).should.be.true();
    } finally {
      if (saved === undefined) delete process.env.CHROMIUM_PATH;
      else process.env.CHROMIUM_PATH = saved;
    }
    deps.commandsOnPath('socat', { PATH: '/nonexistent' }).should.eql([]);
    deps.missingSentence([deps.SYSTEM_DEPS.find((row) => row.name === 'socat')], { asRoot: false })
      .should.equal('netcast tests need socat, which is not installed: run  sudo apt-get update && sudo apt-get install -y socat  and then npm test again.');
  });
});
