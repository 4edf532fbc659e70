'use strict';
// Devices for the request bench, in a process of their own: `count` TCP servers on 127.0.0.1 that
// answer each line "<id>:<text>\n" with "<id>:ok\n", at once (delayMs 0) or after delayMs.
// Prints the ports as JSON on stdout once all listen. Usage: node devices.js COUNT DELAY_MS
const net = require('net');

const [count, delayMs] = process.argv.slice(2).map(Number);
const servers = [];
for (let i = 0; i < count; i++) {
  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    let rest = '';
    socket.on('data', (chunk) => {
      const text = rest + chunk;
      const lines = text.split('\n');
      rest = lines.pop();
      let out = '';
      for (const line of lines) {
        const answer = `${line.slice(0, line.indexOf(':'))}:ok\n`;
        if (delayMs > 0) setTimeout(() => socket.writable && socket.write(answer), delayMs);
        else out += answer;
      }
      if (out) socket.write(out);
    });
    socket.on('error', () => {});
  });
  servers.push(new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port))));
}
Promise.all(servers).then((ports) => process.stdout.write(`${JSON.stringify(ports)}\n`));
