'use strict';

require('should');
const { framing } = require('./helpers');
const { copyCounter } = require('../../../dist/framing/chunk-list');

const { createCodec } = framing;

const MiB = 1024 * 1024;
const BIG = 4 * MiB;
const CHUNK = 64;
const maxFrame = 8 * MiB;

function feed(decoder, data, chunkSize) {
  const frames = [];
  for (let from = 0; from < data.length; from += chunkSize) frames.push(...decoder.push(data.subarray(from, from + chunkSize)));
  return frames;
}

/** Bytes copied to join chunks while running fn. */
function copiedBy(fn) {
  const before = copyCounter.bytes;
  const result = fn();
  return { result, copied: copyCounter.bytes - before };
}

function bigPayload(fill = 0x78) {
  const payload = Buffer.alloc(BIG, fill);
  payload.writeUInt32BE(0xdeadbeef, 0);
  payload.writeUInt32BE(0xcafef00d, BIG - 4);
  return payload;
}

// Quadratic code (re-concatenating or re-scanning the pending bytes on every push) copies or scans
// about BIG^2 / (2 * CHUNK) = 128 GiB here: it fails the copy bound or the timeout, never both pass.
describe('framing: linear cost', function () {
  this.timeout(10000);

  const spanning = {
    'delimiter \\n': { mode: 'delimiter', delimiter: Buffer.from('\n'), keepDelimiter: false, maxFrame },
    'delimiter BOUNDARY': { mode: 'delimiter', delimiter: Buffer.from('--BOUNDARY--'), keepDelimiter: true, maxFrame },
    'markers STX/ETX': { mode: 'markers', start: Buffer.of(2), end: Buffer.of(3), keepMarkers: false, maxFrame },
    'markers <<< >>>': { mode: 'markers', start: Buffer.from('<<<'), end: Buffer.from('>>>'), keepMarkers: true, maxFrame },
    'length 4 be': { mode: 'length', offset: 0, size: 4, endian: 'be', adjust: 0, strip: 4, maxFrame: maxFrame + 4 },
    slip: { mode: 'slip', maxFrame },
    fixed: { mode: 'fixed', length: BIG, maxFrame },
  };

  for (const [name, options] of Object.entries(spanning)) {
    it(`${name}: a 4 MiB frame in 64-byte chunks is joined once`, function () {
      const codec = createCodec(options);
      const payload = bigPayload();
      const wire = codec.encoder.encode(payload);
      const { result: frames, copied } = copiedBy(() => feed(codec.createDecoder(), wire, CHUNK));
      frames.length.should.equal(1);
      const expected = options.keepDelimiter ? Buffer.concat([payload, options.delimiter]) : options.keepMarkers ? Buffer.concat([options.start, payload, options.end]) : payload;
      frames[0].equals(expected).should.be.true();
      // One join of the frame, plus a few bytes per push to look for a delimiter split between chunks.
      const probes = (wire.length / CHUNK) * 2 * 16;
      copied.should.be.belowOrEqual(wire.length + probes);
    });
  }

  it('idle: 4 MiB in 64-byte chunks is joined once, on flush', function () {
    const decoder = createCodec({ mode: 'idle', idleMs: 20, maxFrame }).createDecoder();
    const payload = bigPayload();
    const { result: frames, copied } = copiedBy(() => [...feed(decoder, payload, CHUNK), ...decoder.flush()]);
    frames.length.should.equal(1);
    frames[0].equals(payload).should.be.true();
    copied.should.equal(BIG);
  });

  it('slip: a 4 MiB frame that is half escapes decodes in 64-byte chunks', function () {
    const codec = createCodec({ mode: 'slip', maxFrame });
    const payload = Buffer.alloc(BIG);
    for (let i = 0; i < BIG; i++) payload[i] = i % 4 === 0 ? 0xc0 : i % 4 === 1 ? 0xdb : i & 0xff;
    const frames = feed(codec.createDecoder(), codec.encoder.encode(payload), CHUNK);
    frames.length.should.equal(1);
    frames[0].equals(payload).should.be.true();
  });

  const small = {
    'delimiter \\r\\n': [{ mode: 'delimiter', delimiter: Buffer.from('\r\n'), keepDelimiter: false, maxFrame }, (i) => Buffer.from(`line ${i}`)],
    'markers STX/ETX': [{ mode: 'markers', start: Buffer.of(2), end: Buffer.of(3), keepMarkers: true, maxFrame }, (i) => Buffer.from(`T=${i}`)],
    'length (Modbus MBAP)': [
      { mode: 'length', offset: 4, size: 2, endian: 'be', adjust: 0, strip: 0, maxFrame: 260 },
      (i) => Buffer.from([i >> 8, i & 0xff, 0, 0, 0, 0, 1, 3, 0, 0, 0, 10]),
    ],
    slip: [{ mode: 'slip', maxFrame }, (i) => Buffer.from(`packet ${i}`)],
    fixed: [{ mode: 'fixed', length: 8, maxFrame }, (i) => Buffer.from(String(i).padStart(8, '0'))],
  };

  for (const [name, [options, payloadOf]] of Object.entries(small)) {
    it(`${name}: 100000 frames in one chunk are views of it, nothing copied`, function () {
      const codec = createCodec(options);
      const payloads = Array.from({ length: 100000 }, (_, i) => payloadOf(i));
      const chunk = Buffer.concat(payloads.map((p) => codec.encoder.encode(p)));
      const { result: frames, copied } = copiedBy(() => codec.createDecoder().push(chunk));
      copied.should.equal(0);
      frames.length.should.equal(payloads.length);
      for (let i = 0; i < frames.length; i += 997) frames[i].buffer.should.equal(chunk.buffer);
      Buffer.concat(frames).length.should.equal(chunk.length - (options.mode === 'slip' ? 2 * payloads.length : options.mode === 'delimiter' ? 2 * payloads.length : 0));
    });
  }

  it('delimiter: many frames in 1-byte chunks cost one small join each', function () {
    const codec = createCodec({ mode: 'delimiter', delimiter: Buffer.from('\r\n'), keepDelimiter: false, maxFrame });
    const wire = Buffer.concat(Array.from({ length: 20000 }, (_, i) => codec.encoder.encode(Buffer.from(`v=${i}`))));
    const { result: frames, copied } = copiedBy(() => feed(codec.createDecoder(), wire, 1));
    frames.length.should.equal(20000);
    frames[12345].toString().should.equal('v=12345');
    copied.should.be.belowOrEqual(2 * wire.length);
  });
});
