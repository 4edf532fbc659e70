'use strict';

require('should');
const { fc, framing, decodeAll, hex, cut, everySplit, cutsArb, bytesArb, withoutSequence, expectFramingError, check } = require('./helpers');

const { createCodec } = framing;

function codec(delimiter, keepDelimiter = false, maxFrame = 1024) {
  return createCodec({ mode: 'delimiter', delimiter: Buffer.from(delimiter, 'latin1'), keepDelimiter, maxFrame });
}

function strings(frames) {
  return frames.map((f) => f.toString('latin1'));
}

describe('framing: delimiter', function () {
  it('splits CRLF lines and strips the delimiter', function () {
    const decoder = codec('\r\n').createDecoder();
    strings(decoder.push(Buffer.from('OK\r\nERROR\r\n+CSQ: 21,0\r'))).should.eql(['OK', 'ERROR']);
    decoder.pendingBytes.should.equal(11);
    strings(decoder.push(Buffer.from('\n'))).should.eql(['+CSQ: 21,0']);
    decoder.pendingBytes.should.equal(0);
  });

  it('finds a multi-byte delimiter split across chunks at every point', function () {
    const data = Buffer.from('alpha<END>beta<END><END>gamma<E<END>');
    for (const chunks of everySplit(data)) {
      strings(decodeAll(codec('<END>').createDecoder(), chunks, true)).should.eql(['alpha', 'beta', '', 'gamma<E']);
    }
  });

  it('finds a delimiter spread over several tiny chunks', function () {
    const decoder = codec('ABCD').createDecoder();
    strings(decodeAll(decoder, ['xyA', 'B', '', 'C', 'Dz', 'ABC', 'ABCD'].map((s) => Buffer.from(s)))).should.eql(['xy', 'zABC']);
  });

  it('does not take a delimiter prefix that fails for a match (overlapping self-similar delimiter)', function () {
    const data = Buffer.from('xaaab|aab|aaab');
    for (const chunks of everySplit(data)) {
      strings(decodeAll(codec('aab').createDecoder(), chunks, true)).should.eql(['xa', '|', '|a']);
    }
  });

  it('keeps the delimiter when asked, also when it straddles chunks', function () {
    const decoder = codec('\r\n', true).createDecoder();
    strings(decoder.push(Buffer.from('a\r\nb\r'))).should.eql(['a\r\n']);
    strings(decoder.push(Buffer.from('\nc'))).should.eql(['b\r\n']);
    strings(decoder.flush()).should.eql(['c']);
  });

  it('emits blank lines as empty frames', function () {
    const frames = codec('\n').createDecoder().push(Buffer.from('\n\na\n\n'));
    strings(frames).should.eql(['', '', 'a', '']);
  });

  it('returns the trailing partial frame on flush, then nothing', function () {
    const decoder = codec('\n').createDecoder();
    strings(decoder.push(Buffer.from('one\ntwo'))).should.eql(['one']);
    strings(decoder.flush()).should.eql(['two']);
    decoder.flush().should.eql([]);
    decoder.pendingBytes.should.equal(0);
  });

  it('returns views of the chunk when frames lie inside it', function () {
    const chunk = Buffer.from('a\nbb\nccc\n');
    const frames = codec('\n').createDecoder().push(chunk);
    frames.forEach((frame) => frame.buffer.should.equal(chunk.buffer));
  });

  it('accepts a frame of exactly maxFrame bytes, also with the delimiter split off', function () {
    const decoder = codec('\r\n', false, 4).createDecoder();
    strings(decoder.push(Buffer.from('abcd\r'))).should.eql([]);
    strings(decoder.push(Buffer.from('\nwxyz\r\n'))).should.eql(['abcd', 'wxyz']);
  });

  it('fails when pending data outgrows maxFrame without a delimiter, and works again after reset', function () {
    const decoder = codec('\n', false, 8).createDecoder();
    decoder.push(Buffer.from('12345678')).should.eql([]);
    expectFramingError(
      () => decoder.push(Buffer.from('9')),
      'frame is longer than the 8-byte limit (maxFrame); raise Max frame size or check the delimiter setting',
    );
    decoder.reset();
    decoder.pendingBytes.should.equal(0);
    strings(decoder.push(Buffer.from('ok\n'))).should.eql(['ok']);
  });

  it('fails on a complete frame longer than maxFrame and hands over the frames before it', function () {
    const decoder = codec('\n', false, 3).createDecoder();
    const err = expectFramingError(() => decoder.push(Buffer.from('ab\nabcd\nxy\n')), /8-byte|3-byte limit/);
    strings(err.frames).should.eql(['ab']);
    strings(decoder.push(Buffer.from('xy\n'))).should.eql(['xy']);
  });

  it('fails on a too-long frame that ends in a straddling delimiter', function () {
    const decoder = codec('XYZ', false, 3).createDecoder();
    decoder.push(Buffer.from('abcdX')).should.eql([]);
    expectFramingError(() => decoder.push(Buffer.from('YZ')), /3-byte limit/);
  });

  it('encoder appends the delimiter unless the payload already ends with it', function () {
    const { encoder } = codec('\r\n');
    encoder.encode(Buffer.from('AT')).toString().should.equal('AT\r\n');
    encoder.encode(Buffer.from('AT\r\n')).toString().should.equal('AT\r\n');
    encoder.encode(Buffer.from('AT\r')).toString().should.equal('AT\r\r\n');
    encoder.encode(Buffer.alloc(0)).toString().should.equal('\r\n');
  });

  describe('properties', function () {
    const alphabet = [0x0a, 0x0d, 0x61, 0x62];
    const delimiterArb = bytesArb(alphabet, { minLength: 1, maxLength: 4 });

    it('decode(cut(encode(payloads))) gives the payloads back', function () {
      check(
        fc.property(delimiterArb, fc.array(bytesArb(alphabet), { maxLength: 12 }), cutsArb, fc.boolean(), (delimiter, raw, cuts, keep) => {
          const payloads = raw.map((p) => withoutSequence(p, delimiter));
          const { encoder, createDecoder } = createCodec({ mode: 'delimiter', delimiter, keepDelimiter: keep, maxFrame: 64 });
          const stream = Buffer.concat(payloads.map((p) => encoder.encode(p)));
          const frames = decodeAll(createDecoder(), cut(stream, cuts), true);
          hex(frames).should.eql(hex(payloads.map((p) => (keep ? Buffer.concat([p, delimiter]) : p))));
        }),
      );
    });

    it('a stream without a final delimiter yields its tail on flush', function () {
      check(
        fc.property(delimiterArb, fc.array(bytesArb(alphabet), { minLength: 1, maxLength: 8 }), cutsArb, (delimiter, raw, cuts) => {
          const payloads = raw.map((p) => withoutSequence(p, delimiter));
          fc.pre(payloads[payloads.length - 1].length > 0);
          const { encoder, createDecoder } = createCodec({ mode: 'delimiter', delimiter, keepDelimiter: false, maxFrame: 64 });
          const encoded = payloads.map((p, i) => (i === payloads.length - 1 ? p : encoder.encode(p)));
          const frames = decodeAll(createDecoder(), cut(Buffer.concat(encoded), cuts), true);
          hex(frames).should.eql(hex(payloads));
        }),
      );
    });
  });
});
