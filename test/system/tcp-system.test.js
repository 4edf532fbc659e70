'use strict';
require('should');
const { spawn } = require('child_process');
const net = require('net');
const { startNodeRed, freePort } = require('../support/node-red-process');
const { withTimeout, once } = require('../support/events');
const tools = require('../support/tools');

const TCP_TYPES = ['netcast-tcp-endpoint', 'netcast-tcp-in', 'netcast-tcp-out'];

/**
 * Runs a command-line peer, writes `input` to it, and resolves with its output once `expected`
 * has arrived (the peer is then stopped), or rejects with what it printed so far.
 */
async function talk(command, args, input, expected) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (errors += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.stdin.write(input);
  try {
    await withTimeout(new Promise((resolve, reject) => {
      child.stdout.on('data', () => output.length >= expected.length && resolve());
      child.once('exit', (code) => reject(new Error(`${command} exited (${code}) after printing ${JSON.stringify(output)}: ${errors}`)));
    }), 15000, `${JSON.stringify(expected)} from ${command} (got ${JSON.stringify(output)})`);
    return output;
  } finally {
    child.kill();
    await exited;
  }
}

const socat = (port, input, expected) => talk(tools.socat(), ['-', `TCP:127.0.0.1:${port},retry=50,interval=0.1`], input, expected);

function echoFlow(port) {
  return [
    { id: 'tab1', type: 'tab', label: 'echo' },
    { id: 'ep1', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port, framing: 'delimiter', delimiter: '\\n' },
    { id: 'in1', type: 'netcast-tcp-in', z: 'tab1', endpoint: 'ep1', output: 'utf8', x: 100, y: 100, wires: [['upper']] },
    { id: 'upper', type: 'change', z: 'tab1', x: 300, y: 100, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '"echo: " & $uppercase(payload)', tot: 'jsonata' }], wires: [['out1']] },
    { id: 'out1', type: 'netcast-tcp-out', z: 'tab1', endpoint: 'ep1', x: 500, y: 100, wires: [] },
  ];
}

/**
 * Each line is split at commas, each part upper-cased, the parts joined again and the line sent
 * back on its connection: split, change and join work on our messages (a frozen msg._session that
 * split copies into each part, our _msgid, which split replaces for the parts).
 */
function splitJoinFlow(port) {
  return [
    { id: 'tab2', type: 'tab', label: 'split and join' },
    { id: 'ep2', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port, framing: 'delimiter', delimiter: '\\n' },
    { id: 'in2', type: 'netcast-tcp-in', z: 'tab2', endpoint: 'ep2', output: 'utf8', x: 100, y: 100, wires: [['split']] },
    { id: 'split', type: 'split', z: 'tab2', splt: ',', spltType: 'str', arraySplt: 1, arraySpltType: 'len', stream: false, addname: '', x: 250, y: 100, wires: [['up']] },
    { id: 'up', type: 'change', z: 'tab2', x: 400, y: 100, rules: [{ t: 'set', p: 'payload', pt: 'msg', to: '$uppercase(payload)', tot: 'jsonata' }], wires: [['join']] },
    { id: 'join', type: 'join', z: 'tab2', mode: 'auto', build: 'object', property: 'payload', propertyType: 'msg', key: 'topic', joiner: '\\n', joinerType: 'str', accumulate: false, timeout: '', count: '', reduceRight: false, x: 550, y: 100, wires: [['out2']] },
    { id: 'out2', type: 'netcast-tcp-out', z: 'tab2', endpoint: 'ep2', x: 700, y: 100, wires: [] },
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
    }
    const types = ours.flatMap((set) => set.types);
    for (const type of TCP_TYPES) types.should.containEql(type);
  });

  it('echoes lines from socat and nc through a deployed flow', async function () {
    const port = await freePort();
    await red.deploy(echoFlow(port));
    // socat retries until the listener is up, so no sleep is needed
    const fromSocat = await socat(port, 'hello\nworld\n', 'echo: HELLO\necho: WORLD\n');
    fromSocat.should.equal('echo: HELLO\necho: WORLD\n');
    const fromNc = await talk(tools.nc(), ['127.0.0.1', String(port)], 'from nc\n', 'echo: FROM NC\n');
    fromNc.should.equal('echo: FROM NC\n');
  });

  it('runs our messages through split, change and join and replies on each connection', async function () {
    const port = await freePort();
    await red.deploy(splitJoinFlow(port));
    const lines = (tag) => Array.from({ length: 50 }, (_, i) => `${tag}${i},b${i},c${i}`);
    const expected = (tag) => lines(tag).map((line) => `${line.toUpperCase()}\n`).join('');
    // two peers at once, so the parts of their lines interleave in the flow
    const [first, second] = await Promise.all([
      socat(port, lines('a').map((l) => `${l}\n`).join(''), expected('a')),
      socat(port, lines('x').map((l) => `${l}\n`).join(''), expected('x')),
    ]);
    first.should.equal(expected('a'));
    second.should.equal(expected('x'));
    red.log.should.not.match(/\[error\]/);
  });

  it('redeploys the same listening flow 100 times without a bound port or a leaked descriptor', async function () {
    const port = await freePort();
    await red.deploy(echoFlow(port));
    await socat(port, 'warm up\n', 'echo: WARM UP\n');
    const baseline = red.openFds();
    for (let i = 0; i < 100; i++) {
      const flow = echoFlow(port);
      flow[2].topic = `deploy ${i}`; // a real change, so "nodes" deploys restart the in node
      await red.deploy(flow, i % 2 === 0 ? 'full' : 'nodes');
    }
    const reply = await socat(port, 'still alive\n', 'echo: STILL ALIVE\n');
    reply.should.equal('echo: STILL ALIVE\n');
    red.openFds().should.be.belowOrEqual(baseline + 2);
    red.log.should.not.match(/EADDRINUSE|in use by another program/);
    await red.deploy([{ id: 'empty', type: 'tab', label: 'empty' }]);
    (await portIsFree(port)).should.be.true('the port is free once the flow is gone');
  });
});
