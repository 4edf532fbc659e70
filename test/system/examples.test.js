'use strict';
require('should');
const net = require('net');
const dgram = require('dgram');
const { startNodeRed } = require('../support/node-red-process');
const { once, withTimeout } = require('../support/events');

const { loadExamples } = require('../../scripts/examples');

/** Connects once the example's server listens: endpoints start just after the deploy answers. */
async function connectWhenListening(port) {
  for (let attempt = 0; ; attempt++) {
    const socket = net.connect(port, '127.0.0.1');
    const outcome = await new Promise((resolve) => {
      socket.once('connect', () => resolve('connected'));
      socket.once('error', (err) => resolve(err));
    });
    if (outcome === 'connected') return socket;
    if (attempt === 50) throw outcome;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function tcpExchange(port, line) {
  const socket = await connectWhenListening(port);
  socket.on('error', () => {});
  let text = '';
  socket.on('data', (chunk) => (text += chunk));
  socket.write(line);
  await withTimeout(new Promise((resolve) => socket.on('data', () => text.includes('\n') && resolve())), 10000, `a reply on port ${port}`);
  socket.destroy();
  return text;
}

describe('system: the example flows deploy and work', function () {
  this.timeout(120000);
  let red;
  before(async () => {
    red = await startNodeRed();
  });
  after(async () => {
    if (red) await red.stop();
  });

  it('deploys all examples together with no node error, and the echo and migration examples answer', async function () {
    // multicast examples would send on the real network; test/netns deploys them in a namespace
    const flows = loadExamples().flatMap(({ flow }) => flow);
    const ids = flows.map((node) => node.id);
    new Set(ids).size.should.equal(ids.length, 'example node ids are unique across files');
    await red.deploy(flows);
    (await tcpExchange(15001, 'hello\n')).should.match(/hello/);
    (await tcpExchange(15010, 'ping\n')).should.match(/^you \(127\.0\.0\.1:\d+\) said: ping\n$/);
    const udp = dgram.createSocket('udp4');
    udp.bind(0, '127.0.0.1');
    await once(udp, 'listening');
    const reply = once(udp, 'message', 10000);
    udp.send('hi', 15011, '127.0.0.1');
    String((await reply)[0]).should.equal('ack hi');
    udp.close();
    red.log.should.not.match(/\[error\]/);
  });
});
