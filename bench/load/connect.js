'use strict';
const net = require('net');

/** Connects to 127.0.0.1:port, retrying for a few seconds: the server may still be starting to listen. */
async function connect(port, tries = 100) {
  for (let i = 1; ; i++) {
    try {
      return await new Promise((resolve, reject) => {
        const socket = net.connect({ port, host: '127.0.0.1' }, () => {
          socket.off('error', reject);
          resolve(socket);
        });
        socket.once('error', reject);
      });
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

module.exports = { connect };
