'use strict';
// A multicast device on another host (network namespace) of the multi-host test. Prints one JSON
// line per event on stdout. Usage: node multihost-peer.js '{"mode":"listen"|"send", ...}'
//   listen: {group, port, iface (the local address to join on), source?}
//   send:   {group, port, iface (the local address to send from), text, everyMs}: until killed
const dgram = require('dgram');

const options = JSON.parse(process.argv[2]);
const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

function listen({ group, port, iface, source }) {
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  socket.on('message', (data, rinfo) => say({ event: 'message', text: data.toString(), from: rinfo.address }));
  socket.bind(port, group, () => {
    if (source) socket.addSourceSpecificMembership(source, group, iface);
    else socket.addMembership(group, iface);
    say({ event: 'ready' });
  });
}

function send({ group, port, iface, text, everyMs = 100 }) {
  const socket = dgram.createSocket('udp4');
  socket.bind(0, iface, () => {
    socket.setMulticastInterface(iface);
    socket.setMulticastTTL(1);
    say({ event: 'ready' });
    let n = 0;
    const tick = () => socket.send(`${text} ${n++}`, port, group, () => setTimeout(tick, everyMs));
    tick();
  });
}

if (options.mode === 'listen') listen(options);
else send(options);
process.on('SIGTERM', () => process.exit(0));
