'use strict';
// Fuzz of every framing decoder (dist/framing, as shipped): a seeded stream of random and
// adversarial bytes, cut at random points, for a fixed budget of pushes per configuration. No
// exception but FramingError, no push slower than a bound (no hang), no frame over maxFrame and
// never more held than maxFrame plus one marker/delimiter (memory bounded by maxFrame).
const path = require('path');
const { runPart } = require('./lib/harness');
const { createCodec, FramingError } = require(path.join(__dirname, '..', '..', 'dist', 'framing'));

const SEED = Number(process.env.RELIABILITY_FUZZ_SEED || 0x5eed);
const PUSHES = Number(process.env.RELIABILITY_FUZZ_PUSHES || 40000);
const SLOW_PUSH_MS = 250;

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CONFIGS = [
  { mode: 'raw', maxFrame: 512 },
  { mode: 'delimiter', delimiter: Buffer.from('\n'), keepDelimiter: false, maxFrame: 256 },
  { mode: 'delimiter', delimiter: Buffer.from('\r\n\r\n'), keepDelimiter: true, maxFrame: 300 },
  { mode: 'fixed', length: 7, maxFrame: 64 },
  { mode: 'length', offset: 0, size: 2, endian: 'be', adjust: 0, strip: 2, maxFrame: 1024 },
  { mode: 'length', offset: 6, size: 2, endian: 'be', adjust: 0, strip: 0, maxFrame: 260 }, // Modbus/TCP
  { mode: 'length', offset: 1, size: 8, endian: 'le', adjust: -3, strip: 1, maxFrame: 4096 },
  { mode: 'length', offset: 0, size: 4, endian: 'le', adjust: 4, strip: 0, maxFrame: 128 },
  { mode: 'markers', start: Buffer.of(0x02), end: Buffer.of(0x03), keepMarkers: false, maxFrame: 200 },
  { mode: 'markers', start: Buffer.from('<<'), end: Buffer.from('>>'), keepMarkers: true, maxFrame: 100 },
  { mode: 'slip', maxFrame: 256 },
  { mode: 'idle', idleMs: 20, maxFrame: 333 },
];

/** Bytes that stress the mode: its own markers, escapes and length fields, mixed with noise. */
function chunkFor(config, random) {
  const size = Math.floor(random() ** 3 * 3000);
  const chunk = Buffer.alloc(size);
  const special = [];
  if (config.delimiter) special.push(config.delimiter, config.delimiter.subarray(0, Math.max(1, config.delimiter.length - 1)));
  if (config.start) special.push(config.start, config.end, config.end.subarray(0, 1));
  if (config.mode === 'slip') special.push(Buffer.of(0xc0), Buffer.of(0xdb), Buffer.of(0xdb, 0xdc), Buffer.of(0xdb, 0xdd), Buffer.of(0xdb, 0x00));
  if (config.mode === 'length') special.push(Buffer.alloc(8, 0xff), Buffer.alloc(8, 0), Buffer.of(0, 5), Buffer.of(0x7f, 0xff, 0xff, 0xff));
  const style = random();
  for (let i = 0; i < size; ) {
    if (special.length > 0 && random() < (style < 0.5 ? 0.05 : 0.3)) {
      const piece = special[Math.floor(random() * special.length)];
      piece.copy(chunk, i);
      i += piece.length;
    } else {
      chunk[i] = style < 0.2 ? 0x78 : Math.floor(random() * 256);
      i += 1;
    }
  }
  return chunk;
}

function fuzz(config, index, result) {
  const random = mulberry32(SEED + index * 7919);
  const codec = createCodec(config);
  const decoder = codec.createDecoder();
  const slack = Math.max(config.delimiter ? config.delimiter.length : 0, config.end ? config.end.length + config.start.length : 0, config.mode === 'length' ? 3000 : 0);
  const frameLimit = config.maxFrame + (config.keepDelimiter ? config.delimiter.length : 0) + (config.keepMarkers ? config.start.length + config.end.length : 0);
  let frames = 0;
  let framingErrors = 0;
  let worstMs = 0;
  let maxPending = 0;
  const problems = [];
  const started = Date.now();
  for (let i = 0; i < PUSHES && problems.length < 3; i += 1) {
    const chunk = chunkFor(config, random);
    const t0 = process.hrtime.bigint();
    let out = [];
    try {
      out = random() < 0.02 ? decoder.flush() : decoder.push(chunk);
    } catch (err) {
      if (err instanceof FramingError) {
        framingErrors += 1;
        out = err.frames;
        decoder.reset();
      } else {
        problems.push(`push ${i}: ${err && err.stack}`);
      }
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    worstMs = Math.max(worstMs, ms);
    if (ms > SLOW_PUSH_MS) problems.push(`push ${i} of ${chunk.length} bytes took ${ms.toFixed(0)} ms`);
    frames += out.length;
    for (const frame of out) if (frame.length > frameLimit) problems.push(`push ${i}: a ${frame.length}-byte frame over maxFrame ${config.maxFrame}`);
    maxPending = Math.max(maxPending, decoder.pendingBytes);
    // the length decoder holds the rest of the chunk it was given until the next header is read
    if (decoder.pendingBytes > config.maxFrame + slack) problems.push(`push ${i}: holds ${decoder.pendingBytes} bytes, over maxFrame ${config.maxFrame}`);
  }
  result.add('fuzzIterations', PUSHES);
  const label = `${config.mode} ${JSON.stringify(config, (k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('hex') : v))}`;
  result.check(`fuzz ${label}: only FramingError, bounded, no hang`, problems.length === 0, problems.length ? problems.join('; ').slice(0, 600) : `${PUSHES} pushes in ${Date.now() - started} ms, ${frames} frames, ${framingErrors} framing errors, max held ${maxPending} bytes, slowest push ${worstMs.toFixed(1)} ms`);
}

runPart('fuzz', async (result) => {
  console.log(`seed ${SEED}, ${PUSHES} pushes per configuration`);
  CONFIGS.forEach((config, index) => fuzz(config, index, result));
  result.rss(process.memoryUsage().rss / 1024);
});
