'use strict';
// Idle-gap framing needs a clock: a frame is what arrived before the peer fell silent for the gap.
// These tests check when frames come out, and that a frame still waiting at a close is not lost.
require('should');
const { performance } = require('perf_hooks');
const { helper, load, nodeSet, catchNode, useHelper, listeningPort } = require('../support/red');
const { until } = require('../support/events');
const { connectClient, startDevice, closeQuietly } = require('../support/peers');

const tcpNodes = nodeSet('tcp');

function idleFlow(endpoint) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: 0, framing: 'idle', reconnectInitial: 0.05, ...endpoint },
    { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', output: 'utf8', wires: [['sink']] },
    { id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' },
    { id: 'sink', type: 'helper', z: 'tab' },
  ];
}

/** Every message the in node sends, with the moment it sent it (before Node-RED's own queueing). */
function recordEmissions(node) {
  const emitted = [];
  const send = node.send;
  node.send = function (msg) {
    emitted.push({ payload: msg.payload, at: performance.now() });
    return send.apply(this, arguments);
  };
  return emitted;
}

/** What the sink gets; it outlives the in node across a redeploy of the endpoint. */
function recordPayloads(node) {
  const seen = [];
  node.on('input', (msg) => seen.push(msg.payload));
  return seen;
}

// The peer plays a device that sends a record a few bytes at a time: these pauses are its
// behaviour, not a wait for something to happen.
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Node's timers count whole milliseconds, so a timer can fire up to about 2 ms before the same
// span measured with performance.now().
const CLOCK_GRAIN_MS = 2;

describe('tcp idle-gap framing', function () {
  useHelper();
  const closers = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  it('emits a frame after the peer has been silent for the gap: never before, and within a second after', async function () {
    const gap = 300;
    await load([tcpNodes, catchNode], idleFlow({ idleGap: gap }));
    const port = await listeningPort('ep');
    const emitted = recordEmissions(helper.getNode('in'));
    const peer = await connectClient(port);
    closers.push(() => closeQuietly(peer));
    peer.setNoDelay(true);
    const writes = [];
    const trickle = async (parts) => {
      for (const [i, part] of parts.entries()) {
        if (i > 0) await pause(gap / 6);
        peer.write(part);
        writes.push({ text: part, at: performance.now() });
      }
    };
    await trickle(['tem', 'p=2', '1.5', ';']);
    await until(() => emitted.length >= 1, 5000, 'the first frame');
    await trickle(['hum', '=40', ';']);
    const sent = writes.map((write) => write.text).join('');
    await until(() => emitted.map((frame) => frame.payload).join('') === sent, 5000, `every byte back (got ${JSON.stringify(emitted.map((f) => f.payload))})`);

    // Each frame is a run of whole writes; measured from its last write it came out after the gap
    // (a frame cut while the peer was still writing would come out sooner) and not a second later.
    let next = 0;
    for (const frame of emitted) {
      let text = '';
      let last;
      while (text.length < frame.payload.length) {
        last = writes[next++];
        text += last.text;
      }
      text.should.equal(frame.payload, 'frames end where a write ended');
      const silence = frame.at - last.at;
      silence.should.be.aboveOrEqual(gap - CLOCK_GRAIN_MS, `"${frame.payload}" came out ${silence.toFixed(1)} ms after the last byte`);
      silence.should.be.belowOrEqual(gap + 1000, `"${frame.payload}" came out ${silence.toFixed(1)} ms after the last byte`);
    }
    emitted.length.should.be.aboveOrEqual(2);
  });

  // A gap of 10 s, so that a frame seen within 5 s came from the close, not the timer. A write of
  // Max frame size + 4 bytes makes the first 8 come out at once (so the rest is known to be
  // waiting in the decoder) and leaves "tail" pending.
  const CLOSES = [
    { when: 'the peer half-closes', mode: 'server', close: ({ peer }) => peer.end() },
    { when: 'the peer resets the connection', mode: 'server', close: ({ peer }) => peer.resetAndDestroy() },
    { when: 'the endpoint is redeployed (server)', mode: 'server', close: ({ redeploy }) => redeploy() },
    { when: 'the endpoint is redeployed (client)', mode: 'client', close: ({ redeploy }) => redeploy() },
  ];
  for (const row of CLOSES) {
    it(`emits the frame still waiting for its gap when ${row.when}`, async function () {
      const endpoint = { idleGap: 10000, maxFrame: 8 };
      let peer;
      let flow;
      if (row.mode === 'server') {
        flow = idleFlow(endpoint);
        await load([tcpNodes, catchNode], flow);
        peer = await connectClient(await listeningPort('ep'));
        closers.push(() => closeQuietly(peer));
      } else {
        const device = await startDevice();
        closers.push(() => device.stop());
        flow = idleFlow({ ...endpoint, mode: 'client', port: device.port });
        await load([tcpNodes, catchNode], flow);
        await device.waitForConnection();
        peer = device.sockets[0];
      }
      const seen = recordPayloads(helper.getNode('sink'));
      peer.write('ABCDEFGHtail');
      await until(() => seen.length >= 1, 5000, 'the first 8 bytes as one frame');
      seen.should.eql(['ABCDEFGH']);
      // "Modified nodes" deploy of a changed endpoint: it and its in/out nodes restart, the sink stays.
      const redeploy = () => helper.setFlows(flow.map((node) => (node.id === 'ep' ? { ...node, name: 'changed' } : node)), 'nodes');
      await row.close({ peer, redeploy });
      await until(() => seen.length >= 2, 5000, 'the pending frame');
      seen.should.eql(['ABCDEFGH', 'tail']);
    });
  }
});
