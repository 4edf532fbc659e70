'use strict';
// Guessing a WebSocket server's token: every failure from one address is answered later than the
// one before (answers from one address are serialised, so guessing in parallel is no faster), all
// are counted, and the right token is let in at once, from that address or another. The server
// runs with a fast schedule (1 ms doubling to 20 ms) so 200 guesses take seconds; the node uses
// DEFAULT_AUTH_THROTTLE (250 ms doubling to 10 s).
require('should');
const { WebSocket } = require('ws');
const { WebSocketServerEndpoint } = require('../../dist/transport/websocket/websocket-server');
const { AddressAllowlist } = require('../../dist/transport/tcp/allowlist');
const { AuthThrottle } = require('../../dist/transport/auth-throttle');
const { until } = require('../support/events');
const { connect, closeClient } = require('../system/peers/websocket-peers');

const STEP_CAP_MS = 20;
const THROTTLE = { freeFailures: 3, baseDelayMs: 1, maxDelayMs: STEP_CAP_MS, maxTracked: 100, maxWaiting: 16, forgetAfterMs: 60_000 };

function startServer() {
  const endpoint = new WebSocketServerEndpoint({
    listen: { kind: 'port', host: '127.0.0.1', port: 0, path: '/feed', requireClientCert: false },
    auth: { kind: 'bearer', token: 'the-right-token' },
    origins: [],
    maxConnections: 100,
    subprotocols: [],
    allowlist: new AddressAllowlist([]),
    authThrottle: THROTTLE,
    maxPayload: 1024 * 1024,
    perMessageDeflate: false,
    heartbeatMs: 0,
    queueSize: 100,
    queuePolicy: 'drop-oldest',
    maxMessagesPerTurn: 256,
  });
  endpoint.on('error', () => {});
  endpoint.start();
  return endpoint;
}

describe('websocket server: guessing the token', function () {
  this.timeout(60000);
  let endpoint;
  const clients = [];
  beforeEach(async () => {
    endpoint = startServer();
    await until(() => endpoint.state.phase === 'listening', 5000, 'the server to listen');
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map(closeClient));
    await endpoint.close();
  });

  const url = () => `ws://127.0.0.1:${endpoint.port}/feed`;
  const attempt = async (token, from) => {
    const started = process.hrtime.bigint();
    const result = await connect(url(), { headers: { Authorization: `Bearer ${token}` }, localAddress: from });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result instanceof WebSocket) clients.push(result);
    return { opened: result instanceof WebSocket, status: result.refused, ms, at: process.hrtime.bigint() };
  };

  it('200 wrong tokens from one address are answered more and more slowly and counted; the right one gets in at once', async function () {
    const answers = [];
    for (let i = 0; i < 200; i++) answers.push(await attempt(`guess-${i}`, '127.0.0.1'));
    answers.every((answer) => answer.status === 401).should.be.true();
    endpoint.counters.should.containEql({ authFailures: 200, refused: 200 });
    // failure n waits at least min(cap, 1 ms * 2^(n-4)) after the previous answer; timers never
    // fire early, so these are lower bounds a loaded machine cannot break
    answers.slice(8).every((answer) => answer.ms >= STEP_CAP_MS).should.be.true('from the 9th failure on, each answer took at least 20 ms');
    if (process.env.NETCAST_PRINT_TIMINGS) {
      const median = (list) => list.map((answer) => answer.ms).sort((a, b) => a - b)[Math.floor(list.length / 2)];
      console.log(`first 3 failures: median ${median(answers.slice(0, 3)).toFixed(1)} ms; failures 101-200: median ${median(answers.slice(100)).toFixed(1)} ms`);
    }

    // ten more wrong guesses at once queue up behind each other (answered about 20, 40 ... 200 ms
    // from now); the right token, from another address and from the guessing one, is let in first
    const queued = Array.from({ length: 10 }, (_, i) => attempt(`parallel-${i}`, '127.0.0.1'));
    const [fromOther, fromSame] = await Promise.all([attempt('the-right-token', '127.0.0.2'), attempt('the-right-token', '127.0.0.1')]);
    fromOther.opened.should.be.true();
    fromSame.opened.should.be.true();
    const refusedLast = (await Promise.all(queued)).reduce((latest, answer) => (answer.at > latest ? answer.at : latest), 0n);
    (fromOther.at < refusedLast).should.be.true('the right token from 127.0.0.2 was in before the queued guesses were all answered');
    (fromSame.at < refusedLast).should.be.true('the right token is never delayed, even from the guessing address');
    endpoint.counters.authFailures.should.equal(210);
    endpoint.sessionCount.should.equal(2);
  });

  it('closing the endpoint cuts the refusals still waiting', async function () {
    for (let i = 0; i < 12; i++) await attempt(`guess-${i}`, '127.0.0.1');
    const pending = attempt('one-more', '127.0.0.1').catch((err) => ({ failed: err.message }));
    await until(() => endpoint.counters.authFailures === 13, 5000, 'the 13th failure');
    await endpoint.close();
    const result = await pending;
    (result.opened === true).should.be.false();
  });
});

describe('AuthThrottle', function () {
  it('remembers at most maxTracked addresses, forgetting the one that failed longest ago', function () {
    const throttle = new AuthThrottle({ ...THROTTLE, maxTracked: 100 });
    for (let i = 0; i < 10_000; i++) throttle.failed(`10.0.${i >> 8}.${i & 255}`, i);
    throttle.tracked.should.equal(100);
    throttle.failures.should.equal(10_000);
    // the newest address is still remembered: its 2nd failure is not free of history
    for (let i = 0; i < 3; i++) throttle.failed('10.0.39.15', 20_000);
    throttle.failed('10.0.39.15', 20_000).delayMs.should.be.above(0);
    // the oldest was forgotten: it starts afresh
    throttle.failed('10.0.0.0', 20_000).delayMs.should.equal(0);
  });

  it('cuts the attempts past maxWaiting from one address instead of holding their sockets', function () {
    const throttle = new AuthThrottle({ ...THROTTLE, freeFailures: 0, maxWaiting: 4 });
    const verdicts = Array.from({ length: 6 }, () => throttle.failed('192.0.2.1', 0));
    verdicts.slice(0, 4).every((verdict) => verdict !== 'cut' && verdict.delayMs > 0).should.be.true();
    verdicts.slice(4).should.eql(['cut', 'cut']);
    throttle.answered('192.0.2.1');
    throttle.failed('192.0.2.1', 0).should.not.equal('cut');
  });

  it('starts an address afresh after forgetAfterMs without failures', function () {
    const throttle = new AuthThrottle({ ...THROTTLE, freeFailures: 1 });
    throttle.failed('192.0.2.1', 0).delayMs.should.equal(0);
    throttle.failed('192.0.2.1', 0).delayMs.should.be.above(0);
    throttle.answered('192.0.2.1');
    throttle.failed('192.0.2.1', 120_000).delayMs.should.equal(0);
  });
});
