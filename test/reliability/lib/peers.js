'use strict';
// Starting, killing, pausing and reading back the peer processes in ../peers/peer.js.
const { fork } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { withTimeout } = require('../../support/events');

const peerJs = path.join(__dirname, '..', 'peers', 'peer.js');

class PeerProcess {
  constructor(options) {
    this.options = options;
  }

  async start() {
    this.child = fork(peerJs, [JSON.stringify(this.options)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    const ready = await withTimeout(new Promise((resolve, reject) => {
      this.child.once('message', resolve);
      this.child.once('exit', (code) => reject(new Error(`peer exited with ${code}`)));
    }), 10000, 'the peer to listen');
    this.port = ready.port;
    this.options.port = ready.port;
    return this;
  }

  ask(cmd) {
    return withTimeout(new Promise((resolve) => {
      const onMessage = (message) => {
        if (message.ready) return;
        this.child.off('message', onMessage);
        resolve(message);
      };
      this.child.on('message', onMessage);
      this.child.send({ cmd });
    }), 10000, `the peer to answer ${cmd}`);
  }

  async kill() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  stopProcess() {
    this.child.kill('SIGSTOP');
  }

  continueProcess() {
    this.child.kill('SIGCONT');
  }
}

/** A peer server in a fresh directory (or `dir`, to keep one record across restarts). */
async function startPeer(proto, extra = {}) {
  const dir = extra.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), `netcast-peer-${proto}-`));
  return new PeerProcess({ proto, port: 0, dir, ...extra }).start();
}

/** Everything the peers of `dir` read, connection by connection, in the order they were accepted. */
function connectionFiles(dir) {
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith('conn-') && name.endsWith('.bin'))
    .sort()
    .map((name) => path.join(dir, name));
}

function readConnections(dir) {
  return connectionFiles(dir).map((file) => fs.readFileSync(file, 'utf8'));
}

/** The client's frame header for a message of `length` bytes: 2, the extended length, the mask. */
function clientFrameOverhead(length) {
  return 2 + (length < 126 ? 0 : length < 65536 ? 2 : 8) + 4;
}

/**
 * Bytes on the wire the peers of `dir` read, over all their connections, killed peers included:
 * a TCP connection's file holds them as they came; a WebSocket one holds one message per line,
 * with its upgrade request and control frames in a .wire file beside it.
 */
function wireRecorded(dir) {
  let total = 0;
  for (const file of connectionFiles(dir)) {
    const wireFile = file.replace(/\.bin$/, '.wire');
    if (!fs.existsSync(wireFile)) {
      total += fs.statSync(file).size;
      continue;
    }
    for (const line of fs.readFileSync(wireFile, 'utf8').split('\n').filter(Boolean)) total += Number(line.split(' ')[1]);
    const lines = fs.readFileSync(file).toString('latin1').split('\n');
    lines.pop();
    for (const message of lines) total += clientFrameOverhead(Buffer.byteLength(message, 'latin1')) + Buffer.byteLength(message, 'latin1');
  }
  return total;
}

/** Accept times (ms, monotonic) the peers of `dir` logged. */
function acceptTimes(dir) {
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith('accepts-'))
    .flatMap((name) => fs.readFileSync(path.join(dir, name), 'utf8').split('\n').filter(Boolean).map(Number))
    .sort((a, b) => a - b);
}

module.exports = { startPeer, readConnections, wireRecorded, clientFrameOverhead, acceptTimes, PeerProcess };
