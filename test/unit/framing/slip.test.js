'use strict';

require('should');
const { fc, framing, decodeAll, hex, cut, everySplit, cutsArb, bytesArb, expectFramingError, check } = require('./helpers');

const { createCodec } = framing;
const slip = (maxFrame = 1024) => createCodec({ mode: 'slip', maxFrame });
const bytes = (text) => Buffer.from(text.replace(/ /g, ''), 'hex');

describe('framing: SLIP (RFC 1055)', function () {
  it('encodes END and ESC inside the payload', function () {
    slip().encoder.encode(bytes('01 c0 02 db 03')).toString('hex').should.equal('c001dbdc02dbdd03c0');
    slip().encoder.encode(bytes('0102')).toString('hex').should.equal('c00102c0');
    slip().encoder.encode(Buffer.alloc(0)).toString('hex').should.equal('c0c0');
  });

  it('decodes escapes split across chunks at every point', function () {
    const wire = bytes('c0 01 db dc 02 db dd c0 c0 db dd db dc c0 41 c0');
    for (const chunks of everySplit(wire)) {
      hex(decodeAll(slip().createDecoder(), chunks)).should.eql(['01c002db', 'dbc0', '41']);
    }
  });

  it('ignores empty frames (END END) and a missing leading END', function () {
    hex(slip().createDecoder().push(bytes('c0 c0 c0 0a c0 c0 0b c0'))).should.eql(['0a', '0b']);
  });

  it('returns views of the chunk for frames without escapes', function () {
    const chunk = bytes('c0 0102 c0 0304 c0');
    slip()
      .createDecoder()
      .push(chunk)
      .forEach((frame) => frame.buffer.should.equal(chunk.buffer));
  });

  it('fails on an invalid escape and recovers after reset', function () {
    const decoder = slip().createDecoder();
    const err = expectFramingError(
      () => decoder.push(bytes('c0 01 c0 02 db 41 c0')),
      'invalid SLIP escape: 0xdb followed by 0x41, where only 0xdc or 0xdd may follow; check that the peer sends SLIP (RFC 1055)',
    );
    hex(err.frames).should.eql(['01']);
    decoder.reset();
    hex(decoder.push(bytes('05 c0'))).should.eql(['05']);
  });

  it('fails on ESC END and on an escape split across chunks', function () {
    expectFramingError(() => slip().createDecoder().push(bytes('01 db c0')), /0xdb followed by 0xc0/);
    const decoder = slip().createDecoder();
    decoder.push(bytes('01 db')).should.eql([]);
    decoder.pendingBytes.should.equal(2);
    expectFramingError(() => decoder.push(bytes('db')), /0xdb followed by 0xdb/);
  });

  it('applies maxFrame to the decoded frame', function () {
    // 4 decoded bytes take 8 on the wire.
    hex(slip(4).createDecoder().push(bytes('db dc db dc db dd db dd c0'))).should.eql(['c0c0dbdb']);
    expectFramingError(() => slip(4).createDecoder().push(bytes('0102030405 c0')), 'frame is longer than the 4-byte limit (maxFrame); raise Max frame size or check that the peer sends SLIP');
    const decoder = slip(4).createDecoder();
    decoder.push(bytes('01020304')).should.eql([]);
    expectFramingError(() => decoder.push(bytes('05')), /4-byte limit/);
  });

  it('discards a frame without its END on flush', function () {
    const decoder = slip().createDecoder();
    decoder.push(bytes('c0 01 02 db')).should.eql([]);
    decoder.flush().should.eql([]);
    decoder.pendingBytes.should.equal(0);
    hex(decoder.push(bytes('dd c0'))).should.eql(['dd']);
  });

  describe('properties', function () {
    it('decode(cut(encode(payloads))) gives the non-empty payloads back', function () {
      check(
        fc.property(fc.array(bytesArb([0xc0, 0xdb, 0xdc, 0xdd]), { maxLength: 12 }), cutsArb, (payloads, cuts) => {
          const { encoder, createDecoder } = slip(64);
          const decoder = createDecoder();
          const frames = decodeAll(decoder, cut(Buffer.concat(payloads.map((p) => encoder.encode(p))), cuts));
          hex(frames).should.eql(hex(payloads.filter((p) => p.length > 0)));
          decoder.pendingBytes.should.equal(0);
        }),
      );
    });
  });
});
