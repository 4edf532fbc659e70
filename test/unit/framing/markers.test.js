'use strict';

require('should');
const { fc, framing, decodeAll, hex, cut, everySplit, cutsArb, bytesArb, withoutSequence, expectFramingError, check } = require('./helpers');

const { createCodec } = framing;

const STX = Buffer.of(0x02);
const ETX = Buffer.of(0x03);

function markers(start, end, keepMarkers = false, maxFrame = 1024) {
  return createCodec({ mode: 'markers', start: Buffer.from(start, 'latin1'), end: Buffer.from(end, 'latin1'), keepMarkers, maxFrame });
}

function strings(frames) {
  return frames.map((f) => f.toString('latin1'));
}

describe('framing: start/end markers', function () {
  it('extracts STX/ETX frames and drops the noise between them', function () {
    const data = Buffer.from('noise\x02T=21.5\x03\r\n\x02H=40\x03junk\x02');
    for (const chunks of everySplit(data)) {
      strings(decodeAll(markers('\x02', '\x03').createDecoder(), chunks)).should.eql(['T=21.5', 'H=40']);
    }
  });

  it('keeps the markers when asked, wherever the chunks are cut', function () {
    const data = Buffer.from('xx<<a>>y<<>><<b<<c>>');
    for (const chunks of everySplit(data)) {
      strings(decodeAll(markers('<<', '>>', true).createDecoder(), chunks)).should.eql(['<<a>>', '<<>>', '<<b<<c>>']);
      strings(decodeAll(markers('<<', '>>', false).createDecoder(), chunks)).should.eql(['a', '', 'b<<c']);
    }
  });

  it('treats a start marker inside a frame as data', function () {
    strings(markers('\x02', '\x03').createDecoder().push(Buffer.from('\x02a\x02b\x03'))).should.eql(['a\x02b']);
  });

  it('works with equal start and end markers (HDLC-style flags)', function () {
    strings(markers('~', '~').createDecoder().push(Buffer.from('~ab~~cd~'))).should.eql(['ab', 'cd']);
  });

  it('does not let the start marker complete an end marker', function () {
    // "ab" + "bc": the end marker "bc" must not be found across the start marker.
    for (const keep of [false, true]) {
      const decoder = markers('ab', 'bc', keep).createDecoder();
      decoder.push(Buffer.from('ab')).should.eql([]);
      strings(decoder.push(Buffer.from('cxbc'))).should.eql([keep ? 'abcxbc' : 'cx']);
    }
  });

  it('returns views of the chunk when a frame lies inside it', function () {
    const chunk = Buffer.from('\x02abc\x03\x02de\x03');
    for (const keep of [false, true]) {
      markers('\x02', '\x03', keep)
        .createDecoder()
        .push(chunk)
        .forEach((frame) => frame.buffer.should.equal(chunk.buffer));
    }
  });

  it('discards a partial frame on flush, and only holds a possible start-marker prefix between frames', function () {
    const decoder = markers('<<', '>>').createDecoder();
    decoder.push(Buffer.from('garbage<')).should.eql([]);
    decoder.pendingBytes.should.equal(1);
    decoder.push(Buffer.from('<abc')).should.eql([]);
    decoder.pendingBytes.should.equal(3);
    decoder.flush().should.eql([]);
    decoder.pendingBytes.should.equal(0);
  });

  it('fails when a frame outgrows maxFrame, then recovers after reset', function () {
    const decoder = markers('\x02', '\x03', false, 4).createDecoder();
    strings(decoder.push(Buffer.from('\x02abcd\x03\x02abcd'))).should.eql(['abcd']);
    expectFramingError(
      () => decoder.push(Buffer.from('e')),
      'frame is longer than the 4-byte limit (maxFrame); raise Max frame size or check the end marker setting',
    );
    decoder.reset();
    strings(decoder.push(Buffer.from('\x02ok\x03'))).should.eql(['ok']);
  });

  it('applies maxFrame to the content, markers excluded, also with keepMarkers', function () {
    for (const keep of [false, true]) {
      strings(markers('<<', '>>', keep, 4).createDecoder().push(Buffer.from('<<abcd>>'))).should.eql([keep ? '<<abcd>>' : 'abcd']);
      expectFramingError(() => markers('<<', '>>', keep, 4).createDecoder().push(Buffer.from('<<abcde>>')), /4-byte limit/);
      const decoder = markers('<<', '>>', keep, 4).createDecoder();
      decoder.push(Buffer.from('<<ab')).should.eql([]);
      expectFramingError(() => decoder.push(Buffer.from('cde>>')), /4-byte limit/);
    }
  });

  it('fails on a too-long frame whose end marker straddles chunks', function () {
    const decoder = markers('S', 'XYZ', false, 3).createDecoder();
    decoder.push(Buffer.from('SabcdX')).should.eql([]);
    const err = expectFramingError(() => decoder.push(Buffer.from('YZ')), /3-byte limit/);
    err.frames.should.eql([]);
  });

  it('encoder wraps the payload and refuses one that contains the end marker', function () {
    const codec = markers('\x02', '\x03');
    hex([codec.encoder.encode(Buffer.from('hi'))]).should.eql(['026869' + '03']);
    expectFramingError(
      () => codec.encoder.encode(Buffer.from('a\x03b')),
      'payload contains the end marker (03), so the receiver would end the frame early; remove or escape it, or use SLIP or length framing',
    );
    expectFramingError(() => markers('<', '>>').encoder.encode(Buffer.from('a>')), /^payload ends with the first bytes of the end marker \(3e3e\)/);
  });

  describe('properties', function () {
    const alphabet = [0x02, 0x03, 0x10, 0x61];
    const markerArb = bytesArb(alphabet, { minLength: 1, maxLength: 3 });

    it('decode(cut(noise + encode(payload) ...)) gives the payloads back', function () {
      check(
        fc.property(
          markerArb,
          markerArb,
          fc.boolean(),
          fc.array(fc.tuple(bytesArb(alphabet, { maxLength: 6 }), bytesArb(alphabet)), { maxLength: 10 }),
          cutsArb,
          (start, end, keep, items, cuts) => {
            const { encoder, createDecoder } = createCodec({ mode: 'markers', start, end, keepMarkers: keep, maxFrame: 64 });
            const payloads = items.map(([, payload]) => withoutSequence(payload, end));
            const stream = Buffer.concat(items.flatMap(([noise], i) => [withoutSequence(noise, start), encoder.encode(payloads[i])]));
            const decoder = createDecoder();
            const frames = decodeAll(decoder, cut(stream, cuts));
            hex(frames).should.eql(hex(payloads.map((p) => (keep ? Buffer.concat([start, p, end]) : p))));
            decoder.flush().should.eql([]);
          },
        ),
      );
    });

    it('a single-byte STX/ETX stream decodes however it is cut', function () {
      check(
        fc.property(fc.array(bytesArb([0x02, 0x03]), { maxLength: 10 }), cutsArb, (raw, cuts) => {
          const { encoder, createDecoder } = createCodec({ mode: 'markers', start: STX, end: ETX, keepMarkers: false, maxFrame: 64 });
          const payloads = raw.map((p) => withoutSequence(p, ETX));
          hex(decodeAll(createDecoder(), cut(Buffer.concat(payloads.map((p) => encoder.encode(p))), cuts))).should.eql(hex(payloads));
        }),
      );
    });
  });
});
