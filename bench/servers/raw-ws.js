'use strict';
// The ceiling for the WebSocket cases: the `ws` library on a plain HTTP server, no Node-RED.
// Modes: in (count every message, text decoded to a string, as the in nodes emit it) and bcast
// (send the same 64 B text message to every client, 64 messages per event-loop turn, each
// client's socket corked for the turn; a turn waits while a client has more than 1 MiB unsent).
// Usage: node raw-ws.js '{"mode":"in","path":"/bench"}'
const http = require('http');
const { WebSocketServer } = require('ws');
const ipc = require('../ipc');

const { mode, path = '/bench', perTurn = 64, size = 64 } = JSON.parse(process.argv[2] || '{}');
const HIGH = 1024 * 1024;
let msgs = 0;

const server = http.createServer((req, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
server.on('upgrade', (request, socket, head) => {
  if (new URL(request.url, 'http://x').pathname !== path) return socket.destroy();
  wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
});

const clients = new Set();
wss.on('connection', (ws) => {
  ws.on('error', () => {});
  ws.on('close', () => clients.delete(ws));
  if (mode === 'in') {
    ws.on('message', (data, isBinary) => {
      if (!isBinary) data.toString('utf8');
      msgs += 1;
    });
    return;
  }
  clients.add(ws);
  if (clients.size === 1) setImmediate(broadcastTurn);
});

const payload = 'a'.repeat(size);
function broadcastTurn() {
  if (clients.size === 0) return;
  for (const ws of clients) {
    if (ws.bufferedAmount > HIGH) {
      ws._socket.once('drain', broadcastTurn);
      return;
    }
  }
  for (const ws of clients) {
    ws._socket.cork();
    for (let i = 0; i < perTurn; i++) ws.send(payload);
    ws._socket.uncork();
  }
  msgs += perTurn;
  setImmediate(broadcastTurn);
}

server.listen(0, '127.0.0.1', () => ipc.ready({ port: server.address().port }));
ipc.serve({
  reset: () => {
    msgs = 0;
  },
  stats: () => ({ msgs, frames: msgs }),
});
