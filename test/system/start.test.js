'use strict';
require('should');
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const { freePort } = require('../support/node-red-process');
const { withTimeout } = require('../support/events');
const { loadExamples, usesMulticast } = require('../../scripts/examples');

const root = path.join(__dirname, '..', '..');

describe('system: npm start', function () {
  this.timeout(60000);

  it('runs Node-RED with the package and the example flows, and cleans up on Ctrl-C', async function () {
    const port = await freePort();
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.js')], { env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout.on('data', (chunk) => (log += chunk));
    child.stderr.on('data', (chunk) => (log += chunk));
    const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await withTimeout(new Promise((resolve) => child.stdout.on('data', () => log.includes('Node-RED is running at') && resolve())), 30000, 'npm start to report the editor address');
      log.should.containEql(`http://127.0.0.1:${port}/`);
      const flows = await (await fetch(`http://127.0.0.1:${port}/flows`)).json();
      const exampleTabs = loadExamples().flatMap(({ flow }) => flow).filter((n) => n.type === 'tab').map((n) => n.id);
      const loadedTabs = flows.filter((n) => n.type === 'tab').map((n) => n.id);
      loadedTabs.should.containDeep(exampleTabs);
      usesMulticast(flows).should.be.false('nothing joins a multicast group in the root namespace');
      const userDir = /user dir (\S+)\)/.exec(log)[1];
      fs.existsSync(userDir).should.be.true();
      child.kill('SIGINT');
      (await withTimeout(exited, 15000, 'npm start to exit')).should.equal(0);
      fs.existsSync(userDir).should.be.false('the throwaway user dir is removed');
      log.should.not.match(/\[error\]/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
