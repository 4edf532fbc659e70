'use strict';
// Peer faults against the TCP and WebSocket client endpoints of a real Node-RED: the server
// process is killed and restarted, resets its connections, goes silent (SIGSTOP) and accepts but
// never reads. Every message the flow sent is accounted for: delivered exactly once and in
// order, dropped and counted by the endpoint, or (reported, never hidden) lost uncounted.
// Reconnect delays are measured against reconnectInitial/Max/Factor with ±20% jitter.
const { runPart, startRed, sleep, sequencesIn, accountSequence, ranges } = require('./lib/harness');
const { startPeer, readConnections, wireRecorded, clientFrameOverhead, acceptTimes } = require('./lib/peers');

const QUEUE = 300;

function flow(proto, id, target, extra = {}) {
  const common = { queueSize: QUEUE, queuePolicy: 'drop-oldest', reconnectInitial: 0.1, reconnectMax: 0.8, reconnectFactor: 2, connectTimeout: 2, ...extra };
  const endpoint = proto === 'tcp'
    ? { id, type: 'netcast-tcp-endpoint', mode: 'client', host: '127.0.0.1', port: target, framing: 'delimiter', delimiter: '\\n', keepAlive: false, ...common }
    : { id, type: 'netcast-websocket-endpoint', mode: 'client', url: `ws://127.0.0.1:${target}/`, heartbeat: 0, ...common };
  return [
    { id: 'tab', type: 'tab', label: 'faults' },
    endpoint,
    { id: 'gen', type: 'reliability-gen', z: 'tab', wires: [['out']] },
    { id: 'out', type: `netcast-${proto}-out`, z: 'tab', endpoint: id, wires: [] },
    { id: 'catcher', type: 'catch', z: 'tab', scope: null, uncaught: false, wires: [['errors']] },
    { id: 'errors', type: 'reliability-collect', z: 'tab', keep: 1000, wires: [] },
  ];
}

/** Sends `count` messages, calling `fault` once `faultAt` of them are out; waits until all settled. */
async function drive(red, endpointId, { count, perTurn = 20, everyMs = 5, size = 0 }) {
  await red.request('POST', '/reliability/gen/gen', { count, perTurn, everyMs, size });
}

async function genState(red) {
  return red.request('GET', '/reliability/gen/gen');
}

/**
 * Waits until the generator is done, the endpoint is connected with nothing queued, every write
 * it made has completed, and the peer has read all the bytes of the live connection.
 */
async function settle(red, endpointId, peer, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const [gen, info, stats, written] = await Promise.all([genState(red), red.endpoint(endpointId), peer.ask('stats'), red.request('GET', `/reliability/socket/${endpointId}`)]);
    const live = written.current;
    const readByPeer = live ? stats.stats.wireByPort[live.localPort] : undefined;
    if (!gen.running && info.state.phase === 'connected' && info.counters.queued === 0 && live && live.writableLength === 0 && live.pendingWrites === 0 && readByPeer === live.bytesWritten) {
      return { ...info, written };
    }
    if (Date.now() > deadline) throw new Error(`did not settle: ${JSON.stringify({ gen, info, stats, written })}`);
    await sleep(20);
  }
}

function arrivedIn(dir) {
  const arrived = [];
  let partial = 0;
  for (const text of readConnections(dir)) {
    const parsed = sequencesIn(text);
    arrived.push(...parsed.seqs);
    partial += parsed.partial;
  }
  return { arrived, partial };
}

async function scenario(result, red, proto, name, setup) {
  if (process.env.RELIABILITY_ONLY && !name.includes(process.env.RELIABILITY_ONLY)) return undefined;
  const endpointId = `ep-${proto}-${name}`.replace(/[^a-z0-9-]/gi, '');
  let peer = await startPeer(proto, setup.peer || {});
  const peers = [peer];
  await red.deploy(flow(proto, endpointId, peer.port, setup.endpoint));
  await red.waitEndpoint(endpointId, ['connected']);
  await red.request('POST', `/reliability/watch/${endpointId}`);
  const count = setup.count ?? 3000;
  const context = { red, endpointId, get peer() { return peer; }, restart: async () => {
    peer = await startPeer(proto, { ...(setup.peer || {}), port: peer.port, dir: peer.options.dir });
    peers.push(peer);
    return peer;
  } };
  if (setup.before) await setup.before(context);
  await drive(red, endpointId, { count, ...setup.traffic });
  const fault = await setup.fault(context);
  result.add('faults', fault ?? 1);
  let info;
  try {
    info = await settle(red, endpointId, peer);
  } finally {
    for (const p of peers) await p.kill();
  }
  const sent = (await genState(red)).sent;
  const { arrived, partial } = arrivedIn(peer.options.dir);
  const account = accountSequence(sent, arrived);
  const dropped = info.counters.dropped;
  const uncounted = account.missing.length - dropped;
  result.add('sent', sent);
  result.add('delivered', account.delivered);
  result.add('dropped', dropped);
  result.add('lostUncounted', Math.max(0, uncounted));
  const label = `${proto} client, ${name}`;
  result.check(`${label}: exactly once (no duplicates)`, account.duplicates === 0, `${account.duplicates} duplicates`);
  result.check(`${label}: in order`, account.outOfOrder === 0, `${account.outOfOrder} out of order`);
  const history = await red.request('GET', `/reliability/history/${endpointId}`);
  const phases = history.map((entry) => `${entry.phase}${entry.reason ? ` (${entry.reason})` : ''}`).join(' → ');
  const detail = `sent ${sent}, delivered ${account.delivered}, dropped (counted) ${dropped}, missing ${account.missing.length} [${ranges(account.missing)}], partial frames ${partial}`;
  if (setup.expectDrops) result.check(`${label}: the queue overflowed and drops were counted`, dropped > 0, detail);
  // Bytes the endpoint handed to the kernel that no peer ever read: what a peer dying with unread
  // data (or data still in flight) takes with it. TCP cannot do better without acknowledgements.
  const handedToKernel = info.written.closedWritten + info.written.current.bytesWritten;
  const unread = handedToKernel - wireRecorded(peer.options.dir);
  const wireOf = (seq) => {
    const payload = 1 + String(seq).length + (setup.traffic?.size ?? 0);
    return proto === 'tcp' ? payload + 1 : clientFrameOverhead(payload) + payload;
  };
  const smallestLost = account.missing.length > 0 ? Math.min(...account.missing.map(wireOf)) : 0;
  const accounting = `${handedToKernel} bytes handed to the kernel over ${info.written.closedConnections + 1} connections, ${unread} of them never read by a peer`;
  result.check(`${label}: the peers read no more than the endpoint handed to the kernel`, unread >= 0, accounting);
  if (setup.exact) {
    result.check(`${label}: every message not counted as dropped arrived`, uncounted === 0, detail);
  } else {
    result.check(
      `${label}: nothing counted as dropped arrived anyway; every message lost uncounted was in the kernel when its peer died`,
      uncounted >= 0 && uncounted * smallestLost <= unread,
      `${detail}; lost uncounted ${uncounted} (at least ${uncounted * smallestLost} bytes); ${accounting}${uncounted * smallestLost > unread ? `; endpoint: ${phases}` : ''}`,
    );
    if (uncounted > 0) result.note(`${label}: ${uncounted} message(s) were in the kernel's socket buffers when the peer died and were lost with it (${ranges(account.missing.slice(0, 50))} among the missing)`);
  }
  const errors = (await red.collected('errors')).items.map((item) => item.error && item.error.message);
  return { sent, account, dropped, errors, peer };
}

/**
 * The endpoint's phase changes after the connection was lost: each delay it chose (inMs of a
 * 'reconnecting' state) is the k-th step of the backoff within ±20% jitter, and the next
 * connection attempt ('connecting') really came that long after.
 */
function checkBackoff(result, label, history, { initial, max, factor }, steps = 6) {
  const problems = [];
  const shown = [];
  let k = 0;
  for (let i = 0; i < history.length && k < steps; i += 1) {
    const entry = history[i];
    if (entry.phase !== 'reconnecting') continue;
    const next = history.slice(i + 1).find((later) => later.phase === 'connecting');
    if (!next) break;
    const base = Math.min(max, initial * factor ** k);
    const waited = next.hr - entry.hr;
    shown.push(`${entry.inMs}/${waited.toFixed(0)}`);
    if (entry.inMs < Math.floor(base * 0.8) || entry.inMs > Math.ceil(base * 1.2)) problems.push(`delay ${k + 1} is ${entry.inMs} ms, expected ${Math.round(base * 0.8)}–${Math.round(base * 1.2)}`);
    // timers fire late on a loaded machine, never early
    if (waited < entry.inMs - 2 || waited > entry.inMs + 150) problems.push(`attempt ${k + 2} came ${waited.toFixed(0)} ms after a ${entry.inMs} ms delay`);
    k += 1;
  }
  if (k < steps) problems.push(`only ${k} reconnect delays seen`);
  result.check(`${label}: reconnect delays follow the backoff (initial ${initial} ms, ×${factor}, max ${max} ms, ±20%)`, problems.length === 0, `chosen/waited ms: ${shown.join(', ')}${problems.length ? `; ${problems.join('; ')}` : ''}`);
}

runPart('peer-faults', async (result, onCleanup) => {
  const red = await startRed();
  onCleanup(() => red.stop());

  for (const proto of ['tcp', 'ws']) {
    const transport = proto === 'ws' ? 'websocket' : 'tcp';
    console.log(`\n${transport} client: server killed (SIGKILL) mid-stream, restarted 0.7 s later`);
    await scenario(result, red, transport, 'killed and restarted', {
      traffic: { perTurn: 10, everyMs: 4 },
      expectDrops: true,
      fault: async ({ restart, peer }) => {
        await sleep(300);
        await peer.kill();
        await sleep(700);
        await restart();
      },
    });

    console.log(`\n${transport} client: server killed while the flow is quiet, traffic while it is down`);
    await scenario(result, red, transport, 'killed while idle', {
      count: 1000,
      traffic: { perTurn: 1000, everyMs: 0 },
      exact: true,
      expectDrops: true,
      before: async ({ red: r, endpointId, peer }) => {
        await peer.kill();
        await r.waitEndpoint(endpointId, ['reconnecting']);
      },
      fault: async ({ red: r, restart }) => {
        for (let i = 0; i < 200 && (await genState(r)).running; i += 1) await sleep(10);
        await restart();
      },
    });

    console.log(`\n${transport} client: server resets (RST) every connection mid-stream, twice`);
    await scenario(result, red, transport, 'reset by peer', {
      traffic: { perTurn: 10, everyMs: 4 },
      fault: async ({ peer }) => {
        await sleep(250);
        await peer.ask('reset');
        await sleep(250);
        await peer.ask('reset');
        return 2;
      },
    });

    console.log(`\n${transport} client: server goes silent (SIGSTOP 2.5 s), detected by ${proto === 'tcp' ? 'idle timeout' : 'heartbeat'}`);
    await scenario(result, red, transport, 'silent peer', {
      traffic: { perTurn: 10, everyMs: 4 },
      peer: { heartbeatMs: 100 },
      endpoint: proto === 'tcp' ? { idleTimeout: 1 } : { heartbeat: 0.5 },
      fault: async ({ peer }) => {
        await sleep(200);
        peer.stopProcess();
        await sleep(2500);
        peer.continueProcess();
      },
    });

    console.log(`\n${transport} client: server accepts but never reads (backpressure), then reads`);
    await scenario(result, red, transport, 'never reads', {
      count: 4000,
      traffic: { perTurn: 50, everyMs: 2, size: 8192 },
      peer: { noread: true },
      exact: true,
      expectDrops: true,
      fault: async ({ red: r, endpointId, peer }) => {
        // until the generator is done: socket buffers full, then the queue, then drops
        for (let i = 0; i < 400 && (await genState(r)).running; i += 1) await sleep(25);
        const info = await r.endpoint(endpointId);
        result.check(`${transport} client, never reads: queue filled to its size (${QUEUE}) while the peer did not read`, info.counters.queued === QUEUE, JSON.stringify(info.counters));
        await peer.ask('read');
      },
    });

    console.log(`\n${transport} client: server slow (never reads), then killed with full buffers`);
    await scenario(result, red, transport, 'slow then killed', {
      count: 2000,
      traffic: { perTurn: 50, everyMs: 2, size: 8192 },
      peer: { noread: true },
      expectDrops: true,
      fault: async ({ red: r, peer, restart }) => {
        for (let i = 0; i < 400 && (await genState(r)).running; i += 1) await sleep(25);
        await peer.kill();
        await sleep(300);
        const next = await restart();
        await next.ask('read');
      },
    });

    console.log(`\n${transport} client: reconnect delays while the server is down`);
    await backoffScenario(result, red, transport);
  }
  result.rss(red.maxRssKb);
});

async function backoffScenario(result, red, transport) {
  if (process.env.RELIABILITY_ONLY && !'backoff'.includes(process.env.RELIABILITY_ONLY)) return;
  const proto = transport === 'tcp' ? 'tcp' : 'ws';
  const backoff = { reconnectInitial: 0.1, reconnectFactor: 2, reconnectMax: 0.8 };
  const series = { initial: 100, max: 800, factor: 2 };

  // the server goes away after a stable connection: attempts at 100, 200, 400, 800, 800 ms
  const peer = await startPeer(proto);
  const endpointId = `ep-${transport}-backoff`;
  await red.deploy(flow(transport, endpointId, peer.port, backoff));
  await red.waitEndpoint(endpointId, ['connected']);
  await sleep(1200);
  await red.request('POST', `/reliability/watch/${endpointId}`);
  await peer.kill();
  result.add('faults', 1);
  await sleep(3600);
  const history = await red.request('GET', `/reliability/history/${endpointId}`);
  checkBackoff(result, `${transport} client, server down`, history, series);

  // the server comes back but accepts and resets every connection at once: each is a failed
  // attempt, so the delays keep growing instead of hammering the server at the first delay
  const healthy = await startPeer(proto);
  const flapId = `ep-${transport}-flapping`;
  await red.deploy(flow(transport, flapId, healthy.port, backoff));
  await red.waitEndpoint(flapId, ['connected']);
  await sleep(1200);
  await red.request('POST', `/reliability/watch/${flapId}`);
  await healthy.kill();
  const flapper = await startPeer(proto, { mode: 'reset-on-accept', port: healthy.port });
  await sleep(3600);
  await flapper.kill();
  const accepts = acceptTimes(flapper.options.dir);
  result.add('faults', accepts.length);
  const flapHistory = await red.request('GET', `/reliability/history/${flapId}`);
  result.check(`${transport} client, server accepts and resets at once: the server saw connections`, accepts.length >= 2, `${accepts.length} accepted`);
  checkBackoff(result, `${transport} client, server accepts and resets at once (refused or reset, every attempt counts)`, flapHistory, series);
}
