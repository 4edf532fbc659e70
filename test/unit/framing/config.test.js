'use strict';

require('should');
const { fc, framing, expectFramingError, check } = require('./helpers');

const { parseFramingOptions, createCodec, DEFAULT_MAX_FRAME } = framing;

describe('framing: parseFramingOptions', function () {
  it('defaults to raw with the default limit', function () {
    parseFramingOptions({}).should.eql({ mode: 'raw', maxFrame: DEFAULT_MAX_FRAME });
    parseFramingOptions({ framing: '' }).should.eql({ mode: 'raw', maxFrame: 1048576 });
    parseFramingOptions({ framing: 'slip', maxFrame: '' }).should.eql({ mode: 'slip', maxFrame: 1048576 });
  });

  it('reads delimiter settings, with \\n as the default delimiter', function () {
    parseFramingOptions({ framing: 'delimiter' }).should.eql({ mode: 'delimiter', delimiter: Buffer.from('\n'), keepDelimiter: false, maxFrame: 1048576 });
    parseFramingOptions({ framing: 'delimiter', delimiter: '\\r\\n', keepDelimiter: 'true', maxFrame: '4096' }).should.eql({
      mode: 'delimiter',
      delimiter: Buffer.from('\r\n'),
      keepDelimiter: true,
      maxFrame: 4096,
    });
    parseFramingOptions({ framing: 'delimiter', delimiter: '0x0d, 0x0a', delimiterFormat: 'hex' }).delimiter.should.eql(Buffer.from('\r\n'));
    parseFramingOptions({ framing: 'delimiter', delimiter: ' ' }).delimiter.should.eql(Buffer.from(' '));
  });

  it('reads fixed, length, markers and idle settings from strings or numbers', function () {
    parseFramingOptions({ framing: 'fixed', fixedLength: '12' }).should.eql({ mode: 'fixed', length: 12, maxFrame: 1048576 });
    parseFramingOptions({ framing: 'length', lengthOffset: '4', lengthSize: '2', lengthEndian: 'be', lengthAdjust: '0', lengthStrip: 0 }).should.eql({
      mode: 'length',
      offset: 4,
      size: 2,
      endian: 'be',
      adjust: 0,
      strip: 0,
      maxFrame: 1048576,
    });
    parseFramingOptions({ framing: 'length', lengthSize: 4, lengthEndian: 'le', lengthAdjust: '-4', lengthStrip: '4' }).should.eql({
      mode: 'length',
      offset: 0,
      size: 4,
      endian: 'le',
      adjust: -4,
      strip: 4,
      maxFrame: 1048576,
    });
    parseFramingOptions({ framing: 'markers' }).should.eql({ mode: 'markers', start: Buffer.of(2), end: Buffer.of(3), keepMarkers: false, maxFrame: 1048576 });
    parseFramingOptions({ framing: 'markers', startMarker: '<', endMarker: '>\\r\\n', markerFormat: 'text', keepMarkers: true }).should.eql({
      mode: 'markers',
      start: Buffer.from('<'),
      end: Buffer.from('>\r\n'),
      keepMarkers: true,
      maxFrame: 1048576,
    });
    parseFramingOptions({ framing: 'idle' }).should.eql({ mode: 'idle', idleMs: 20, maxFrame: 1048576 });
    parseFramingOptions({ framing: 'idle', idleGap: '150' }).should.eql({ mode: 'idle', idleMs: 150, maxFrame: 1048576 });
  });

  it('ignores the fields of other modes, however bad', function () {
    parseFramingOptions({ framing: 'slip', delimiter: '', fixedLength: 'x', lengthSize: 3, idleGap: -1 }).mode.should.equal('slip');
  });

  it('names the field to fix', function () {
    const cases = [
      [{ framing: 'lines' }, 'Framing must be one of raw, delimiter, fixed, length, markers, slip, idle (got "lines")'],
      [{ framing: 'length', lengthSize: 3 }, 'Length field size must be 1, 2, 4 or 8 bytes (got 3)'],
      [{ framing: 'length', lengthSize: '3' }, 'Length field size must be 1, 2, 4 or 8 bytes (got 3)'],
      [{ framing: 'length', lengthSize: 'two' }, 'Length field size must be 1, 2, 4 or 8 bytes (got "two")'],
      [{ framing: 'length', lengthOffset: -1 }, 'Length field offset must be a whole number from 0 to 268435456 (got -1)'],
      [{ framing: 'length', lengthOffset: '1.5' }, 'Length field offset must be a whole number (got 1.5)'],
      [{ framing: 'length', lengthEndian: 'big' }, 'Length field byte order must be one of be, le (got "big")'],
      [{ framing: 'length', lengthAdjust: 'abc' }, 'Length adjustment must be a whole number (got "abc")'],
      [{ framing: 'length', lengthStrip: 20, maxFrame: 10 }, 'Bytes to strip (20) is more than Max frame size (10 bytes), so no frame could be received; raise Max frame size'],
      [{ framing: 'length', lengthOffset: 9, lengthSize: 2, maxFrame: 10 }, 'Length field offset plus size (11 bytes) is more than Max frame size (10 bytes), so no frame could be received; raise Max frame size'],
      [{ framing: 'fixed' }, 'Fixed length is empty; enter a whole number'],
      [{ framing: 'fixed', fixedLength: 2000000 }, 'Fixed length (2000000 bytes) is more than Max frame size (1048576 bytes), so no frame could be received; raise Max frame size'],
      [{ framing: 'delimiter', delimiter: '' }, 'Delimiter is empty; enter at least one byte, e.g. \\n'],
      [{ framing: 'delimiter', delimiter: ' ', delimiterFormat: 'hex' }, 'Delimiter is empty; enter at least one byte, e.g. 0a'],
      [{ framing: 'delimiter', delimiter: '0d0', delimiterFormat: 'hex' }, 'Delimiter "0d0" has an odd number of hex digits in "0d0"; write each byte as two digits, e.g. 02 or 0d0a'],
      [{ framing: 'delimiter', delimiter: 'a\\q' }, /^Delimiter has an unknown escape \\q/],
      [{ framing: 'delimiter', delimiterFormat: 'base64' }, 'Delimiter format must be one of text, hex (got "base64")'],
      [{ framing: 'delimiter', keepDelimiter: 'yes' }, 'Keep delimiter must be true or false (got "yes")'],
      [{ framing: 'markers', startMarker: 'zz' }, /^Start marker "zz" is not hex/],
      [{ framing: 'markers', endMarker: '' }, 'End marker is empty; enter at least one byte, e.g. 0a'],
      [{ framing: 'idle', idleGap: 0 }, 'Idle gap must be a whole number from 1 to 2147483647 (got 0)'],
      [{ framing: 'idle', idleGap: 2 ** 31 }, /^Idle gap must be a whole number from 1 to 2147483647/],
      [{ maxFrame: 0 }, 'Max frame size must be a whole number from 1 to 268435456 (got 0)'],
      [{ maxFrame: 300 * 1024 * 1024 }, 'Max frame size must be a whole number from 1 to 268435456 (got 314572800)'],
      [{ maxFrame: 'lots' }, 'Max frame size must be a whole number (got "lots")'],
      [{ maxFrame: true }, 'Max frame size must be a whole number (got true)'],
    ];
    for (const [config, message] of cases) expectFramingError(() => parseFramingOptions(config), message);
  });

  it('createCodec validates options built in code too', function () {
    expectFramingError(() => createCodec({ mode: 'length', offset: 0, size: 3, endian: 'be', adjust: 0, strip: 0, maxFrame: 10 }), 'Length field size must be 1, 2, 4 or 8 bytes (got 3)');
    expectFramingError(() => createCodec({ mode: 'delimiter', delimiter: Buffer.alloc(0), keepDelimiter: false, maxFrame: 10 }), /^Delimiter is empty/);
    expectFramingError(() => createCodec({ mode: 'nope', maxFrame: 10 }), /^Framing must be one of/);
  });

  it('only ever throws FramingError, and what it returns createCodec accepts', function () {
    const value = fc.oneof(
      fc.constantFrom(undefined, null, '', ' ', true, false, 0, -1, 1, 2, 3, 4, 8, 1.5, NaN, Infinity, '2', '0x10', '1e3', 'abc', '\\', '\\x', '0d0a', 2 ** 31, 2 ** 40),
      fc.integer(),
      fc.string({ maxLength: 6 }),
      fc.constant({}),
      fc.constant([]),
      fc.constant(10n),
    );
    const configArb = fc.record(
      {
        framing: fc.constantFrom('raw', 'delimiter', 'fixed', 'length', 'markers', 'slip', 'idle', 'LENGTH', ' idle ', 'bogus', '', undefined),
        delimiter: value,
        delimiterFormat: fc.constantFrom('text', 'hex', 'HEX', '', 'x', undefined),
        keepDelimiter: value,
        fixedLength: value,
        lengthOffset: value,
        lengthSize: value,
        lengthEndian: fc.constantFrom('be', 'le', 'LE', '', 'middle', undefined),
        lengthAdjust: value,
        lengthStrip: value,
        startMarker: value,
        endMarker: value,
        markerFormat: fc.constantFrom('text', 'hex', undefined),
        keepMarkers: value,
        idleGap: value,
        maxFrame: value,
      },
      { requiredKeys: ['framing'] },
    );
    check(
      fc.property(configArb, (config) => {
        let options;
        try {
          options = parseFramingOptions(config);
        } catch (err) {
          err.should.be.instanceOf(framing.FramingError);
          err.message.should.match(/^[A-Z].*\S$/);
          return;
        }
        createCodec(options).createDecoder().pendingBytes.should.equal(0);
      }),
      300,
    );
  });
});
