'use strict';
// Shared by the tests that only run inside the namespaces scripts/run-netns-tests.js builds.
const { execFileSync, spawn } = require('child_process');
const dgram = require('dgram');
const { once, until, withTimeout } = require('../support/events');
const tools = require('../support/tools');

/**
 * Refuses to run outside the namespace the script made for `role`: these tests join and send to
 * multicast groups, which must never reach the real network.
 */
function requireNamespace(role) {
  const topology = process.env.NETCAST_NETNS ? JSON.parse(process.env.NETCAST_NETNS) : undefined;
  const current = execFileSync(tools.ip(), ['netns', 'identify', String(process.pid)], { encoding: 'utf8' }).trim();
  if (!topology || process.env.NETCAST_NETNS_ROLE !== role || current !== topology[role]) {
    throw new Error(`refusing to run multicast tests outside their network namespace (in "${current || 'the root namespace'}"); run: node scripts/run-netns-tests.js`);
  }
  return topology;
}

/** A plain multicast socket playing a device: joins `group` on `iface` (an address or ::%name). */
async function joinGroup({ group, port, iface, source, type = group && group.includes(':') ? 'udp6' : 'udp4', bindAddress }) {
  const socket = dgram.createSocket({ type, reuseAddr: true });
  const peer = { socket, received: [] };
  socket.on('message', (data, rinfo) => peer.received.push({ text: data.toString(), data, from: rinfo.address, port: rinfo.port }));
  socket.bind(port, bindAddress ?? (type === 'udp4' ? '0.0.0.0' : '::'));
  await once(socket, 'listening');
  if (group) {
    if (source) socket.addSourceSpecificMembership(source, group, iface);
    else socket.addMembership(group, iface);
  }
  peer.texts = () => peer.received.map((item) => item.text);
  peer.waitFor = (count, ms = 5000) => until(() => peer.received.length >= count, ms, `${count} datagram(s) on ${group || 'the socket'} (got ${JSON.stringify(peer.texts())})`);
  peer.close = () => new Promise((resolve) => socket.close(resolve));
  return peer;
}

/** A socket that sends to groups from `bindAddress`, out of `iface`. */
async function sender({ type = 'udp4', bindAddress, iface, loopback = true }) {
  const socket = dgram.createSocket(type);
  socket.bind(0, bindAddress);
  await once(socket, 'listening');
  if (iface) socket.setMulticastInterface(iface);
  socket.setMulticastLoopback(loopback);
  return {
    socket,
    send: (text, group, port) => new Promise((resolve, reject) => socket.send(text, port, group, (err) => (err ? reject(err) : resolve()))),
    close: () => new Promise((resolve) => socket.close(resolve)),
  };
}

/**
 * Sends `text` every `everyMs` until `done()` is true: for a receiver that joins at a moment the
 * test cannot observe from outside (after an interface appears). Not a sleep: it stops on the event.
 */
async function sendUntil(from, text, group, port, done, ms = 10000, everyMs = 100) {
  await withTimeout(new Promise((resolve, reject) => {
    const tick = () => {
      if (done()) return resolve();
      from.send(text, group, port).catch(reject);
      setTimeout(tick, everyMs);
    };
    tick();
  }), ms, `"${text}" to arrive on ${group}`);
}

/**
 * Captures the first UDP packet to `port` leaving or entering `dev` and returns its TTL (IPv4) or
 * hop limit (IPv6), read from the IP header as tcpdump -v would show it.
 */
function captureHopLimit(dev, port) {
  const script = `
import socket, struct, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_DGRAM, socket.htons(0x0003))
s.bind((sys.argv[1], 0))
print('ready', flush=True)
port = int(sys.argv[2])
while True:
    data = s.recv(70000)
    version = data[0] >> 4
    if version == 4:
        header = (data[0] & 15) * 4
        if data[9] == 17 and struct.unpack('!H', data[header + 2:header + 4])[0] == port:
            print('hop', data[8], flush=True); break
    elif version == 6:
        if data[6] == 17 and struct.unpack('!H', data[42:44])[0] == port:
            print('hop', data[7], flush=True); break
`;
  const child = spawn(tools.command('python3'), ['-c', script, dev, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  const ready = new Promise((resolve) => child.stdout.on('data', (chunk) => {
    output += chunk;
    if (output.includes('ready')) resolve();
  }));
  const hop = new Promise((resolve) => child.once('exit', () => resolve(Number(/hop (\d+)/.exec(output)?.[1]))));
  return { ready: withTimeout(ready, 5000, 'the packet capture to start'), hop: withTimeout(hop, 5000, 'a captured packet'), stop: () => child.kill() };
}

/** Groups joined in this namespace, as /proc/net/igmp lists them (the kernel's view). */
function joinedIPv4Groups(dev) {
  const lines = require('fs').readFileSync('/proc/net/igmp', 'utf8').split('\n');
  const groups = [];
  let current;
  for (const line of lines) {
    const deviceLine = /^\d+\s+(\S+)\s*:/.exec(line);
    if (deviceLine) current = deviceLine[1];
    const groupLine = /^\s+([0-9A-F]{8})\s/.exec(line);
    if (groupLine && current === dev) {
      const hex = groupLine[1];
      // the kernel prints the address in host byte order (little-endian here)
      groups.push([6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join('.'));
    }
  }
  return groups;
}

module.exports = { requireNamespace, joinGroup, sender, sendUntil, captureHopLimit, joinedIPv4Groups };
