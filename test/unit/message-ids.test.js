'use strict';
require('should');
const { MessageIds } = require('../../dist/nodes/shared/message-ids');

const SHAPE = /^[0-9a-f]{16}$/;
const seed = (hex) => Buffer.from(hex, 'hex');

describe('MessageIds (msg._msgid of the messages in nodes create)', function () {
  it('gives 16 lowercase hex digits, like RED.util.generateId, and never the same one twice', function () {
    const ids = new MessageIds();
    const seen = new Set();
    for (let i = 0; i < 100000; i++) {
      const id = ids.next();
      if (!SHAPE.test(id)) throw new Error(`id ${i} is ${JSON.stringify(id)}`);
      seen.add(id);
    }
    seen.size.should.equal(100000);
  });

  it('counts on across the 256-id blocks and wraps at 2^64 without repeating', function () {
    const ids = new MessageIds(seed('fffffffffffffffd'));
    const got = Array.from({ length: 6 }, () => ids.next());
    got.should.eql(['fffffffffffffffd', 'fffffffffffffffe', 'ffffffffffffffff', '0000000000000000', '0000000000000001', '0000000000000002']);
    const mid = new MessageIds(seed('00000000123456fe'));
    [mid.next(), mid.next(), mid.next()].should.eql(['00000000123456fe', '00000000123456ff', '0000000012345700']);
    const carry = new MessageIds(seed('00000001ffffffff'));
    [carry.next(), carry.next()].should.eql(['00000001ffffffff', '0000000200000000']);
  });

  it('starts each generator (each node set, each start of Node-RED) at its own random place', function () {
    const starts = new Set(Array.from({ length: 1000 }, () => new MessageIds().next()));
    starts.size.should.equal(1000);
    const a = new MessageIds();
    const b = new MessageIds();
    const fromA = new Set(Array.from({ length: 50000 }, () => a.next()));
    let shared = 0;
    for (let i = 0; i < 50000; i++) if (fromA.has(b.next())) shared += 1;
    shared.should.equal(0);
  });

  it('refuses a seed shorter than 8 bytes', function () {
    (() => new MessageIds(Buffer.alloc(4))).should.throw(/8-byte seed/);
  });
});
