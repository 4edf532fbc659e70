'use strict';

require('should');
const { fc, framing, decodeAll, hex, cut, everySplit, cutsArb, bytesArb, expectFramingError, check } = require('./helpers');

const { createCodec } = framing;

function lengthCodec(overrides) {
  return createCodec({ mode: 'length', offset: 0, size: 2, endian: 'be', adjust: 0, strip: 0, maxFrame: 1024, ...overrides });
}

// Modbus/TCP ADUs: MBAP header (transaction, protocol 0, length of unit id + PDU, unit id) + PDU.
const MODBUS = {
  readHoldingRequest: '0001 0000 0006 01 03 0000 000a',
  readHoldingResponse: '0001 0000 0017 01 03 14 0001 0002 0003 0004 0005 0006 0007 0008 0009 000a',
  writeCoilRequest: '0002 0000 0006 11 05 00ac ff00',
  exceptionResponse: '0003 0000 0003 01 83 02',
  writeMultipleRegisters: '0004 0000 000b 01 10 0001 0002 04 000a 0102',
};
const mbap = (text) => Buffer.from(text.replace(/ /g, ''), 'hex');
const modbus = () => lengthCodec({ offset: 4, size: 2, endian: 'be', adjust: 0, strip: 0, maxFrame: 260 });

describe('framing: length field', function () {
  describe('Modbus/TCP (offset 4, size 2, big endian, adjust 0, strip 0)', function () {
    const frames = Object.values(MODBUS).map(mbap);
    const stream = Buffer.concat(frames);

    it('splits real ADUs however the stream is cut', function () {
      for (const chunks of everySplit(stream)) {
        hex(decodeAll(modbus().createDecoder(), chunks)).should.eql(hex(frames));
      }
    });

    it('returns views of the chunk for ADUs inside it', function () {
      modbus()
        .createDecoder()
        .push(stream)
        .forEach((frame) => frame.buffer.should.equal(stream.buffer));
    });

    it('encoder fills in the MBAP length of an ADU', function () {
      const adu = mbap(MODBUS.readHoldingResponse);
      const blank = Buffer.from(adu);
      blank.writeUInt16BE(0, 4);
      hex([modbus().encoder.encode(blank)]).should.eql(hex([adu]));
      blank.readUInt16BE(4).should.equal(0); // the caller's buffer is not written to
    });

    it('with strip 6 the decoder gives unit id + PDU and the encoder adds the header', function () {
      const codec = lengthCodec({ offset: 4, size: 2, strip: 6 });
      const pdu = Buffer.from('01030000000a', 'hex');
      const wire = codec.encoder.encode(pdu);
      wire.toString('hex').should.equal('000000000006' + '01030000000a');
      hex(codec.createDecoder().push(wire)).should.eql(hex([pdu]));
    });

    it('rejects an MBAP length beyond the limit before waiting for the bytes', function () {
      const decoder = modbus().createDecoder();
      expectFramingError(
        () => decoder.push(mbap('0001 0000 ffff 01')),
        'length field gives a 65541-byte frame, longer than the 260-byte limit (maxFrame); raise Max frame size or check Length field offset, Length field size, byte order and Length adjustment',
      );
      decoder.pendingBytes.should.equal(0);
      hex(decoder.push(mbap(MODBUS.exceptionResponse))).should.eql(hex([mbap(MODBUS.exceptionResponse)]));
    });
  });

  it('reads little-endian fields of every size at an offset', function () {
    for (const size of [1, 2, 4, 8]) {
      const codec = lengthCodec({ offset: 1, size, endian: 'le', strip: 1 + size });
      const frame = Buffer.concat([Buffer.of(0xaa), Buffer.alloc(size), Buffer.from('hello')]);
      frame.writeUIntLE(5, 1, Math.min(size, 6));
      hex(codec.createDecoder().push(frame)).should.eql(hex([Buffer.from('hello')]));
      hex([codec.encoder.encode(Buffer.from('hello'))]).should.eql(hex([Buffer.concat([Buffer.of(0), frame.subarray(1)])]));
    }
  });

  it('writes and reads 8-byte fields with a high word in both byte orders', function () {
    for (const endian of ['be', 'le']) {
      const codec = lengthCodec({ size: 8, endian, adjust: -(2 ** 40), strip: 8 });
      const wire = codec.encoder.encode(Buffer.from('xyz'));
      const expected = BigInt(2 ** 40 + 3);
      (endian === 'be' ? wire.readBigUInt64BE(0) : wire.readBigUInt64LE(0)).should.equal(expected);
      hex(codec.createDecoder().push(wire)).should.eql(hex([Buffer.from('xyz')]));
    }
  });

  it('accepts a frame of exactly maxFrame bytes, header included, and rejects one more', function () {
    hex(lengthCodec({ size: 1, maxFrame: 4 }).createDecoder().push(Buffer.of(3, 1, 2, 3))).should.eql(['03010203']);
    expectFramingError(() => lengthCodec({ size: 1, maxFrame: 4 }).createDecoder().push(Buffer.of(4)), /5-byte frame, longer than the 4-byte limit/);
  });

  it('rejects an 8-byte value beyond Number.MAX_SAFE_INTEGER', function () {
    const field = Buffer.alloc(8);
    field.writeBigUInt64BE(2n ** 53n);
    expectFramingError(() => lengthCodec({ size: 8 }).createDecoder().push(field), /^length field holds 9007199254740992, more than any frame can be; check/);
    field.writeBigUInt64LE(2n ** 64n - 1n);
    expectFramingError(() => lengthCodec({ size: 8, endian: 'le' }).createDecoder().push(field), /holds 18446744073709551615/);
  });

  it('with a field that counts the whole frame (adjust = -(offset + size))', function () {
    const codec = lengthCodec({ offset: 0, size: 4, adjust: -4, strip: 4 });
    const wire = codec.encoder.encode(Buffer.from('abc'));
    wire.readUInt32BE(0).should.equal(7);
    hex(codec.createDecoder().push(wire)).should.eql(hex([Buffer.from('abc')]));
  });

  it('rejects a frame shorter than its own header', function () {
    expectFramingError(
      () => lengthCodec({ size: 2, adjust: -4 }).createDecoder().push(Buffer.from('0001', 'hex')),
      /^length field gives a -1-byte frame, shorter than the 2 bytes up to the end of the field; check Length field offset/,
    );
  });

  it('rejects a frame shorter than the bytes to strip', function () {
    expectFramingError(
      () => lengthCodec({ size: 1, strip: 4 }).createDecoder().push(Buffer.of(1, 0)),
      /^length field gives a 2-byte frame, shorter than the 4 Bytes to strip; lower Bytes to strip/,
    );
    expectFramingError(() => lengthCodec({ size: 1, strip: 4 }).createDecoder().push(Buffer.of(2, 0, 0)), /3-byte frame, shorter than the 4 Bytes/);
    hex(lengthCodec({ size: 1, strip: 4 }).createDecoder().push(Buffer.of(3, 0, 0, 0))).should.eql(['']);
  });

  it('hands over the frames before a bad header', function () {
    const err = expectFramingError(() => lengthCodec({ size: 1, maxFrame: 4 }).createDecoder().push(Buffer.of(1, 0x61, 0, 9, 1)), /10-byte frame/);
    hex(err.frames).should.eql(['0161', '00']);
  });

  it('discards a partial frame on flush', function () {
    const decoder = lengthCodec({ size: 1 }).createDecoder();
    decoder.push(Buffer.of(5, 1, 2)).should.eql([]);
    decoder.pendingBytes.should.equal(3);
    decoder.flush().should.eql([]);
    decoder.pendingBytes.should.equal(0);
    hex(decoder.push(Buffer.of(1, 7))).should.eql(['0107']);
  });

  it('encoder errors name the problem', function () {
    expectFramingError(
      () => modbus().encoder.encode(Buffer.of(0, 1, 0)),
      'payload is 3 bytes, too short to hold the length field, which ends at byte 6 of the frame; send the whole header or raise Bytes to strip',
    );
    expectFramingError(() => lengthCodec({ size: 1, strip: 1, adjust: 3 }).encoder.encode(Buffer.of(1)), /too short for Length adjustment 3 \(the length field would be -2\)/);
    expectFramingError(() => lengthCodec({ size: 1, strip: 1 }).encoder.encode(Buffer.alloc(256)), /too long for a 1-byte length field \(256 > 255\)/);
    lengthCodec({ size: 1, strip: 1 }).encoder.encode(Buffer.alloc(255)).length.should.equal(256);
  });

  describe('properties', function () {
    const optionsArb = fc
      .record({
        offset: fc.integer({ min: 0, max: 5 }),
        size: fc.constantFrom(1, 2, 4, 8),
        endian: fc.constantFrom('be', 'le'),
        adjustDelta: fc.integer({ min: -3, max: 3 }),
        stripKind: fc.constantFrom('header', 'none', 'some'),
        stripSome: fc.nat(),
      })
      .map(({ offset, size, endian, adjustDelta, stripKind, stripSome }) => {
        const header = offset + size;
        const strip = stripKind === 'header' ? header : stripKind === 'none' ? 0 : stripSome % (header + 3);
        // Half the time the field counts the header too, as many protocols do.
        const adjust = adjustDelta < 0 ? -header + adjustDelta + 3 : adjustDelta;
        return { mode: 'length', offset, size, endian, adjust, strip, maxFrame: 128 };
      });

    it('decode(cut(encode(payloads))) gives the frames back, minus the stripped bytes', function () {
      check(
        fc.property(
          optionsArb.chain((options) => {
            const minimum = Math.max(0, options.offset + options.size - options.strip, options.offset + options.size + options.adjust - options.strip);
            return fc.tuple(fc.constant(options), fc.array(bytesArb([], { minLength: minimum, maxLength: minimum + 40 }), { maxLength: 10 }), cutsArb);
          }),
          ([options, payloads, cuts]) => {
            const { encoder, createDecoder } = createCodec(options);
            const encoded = payloads.map((p) => encoder.encode(p));
            const decoder = createDecoder();
            const frames = decodeAll(decoder, cut(Buffer.concat(encoded), cuts));
            hex(frames).should.eql(hex(encoded.map((e) => e.subarray(options.strip))));
            if (options.strip >= options.offset + options.size) hex(frames).should.eql(hex(payloads));
            if (options.strip === 0) hex(frames).should.eql(hex(encoded));
            decoder.pendingBytes.should.equal(0);
          },
        ),
      );
    });
  });
});
