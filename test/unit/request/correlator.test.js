'use strict';
require('should');
const { RequestCorrelator } = require('../../../dist/transport/request/correlator');

const settings = (timeoutMs = 1000, retries = 0) => ({ timeoutMs, retries });
const b = (text) => Buffer.from(text);

/** A correlator whose writes and unmatched frames are recorded; answers collected per request. */
function harness(rule, queueLimit = 100) {
  const io = { written: [], unmatched: [], desyncs: 0 };
  const correlator = new RequestCorrelator(rule, queueLimit, {
    write: (bytes) => io.written.push(bytes.toString('latin1')),
    unmatched: (frame) => io.unmatched.push(frame.toString('latin1')),
    desynced: () => (io.desyncs += 1),
  });
  const results = [];
  const ask = (text, s = settings()) => {
    const result = { text };
    results.push(result);
    correlator.request(b(text), s, (err, answer) => {
      result.err = err;
      result.answer = answer && answer.frame.toString('latin1');
      result.attempts = answer && answer.attempts;
    });
    return result;
  };
  return { correlator, io, results, ask };
}

const nextTimer = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('request correlator', function () {
  it('next frame: one request in flight, the rest wait and go out in order as answers come', function () {
    const { correlator, io, ask } = harness({ kind: 'next' });
    correlator.connected();
    const r = [ask('a'), ask('b'), ask('c')];
    io.written.should.eql(['a']);
    correlator.frames([b('A')]);
    io.written.should.eql(['a', 'b']);
    correlator.frames([b('B'), b('stray')]);
    r.map((x) => x.answer).should.eql(['A', 'B', undefined]);
    // "stray" arrived with c still queued: it was taken by nobody (c goes out after the batch)
    io.unmatched.should.eql(['stray']);
    io.written.should.eql(['a', 'b', 'c']);
    correlator.frames([b('C')]);
    r[2].answer.should.equal('C');
    correlator.close();
  });

  it('queues while the connection is not up, and sends once it is', function () {
    const { correlator, io, ask } = harness({ kind: 'next' });
    const r = ask('x');
    io.written.should.eql([]);
    correlator.connected();
    io.written.should.eql(['x']);
    correlator.frames([b('X')]);
    r.answer.should.equal('X');
  });

  it('transaction id: several in flight, answers in any order matched by the id bytes', function () {
    const { correlator, io, ask } = harness({ kind: 'id', offset: 0, length: 2, maxInFlight: 3 });
    correlator.connected();
    const r = ['01q', '02q', '03q', '04q'].map((t) => ask(t));
    io.written.should.eql(['01q', '02q', '03q']);
    correlator.frames([b('03r'), b('01r'), b('99r')]);
    r.map((x) => x.answer).should.eql(['01r', undefined, '03r', undefined]);
    io.written.should.eql(['01q', '02q', '03q', '04q']);
    io.unmatched.should.eql(['99r']);
    correlator.unmatchedCount.should.equal(1);
    correlator.frames([b('04r'), b('02r')]);
    r.map((x) => x.answer).should.eql(['01r', '02r', '03r', '04r']);
  });

  it('transaction id: a second request with an id still in flight waits for the first answer', function () {
    const { correlator, io, ask } = harness({ kind: 'id', offset: 1, length: 1, maxInFlight: 8 });
    correlator.connected();
    ask('a1');
    ask('b1');
    io.written.should.eql(['a1']);
    correlator.frames([b('x1')]);
    io.written.should.eql(['a1', 'b1']);
  });

  it('refuses a request too short for its id, and a full queue, with codes', function () {
    const { correlator, ask } = harness({ kind: 'id', offset: 6, length: 2, maxInFlight: 1 }, 1);
    (() => ask('short')).should.throw({ code: 'ERR_NETCAST_REQUEST_ID' });
    ask('12345678');
    (() => ask('abcdefgh')).should.throw({ code: 'ERR_NETCAST_REQUEST_QUEUE_FULL' });
    correlator.close();
  });

  it('times out a request, retries first, and resynchronises the connection in next-frame mode', async function () {
    const { correlator, io, ask } = harness({ kind: 'next' });
    correlator.connected();
    const r = ask('q', settings(20, 1));
    await nextTimer(40);
    io.desyncs.should.equal(1);
    io.written.should.eql(['q']);
    correlator.connected(); // the new connection
    io.written.should.eql(['q', 'q']);
    await nextTimer(40);
    r.err.code.should.equal('ERR_NETCAST_REQUEST_TIMEOUT');
    r.err.message.should.match(/no answer within 20 ms \(2 attempts\)/);
    correlator.timeoutCount.should.equal(2);
  });

  it('a timed-out id request frees its slot; its late answer counts as unmatched', async function () {
    const { correlator, io, ask } = harness({ kind: 'id', offset: 0, length: 1, maxInFlight: 1 });
    correlator.connected();
    const r = [ask('1', settings(15)), ask('2', settings(1000))];
    await nextTimer(40);
    r[0].err.code.should.equal('ERR_NETCAST_REQUEST_TIMEOUT');
    io.desyncs.should.equal(0);
    io.written.should.eql(['1', '2']);
    correlator.frames([b('1late'), b('2')]);
    io.unmatched.should.eql(['1late']);
    r[1].answer.should.equal('2');
  });

  it('fails what is in flight at once when the connection drops, and everything on failAll', function () {
    const { correlator, ask } = harness({ kind: 'id', offset: 0, length: 1, maxInFlight: 2 });
    correlator.connected();
    const r = ['1', '2', '3'].map((t) => ask(t, settings(60000)));
    const lost = Object.assign(new Error('lost'), { code: 'ERR_NETCAST_REQUEST_CONNECTION_LOST' });
    correlator.disconnected(lost);
    r[0].err.should.equal(lost);
    r[1].err.should.equal(lost);
    (r[2].err === undefined).should.be.true();
    correlator.failAll(lost);
    r[2].err.should.equal(lost);
    correlator.pending.should.equal(0);
  });

  it('window: every frame within the window after the write is the answer', async function () {
    const { correlator, ask } = harness({ kind: 'window', windowMs: 30 });
    correlator.connected();
    const r = ask('q');
    correlator.frames([b('ab')]);
    correlator.frames([b('cd')]);
    (r.answer === undefined).should.be.true();
    await nextTimer(60);
    r.answer.should.equal('abcd');
  });

  it('none: done once written, without waiting', function () {
    const { correlator, io, ask } = harness({ kind: 'none' });
    correlator.connected();
    const r = ask('fire');
    io.written.should.eql(['fire']);
    r.answer.should.equal('');
    correlator.frames([b('whatever')]);
    io.unmatched.should.eql(['whatever']);
  });

  it('close fails everything with a code and refuses later requests', function () {
    const { correlator, ask } = harness({ kind: 'next' });
    const r = ask('q');
    correlator.close();
    r.err.code.should.equal('ERR_NETCAST_REQUEST_CLOSED');
    (() => ask('again')).should.throw({ code: 'ERR_NETCAST_REQUEST_CLOSED' });
  });
});
