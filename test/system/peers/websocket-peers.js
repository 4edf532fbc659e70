'use strict';
// Plain `ws` clients and servers playing the other end in WebSocket tests.
const { WebSocket, WebSocketServer } = require('ws');
const { once, until, withTimeout } = require('../../support/events');

/** Waits until `list` has `count` entries; on timeout says what did arrive. */
function waitForCount(list, count, ms, where) {
  return until(() => list.length >= count, ms, `${count} message(s) ${where}`).then(
    () => list,
    (err) => {
      err.message += ` (got ${list.length}: ${JSON.stringify(list.slice(0, 5)).slice(0, 200)})`;
      throw err;
    },
  );
}

function recordMessages(ws) {
  ws.received = [];
  ws.on('message', (data, isBinary) => ws.received.push(isBinary ? Buffer.from(data) : data.toString('utf8')));
  ws.waitForMessages = (count, ms = 5000) => waitForCount(ws.received, count, ms, 'at the client');
}

/**
 * Opens a client. Resolves with the open socket, or with {refused: status} when the server
 * answers the upgrade with an HTTP error instead.
 */
function connect(url, options = {}, protocols = []) {
  const ws = new WebSocket(url, protocols, options);
  recordMessages(ws);
  ws.on('error', () => {});
  ws.closed = new Promise((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString('utf8') })));
  return withTimeout(
    new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => {
        resolve({ refused: res.statusCode, headers: res.headers });
        ws.terminate();
      });
      ws.once('close', () => reject(new Error(`connection to ${url} closed before it opened`)));
    }),
    5000,
    `a WebSocket connection to ${url}`,
  );
}

async function closeClient(ws) {
  if (!ws || typeof ws.terminate !== 'function' || ws.readyState === WebSocket.CLOSED) return;
  ws.terminate();
  await withTimeout(ws.closed, 2000, 'client close');
}

/** A WebSocket server standing in for a remote service: records connections and messages. */
async function startServer(port = 0, options = {}) {
  const wss = new WebSocketServer({ port, host: '127.0.0.1', ...options });
  const peer = { wss, clients: [], received: [], upgrades: [] };
  wss.on('connection', (ws, request) => {
    peer.clients.push(ws);
    peer.upgrades.push(request);
    ws.on('error', () => {});
    ws.on('message', (data, isBinary) => peer.received.push(isBinary ? Buffer.from(data) : data.toString('utf8')));
  });
  await once(wss, 'listening');
  peer.port = wss.address().port;
  peer.url = `ws://127.0.0.1:${peer.port}`;
  peer.waitForConnections = (n = 1, ms = 5000) => until(() => peer.clients.length >= n, ms, `${n} connection(s) to the server (got ${peer.clients.length})`);
  peer.waitForMessages = (n, ms = 5000) => waitForCount(peer.received, n, ms, 'at the server');
  peer.stop = async () => {
    for (const ws of peer.clients) ws.terminate();
    await new Promise((resolve) => wss.close(() => resolve()));
  };
  return peer;
}

module.exports = { connect, closeClient, startServer };
