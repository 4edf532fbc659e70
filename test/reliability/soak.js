'use strict';
// Redeploy soak: 200 full and "modified nodes" deploys, mixed, of a flow holding every node type
// that can run in the root namespace (TCP server and client, UDP, WebSocket server on Node-RED's
// port and on its own, WebSocket client; multicast is soaked in the namespace part) while peers
// stay connected, reconnect and send. Afterwards the process holds what it held before.
const dgram = require('dgram');
const net = require('net');
const { WebSocket, WebSocketServer } = require('ws');
const { runPart, startRed, sleep, freePort, procSnapshot } = require('./lib/harness');

const DEPLOYS = Number(process.env.RELIABILITY_SOAK_DEPLOYS || 200);
const FD_TOLERANCE = 8;
const RSS_BAND_MB = 60;
const ENDPOINTS = ['epSrv', 'epCli', 'epUdp', 'epWsShared', 'epWsPort', 'epWsCli'];
const WORKING = ['listening', 'connected', 'ready'];

function flow(ports, names = {}) {
  const tab = 'tab';
  const named = (node) => ({ ...node, name: names[node.id] || '' });
  return [
    { id: tab, type: 'tab', label: 'soak' },
    named({ id: 'epSrv', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: ports.tcp, framing: 'delimiter', delimiter: '\\n' }),
    named({ id: 'inSrv', type: 'netcast-tcp-in', z: tab, endpoint: 'epSrv', output: 'utf8', wires: [['outSrv']] }),
    named({ id: 'outSrv', type: 'netcast-tcp-out', z: tab, endpoint: 'epSrv', wires: [] }),

    named({ id: 'epCli', type: 'netcast-tcp-endpoint', mode: 'client', host: '127.0.0.1', port: ports.device, framing: 'delimiter', delimiter: '\\n', reconnectInitial: 0.1, reconnectMax: 0.5 }),
    named({ id: 'tickCli', type: 'inject', z: tab, repeat: '0.1', once: true, onceDelay: 0.1, payload: 'tick', payloadType: 'str', topic: '', props: [{ p: 'payload' }], wires: [['outCli']] }),
    named({ id: 'outCli', type: 'netcast-tcp-out', z: tab, endpoint: 'epCli', wires: [] }),
    named({ id: 'inCli', type: 'netcast-tcp-in', z: tab, endpoint: 'epCli', output: 'utf8', wires: [] }),

    named({ id: 'epUdp', type: 'netcast-udp-endpoint', localAddress: '127.0.0.1', port: ports.udp }),
    named({ id: 'inUdp', type: 'netcast-udp-in', z: tab, endpoint: 'epUdp', output: 'buffer', wires: [['outUdp']] }),
    named({ id: 'outUdp', type: 'netcast-udp-out', z: tab, endpoint: 'epUdp', wires: [] }),

    named({ id: 'epWsShared', type: 'netcast-websocket-endpoint', mode: 'server', listenOn: 'nodered', path: '/soak' }),
    named({ id: 'inWsShared', type: 'netcast-websocket-in', z: tab, endpoint: 'epWsShared', wires: [['outWsShared']] }),
    named({ id: 'outWsShared', type: 'netcast-websocket-out', z: tab, endpoint: 'epWsShared', wires: [] }),

    named({ id: 'epWsPort', type: 'netcast-websocket-endpoint', mode: 'server', listenOn: 'port', host: '127.0.0.1', port: ports.ws, path: '/own' }),
    named({ id: 'inWsPort', type: 'netcast-websocket-in', z: tab, endpoint: 'epWsPort', wires: [['outWsPort']] }),
    named({ id: 'outWsPort', type: 'netcast-websocket-out', z: tab, endpoint: 'epWsPort', wires: [] }),

    named({ id: 'epWsCli', type: 'netcast-websocket-endpoint', mode: 'client', url: `ws://127.0.0.1:${ports.wsDevice}/`, reconnectInitial: 0.1, reconnectMax: 0.5 }),
    named({ id: 'tickWs', type: 'inject', z: tab, repeat: '0.1', once: true, onceDelay: 0.1, payload: 'tick', payloadType: 'str', topic: '', props: [{ p: 'payload' }], wires: [['outWsCli']] }),
    named({ id: 'outWsCli', type: 'netcast-websocket-out', z: tab, endpoint: 'epWsCli', wires: [] }),
    named({ id: 'inWsCli', type: 'netcast-websocket-in', z: tab, endpoint: 'epWsCli', wires: [] }),
  ];
}

/** Peers that keep talking to the flow, reconnecting whenever a deploy drops them. */
function startPeers(red, ports) {
  const stats = { tcp: { sent: 0, echoed: 0, connects: 0 }, udp: { sent: 0, echoed: 0 }, wsShared: { sent: 0, echoed: 0, connects: 0 }, wsPort: { sent: 0, echoed: 0, connects: 0 }, device: { lines: 0, connects: 0 }, wsDevice: { messages: 0, connects: 0 } };
  let stopped = false;
  const timers = [];
  const closers = [];

  const tcpClient = () => {
    if (stopped) return;
    const socket = net.connect({ port: ports.tcp, host: '127.0.0.1' });
    socket.on('connect', () => (stats.tcp.connects += 1));
    socket.on('data', (chunk) => (stats.tcp.echoed += chunk.toString().split('\n').length - 1));
    socket.on('error', () => {});
    const timer = setInterval(() => {
      if (socket.writable && socket.readyState === 'open') {
        stats.tcp.sent += 1;
        socket.write(`s${stats.tcp.sent}\n`);
      }
    }, 50);
    socket.on('close', () => {
      clearInterval(timer);
      setTimeout(tcpClient, 100);
    });
    closers.push(() => socket.destroy());
  };

  const wsClient = (url, key) => {
    if (stopped) return;
    const ws = new WebSocket(url);
    ws.on('open', () => (stats[key].connects += 1));
    ws.on('message', () => (stats[key].echoed += 1));
    ws.on('error', () => {});
    const timer = setInterval(() => {
      if (ws.readyState === WebSocket.OPEN) {
        stats[key].sent += 1;
        ws.send(`w${stats[key].sent}`);
      }
    }, 50);
    ws.on('close', () => {
      clearInterval(timer);
      setTimeout(() => wsClient(url, key), 100);
    });
    closers.push(() => ws.terminate());
  };

  const udp = dgram.createSocket('udp4');
  udp.on('message', () => (stats.udp.echoed += 1));
  udp.bind(0, '127.0.0.1');
  timers.push(setInterval(() => {
    stats.udp.sent += 1;
    udp.send(`u${stats.udp.sent}`, ports.udp, '127.0.0.1');
  }, 50));

  const device = net.createServer((socket) => {
    stats.device.connects += 1;
    socket.on('data', (chunk) => (stats.device.lines += chunk.toString().split('\n').length - 1));
    socket.on('error', () => {});
    closers.push(() => socket.destroy());
  }).listen(ports.device, '127.0.0.1');
  const wsDevice = new WebSocketServer({ port: ports.wsDevice, host: '127.0.0.1' });
  wsDevice.on('connection', (ws) => {
    stats.wsDevice.connects += 1;
    ws.on('message', () => (stats.wsDevice.messages += 1));
    ws.on('error', () => {});
  });

  tcpClient();
  wsClient(`ws://127.0.0.1:${red.port}/soak`, 'wsShared');
  wsClient(`ws://127.0.0.1:${ports.ws}/own`, 'wsPort');

  return {
    stats,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      timers.forEach(clearInterval);
      closers.forEach((close) => close());
      udp.close();
      for (const ws of wsDevice.clients) ws.terminate();
      await new Promise((resolve) => wsDevice.close(resolve));
      await new Promise((resolve) => device.close(resolve));
    },
  };
}

function totals(stats) {
  return {
    sent: stats.tcp.sent + stats.udp.sent + stats.wsShared.sent + stats.wsPort.sent,
    echoed: stats.tcp.echoed + stats.udp.echoed + stats.wsShared.echoed + stats.wsPort.echoed,
  };
}

runPart('soak', async (result, onCleanup) => {
  const red = await startRed();
  onCleanup(() => red.stop());
  const ports = { tcp: await freePort(), udp: await freePort(), ws: await freePort(), device: await freePort(), wsDevice: await freePort() };
  const logFrom = red.log.length;

  await red.deploy([]);
  await sleep(300);
  const empty = procSnapshot(red.pid);
  const peers = startPeers(red, ports);
  onCleanup(() => peers.stop());

  const waitAll = async () => {
    for (const id of ENDPOINTS) {
      const info = await red.waitEndpoint(id, [...WORKING, 'failed'], 10000);
      if (info.state.phase === 'failed') throw new Error(`${id} failed after a deploy: ${info.state.reason}`);
    }
  };
  let failures = 0;
  const deployOnce = async (i) => {
    const full = i % 2 === 0;
    const names = {};
    if (!full) {
      // a "modified nodes" deploy: rename a few nodes, config nodes included, so only they restart
      const ids = flow(ports).filter((node) => node.type !== 'tab').map((node) => node.id);
      for (let k = 0; k < 1 + (i % 4); k += 1) names[ids[(i * 7 + k * 5) % ids.length]] = `v${i}`;
    }
    await red.deploy(flow(ports, names), full ? 'full' : 'nodes');
    result.add('deploys', 1);
    try {
      await waitAll();
    } catch (err) {
      failures += 1;
      if (failures <= 3) result.check(`deploy ${i} comes up`, false, err.message);
    }
  };

  await red.deploy(flow(ports));
  result.add('deploys', 1);
  await waitAll();
  for (let i = 0; i < 6; i += 1) await deployOnce(i);
  await sleep(1500);
  const warm = procSnapshot(red.pid);
  const before = totals(peers.stats);
  const started = Date.now();
  let lastTraffic = { ...peers.stats.device, ws: peers.stats.wsDevice.messages, echoed: before.echoed };
  let stalls = 0;
  for (let i = 0; i < DEPLOYS; i += 1) {
    await deployOnce(i);
    red.sampleRss();
    if (i % 25 === 24) {
      await sleep(700);
      const now = { lines: peers.stats.device.lines, ws: peers.stats.wsDevice.messages, echoed: totals(peers.stats).echoed };
      if (!(now.lines > lastTraffic.lines && now.ws > lastTraffic.ws && now.echoed > lastTraffic.echoed)) stalls += 1;
      lastTraffic = now;
      console.log(`  ${i + 1} deploys, ${((Date.now() - started) / 1000).toFixed(0)} s, RSS ${Math.round(red.sampleRss() / 1024)} MB, fds ${procSnapshot(red.pid).fds}`);
    }
  }
  result.check(`${DEPLOYS} mixed full / modified-nodes deploys: every endpoint came up after each`, failures === 0, `${failures} failed`);
  result.check('traffic flowed through every transport between deploys', stalls === 0, `${stalls} windows without traffic`);
  await sleep(2000);
  const after = procSnapshot(red.pid);
  const traffic = totals(peers.stats);
  result.add('sent', traffic.sent - before.sent);
  result.add('delivered', traffic.echoed - before.echoed);
  result.note(`soak traffic: peers sent ${traffic.sent}, got ${traffic.echoed} echoes (messages in flight during a deploy are lost by design: the server they were sent to is being replaced); the flow sent ${peers.stats.device.lines} lines to the TCP device and ${peers.stats.wsDevice.messages} messages to the WebSocket device over ${peers.stats.device.connects} and ${peers.stats.wsDevice.connects} connections`);
  result.check('listening ports after the soak = before it', JSON.stringify(after.listening) === JSON.stringify(warm.listening), `before ${warm.listening.join(',')}; after ${after.listening.join(',')}`);
  result.check(`open fds after the soak within ${FD_TOLERANCE} of before`, Math.abs(after.fds - warm.fds) <= FD_TOLERANCE, `${warm.fds} → ${after.fds} (TCP connections ${warm.tcpConnections} → ${after.tcpConnections}, UDP sockets ${warm.udpSockets} → ${after.udpSockets})`);
  result.check(`RSS after the soak within ${RSS_BAND_MB} MB of before`, (after.rssKb - warm.rssKb) / 1024 <= RSS_BAND_MB, `${Math.round(warm.rssKb / 1024)} → ${Math.round(after.rssKb / 1024)} MB (max ${Math.round(red.maxRssKb / 1024)} MB)`);

  await peers.stop();
  await red.deploy([]);
  result.add('deploys', 1);
  await sleep(1500);
  const end = procSnapshot(red.pid);
  result.check('after deploying an empty flow: the listening ports are those of an empty Node-RED', JSON.stringify(end.listening) === JSON.stringify(empty.listening), `empty ${empty.listening.join(',')}; end ${end.listening.join(',')}`);
  result.check(`after deploying an empty flow: fds back to the empty baseline (±${FD_TOLERANCE})`, end.fds - empty.fds <= FD_TOLERANCE, `${empty.fds} → ${end.fds}, UDP sockets ${end.udpSockets}, TCP connections ${end.tcpConnections}`);
  const log = red.problems(logFrom);
  result.check('no EADDRINUSE ever', !red.log.includes('EADDRINUSE') && !/in use by another program/.test(red.log));
  result.check('no warning or error in the log', log.length === 0, log.slice(0, 6).join(' | '));
  result.rss(red.maxRssKb);
});
