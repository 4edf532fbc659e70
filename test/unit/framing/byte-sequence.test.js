'use strict';

require('should');
const { fc, framing, expectFramingError, check } = require('./helpers');

const { parseByteSequence } = framing;
const text = (s) => parseByteSequence(s, 'text').toString('hex');
const hexOf = (s) => parseByteSequence(s, 'hex').toString('hex');

// Characters that matter to one of the parsers, plus a lone surrogate and a non-ASCII letter.
const inputChar = fc.constantFrom('\\', 'x', 'X', 'u', 'n', 'r', 't', '0', '9', 'a', 'f', 'F', 'g', ' ', ',', ':', '-', '\u00e9', '\uD83D');

describe('framing: parseByteSequence', function () {
  it('reads text escapes', function () {
    text('\\r\\n').should.equal('0d0a');
    text('\\t|\\0|\\\\').should.equal('097c007c5c');
    text('\\x02\\xFF').should.equal('02ff');
    text('\\u00e9').should.equal('c3a9');
    text('\\uD83D\\uDE00').should.equal('f09f9880');
    text('END').should.equal('454e44');
    text('\n').should.equal('0a');
    text('').should.equal('');
  });

  it('keeps \\xHH a raw byte, not the UTF-8 encoding of U+00HH', function () {
    text('a\\xe9b').should.equal('61e962');
  });

  it('names a bad escape', function () {
    expectFramingError(() => text('a\\q'), 'Byte sequence has an unknown escape \\q; use \\n, \\r, \\t, \\0, \\\\, \\xHH or \\uHHHH');
    expectFramingError(() => text('abc\\'), 'Byte sequence ends with a lone backslash; write \\\\ for a backslash');
    expectFramingError(() => text('\\x4'), /^Byte sequence has \\x4, which needs exactly 2 hex digits/);
    expectFramingError(() => text('\\u12G4'), /^Byte sequence has \\u12G4, which needs exactly 4 hex digits/);
  });

  it('reads hex in the usual spellings', function () {
    for (const spelling of ['0d0a', '0D 0A', '0x0d,0x0a', '0d:0a', ' 0X0D, 0X0A ', '0d-0a', '0x0d0a']) hexOf(spelling).should.equal('0d0a');
    hexOf('').should.equal('');
  });

  it('names bad hex', function () {
    expectFramingError(() => hexOf('0d0'), 'Byte sequence "0d0" has an odd number of hex digits in "0d0"; write each byte as two digits, e.g. 02 or 0d0a');
    expectFramingError(() => hexOf('0x2'), /odd number of hex digits in "0x2"/);
    expectFramingError(() => hexOf('zz'), 'Byte sequence "zz" is not hex: "zz" is not a hex number; write bytes like 0d 0a or 0x02');
    expectFramingError(() => hexOf('0x'), /is not hex/);
    expectFramingError(() => parseByteSequence('0a', 'binary'), 'Byte sequence format must be text or hex (got "binary")');
  });

  it('round-trips any bytes through \\xHH text and through hex', function () {
    check(
      fc.property(fc.uint8Array({ maxLength: 20 }), fc.constantFrom(' ', ',', ':', ''), (bytes, separator) => {
        const buffer = Buffer.from(bytes);
        const escaped = Array.from(buffer, (b) => '\\x' + b.toString(16).padStart(2, '0')).join('');
        parseByteSequence(escaped, 'text').equals(buffer).should.be.true();
        const spelled = Array.from(buffer, (b) => '0x' + b.toString(16).padStart(2, '0')).join(separator || ',');
        parseByteSequence(spelled, 'hex').equals(buffer).should.be.true();
      }),
    );
  });

  it('only ever throws FramingError on any input', function () {
    check(
      fc.property(fc.string({ unit: inputChar, maxLength: 20 }), fc.constantFrom('text', 'hex'), (input, format) => {
        try {
          parseByteSequence(input, format).should.be.instanceOf(Buffer);
        } catch (err) {
          err.should.be.instanceOf(framing.FramingError);
        }
      }),
    );
  });
});
