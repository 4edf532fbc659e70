'use strict';
// The defects the reliability suite found, each pinned at the transport level (dist/, as
// shipped) with real sockets, so a regression shows up here by name and not only as a number in
// the bigger runs.
const net = require('net');
const path = require('path');
const { WebSocket, WebSocketServer } = require('ws');
const { runPart, sleep } = require('./lib/harness');

const dist = (file) => require(path.join(__dirname, '..', '..', 'dist', file));
const { TcpSession } = dist('transport/tcp/tcp-session');
const { TcpServerEndpoint } = dist('transport/tcp/tcp-server');
const { WebSocketSession } = dist('transport/websocket/websocket-session');
const { AddressAllowlist } = dist('transport/tcp/allowlist');
const { parseGroupSpec } = dist('transport/multicast/group-address');
const { createCodec } = dist('framing');

const codec = createCodec({ mode: 'delimiter', delimiter: Buffer.from('\n'), keepDelimiter: false, maxFrame: 1024 });
const common = { port: 0, codec, idleTimeoutMs: 0, keepAlive: false, keepAliveDelayMs: 1000, noDelay: true, queueSize: 10, queuePolicy: 'drop-oldest', maxFramesPerTurn: 256 };
const handlers = { frames() {}, error() {}, closed() {}, counters() {}, canReply: () => true };

async function socketPair() {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const accepted = new Promise((resolve) => server.once('connection', resolve));
  const client = net.connect({ port: server.address().port, host: '127.0.0.1' });
  await new Promise((resolve) => client.once('connect', resolve));
  return { client, other: await accepted, server };
}

runPart('regressions', async (result) => {
  {
    // a message handed to a TCP session whose socket has ended used to vanish: not sent, not counted
    const { client, other, server } = await socketPair();
    const session = new TcpSession(client, common, handlers);
    client.end();
    session.send(Buffer.from('after end\n'));
    result.check('TCP session: a message sent after the socket ended waits in the outbox (a client resends it, a server counts it)', session.queued === 1, `queued ${session.queued}`);
    other.destroy();
    server.close();
  }
  {
    // ws drops what is sent while the connection is closing, silently
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    const ws = new WebSocket(`ws://127.0.0.1:${wss.address().port}/`);
    await new Promise((resolve) => ws.once('open', resolve));
    const session = new WebSocketSession(ws, { remoteAddress: '127.0.0.1', remotePort: 0, headers: {} }, { maxPayload: 1024, perMessageDeflate: false, heartbeatMs: 0, queueSize: 10, queuePolicy: 'drop-oldest', maxMessagesPerTurn: 256 }, { messages() {}, error() {}, closed() {}, counters() {} });
    ws.close(1000, 'bye');
    session.send({ data: Buffer.from('while closing'), binary: false });
    result.check('WebSocket session: a message sent while closing waits in the outbox', session.queued === 1, `queued ${session.queued}`);
    ws.terminate();
    await new Promise((resolve) => wss.close(resolve));
  }
  {
    // TLS handshakes: bounded by maxConnections and given up after a timeout (slow loris)
    const { makeCertificates } = require('../support/certs');
    const fs = require('fs');
    const certs = makeCertificates();
    const endpoint = new TcpServerEndpoint({ ...common, host: '127.0.0.1', maxConnections: 3, allowlist: new AddressAllowlist([]), requireClientCert: false, tls: { cert: fs.readFileSync(certs.server.cert), key: fs.readFileSync(certs.server.key) } });
    endpoint.start();
    while (endpoint.state.phase !== 'listening') await sleep(10);
    const sockets = Array.from({ length: 8 }, () => net.connect({ port: endpoint.port, host: '127.0.0.1' }).on('error', () => {}));
    const closed = sockets.map((socket) => new Promise((resolve) => socket.once('close', resolve)));
    await sleep(500);
    const refused = endpoint.counters.refused;
    result.check('TLS server: connections still in their handshake count against maxConnections', refused === 5, `refused ${refused} of 8 with maxConnections 3`);
    const timedOut = await Promise.race([Promise.all(closed).then(() => true), sleep(13000).then(() => false)]);
    result.check('TLS server: a handshake nobody finishes is given up on (handshake timeout)', timedOut, timedOut ? 'all closed' : 'still open after 13 s');
    sockets.forEach((socket) => socket.destroy());
    await endpoint.close();
    certs.remove();
  }
  {
    const long = 'x'.repeat(1024 * 1024);
    let message = '';
    try {
      AddressAllowlist.parse(long);
    } catch (err) {
      message = err.message;
    }
    result.check('allowlist: the error for a 1 MB entry stays short', message.length > 0 && message.length < 300, `${message.length} characters`);
    message = '';
    try {
      parseGroupSpec(long);
    } catch (err) {
      message = err.message;
    }
    result.check('multicast group: the error for a 1 MB group stays short', message.length > 0 && message.length < 300, `${message.length} characters`);
  }
});
