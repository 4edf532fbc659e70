'use strict';
// Every framing mode through a real endpoint, both ways: a peer's bytes cut at awkward points
// come out of `tcp in` / `udp in` as whole frames, and what `tcp out` / `udp out` sends reaches the
// peer framed, byte for byte. One row per mode; the codecs' own property tests are in test/unit.
const should = require('should');
const { helper, load, nodeSet, catchNode, useHelper, endpointOf, listeningPort, boundPort } = require('../support/red');
const { collect, until } = require('../support/events');
const { connectClient, startDevice, startUdpPeer, closeQuietly } = require('../support/peers');

const tcpNodes = nodeSet('tcp');
const udpNodes = nodeSet('udp');

/** Bytes from text (latin1, so '\xc0' is one byte) and byte arrays, joined. */
function bytes(...parts) {
  return Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))));
}

/**
 * mode: the endpoint's framing fields, as a saved flow holds them.
 * pieces: what the peer writes, in order. Each piece is written only once the frames it completes
 * (`emits`) have come out, which proves the endpoint read it apart from the next piece; so every
 * piece ends at an awkward point: inside a delimiter, a length field, a marker or an escape.
 * A piece given as an array is written as several writes in one turn.
 * sends: payloads for the out node and the exact bytes the peer must receive for each.
 * rejects: a payload the mode cannot frame, and the error's text.
 * udp: false where the UDP endpoint refuses the mode (a datagram is already one message).
 */
const ROWS = [
  {
    name: 'raw',
    mode: { framing: 'raw' },
    pieces: [
      { write: 'abc', emits: ['abc'] },
      { write: bytes([0, 0xff], 'de'), emits: [bytes([0, 0xff], 'de')] },
    ],
    sends: [
      { payload: 'hello', wire: 'hello' },
      { payload: bytes([0, 1, 0xff]), wire: bytes([0, 1, 0xff]) },
    ],
    // one datagram is one message: records are not split
    udpRecords: (datagram) => [datagram],
  },
  {
    name: 'delimiter (\\r\\n, stripped)',
    mode: { framing: 'delimiter', delimiter: '\\r\\n', delimiterFormat: 'text', keepDelimiter: false },
    pieces: [
      { write: 'one\r\ntw', emits: ['one'] },
      { write: 'o\r\nthree\r', emits: ['two'] }, // the delimiter's first byte ends the write
      { write: '\nfour\r\n\r\nfive\r\n', emits: ['three', 'four', '', 'five'] },
    ],
    sends: [
      { payload: 'hello', wire: 'hello\r\n' },
      { payload: 'ends with it\r\n', wire: 'ends with it\r\n' },
    ],
  },
  {
    name: 'fixed length (4)',
    mode: { framing: 'fixed', fixedLength: 4 },
    pieces: [
      { write: 'ABCDEF', emits: ['ABCD'] },
      { write: 'GHIJKLMNOPQ', emits: ['EFGH', 'IJKL', 'MNOP'] },
      { write: 'RST', emits: ['QRST'] },
    ],
    sends: [
      { payload: 'WXYZ', wire: 'WXYZ' },
      { payload: bytes([1, 2, 3, 4]), wire: bytes([1, 2, 3, 4]) },
    ],
    rejects: { payload: 'FIVE!', error: /payload is 5 bytes but Fixed length is 4 bytes/ },
  },
  {
    name: 'length field (4 bytes little-endian, stripped)',
    mode: { framing: 'length', lengthOffset: 0, lengthSize: 4, lengthEndian: 'le', lengthAdjust: 0, lengthStrip: 4 },
    pieces: [
      { write: bytes([5, 0, 0, 0], 'hello', [2, 0]), emits: ['hello'] }, // cut inside the next length field
      { write: bytes([0, 0], 'hi', [0, 0, 0, 0], [5]), emits: ['hi', ''] },
      { write: bytes([0, 0, 0], 'world'), emits: ['world'] },
    ],
    sends: [
      { payload: 'hello', wire: bytes([5, 0, 0, 0], 'hello') },
      { payload: Buffer.alloc(300, 0x61), wire: bytes([0x2c, 0x01, 0, 0], Buffer.alloc(300, 0x61)) },
    ],
  },
  {
    name: 'start/end markers (DLE STX ... DLE ETX)',
    mode: { framing: 'markers', startMarker: '1002', endMarker: '1003', markerFormat: 'hex', keepMarkers: false },
    pieces: [
      { write: bytes([0x10, 2], 'AB', [0x10, 3], [0x10]), emits: ['AB'] }, // the next start marker cut in two
      { write: bytes([2], 'CD', [0x10, 3], 'noise', [0x10, 2], 'E', [0x10]), emits: ['CD'] }, // and the end marker
      { write: bytes([3]), emits: ['E'] },
    ],
    sends: [{ payload: 'XY', wire: bytes([0x10, 2], 'XY', [0x10, 3]) }],
    rejects: { payload: bytes('a', [0x10, 3], 'b'), error: /payload contains the end marker \(1003\)/ },
  },
  {
    name: 'SLIP (RFC 1055)',
    mode: { framing: 'slip' },
    pieces: [
      { write: bytes([0xc0], 'ab', [0xc0], 'cd', [0xdb]), emits: ['ab'] }, // an escape byte ends the write
      { write: bytes([0xdc], 'e', [0xc0], 'f', [0xdb]), emits: [bytes('cd', [0xc0], 'e')] },
      { write: bytes([0xdd, 0xc0]), emits: [bytes('f', [0xdb])] },
    ],
    sends: [
      { payload: bytes([1, 0xc0, 0xdb, 2]), wire: bytes([0xc0, 1, 0xdb, 0xdc, 0xdb, 0xdd, 2, 0xc0]) },
      { payload: 'plain', wire: bytes([0xc0], 'plain', [0xc0]) },
    ],
  },
  {
    name: 'idle gap (100 ms)',
    mode: { framing: 'idle', idleGap: 100 },
    pieces: [
      { write: ['abc', 'def', bytes([0])], emits: [bytes('abcdef', [0])] }, // three writes, no pause: one frame
      { write: 'gh', emits: ['gh'] },
    ],
    sends: [{ payload: 'hello', wire: 'hello' }],
    udp: false,
  },
];

const asBuffer = (value) => (Buffer.isBuffer(value) ? value : bytes(value));
const writesOf = (piece) => (Array.isArray(piece.write) ? piece.write : [piece.write]).map(asBuffer);
const framesOf = (row) => row.pieces.flatMap((piece) => piece.emits).map(asBuffer);

function tcpFlow(endpoint) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-tcp-endpoint', host: '127.0.0.1', reconnectInitial: 0.05, reconnectMax: 0.2, ...endpoint },
    { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', output: 'buffer', wires: [['sink']] },
    { id: 'out', type: 'netcast-tcp-out', z: 'tab', endpoint: 'ep' },
    { id: 'sink', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

function udpFlow(endpoint) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-udp-endpoint', localAddress: '127.0.0.1', port: 0, remoteHost: '127.0.0.1', ...endpoint },
    { id: 'in', type: 'netcast-udp-in', z: 'tab', endpoint: 'ep', output: 'buffer', wires: [['sink']] },
    { id: 'out', type: 'netcast-udp-out', z: 'tab', endpoint: 'ep' },
    { id: 'sink', type: 'helper', z: 'tab' },
    { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'helper', z: 'tab' },
  ];
}

/** Every payload the sink gets, as it gets it. */
function recordPayloads(node) {
  const seen = [];
  node.on('input', (msg) => seen.push(msg.payload));
  return seen;
}

/** Sends the row's payloads through the out node, the rejected one in the middle; returns the bytes expected. */
async function sendRow(row) {
  const out = helper.getNode('out');
  const expected = row.sends.map((send) => asBuffer(send.wire));
  const errors = row.rejects ? collect(helper.getNode('errors'), 1) : undefined;
  out.receive({ payload: row.sends[0].payload });
  if (row.rejects) {
    out.receive({ payload: row.rejects.payload });
    const [error] = await errors;
    error.error.message.should.match(row.rejects.error);
  }
  for (const send of row.sends.slice(1)) out.receive({ payload: send.payload });
  return expected;
}

describe('framing modes over real sockets', function () {
  useHelper();
  const closers = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  for (const row of ROWS) {
    describe(row.name, function () {
      it('tcp in emits whole frames from pieces cut at awkward points', async function () {
        await load([tcpNodes, catchNode], tcpFlow({ mode: 'server', port: 0, ...row.mode }));
        const port = await listeningPort('ep');
        const seen = recordPayloads(helper.getNode('sink'));
        const peer = await connectClient(port);
        closers.push(() => closeQuietly(peer));
        peer.setNoDelay(true);
        let expected = 0;
        for (const piece of row.pieces) {
          for (const chunk of writesOf(piece)) peer.write(chunk);
          expected += piece.emits.length;
          await until(() => seen.length >= expected, 5000, `${expected} frames (got ${seen.length})`);
        }
        seen.should.eql(framesOf(row));
      });

      it('tcp out sends each payload framed, byte for byte', async function () {
        const device = await startDevice();
        closers.push(() => device.stop());
        await load([tcpNodes, catchNode], tcpFlow({ mode: 'client', port: device.port, ...row.mode }));
        await device.waitForConnection();
        await until(() => endpointOf('ep').state.phase === 'connected', 5000, 'the client to connect');
        const wire = Buffer.concat(await sendRow(row));
        await until(() => device.received.length >= wire.length, 5000, `${wire.length} bytes at the device`);
        device.received.should.eql(wire);
      });

      if (row.udp === false) {
        it('is refused by the UDP endpoint with a sentence', async function () {
          await load([udpNodes, catchNode], udpFlow({ ...row.mode, remotePort: 9 }));
          should(endpointOf('ep')).be.undefined();
          const [caught] = await collect(helper.getNode('errors'), 1);
          caught.error.message.should.match(/does not apply to UDP/);
        });
        return;
      }

      it('udp in splits one datagram into its records', async function () {
        const peer = await startUdpPeer();
        closers.push(peer.close);
        await load([udpNodes, catchNode], udpFlow({ ...row.mode, remotePort: peer.port }));
        const port = await boundPort();
        const datagram = Buffer.concat(row.pieces.flatMap(writesOf));
        const records = (row.udpRecords ? row.udpRecords(datagram) : framesOf(row)).map(asBuffer);
        const arrived = collect(helper.getNode('sink'), records.length);
        await peer.send(datagram, port);
        (await arrived).map((msg) => msg.payload).should.eql(records);
      });

      it('udp out sends each payload framed, one datagram each', async function () {
        const peer = await startUdpPeer();
        closers.push(peer.close);
        await load([udpNodes, catchNode], udpFlow({ ...row.mode, remotePort: peer.port }));
        await boundPort();
        const expected = await sendRow(row);
        await until(() => peer.received.length >= expected.length, 5000, `${expected.length} datagrams`);
        peer.received.map((datagram) => datagram.data).should.eql(expected);
      });
    });
  }
});

