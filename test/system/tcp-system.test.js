'use strict';
require('should');
const { spawn } = require('child_process');
const net = require('net');
const { startNodeRed, freePort } = require('../support/node-red-process');
const { withTimeout, once } = require('../support/events');

const TCP_TYPES = ['netcast-tcp-endpoint', 'netcast-tcp-in', 'netcast-tcp-out'];

/** Runs a command-line peer, feeding it `input`; resolves with what it printed. */
function runPeer(command, args, input) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (errors += chunk));
  child.stdin.end(input);
  return withTimeout(new Promise((resolve, reject) => {
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} exited ${code}: ${errors}`))));
  }), 10000, command);
}

function echoFlow(port) {
  return [
    { id: 'tab1', type: 'tab', label: 'echo' },
    { id: 'ep1', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port, framing: 'delimiter', delimiter: '\\n' },
    { id: 'in1', type: 'netcast-tcp-in', z: 'tab1', endpoint: 'ep1', output: 'utf8', x: 100, y: 100, wires: [['upper']] },
    { id: 'upper', type: 'change', z: 'tab1', x: 300, y: 100, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '"echo: " & $uppercase(payload)', tot: 'jsonata' }], wires: [['out1']] },
    { id: 'out1', type: 'netcast-tcp-out', z: 'tab1', endpoint: 'ep1', x: 500, y: 100, wires: [] },
  ];
}

async function portIsFree(port) {
  const probe = net.createServer().listen(port, '127.0.0.1');
  try {
    await once(probe, 'listening', 2000);
    return true;
  } catch {
    return false;
  } finally {
    probe.close();
  }
}

describe('system: a real node-red process with the package installed', function () {
  this.timeout(120000);
  let red;
  before(async () => {
    red = await startNodeRed();
  });
  after(async () => {
    if (red) await red.stop();
  });

  it('lists every TCP node type in GET /nodes with no load error', async function () {
    const sets = await red.request('GET', '/nodes', undefined, { accept: 'application/json' });
    const ours = sets.filter((set) => set.module === '@netcast/node-red-transports');
    ours.length.should.be.above(0);
    for (const set of ours) {
      (set.err === undefined || set.err === null).should.be.true(`${set.id} failed to load: ${set.err}`);
      set.enabled.should.be.true();
      set.loaded.should.be.true();
    }
    const types = ours.flatMap((set) => set.types);
    for (const type of TCP_TYPES) types.should.containEql(type);
  });

  it('echoes lines from socat and nc through a deployed flow', async function () {
    const port = await freePort();
    await red.deploy(echoFlow(port));
    // socat retries until the listener is up, so no sleep is needed
    const fromSocat = await runPeer('socat', ['-t', '1', '-', `TCP:127.0.0.1:${port},retry=20,interval=0.1`], 'hello\nworld\n');
    fromSocat.should.equal('echo: HELLO\necho: WORLD\n');
    const fromNc = await runPeer('nc', ['-q', '1', '127.0.0.1', String(port)], 'from nc\n');
    fromNc.should.equal('echo: FROM NC\n');
  });

  it('redeploys the same listening flow 100 times without a bound port or a leaked descriptor', async function () {
    const port = await freePort();
    await red.deploy(echoFlow(port));
    await runPeer('socat', ['-t', '1', '-', `TCP:127.0.0.1:${port},retry=20,interval=0.1`], 'warm up\n');
    const baseline = red.openFds();
    for (let i = 0; i < 100; i++) {
      const flow = echoFlow(port);
      flow[2].topic = `deploy ${i}`; // a real change, so "nodes" deploys restart the in node
      await red.deploy(flow, i % 2 === 0 ? 'full' : 'nodes');
    }
    const reply = await runPeer('socat', ['-t', '1', '-', `TCP:127.0.0.1:${port},retry=20,interval=0.1`], 'still alive\n');
    reply.should.equal('echo: STILL ALIVE\n');
    red.openFds().should.be.belowOrEqual(baseline + 2);
    red.log.should.not.match(/EADDRINUSE|in use by another program/);
    await red.deploy([{ id: 'empty', type: 'tab', label: 'empty' }]);
    (await portIsFree(port)).should.be.true('the port is free once the flow is gone');
  });
});
