'use strict';
// udp request finds a real mDNS responder: avahi-daemon (not written here) in a network namespace
// this test creates, behind a veth from the test's own namespace (10.200.8.0/24). The query is a
// legacy unicast one (RFC 6762 6.7: sent from a port other than 5353), so avahi answers unicast to
// the endpoint's port, and discovery collects it. Multicast never leaves the namespaces.
require('should');
const { execFileSync, spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { requireNamespace } = require('./netns-support');

const topology = requireNamespace('solo');

const tools = require('../support/tools');
const { helper, load, nodeSet, catchNode, useHelper } = require('../support/red');
const { collect, withTimeout } = require('../support/events');

const udpNodes = nodeSet('udp');
const requestNodes = nodeSet('request');
const ns = `${topology.solo}-mdns`;
const HOST = `netcast-mdns-${process.pid}`;

const ip = (args) => execFileSync(tools.ip(), args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

/** A DNS query for HOST.local, type A, class IN (unicast-response bit clear: the port makes it legacy unicast). */
function query(id) {
  const labels = [HOST, 'local'].map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label)]));
  const header = Buffer.from([id >> 8, id & 255, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
  return Buffer.concat([header, ...labels, Buffer.from([0, 0, 1, 0, 1])]);
}

describe('udp request discovers a real mDNS responder (avahi-daemon in a namespace of its own)', function () {
  this.timeout(60000);
  useHelper();
  let avahi;
  let confDir;

  before(async function () {
    ip(['netns', 'add', ns]);
    ip(['link', 'add', 'mdns0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    ip(['addr', 'add', '10.200.8.1/24', 'dev', 'mdns0']);
    ip(['link', 'set', 'mdns0', 'up']);
    for (const args of [['link', 'set', 'lo', 'up'], ['addr', 'add', '10.200.8.2/24', 'dev', 'eth0'], ['link', 'set', 'eth0', 'up'], ['route', 'add', '224.0.0.0/4', 'dev', 'eth0']]) {
      ip(['netns', 'exec', ns, 'ip', ...args]);
    }
    confDir = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-avahi-'));
    const conf = path.join(confDir, 'avahi-daemon.conf');
    fs.writeFileSync(conf, `[server]\nhost-name=${HOST}\ndomain-name=local\nuse-ipv4=yes\nuse-ipv6=no\nallow-interfaces=eth0\nenable-dbus=no\nratelimit-burst=1000\n[publish]\npublish-addresses=yes\npublish-hinfo=no\npublish-workstation=no\n`);
    // its own mount namespace with an empty /run: the pid file and socket stay out of the host's /run
    const script = `mount -t tmpfs none /run && exec "$0" -f "$1" --no-drop-root --no-chroot --no-rlimits --no-proc-title`;
    avahi = spawn(tools.ip(), ['netns', 'exec', ns, 'unshare', '--mount', '--propagation', 'private', 'sh', '-c', script, tools.command('avahi-daemon'), conf], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    await withTimeout(new Promise((resolve, reject) => {
      const onData = (chunk) => {
        log += chunk;
        if (/Server startup complete/.test(log)) resolve();
      };
      avahi.stdout.on('data', onData);
      avahi.stderr.on('data', onData);
      avahi.once('exit', (code) => reject(new Error(`avahi-daemon exited (${code}): ${log}`)));
    }), 20000, 'avahi-daemon to start');
  });

  after(async function () {
    if (avahi && avahi.exitCode === null) {
      const exited = new Promise((resolve) => avahi.once('exit', resolve));
      avahi.kill();
      await withTimeout(exited, 5000, 'avahi-daemon to exit').catch(() => avahi.kill('SIGKILL'));
    }
    try {
      ip(['netns', 'del', ns]);
    } catch {
      // already gone
    }
    if (confDir) fs.rmSync(confDir, { recursive: true, force: true });
  });

  it('a legacy unicast query to 224.0.0.251:5353 on the chosen interface is answered by avahi, collected in the window', async function () {
    await load([udpNodes, requestNodes, catchNode], [
      { id: 'tab', type: 'tab' },
      { id: 'ep', type: 'netcast-udp-endpoint', localAddress: '10.200.8.1', port: 0 },
      { id: 'req', type: 'netcast-udp-request', z: 'tab', endpoint: 'ep', mode: 'discover', window: 1500, iface: '10.200.8.1', ttl: 1, output: 'buffer', wires: [['found']] },
      { id: 'found', type: 'helper', z: 'tab' },
      { id: 'catch', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
      { id: 'errors', type: 'helper', z: 'tab' },
    ]);
    const errors = [];
    helper.getNode('errors').on('input', (msg) => errors.push(msg.error.message));
    // avahi may still be announcing itself: ask again (bounded) until it answers
    let answers = [];
    for (let attempt = 0; attempt < 8 && answers.length === 0; attempt++) {
      const found = collect(helper.getNode('found'), 1, 5000);
      helper.getNode('req').receive({ payload: query(0x4e00 + attempt), ip: '224.0.0.251', port: 5353, topic: 'mdns scan' });
      const [msg] = await found;
      msg.topic.should.equal('mdns scan');
      answers = msg.payload;
    }
    errors.should.eql([]);
    answers.length.should.be.above(0);
    const answer = answers[0];
    answer.ip.should.equal('10.200.8.2');
    answer.port.should.equal(5353);
    const dns = answer.payload;
    (dns[2] & 0x80).should.equal(0x80); // a response
    dns.readUInt16BE(6).should.be.above(0); // answer records
    dns.includes(Buffer.from(HOST)).should.be.true();
    dns.includes(Buffer.from([10, 200, 8, 2])).should.be.true(); // its A record
  });
});
