'use strict';

require('should');
const { fc, framing, cut, cutsArb, bytesArb, check } = require('./helpers');

const { createCodec } = framing;

describe('framing: raw', function () {
  it('gives each chunk as one frame, the very same buffer', function () {
    const chunk = Buffer.from('hello');
    const decoder = createCodec({ mode: 'raw', maxFrame: 10 }).createDecoder();
    decoder.push(chunk)[0].should.equal(chunk);
    decoder.push(Buffer.alloc(0)).should.eql([]);
    decoder.flush().should.eql([]);
    decoder.pendingBytes.should.equal(0);
    decoder.idleMs.should.equal(0);
  });

  it('splits a chunk larger than maxFrame into maxFrame pieces', function () {
    const frames = createCodec({ mode: 'raw', maxFrame: 4 }).createDecoder().push(Buffer.from('abcdefghij'));
    frames.map(String).should.eql(['abcd', 'efgh', 'ij']);
  });

  it('encoder is the identity', function () {
    const payload = Buffer.from('x');
    createCodec({ mode: 'raw', maxFrame: 4 }).encoder.encode(payload).should.equal(payload);
  });

  it('frames concatenate back to the input, none empty or over maxFrame', function () {
    check(
      fc.property(bytesArb([], { maxLength: 100 }), cutsArb, fc.integer({ min: 1, max: 16 }), (data, cuts, maxFrame) => {
        const decoder = createCodec({ mode: 'raw', maxFrame }).createDecoder();
        const frames = cut(data, cuts).flatMap((chunk) => decoder.push(chunk));
        Buffer.concat(frames).equals(data).should.be.true();
        frames.every((f) => f.length > 0 && f.length <= maxFrame).should.be.true();
      }),
    );
  });
});

describe('framing: idle gap', function () {
  it('accumulates until flush and reports idleMs for the owner timer', function () {
    const decoder = createCodec({ mode: 'idle', idleMs: 35, maxFrame: 100 }).createDecoder();
    decoder.idleMs.should.equal(35);
    decoder.push(Buffer.from('ab')).should.eql([]);
    decoder.push(Buffer.from('cd')).should.eql([]);
    decoder.pendingBytes.should.equal(4);
    decoder.flush().map(String).should.eql(['abcd']);
    decoder.pendingBytes.should.equal(0);
    decoder.flush().should.eql([]);
  });

  it('emits maxFrame pieces from push only when pending would exceed maxFrame', function () {
    const decoder = createCodec({ mode: 'idle', idleMs: 20, maxFrame: 4 }).createDecoder();
    decoder.push(Buffer.from('abcd')).should.eql([]);
    decoder.push(Buffer.from('efghijk')).map(String).should.eql(['abcd', 'efgh']);
    decoder.pendingBytes.should.equal(3);
    decoder.reset();
    decoder.flush().should.eql([]);
  });

  it('the encoder is the identity', function () {
    const payload = Buffer.from('x');
    createCodec({ mode: 'idle', idleMs: 20, maxFrame: 4 }).encoder.encode(payload).should.equal(payload);
  });

  it('push frames + flush concatenate back to the input, pending never over maxFrame', function () {
    check(
      fc.property(bytesArb([], { maxLength: 100 }), cutsArb, fc.integer({ min: 1, max: 16 }), (data, cuts, maxFrame) => {
        const decoder = createCodec({ mode: 'idle', idleMs: 20, maxFrame }).createDecoder();
        const frames = [];
        for (const chunk of cut(data, cuts)) {
          const found = decoder.push(chunk);
          found.every((f) => f.length === maxFrame).should.be.true();
          frames.push(...found);
          decoder.pendingBytes.should.be.belowOrEqual(maxFrame);
        }
        frames.push(...decoder.flush());
        Buffer.concat(frames).equals(data).should.be.true();
      }),
    );
  });
});
