'use strict';
// A client waiting to reconnect counts down under its nodes, one status update a second.
require('should');
const fs = require('fs');
const net = require('net');
const path = require('path');
const { helper, load, nodeSet, useHelper } = require('../support/red');
const { collect, once, until } = require('../support/events');
const { startAnsweringDevice } = require('../support/answering-device');
const { statusFor } = require('../../dist/nodes/shared/status');

/** A port nothing listens on: every connection attempt is refused at once. */
async function closedPort() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The status texts one node has shown, in order (the test helper spies on every node at once). */
function statusTexts(node) {
  return node.status.getCalls().filter((call) => call.thisValue === node).map((call) => call.args[0].text);
}

// A wait of 3 s ± 20 % jitter: 2.4 to 3.6 s, so the countdown starts at 3 or 4 s.
const WAIT = { reconnectInitial: 3, reconnectMax: 3 };

const TCP = {
  transport: 'tcp',
  nodes: nodeSet('tcp'),
  endpoint: (port) => ({ type: 'netcast-tcp-endpoint', mode: 'client', host: '127.0.0.1', port, ...WAIT }),
};
const WEBSOCKET = {
  transport: 'websocket',
  nodes: nodeSet('websocket'),
  endpoint: (port) => ({ type: 'netcast-websocket-endpoint', mode: 'client', url: `ws://127.0.0.1:${port}/feed`, heartbeat: 0, ...WAIT }),
};

// The status words of the runtime's language (the node sets' catalogs): a countdown step and the
// start of the next attempt.
const ENGLISH = { lang: 'en-US', step: /^reconnecting in (\d+) s$/, attempt: 'connecting to' };
const CHINESE = { lang: 'zh-CN', step: /^(\d+) 秒后重连$/, attempt: '正在连接' };

const ROWS = [
  { client: TCP, words: ENGLISH },
  { client: WEBSOCKET, words: ENGLISH },
  { client: TCP, words: CHINESE },
  { client: WEBSOCKET, words: CHINESE },
];

/**
 * The node set with RED._ answering from its catalog in `lang`, as Node-RED's runtime does
 * (node-red-node-test-helper's RED._ gives every key back, so the status would fall back to English).
 */
function inLanguage(nodes, base, lang) {
  const catalog = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'nodes', 'locales', lang, `${base}.json`), 'utf8'));
  const translate = (key, values = {}) => {
    const text = key.split('.').reduce((at, part) => (at && typeof at === 'object' ? at[part] : undefined), catalog);
    return typeof text === 'string' ? text.replace(/__(\w+)__/g, (whole, name) => (name in values ? String(values[name]) : whole)) : key;
  };
  return (RED) => nodes(Object.create(RED, { _: { value: translate } }));
}

describe('reconnect countdown in the status', function () {
  useHelper();

  it('rounds the time left up, as a countdown does, and shows tenths under a second', function () {
    const text = (inMs) => statusFor({ phase: 'reconnecting', inMs, reason: 'refused' }).text;
    text(4300).should.equal('reconnecting in 5 s');
    text(4000).should.equal('reconnecting in 4 s');
    text(1000).should.equal('reconnecting in 1 s');
    text(500).should.equal('reconnecting in 0.5 s');
  });

  for (const { client, words } of ROWS) {
    it(`counts down each second until the next attempt (${client.transport} client, ${words.lang})`, async function () {
      const port = await closedPort();
      await load([inLanguage(client.nodes, client.transport, words.lang)], [
        { id: 'tab', type: 'tab' },
        { id: 'ep', ...client.endpoint(port) },
        { id: 'in', type: `netcast-${client.transport}-in`, z: 'tab', endpoint: 'ep', wires: [[]] },
        { id: 'out', type: `netcast-${client.transport}-out`, z: 'tab', endpoint: 'ep' },
      ]);
      const inNode = helper.getNode('in');
      // the first attempt is refused, the countdown runs, then the second attempt starts
      const retried = () => {
        const seen = statusTexts(inNode);
        const first = seen.findIndex((text) => words.step.test(text));
        return first >= 0 && seen.slice(first).some((text) => text.startsWith(words.attempt));
      };
      await until(retried, 8000, 'a countdown and the next attempt');
      const texts = statusTexts(inNode);
      const start = texts.findIndex((text) => words.step.test(text));
      const end = texts.findIndex((text, i) => i > start && text.startsWith(words.attempt));
      const countdown = texts.slice(start, end);
      const seconds = countdown.map((text) => {
        text.should.match(words.step);
        return Number(words.step.exec(text)[1]);
      });
      seconds[0].should.be.within(3, 4);
      seconds.should.eql(Array.from({ length: seconds[0] }, (_, i) => seconds[0] - i), `one update a second: ${JSON.stringify(countdown)}`);
      // the out node shows the same countdown
      const outTexts = statusTexts(helper.getNode('out'));
      outTexts.should.containDeepOrdered(countdown);
    });
  }

  it('a tcp request waiting for the reconnect after a resync is not failed by the countdown', async function () {
    // the device answers the first request late: the request node drops that connection so the
    // late answer is not taken for the next one; "two" waits for the next connection, 1.2-1.8 s
    // away, through a countdown update at 1 s left
    let first = true;
    const device = await startAnsweringDevice({
      answer: (frame, reply) => {
        if (first) {
          first = false;
          setTimeout(() => reply('late\n'), 150);
        } else reply(`fresh:${frame}\n`);
      },
    });
    try {
      await load([nodeSet('tcp'), nodeSet('request')], [
        { id: 'tab', type: 'tab' },
        { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'client', host: '127.0.0.1', port: device.port, framing: 'delimiter', delimiter: '\\n', reconnectInitial: 1.5, reconnectMax: 1.5 },
        { id: 'req', type: 'netcast-tcp-request', z: 'tab', endpoint: 'ep', output: 'utf8', timeout: 50, errorOutput: true, outputs: 2, wires: [['answers'], ['failures']] },
        { id: 'answers', type: 'helper', z: 'tab' },
        { id: 'failures', type: 'helper', z: 'tab' },
      ]);
      const failed = collect(helper.getNode('failures'), 1);
      const answered = collect(helper.getNode('answers'), 1);
      helper.getNode('req').receive({ payload: 'one' });
      helper.getNode('req').receive({ payload: 'two' });
      (await failed)[0].payload.should.equal('one');
      (await answered)[0].payload.should.equal('fresh:two');
    } finally {
      await device.stop();
    }
  });
});
