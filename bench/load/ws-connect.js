'use strict';
// A WebSocket client handshake by hand over a plain TCP socket, so the load generators can write
// pre-built frames and count received frames with a few byte reads instead of a full client
// library per message. Resolves with the socket and any bytes that came after the 101 response.
const crypto = require('crypto');
const { connect } = require('./connect');

async function wsConnect(port, path) {
  const socket = await connect(port);
  const key = crypto.randomBytes(16).toString('base64');
  socket.write(
    `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nOrigin: http://127.0.0.1:${port}\r\n\r\n`,
  );
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const onData = (chunk) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('error', reject);
      const status = head.subarray(0, head.indexOf('\r\n')).toString();
      if (!/^HTTP\/1\.1 101/.test(status)) {
        socket.destroy();
        reject(new Error(`upgrade to ${path} refused: ${status}`));
        return;
      }
      socket.pause();
      resolve({ socket, rest: head.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Retries the handshake for a few seconds: the endpoint may still be starting. */
async function wsConnectRetry(port, path, tries = 60) {
  for (let i = 1; ; i++) {
    try {
      return await wsConnect(port, path);
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/**
 * Counts the data frames (text or binary) of a server's unmasked stream, chunk by chunk.
 * Returns a function to call with every chunk.
 */
function frameCounter(onFrames) {
  let skip = 0; // payload bytes of the current frame still to come
  let partial = null; // a header cut by the chunk's end
  return (input) => {
    let chunk = input;
    if (partial) {
      chunk = Buffer.concat([partial, chunk]);
      partial = null;
    }
    const n = chunk.length;
    let i = 0;
    if (skip > 0) {
      const take = Math.min(skip, n);
      skip -= take;
      i = take;
    }
    let frames = 0;
    while (i < n) {
      if (n - i < 2) {
        partial = chunk.subarray(i);
        break;
      }
      const b1 = chunk[i + 1] & 0x7f;
      let header = b1 === 126 ? 4 : b1 === 127 ? 10 : 2;
      if (chunk[i + 1] & 0x80) header += 4;
      if (n - i < header) {
        partial = chunk.subarray(i);
        break;
      }
      const length = b1 === 126 ? chunk.readUInt16BE(i + 2) : b1 === 127 ? Number(chunk.readBigUInt64BE(i + 2)) : b1;
      const opcode = chunk[i] & 0x0f;
      if (opcode === 1 || opcode === 2) frames += 1;
      i += header;
      if (length > n - i) {
        skip = length - (n - i);
        break;
      }
      i += length;
    }
    if (frames) onFrames(frames);
  };
}

/** A masked client text frame (mask key 0, which leaves the payload as it is). */
function clientTextFrame(payload) {
  const bytes = Buffer.from(payload);
  if (bytes.length >= 126) throw new Error('clientTextFrame: payloads under 126 bytes only');
  return Buffer.concat([Buffer.from([0x81, 0x80 | bytes.length, 0, 0, 0, 0]), bytes]);
}

module.exports = { wsConnect: wsConnectRetry, frameCounter, clientTextFrame };
