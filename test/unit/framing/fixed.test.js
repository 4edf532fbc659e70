'use strict';

require('should');
const { fc, framing, decodeAll, hex, cut, everySplit, cutsArb, bytesArb, expectFramingError, check } = require('./helpers');

const { createCodec } = framing;
const fixed = (length, maxFrame = 1024) => createCodec({ mode: 'fixed', length, maxFrame });

describe('framing: fixed length', function () {
  it('cuts records of N bytes however the stream arrives', function () {
    const data = Buffer.from('AAAABBBBCCCCDD');
    for (const chunks of everySplit(data)) {
      decodeAll(fixed(4).createDecoder(), chunks).map(String).should.eql(['AAAA', 'BBBB', 'CCCC']);
    }
  });

  it('returns views of the chunk and holds the remainder', function () {
    const chunk = Buffer.from('123456789');
    const decoder = fixed(3).createDecoder();
    const frames = decoder.push(chunk.subarray(0, 7));
    frames.length.should.equal(2);
    frames.forEach((frame) => frame.buffer.should.equal(chunk.buffer));
    decoder.pendingBytes.should.equal(1);
    decoder.push(chunk.subarray(7)).map(String).should.eql(['789']);
  });

  it('discards a partial record on flush', function () {
    const decoder = fixed(4).createDecoder();
    decoder.push(Buffer.from('abcdef')).map(String).should.eql(['abcd']);
    decoder.flush().should.eql([]);
    decoder.pendingBytes.should.equal(0);
    decoder.push(Buffer.from('wxyz')).map(String).should.eql(['wxyz']);
  });

  it('encoder passes payloads of N bytes and names both lengths otherwise', function () {
    fixed(2).encoder.encode(Buffer.from('ab')).toString().should.equal('ab');
    expectFramingError(() => fixed(8).encoder.encode(Buffer.from('abcde')), 'payload is 5 bytes but Fixed length is 8 bytes; pad or trim the payload, or change Fixed length');
  });

  it('refuses a length beyond maxFrame', function () {
    expectFramingError(() => fixed(20, 10), 'Fixed length (20 bytes) is more than Max frame size (10 bytes), so no frame could be received; raise Max frame size');
    expectFramingError(() => fixed(0), 'Fixed length must be a whole number from 1 to 268435456 (got 0)');
  });

  it('decode(cut(encode(records))) gives the records back', function () {
    check(
      fc.property(
        fc.integer({ min: 1, max: 9 }).chain((n) => fc.tuple(fc.constant(n), fc.array(bytesArb([], { minLength: n, maxLength: n }), { maxLength: 12 }), cutsArb)),
        ([n, records, cuts]) => {
          const { encoder, createDecoder } = fixed(n);
          const decoder = createDecoder();
          hex(decodeAll(decoder, cut(Buffer.concat(records.map((r) => encoder.encode(r))), cuts))).should.eql(hex(records));
          decoder.pendingBytes.should.equal(0);
        },
      ),
    );
  });
});
