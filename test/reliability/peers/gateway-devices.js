'use strict';
// The far ends of the gateway part (test/reliability/gateway.js), run inside its "dev" network
// namespace and driven over IPC ({id, cmd, args} -> {id, result | error}):
//   devices    N TCP devices connected to the load balancer; each reconnects 200 ms after its
//              connection closes, and sends numbered lines "d<device> <seq>\n" when told
//   subscriber an MQTT client (the mqtt package Node-RED's own mqtt nodes use) subscribed to
//              devices/# with QoS 1, recording every message it gets
// Commands: start {lb, port, broker, count}; send {count, gapMs}; stats {full}.
const net = require('net');
const mqtt = require('mqtt');

const devices = [];
const received = [];
let target;

function connectDevice(device) {
  const socket = net.connect({ host: target.lb, port: target.port });
  device.socket = socket;
  socket.setNoDelay(true);
  socket.on('connect', () => {
    device.connected = true;
    device.connects += 1;
  });
  socket.on('error', () => {});
  socket.resume();
  socket.on('close', () => {
    device.connected = false;
    if (!target.stopped) setTimeout(() => connectDevice(device), 200);
  });
}

async function start({ lb, port, broker, count }) {
  target = { lb, port, stopped: false };
  const client = mqtt.connect(`mqtt://${broker}:1883`, { clientId: `netcast-gateway-subscriber-${process.pid}`, reconnectPeriod: 200 });
  target.client = client;
  client.on('message', (topic, payload) => received.push({ topic, text: payload.toString() }));
  await new Promise((resolve, reject) => {
    client.once('connect', () => client.subscribe('devices/#', { qos: 1 }, (err) => (err ? reject(err) : resolve())));
    client.once('error', reject);
  });
  for (let i = 0; i < count; i++) {
    const device = { id: i, seq: 0, connects: 0, connected: false };
    devices.push(device);
    connectDevice(device);
  }
}

/** Every device sends `count` numbered lines, `gapMs` apart; resolves once the kernel took them all. */
function send({ count, gapMs }) {
  return Promise.all(
    devices.map(async (device) => {
      for (let n = 0; n < count; n++) {
        if (!device.connected) throw new Error(`device ${device.id} is not connected`);
        device.seq += 1;
        await new Promise((resolve, reject) => device.socket.write(`d${device.id} ${device.seq}\n`, (err) => (err ? reject(err) : resolve())));
        await new Promise((resolve) => setTimeout(resolve, gapMs));
      }
    }),
  ).then(() => ({ sent: devices.reduce((sum, d) => sum + d.seq, 0) }));
}

/** full: every message received, else only how many. */
function stats({ full = false } = {}) {
  return {
    connected: devices.filter((d) => d.connected).length,
    connects: devices.map((d) => d.connects),
    sent: devices.map((d) => d.seq),
    receivedCount: received.length,
    ...(full ? { received } : {}),
  };
}

const commands = { start, send, stats };
process.on('message', async ({ id, cmd, args }) => {
  try {
    process.send({ id, result: await commands[cmd](args) });
  } catch (err) {
    process.send({ id, error: err.message });
  }
});
process.on('disconnect', () => {
  if (target) {
    target.stopped = true;
    target.client?.end(true);
  }
  for (const device of devices) device.socket?.destroy();
  process.exit(0);
});
process.send({ ready: true });
