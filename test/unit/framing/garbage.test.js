'use strict';

require('should');
const { fc, framing, bytesArb, check } = require('./helpers');

const { createCodec, FramingError } = framing;

// Bytes that mean something to some mode: STX, ETX, LF, CR, NUL, SLIP END/ESC/ESC_END/ESC_ESC, 0xff.
const SPECIAL = [0x02, 0x03, 0x0a, 0x0d, 0x00, 0xc0, 0xdb, 0xdc, 0xdd, 0xff];
const sequenceArb = bytesArb(SPECIAL, { minLength: 1, maxLength: 3 });
const maxFrameArb = fc.integer({ min: 1, max: 48 });

const optionsArb = fc.oneof(
  fc.record({ mode: fc.constant('raw'), maxFrame: maxFrameArb }),
  fc.record({ mode: fc.constant('delimiter'), delimiter: sequenceArb, keepDelimiter: fc.boolean(), maxFrame: maxFrameArb }),
  maxFrameArb.chain((maxFrame) => fc.record({ mode: fc.constant('fixed'), length: fc.integer({ min: 1, max: maxFrame }), maxFrame: fc.constant(maxFrame) })),
  fc
    .record({
      offset: fc.integer({ min: 0, max: 4 }),
      size: fc.constantFrom(1, 2, 4, 8),
      endian: fc.constantFrom('be', 'le'),
      adjust: fc.integer({ min: -12, max: 12 }),
      strip: fc.integer({ min: 0, max: 14 }),
      extra: fc.integer({ min: 0, max: 40 }),
    })
    .map(({ extra, ...rest }) => ({ mode: 'length', ...rest, maxFrame: Math.max(rest.offset + rest.size, rest.strip) + extra })),
  fc.record({ mode: fc.constant('markers'), start: sequenceArb, end: sequenceArb, keepMarkers: fc.boolean(), maxFrame: maxFrameArb }),
  fc.record({ mode: fc.constant('slip'), maxFrame: maxFrameArb }),
  fc.record({ mode: fc.constant('idle'), idleMs: fc.integer({ min: 1, max: 100 }), maxFrame: maxFrameArb }),
);

/** The most a decoder may hold: maxFrame plus the bytes that may turn out to be a delimiter or marker. */
function pendingLimit(options) {
  switch (options.mode) {
    case 'delimiter':
      return options.maxFrame + options.delimiter.length - 1;
    case 'markers':
      return options.maxFrame + options.start.length + options.end.length - 1;
    case 'slip':
      return options.maxFrame + 1;
    default:
      return options.maxFrame;
  }
}

/** The longest frame a decoder may return. */
function frameLimit(options) {
  switch (options.mode) {
    case 'delimiter':
      return options.maxFrame + options.delimiter.length;
    case 'markers':
      return options.maxFrame + (options.keepMarkers ? options.start.length + options.end.length : 0);
    case 'fixed':
      return options.length;
    default:
      return options.maxFrame;
  }
}

function checkFrames(frames, options) {
  frames.should.be.an.Array();
  for (const frame of frames) {
    Buffer.isBuffer(frame).should.be.true();
    frame.length.should.be.belowOrEqual(frameLimit(options));
    if (options.mode === 'fixed') frame.length.should.equal(options.length);
  }
}

describe('framing: garbage in', function () {
  it('decoders only ever throw FramingError, and hold no more than maxFrame (+ a delimiter or marker)', function () {
    check(
      fc.property(optionsArb, fc.array(bytesArb(SPECIAL, { maxLength: 60 }), { maxLength: 25 }), fc.boolean(), (options, chunks, resetAfterError) => {
        const decoder = createCodec(options).createDecoder();
        let errors = 0;
        for (const chunk of chunks) {
          try {
            checkFrames(decoder.push(chunk), options);
          } catch (err) {
            if (!(err instanceof FramingError)) throw err;
            err.code.should.equal('ERR_NETCAST_FRAMING');
            checkFrames(err.frames, options);
            errors++;
            if (resetAfterError) decoder.reset();
          }
          decoder.pendingBytes.should.be.belowOrEqual(pendingLimit(options));
        }
        checkFrames(decoder.flush(), options);
        decoder.pendingBytes.should.equal(0);
        if (options.mode === 'raw' || options.mode === 'idle' || options.mode === 'fixed') errors.should.equal(0);
      }),
      400,
    );
  });

  it('a decoder that failed decodes good data after reset as a new one does', function () {
    check(
      fc.property(optionsArb, bytesArb(SPECIAL, { maxLength: 80 }), bytesArb(SPECIAL, { maxLength: 40 }), (options, garbage, good) => {
        const codec = createCodec(options);
        const used = codec.createDecoder();
        try {
          used.push(garbage);
        } catch (err) {
          if (!(err instanceof FramingError)) throw err;
        }
        used.reset();
        const fresh = codec.createDecoder();
        const outcome = (decoder) => {
          try {
            return { frames: [...decoder.push(good), ...decoder.flush()].map((f) => f.toString('hex')) };
          } catch (err) {
            return { error: err.message };
          }
        };
        outcome(used).should.eql(outcome(fresh));
      }),
    );
  });

  it('encoders only ever throw FramingError', function () {
    check(
      fc.property(optionsArb, bytesArb(SPECIAL, { maxLength: 60 }), (options, payload) => {
        try {
          Buffer.isBuffer(createCodec(options).encoder.encode(payload)).should.be.true();
        } catch (err) {
          if (!(err instanceof FramingError)) throw err;
        }
      }),
      300,
    );
  });
});
