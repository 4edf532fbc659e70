'use strict';
// A separate process playing the server a netcast client endpoint talks to, so the suite can
// kill it (SIGKILL), pause it (SIGSTOP) or make it reset its connections. What it reads is written
// to disk at once, one file per connection, so nothing it received is lost when it is killed.
//   node peer.js '{"proto":"tcp"|"ws","port":N,"dir":"/tmp/x","noread":false,"heartbeatMs":0,"mode":"sink"|"reset-on-accept"}'
// IPC: {cmd:"reset"} RST every connection; {cmd:"read"} start reading; {cmd:"stats"} -> counts.
const fs = require('fs');
const net = require('net');
const path = require('path');
const { clientFrameOverhead } = require('../lib/peers');

const options = JSON.parse(process.argv[2]);
const { proto, port, dir } = options;
let noread = Boolean(options.noread);
const sockets = new Set();
let connections = 0;
let bytes = 0;
let messages = 0;
// bytes on the wire per open connection, by the client's port: for waiting until all it wrote is in
const wireByPort = new Map();
fs.mkdirSync(dir, { recursive: true });
const acceptLog = fs.openSync(path.join(dir, `accepts-${process.pid}.log`), 'a');

function connectionName() {
  connections += 1;
  fs.writeSync(acceptLog, `${Number(process.hrtime.bigint() / 1000n) / 1000}\n`);
  return path.join(dir, `conn-${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(connections).padStart(6, '0')}`);
}

function connectionFile(name = connectionName()) {
  return fs.openSync(`${name}.bin`, 'a');
}

/** The upgrade request as Node's http client wrote it: request line, headers, blank line. */
function upgradeRequestBytes(request) {
  let bytes = Buffer.byteLength(`${request.method} ${request.url} HTTP/${request.httpVersion}\r\n\r\n`);
  for (let i = 0; i < request.rawHeaders.length; i += 2) bytes += Buffer.byteLength(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}\r\n`);
  return bytes;
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
  const port = socket.remotePort;
  wireByPort.set(port, 0);
  socket.on('data', (chunk) => {
    bytes += chunk.length;
    fs.writeSync(fd, chunk);
    wireByPort.set(port, wireByPort.get(port) + chunk.length);
  });
  socket.on('error', () => {});
  const heartbeat = startHeartbeat(() => socket.writable && socket.write('hb\n'));
  socket.on('close', () => {
    clearInterval(heartbeat);
    sockets.delete(socket);
    wireByPort.delete(port);
    fs.closeSync(fd);
  });
  if (noread) socket.pause();
}

function onWebSocket(ws, request) {
  if (options.mode === 'reset-on-accept') {
    fs.writeSync(acceptLog, `${Number(process.hrtime.bigint() / 1000n) / 1000}\n`);
    ws._socket.resetAndDestroy();
    return;
  }
  // the wire bytes of a killed peer's connections are rebuilt from these files (lib/peers.js)
  const name = connectionName();
  const fd = connectionFile(name);
  const wire = fs.openSync(`${name}.wire`, 'a');
  const socket = ws._socket;
  const port = socket.remotePort;
  sockets.add(socket);
  const upgrade = upgradeRequestBytes(request);
  fs.writeSync(wire, `upgrade ${upgrade}\n`);
  wireByPort.set(port, upgrade);
  ws.on('message', (data) => {
    messages += 1;
    bytes += data.length;
    fs.writeSync(fd, Buffer.concat([Buffer.from(data), Buffer.from('\n')]));
    wireByPort.set(port, wireByPort.get(port) + clientFrameOverhead(data.length) + data.length);
  });
  ws.on('ping', (data) => {
    fs.writeSync(wire, `control ${clientFrameOverhead(data.length) + data.length}\n`);
    wireByPort.set(port, wireByPort.get(port) + clientFrameOverhead(data.length) + data.length);
  });
  ws.on('error', () => {});
  const heartbeat = startHeartbeat(() => ws.readyState === 1 && ws.send('hb'));
  ws.on('close', () => {
    clearInterval(heartbeat);
    sockets.delete(socket);
    wireByPort.delete(port);
    fs.closeSync(fd);
    fs.closeSync(wire);
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
    process.send({ stats: { connections, bytes, messages, open: sockets.size, wireByPort: Object.fromEntries(wireByPort) } });
  }
});
process.on('disconnect', () => process.exit(0));
