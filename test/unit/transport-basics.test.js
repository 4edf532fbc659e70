'use strict';
require('should');
const { Backoff } = require('../../dist/transport/backoff');
const { ReconnectSchedule } = require('../../dist/transport/reconnect-schedule');
const { BoundedQueue } = require('../../dist/transport/bounded-queue');
const { PacedDelivery } = require('../../dist/transport/paced-delivery');
const { PendingWrites } = require('../../dist/transport/pending-writes');
const { AddressAllowlist } = require('../../dist/transport/tcp/allowlist');
const { explainNetworkError } = require('../../dist/transport/network-error');

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('Backoff', function () {
  it('doubles from the first delay up to the cap, within the jitter band', function () {
    const backoff = new Backoff({ initialMs: 500, maxMs: 4000, factor: 2, jitter: 0.2 });
    const delays = Array.from({ length: 6 }, () => backoff.next());
    const bases = [500, 1000, 2000, 4000, 4000, 4000];
    delays.forEach((delay, i) => delay.should.be.within(bases[i] * 0.8, bases[i] * 1.2));
  });

  it('spreads clients apart with jitter and starts over after reset', function () {
    const low = new Backoff({ initialMs: 1000, maxMs: 1000, factor: 2, jitter: 0.5 }, () => 0);
    const high = new Backoff({ initialMs: 1000, maxMs: 1000, factor: 2, jitter: 0.5 }, () => 0.999);
    low.next().should.equal(500);
    high.next().should.equal(1499);
    const backoff = new Backoff({ initialMs: 100, maxMs: 10000, factor: 3, jitter: 0 });
    backoff.next();
    backoff.next().should.equal(300);
    backoff.reset();
    backoff.next().should.equal(100);
  });
});

describe('ReconnectSchedule', function () {
  it('tells the time left at once and at each whole second left, then attempts', async function () {
    const schedule = new ReconnectSchedule({ initialMs: 2300, maxMs: 2300, factor: 2, jitter: 0 });
    const heard = [];
    const attempted = new Promise((resolve) => {
      schedule.schedule(() => resolve(heard.slice()), (left) => heard.push(left)).should.equal(2300);
    });
    (await attempted).should.eql([2300, 2000, 1000]);
  });

  it('waits once, without updates, when nobody listens, and stops on cancel', async function () {
    const schedule = new ReconnectSchedule({ initialMs: 20, maxMs: 20, factor: 1, jitter: 0 });
    await new Promise((resolve) => schedule.schedule(resolve));
    let attempts = 0;
    const heard = [];
    schedule.schedule(() => attempts++, (left) => heard.push(left));
    schedule.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
    attempts.should.equal(0);
    heard.should.eql([20]);
  });
});

describe('BoundedQueue', function () {
  it('keeps the newest under drop-oldest and counts what it dropped', function () {
    const queue = new BoundedQueue(3, 'drop-oldest');
    [1, 2, 3, 4, 5].forEach((n) => queue.push(n));
    queue.drain().should.eql([3, 4, 5]);
    queue.dropped.should.equal(2);
  });

  it('keeps the oldest under drop-newest', function () {
    const queue = new BoundedQueue(2, 'drop-newest');
    queue.push('a').should.be.true();
    queue.push('b').should.be.true();
    queue.push('c').should.be.false();
    queue.drain().should.eql(['a', 'b']);
    queue.dropped.should.equal(1);
  });

  it('stays in order through many pushes and shifts', function () {
    const queue = new BoundedQueue(20000);
    const out = [];
    for (let i = 0; i < 20000; i++) {
      queue.push(i);
      if (i % 3 !== 0) out.push(queue.shift());
    }
    while (queue.length) out.push(queue.shift());
    out.should.eql(Array.from({ length: 20000 }, (_, i) => i));
  });

  it('puts back unsent writes ahead of what was queued after them, within the capacity', function () {
    const oldest = new BoundedQueue(4, 'drop-oldest');
    [5, 6].forEach((n) => oldest.push(n));
    oldest.putBack([2, 3, 4]);
    oldest.drain().should.eql([3, 4, 5, 6]);
    oldest.dropped.should.equal(1);
    const newest = new BoundedQueue(4, 'drop-newest');
    [5, 6].forEach((n) => newest.push(n));
    newest.putBack([2, 3, 4]);
    newest.drain().should.eql([2, 3, 4, 5]);
    newest.dropped.should.equal(1);
  });
});

describe('PendingWrites', function () {
  it('hands back, oldest first and once, the messages whose writes had not completed when one failed', function () {
    const handedBack = [];
    const pending = new PendingWrites((unsent) => handedBack.push(unsent));
    ['a', 'b', 'c', 'd'].forEach((m) => pending.add(m));
    pending.settle();
    pending.settle(null);
    pending.settle(new Error('EPIPE'));
    pending.settle(new Error('EPIPE'));
    handedBack.should.eql([['c', 'd']]);
    pending.length.should.equal(0);
  });

  it('tracks a long run of writes completing one by one', function () {
    const handedBack = [];
    const pending = new PendingWrites((unsent) => handedBack.push(...unsent));
    for (let i = 0; i < 5000; i += 1) pending.add(i);
    for (let i = 0; i < 4990; i += 1) pending.settle();
    pending.length.should.equal(10);
    pending.settle(new Error('ECONNRESET'));
    handedBack.should.eql(Array.from({ length: 10 }, (_, i) => 4990 + i));
  });
});

describe('PacedDelivery', function () {
  function source() {
    return { paused: false, pauses: 0, pause() { this.paused = true; this.pauses += 1; }, resume() { this.paused = false; } };
  }

  it('delivers light traffic at once without pausing the source', function () {
    const src = source();
    const got = [];
    const delivery = new PacedDelivery(src, (items) => got.push(...items), 10);
    delivery.add([1, 2, 3]);
    got.should.eql([1, 2, 3]);
    src.pauses.should.equal(0);
  });

  it('hands over at most maxPerTurn items per event-loop turn and pauses the source meanwhile', async function () {
    const src = source();
    const batches = [];
    const delivery = new PacedDelivery(src, (items) => batches.push(items.slice()), 10);
    delivery.add(Array.from({ length: 35 }, (_, i) => i));
    batches.length.should.equal(1);
    batches[0].length.should.equal(10);
    src.paused.should.be.true();
    while (src.paused) await nextTurn();
    batches.map((b) => b.length).should.eql([10, 10, 10, 5]);
    batches.flat().should.eql(Array.from({ length: 35 }, (_, i) => i));
  });

  it('takes from a lazy backlog only what each turn has room for, then resumes the source', async function () {
    const src = source();
    const batches = [];
    let next = 0;
    const largestTake = [];
    const backlog = {
      take(room) {
        largestTake.push(room);
        const items = [];
        while (next < 35 && items.length < room) items.push(next++);
        return items;
      },
      hasMore: () => next < 35,
    };
    const delivery = new PacedDelivery(src, (items) => batches.push(items.slice()), 10, backlog);
    delivery.add(backlog.take(delivery.room));
    delivery.hold();
    src.paused.should.be.true();
    next.should.equal(10, 'nothing made beyond the first turn');
    while (src.paused) await nextTurn();
    batches.map((b) => b.length).should.eql([10, 10, 10, 5]);
    batches.flat().should.eql(Array.from({ length: 35 }, (_, i) => i));
    largestTake.every((room) => room <= 10).should.be.true();
  });

  it('hands over everything at finish and nothing after discard', function () {
    const got = [];
    const delivery = new PacedDelivery(source(), (items) => got.push(...items), 2);
    delivery.add([1, 2, 3, 4, 5]);
    delivery.finish();
    got.should.eql([1, 2, 3, 4, 5]);
    const dropped = [];
    const other = new PacedDelivery(source(), (items) => dropped.push(...items), 2);
    other.add([1, 2, 3]);
    other.discard();
    other.add([4]);
    dropped.should.eql([1, 2]);
  });
});

describe('AddressAllowlist', function () {
  it('matches addresses and CIDR ranges, IPv4-mapped IPv6 included', function () {
    const list = AddressAllowlist.parse('10.0.0.0/8, 192.168.1.5\nfd00::/8');
    list.allows('10.20.30.40').should.be.true();
    list.allows('::ffff:10.1.1.1').should.be.true();
    list.allows('192.168.1.5').should.be.true();
    list.allows('192.168.1.6').should.be.false();
    list.allows('fd12::1').should.be.true();
    list.allows('2001:db8::1').should.be.false();
    AddressAllowlist.parse('').allows('8.8.8.8').should.be.true();
  });

  it('names a bad entry and how to write it', function () {
    (() => AddressAllowlist.parse('10.0.0.0/33')).should.throw(/invalid prefix length; use \/0 to \/32/);
    (() => AddressAllowlist.parse('plc-1')).should.throw(/"plc-1" in the allowed clients list is not an IP address/);
  });
});

describe('explainNetworkError', function () {
  const errno = (code) => Object.assign(new Error(code), { code });
  it('turns errno codes into sentences that name the fix', function () {
    explainNetworkError(errno('EADDRINUSE'), { action: 'listen', port: 502 }).message.should.equal('port 502 is in use by another program; stop that program or choose another port');
    explainNetworkError(errno('EACCES'), { action: 'listen', port: 80 }).message.should.match(/ports below 1024 need special rights/);
    explainNetworkError(errno('ECONNREFUSED'), { action: 'connect to', host: 'plc', port: 502 }).message.should.equal('connection refused by plc:502; is the device or server listening on that port?');
    explainNetworkError(errno('ENOTFOUND'), { action: 'connect to', host: 'plc.local', port: 502 }).message.should.match(/cannot resolve host "plc\.local"/);
    explainNetworkError(errno('DEPTH_ZERO_SELF_SIGNED_CERT'), { action: 'connect to', host: '::1', port: 8883 }).message.should.match(/^TLS handshake with \[::1\]:8883 failed: its certificate is not trusted/);
  });

  it('keeps the code and the original error', function () {
    const original = errno('ECONNRESET');
    const explained = explainNetworkError(original, { action: 'read' });
    explained.code.should.equal('ECONNRESET');
    explained.cause.should.equal(original);
  });
});

describe('applyBufferSizes', function () {
  const dgram = require('dgram');
  const fs = require('fs');
  const { applyBufferSizes } = require('../../dist/transport/udp/datagram');
  let socket;
  beforeEach((done) => {
    // a unicast socket on loopback: nothing is sent
    socket = dgram.createSocket('udp4');
    socket.bind(0, '127.0.0.1', done);
  });
  afterEach((done) => socket.close(done));

  it('sets what is asked and says nothing when the kernel grants it; 0 leaves the OS default', function () {
    const before = socket.getSendBufferSize();
    (applyBufferSizes(socket, { receiveBufferSize: 65536, sendBufferSize: 0 }) === undefined).should.be.true();
    socket.getRecvBufferSize().should.be.aboveOrEqual(65536);
    socket.getSendBufferSize().should.equal(before);
  });

  it('reads the size back and names net.core.rmem_max when the kernel grants less (Linux)', function () {
    if (process.platform !== 'linux') this.skip();
    const cap = Number(fs.readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    if (2 * cap > 256 * 1024 * 1024) this.skip();
    applyBufferSizes(socket, { receiveBufferSize: 2 * cap }).should.equal(
      `Receive buffer: the kernel granted ${cap} of the ${2 * cap} bytes asked for, because the system caps it (net.core.rmem_max on Linux); raise that limit (sysctl -w net.core.rmem_max=${2 * cap}) or ask for less`,
    );
  });
});

describe('TurnCork', function () {
  const { TurnCork } = require('../../dist/transport/turn-cork');
  function target() {
    return { log: [], cork() { this.log.push('cork'); }, uncork() { this.log.push('uncork'); } };
  }

  it('lets the first write of a turn go out at once and corks the rest until the turn ends', async function () {
    const socket = target();
    const cork = new TurnCork(socket);
    cork.beforeWrite();
    socket.log.should.eql([]);
    cork.beforeWrite();
    cork.beforeWrite();
    socket.log.should.eql(['cork']);
    await nextTurn();
    socket.log.should.eql(['cork', 'uncork']);
    cork.beforeWrite();
    socket.log.should.eql(['cork', 'uncork'], 'a new turn starts uncorked');
  });
});

describe('fairShare', function () {
  const { fairShare } = require('../../dist/transport/paced-delivery');
  it('splits the per-turn allowance between sessions, never below the floor', function () {
    let sessions = 1;
    const share = fairShare(256, () => sessions, 16);
    share().should.equal(256);
    sessions = 4;
    share().should.equal(64);
    sessions = 100;
    share().should.equal(16);
  });
});
