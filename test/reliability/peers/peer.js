'use strict';
// A separate process playing the server a netcast client endpoint talks to, so the suite can
// kill it (SIGKILL), pause it (SIGSTOP) or make it reset its connections. What it reads is written
// to disk at once, one file per connection, so nothing it received is lost when it is killed.
//   node peer.js '{"proto":"tcp"|"ws","port":N,"dir":"/tmp/x","noread":false,"heartbeatMs":0,"mode":"sink"|"reset-on-accept"}'
// IPC: {cmd:"reset"} RST every connection; {cmd:"read"} start reading; {cmd:"stats"} -> counts.
const fs = require('fs');
const net = require('net');
const path = require('path');

const options = JSON.parse(process.argv[2]);
const { proto, port, dir } = options;
let noread = Boolean(options.noread);
const sockets = new Set();
let connections = 0;
let bytes = 0;
let messages = 0;
fs.mkdirSync(dir, { recursive: true });
const acceptLog = fs.openSync(path.join(dir, `accepts-${process.pid}.log`), 'a');

function connectionFile() {
  connections += 1;
  const name = `conn-${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(connections).padStart(6, '0')}.bin`;
  fs.writeSync(acceptLog, `${Number(process.hrtime.bigint() / 1000n) / 1000}\n`);
  return fs.openSync(path.join(dir, name), 'a');
}

function startHeartbeat(write) {
  if (!options.heartbeatMs) return undefined;
  return setInterval(write, options.heartbeatMs);
}

function onTcp(socket) {
  if (options.mode === 'reset-on-accept') {
    fs.writeSync(acceptLog, `${Number(process.hrtime.bigint() / 1000n) / 1000}\n`);
    socket.resetAndDestroy();
    return;
  }
  const fd = connectionFile();
  sockets.add(socket);
  socket.on('data', (chunk) => {
    bytes += chunk.length;
    fs.writeSync(fd, chunk);
  });
  socket.on('error', () => {});
  const heartbeat = startHeartbeat(() => socket.writable && socket.write('hb\n'));
  socket.on('close', () => {
    clearInterval(heartbeat);
    sockets.delete(socket);
    fs.closeSync(fd);
  });
  if (noread) socket.pause();
}

function onWebSocket(ws) {
  if (options.mode === 'reset-on-accept') {
    fs.writeSync(acceptLog, `${Number(process.hrtime.bigint() / 1000n) / 1000}\n`);
    ws._socket.resetAndDestroy();
    return;
  }
  const fd = connectionFile();
  const socket = ws._socket;
  sockets.add(socket);
  ws.on('message', (data) => {
    messages += 1;
    bytes += data.length;
    fs.writeSync(fd, Buffer.concat([Buffer.from(data), Buffer.from('\n')]));
  });
  ws.on('error', () => {});
  const heartbeat = startHeartbeat(() => ws.readyState === 1 && ws.send('hb'));
  ws.on('close', () => {
    clearInterval(heartbeat);
    sockets.delete(socket);
    fs.closeSync(fd);
  });
  if (noread) socket.pause();
}

let server;
if (proto === 'tcp') {
  server = net.createServer(onTcp);
  server.listen(port, '127.0.0.1', () => process.send({ ready: true, port: server.address().port }));
} else {
  const { WebSocketServer } = require('ws');
  server = new WebSocketServer({ host: '127.0.0.1', port, maxPayload: 64 * 1024 * 1024 }, () => process.send({ ready: true, port: server.address().port }));
  server.on('connection', onWebSocket);
}

process.on('message', (message) => {
  if (message.cmd === 'reset') {
    for (const socket of sockets) socket.resetAndDestroy();
    process.send({ reset: true });
  } else if (message.cmd === 'read') {
    noread = false;
    for (const socket of sockets) socket.resume();
    process.send({ reading: true });
  } else if (message.cmd === 'stats') {
    process.send({ stats: { connections, bytes, messages, open: sockets.size } });
  }
});
process.on('disconnect', () => process.exit(0));
