'use strict';

require('should');
const { fc, check } = require('./helpers');
const { ChunkList, findStraddling } = require('../../../dist/framing/chunk-list');

describe('framing: ChunkList', function () {
  it('takes, skips, peeks and reads the tail across chunks like one buffer would', function () {
    check(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 8 }), { maxLength: 12 }),
        fc.array(fc.tuple(fc.constantFrom('take', 'skip', 'peek', 'tail'), fc.nat(), fc.nat()), { maxLength: 12 }),
        (chunks, operations) => {
          const list = new ChunkList();
          let model = Buffer.alloc(0);
          for (const chunk of chunks) {
            list.push(Buffer.from(chunk));
            model = Buffer.concat([model, chunk]);
          }
          for (const [operation, a, b] of operations) {
            list.length.should.equal(model.length);
            if (model.length === 0) break;
            const n = a % (model.length + 1);
            if (operation === 'take') {
              list.take(n).equals(model.subarray(0, n)).should.be.true();
              model = model.subarray(n);
            } else if (operation === 'skip') {
              list.skip(n);
              model = model.subarray(n);
            } else if (operation === 'peek') {
              const end = n + (b % (model.length - n + 1));
              list.peek(n, end).equals(model.subarray(n, end)).should.be.true();
            } else if (n > 0) {
              list.tail(n).equals(model.subarray(model.length - n)).should.be.true();
            }
          }
        },
      ),
    );
  });

  it('stays correct while compacting thousands of spent chunks', function () {
    const list = new ChunkList();
    for (let i = 0; i < 5000; i++) list.push(Buffer.of(i & 0xff, (i >> 8) & 0xff));
    for (let i = 0; i < 4999; i++) {
      const pair = list.take(2);
      pair.readUInt16LE(0).should.equal(i);
    }
    list.length.should.equal(2);
    list.take(2).readUInt16LE(0).should.equal(4999);
    list.length.should.equal(0);
  });

  it('finds only sequences that straddle the boundary', function () {
    const list = new ChunkList();
    list.push(Buffer.from('xx\r'));
    findStraddling(list, list.length, Buffer.from('\nyy'), 0, Buffer.from('\r\n')).should.equal(1);
    findStraddling(list, list.length, Buffer.from('y\r\n'), 0, Buffer.from('\r\n')).should.equal(-1);
    findStraddling(list, 0, Buffer.from('\n'), 0, Buffer.from('\r\n')).should.equal(-1);
  });
});
