'use strict';
// Devices for the request cases (bench/cases/request.js), in a process of their own: `count` TCP
// servers on 127.0.0.1 that answer each line "<id>:<text>\n" with "<id>:ok\n", at once (delayMs 0:
// every answer to one read in one write) or each after delayMs (a device that takes its time; with
// several requests in flight, a pipelining device). Ready with {ports}; stats: lines answered.
// Usage: node tcp-answer-devices.js '{"count":20,"delayMs":1}'
const net = require('net');
const ipc = require('../ipc');

const { count = 1, delayMs = 0 } = JSON.parse(process.argv[2] || '{}');
let answered = 0;

function answerLines(socket) {
  socket.setNoDelay(true);
  let rest = '';
  socket.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    let out = '';
    for (const line of lines) {
      const answer = `${line.slice(0, line.indexOf(':'))}:ok\n`;
      answered += 1;
      if (delayMs > 0) setTimeout(() => socket.writable && socket.write(answer), delayMs);
      else out += answer;
    }
    if (out) socket.write(out);
  });
  socket.on('error', () => {});
}

const listening = [];
for (let i = 0; i < count; i++) {
  const server = net.createServer(answerLines);
  listening.push(new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port))));
}
Promise.all(listening).then((ports) => ipc.ready({ ports }));
ipc.serve({
  reset: () => {
    answered = 0;
  },
  stats: () => ({ answered }),
});
