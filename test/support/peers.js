'use strict';
// Plain Node sockets playing the device or client on the other end of a test.
const dgram = require('dgram');
const net = require('net');
const { once, until, withTimeout } = require('./events');

/** A TCP client that records everything it receives. */
async function connectClient(port, host = '127.0.0.1') {
  const socket = net.connect({ port, host });
  socket.received = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    socket.received = Buffer.concat([socket.received, chunk]);
  });
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.waitForText = (text, ms = 5000) => until(() => socket.received.toString('utf8').includes(text), ms, `"${text}" from the server (got ${JSON.stringify(socket.received.toString('utf8').slice(0, 200))})`);
  socket.waitForBytes = (count, ms = 5000) => until(() => socket.received.length >= count, ms, `${count} bytes`);
  socket.whenClosed = new Promise((resolve) => socket.once('close', resolve));
  return socket;
}

/** A TCP server standing in for a device: records connections and what each sent. */
async function startDevice(port = 0, host = '127.0.0.1') {
  const device = { sockets: [], received: Buffer.alloc(0) };
  const server = net.createServer((socket) => {
    device.sockets.push(socket);
    socket.on('data', (chunk) => {
      device.received = Buffer.concat([device.received, chunk]);
    });
    socket.on('error', () => {});
  });
  device.server = server;
  server.listen(port, host);
  await once(server, 'listening');
  device.port = server.address().port;
  device.waitForConnection = (n = 1, ms = 5000) => until(() => device.sockets.length >= n, ms, `${n} connection(s) to the device`);
  device.waitForText = (text, ms = 5000) => until(() => device.received.toString('utf8').includes(text), ms, `"${text}" at the device (got ${JSON.stringify(device.received.toString('utf8').slice(0, 200))})`);
  device.stop = () => new Promise((resolve) => {
    for (const socket of device.sockets) socket.destroy();
    server.close(() => resolve());
  });
  return device;
}

/** A plain dgram socket standing in for a device; records every datagram it gets as {data, rinfo}. */
async function startUdpPeer(type = 'udp4', address = type === 'udp4' ? '127.0.0.1' : '::1') {
  const socket = dgram.createSocket(type);
  const peer = { socket, received: [] };
  socket.on('message', (data, rinfo) => peer.received.push({ data, rinfo }));
  socket.bind(0, address);
  await once(socket, 'listening');
  peer.port = socket.address().port;
  peer.address = address;
  peer.waitFor = (count, ms = 5000) => until(() => peer.received.length >= count, ms, `${count} datagram(s) at the peer (got ${peer.received.length})`);
  peer.send = (data, port, host = address) => new Promise((resolve, reject) => socket.send(data, port, host, (err) => (err ? reject(err) : resolve())));
  peer.close = () => new Promise((resolve) => socket.close(resolve));
  return peer;
}

function closeQuietly(socket) {
  if (!socket || socket.destroyed) return Promise.resolve();
  const closed = new Promise((resolve) => socket.once('close', resolve));
  socket.destroy();
  return withTimeout(closed, 2000, 'socket close');
}

module.exports = { connectClient, startDevice, startUdpPeer, closeQuietly };
