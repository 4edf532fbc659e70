'use strict';
// The connection cases (bench/cases/connections.js): thousands of connections to one server.
// Server and load run with the open-file limit raised (launcher.js), node-red with --expose-gc.
//  1. baseline: the server's memory after a full GC
//  2. `connect`: the load opens every connection; accept s is the time until the server has
//     accepted them all (the server's fd count, then acceptedConnections, polled every 25 ms: a connection the process itself
//     accepted, not one waiting in the kernel's queue); accept loop delay is its longest stall then
//  3. `send` (TCP), a warm-up, then the window: CPU (ProcessWatch), max loop delay, messages counted
//  4. `stop`: no more lines; wait until the server has counted every line the load wrote
//     (delivered %), then memory after a full GC again: RSS / heap added per connection held
const fs = require('fs');
const path = require('path');
const ipc = require('./ipc');
const { hardNofile } = require('./launcher');
const { ProcessWatch, sleep } = require('./metrics');

const POLL_MS = 25;
const ACCEPT_LIMIT_MS = 60000;
const DRAIN_LIMIT_MS = 15000;
const FD_MARGIN = 2048;

/**
 * Connections to `port` that the server process has accepted: established sockets in its network
 * namespace with that local port and an inode (a connection still waiting in the kernel's accept
 * queue has none), not from 127.0.0.1 (the bench's own admin requests; the load uses 127.0.0.2-9).
 */
function acceptedConnections(pid, port) {
  const local = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let count = 0;
  for (const table of ['tcp', 'tcp6']) {
    let text;
    try {
      text = fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] === '01' && fields[1]?.endsWith(local) && fields[9] !== '0' && !fields[2].startsWith('0100007F:')) count += 1;
    }
  }
  return count;
}

/** Connections for this run: the case's count, or its smoke-sized count under --smoke; BENCH_CONNS overrides. */
function connectionCount(testCase, opts) {
  if (process.env.BENCH_CONNS) return Number(process.env.BENCH_CONNS);
  return opts.smoke ? testCase.connections.smoke : testCase.connections.full;
}

function nofileFor(conns) {
  const nofile = conns + FD_MARGIN;
  const hard = hardNofile();
  if (nofile > hard && process.getuid?.() !== 0) {
    throw new Error(`${conns} connections need an open-file limit of ${nofile}, but the hard limit is ${hard}: raise it (as root: ulimit -Hn ${nofile}; for a service: LimitNOFILE=${nofile}; or /etc/security/limits.conf) or run with BENCH_CONNS=<fewer>`);
  }
  return nofile;
}

async function waitFor(check, limitMs) {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined) return { value, ms: Date.now() - started };
    if (Date.now() - started > limitMs) return { value: undefined, ms: Date.now() - started };
    await sleep(POLL_MS);
  }
}

async function measure({ testCase, flavour, opts, ns, execArgv, window, startServer }) {
  const conns = connectionCount(testCase, opts);
  const nofile = nofileFor(conns);
  let server;
  let load;
  try {
    server = await startServer(testCase, flavour, execArgv, ns, nofile);
    const spec = testCase.load(server.port, { conns });
    load = ipc.start(path.join(__dirname, spec.script), [JSON.stringify(spec.args)], { netns: ns, nofile });
    await load.ready;

    const memoryBefore = await server.memory();
    await server.resetLoop();
    const fdsBefore = fs.readdirSync(`/proc/${server.pid}/fd`).length;
    const t0 = Date.now();
    let connected;
    const connecting = load.call('connect').then((result) => (connected = result));
    // reading /proc/net/tcp walks every socket (20,000 here) and takes a core's worth of time, so the
    // cheap count of the server's fds is watched first and the exact count read only near the end
    const fds = () => fs.readdirSync(`/proc/${server.pid}/fd`).length - fdsBefore;
    const accepted = await waitFor(() => {
      if (fds() < conns - 32 && !(connected && Date.now() - t0 > connected.ms + 2000)) return undefined;
      const held = acceptedConnections(server.pid, server.port);
      if (held >= conns) return held;
      // the load gave up on some: wait a little for the rest, then stop
      if (connected && Date.now() - t0 > connected.ms + 2000) return held;
      return undefined;
    }, ACCEPT_LIMIT_MS);
    await connecting;
    const acceptMs = accepted.value >= conns ? accepted.ms : NaN;
    const acceptLoopDelayMs = (await server.stats()).maxLoopDelayMs;

    if (testCase.sends) await load.call('send');
    await sleep(Math.min(2, window / 2) * 1000);
    const before = await server.stats();
    await server.resetLoop();
    const watch = new ProcessWatch(server.pid, load.pid);
    watch.start();
    let proc;
    let during;
    try {
      await sleep(window * 1000);
      during = await server.stats();
    } finally {
      proc = watch.stop();
    }
    let delivered = during.msgs;
    let sent = 0;
    if (testCase.sends) {
      sent = (await load.call('stop')).sent;
      delivered = (await waitFor(async () => {
        const { msgs } = await server.stats();
        return msgs >= sent ? msgs : undefined;
      }, DRAIN_LIMIT_MS)).value ?? (await server.stats()).msgs;
    }
    const memoryAfter = await server.memory();
    const loadStats = await load.call('stats');
    const held = Math.min(loadStats.open, acceptedConnections(server.pid, server.port));
    const windowMsgs = during.msgs - before.msgs;
    const cpuUs = (proc.cpuPercent / 100) * window * 1e6;
    const values = {
      'connections held': held,
      'accept s': acceptMs / 1000,
      'accept loop delay ms': acceptLoopDelayMs,
      'RSS KB per connection': (memoryAfter.rss - memoryBefore.rss) / 1024 / held,
      'heap KB per connection': (memoryAfter.heapUsed - memoryBefore.heapUsed) / 1024 / held,
      ...(testCase.sends ? { 'msgs/s': windowMsgs / window, 'delivered %': (100 * delivered) / sent, 'CPU µs per message': windowMsgs > 0 ? cpuUs / windowMsgs : NaN } : { 'pings per client': loadStats.pings / Math.max(1, loadStats.open) }),
      ...proc,
      windowS: window,
      maxLoopDelayMs: during.maxLoopDelayMs,
      detail: { conns, connected, sent, delivered, windowMsgs, memoryBefore, memoryAfter, load: loadStats },
    };
    return values;
  } finally {
    await load?.stop();
    await server?.stop();
  }
}

module.exports = { measure, connectionCount };
