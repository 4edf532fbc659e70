'use strict';

// Shared by the framing tests (not itself a test file: mocha only loads *.test.js).
const fc = require('fast-check');
const framing = require('../../../dist/framing');

const { FramingError } = framing;

/** Pushes every chunk, then flushes when asked, and returns all frames as hex strings for readable diffs. */
function decodeAll(decoder, chunks, flush = false) {
  const frames = [];
  for (const chunk of chunks) frames.push(...decoder.push(chunk));
  if (flush) frames.push(...decoder.flush());
  return frames;
}

function hex(buffers) {
  return buffers.map((b) => b.toString('hex'));
}

/** Splits `data` at the given positions (taken modulo length + 1, so duplicates give empty chunks). */
function cut(data, positions) {
  if (positions === 'bytes') return Array.from(data, (byte) => Buffer.of(byte));
  const points = positions.map((p) => p % (data.length + 1)).sort((a, b) => a - b);
  const chunks = [];
  let from = 0;
  for (const point of points) {
    chunks.push(data.subarray(from, point));
    from = point;
  }
  chunks.push(data.subarray(from));
  return chunks;
}

/** Every way to cut `data` in two, plus one byte at a time. */
function everySplit(data) {
  const ways = [cut(data, 'bytes')];
  for (let i = 0; i <= data.length; i++) ways.push([data.subarray(0, i), data.subarray(i)]);
  return ways;
}

const cutsArb = fc.oneof(
  { weight: 4, arbitrary: fc.array(fc.nat(), { maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constant('bytes') },
);

/** Bytes drawn mostly from `special`, so that payloads often almost contain a delimiter or marker. */
function bytesArb(special, { minLength = 0, maxLength = 40 } = {}) {
  const byte = special.length === 0 ? fc.integer({ min: 0, max: 255 }) : fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(...special));
  return fc.array(byte, { minLength, maxLength }).map((bytes) => Buffer.from(bytes));
}

/** Removes bytes until `sequence` first occurs in payload + sequence at the very end. */
function withoutSequence(payload, sequence) {
  let bytes = Buffer.from(payload);
  for (;;) {
    const at = Buffer.concat([bytes, sequence]).indexOf(sequence);
    if (at === bytes.length) return bytes;
    bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
  }
}

function expectFramingError(fn, pattern) {
  let thrown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  if (thrown === undefined) throw new Error('expected a FramingError, nothing was thrown');
  if (!(thrown instanceof FramingError)) throw thrown;
  thrown.code.should.equal('ERR_NETCAST_FRAMING');
  thrown.name.should.equal('FramingError');
  if (pattern instanceof RegExp) thrown.message.should.match(pattern);
  else if (pattern !== undefined) thrown.message.should.equal(pattern);
  return thrown;
}

/** Few runs keep the suite fast; FRAMING_RUNS=5000 searches harder (and FRAMING_SEED replays a failure). */
function check(property, runs = 150) {
  const seed = process.env.FRAMING_SEED === undefined ? undefined : Number(process.env.FRAMING_SEED);
  fc.assert(property, { numRuns: Number(process.env.FRAMING_RUNS) || runs, seed });
}

module.exports = { fc, framing, FramingError, decodeAll, hex, cut, everySplit, cutsArb, bytesArb, withoutSequence, expectFramingError, check };
