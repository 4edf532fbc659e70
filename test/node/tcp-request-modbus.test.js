'use strict';
// tcp request against a Modbus/TCP server nobody here wrote (pymodbus, in a subprocess): the
// endpoint's length-field framing carries MBAP, the request node matches by transaction id with
// several requests in flight.
require('should');
const net = require('net');
const { spawn } = require('child_process');
const path = require('path');
const tools = require('../support/tools');
const { helper, load, nodeSet, catchNode, useHelper, endpointOf } = require('../support/red');
const { collect, until } = require('../support/events');
const { freePort } = require('../support/node-red-process');

const tcpNodes = nodeSet('tcp');
const requestNodes = nodeSet('request');

/** Read holding registers (function 3): MBAP with the length left 0 for the framing to fill in. */
function readHolding(transactionId, address, count = 1) {
  const frame = Buffer.alloc(12);
  frame.writeUInt16BE(transactionId, 0);
  frame.writeUInt16BE(0, 2); // protocol: Modbus
  frame.writeUInt16BE(0, 4); // length: filled in by the endpoint's length-field framing
  frame[6] = 1; // unit
  frame[7] = 3;
  frame.writeUInt16BE(address, 8);
  frame.writeUInt16BE(count, 10);
  return frame;
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

describe('tcp request: Modbus/TCP against pymodbus', function () {
  useHelper();
  let server;
  let port;
  before(async function () {
    port = await freePort();
    server = spawn(tools.python3('pymodbus'), [path.join(__dirname, '..', 'system', 'peers', 'modbus-server.py'), String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
    server.stderr.on('data', () => {});
    const exited = new Promise((resolve) => server.once('exit', resolve));
    let up = false;
    await Promise.race([
      (async () => {
        while (!up) up = await accepts(port);
      })(),
      exited.then((code) => {
        throw new Error(`the pymodbus server exited (${code}) before it listened`);
      }),
      new Promise((_, reject) => setTimeout(() => reject(new Error('the pymodbus server did not listen within 15 s')), 15000)),
    ]);
  });
  after(() => {
    if (server) server.kill();
  });

  it('reads 64 registers pipelined by transaction id, each answer matched to its request', async function () {
    await load([tcpNodes, requestNodes, catchNode], [
      { id: 'tab', type: 'tab' },
      { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'client', host: '127.0.0.1', port, framing: 'length', lengthOffset: 4, lengthSize: 2, lengthEndian: 'be', lengthAdjust: 0, lengthStrip: 0 },
      { id: 'req', type: 'netcast-tcp-request', z: 'tab', endpoint: 'ep', match: 'id', idOffset: 0, idLength: 2, maxInFlight: 8, timeout: 5000, output: 'buffer', wires: [['answers']] },
      { id: 'answers', type: 'helper', z: 'tab' },
      { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
      { id: 'errors', type: 'helper', z: 'tab' },
    ]);
    const errors = [];
    helper.getNode('errors').on('input', (msg) => errors.push(msg.error.message));
    await until(() => endpointOf('ep').connected, 5000, 'the connection to pymodbus');
    const answered = collect(helper.getNode('answers'), 64, 15000);
    for (let i = 0; i < 64; i++) helper.getNode('req').receive({ payload: readHolding(1000 + i, i * 3), register: i * 3, topic: `hr/${i * 3}` });
    const messages = await answered;
    errors.should.eql([]);
    for (const msg of messages) {
      const answer = msg.payload;
      answer.readUInt16BE(0).should.equal(1000 + msg.register / 3); // the transaction id
      answer[7].should.equal(3); // function code: no exception
      answer[8].should.equal(2); // byte count
      answer.readUInt16BE(9).should.equal(msg.register * 10);
      msg.topic.should.equal(`hr/${msg.register}`);
    }
    const channel = endpointOf('ep').pool.channel();
    channel.correlator.peakInFlight.should.be.above(1);
    channel.correlator.peakInFlight.should.be.belowOrEqual(8);
    channel.correlator.unmatchedCount.should.equal(0);
  });
});
