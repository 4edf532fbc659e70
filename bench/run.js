'use strict';
// npm run bench [-- --only <case>[,<case>...]] [--reps N] [--window S] [--smoke] [--profile] [--servers ours,core,raw,ceiling,before] [--baseline <checkout>]
// Defaults: 3 repetitions, a 4 s window after 1 s of warm-up (some cases set a shorter window of
// their own; --window overrides every case); --smoke: 1 repetition, 1 s windows.
// --profile: node --cpu-prof on every server process, profiles in bench/results/profiles; each
// node-red profile is summarized over the measurement window (bench/profile.js: the shares of
// Node-RED, netcast, ws, Node.js, GC) and the report gets a profile table.
// --baseline <checkout>: also run that (built) checkout's package as the `before` server, in the
// same turns, for a before/after comparison in one run (ratio ours/before).
// Cases with a `ceiling` flow also run it (server `ceiling`): stock Node-RED with bench-source
// emitting ready-made messages into the case's sink, no network, Node-RED generating the ids;
// the ratio ours/ceiling says how close ours gets to what the runtime itself can carry.
// For each case and repetition, the same load against our nodes, the core nodes (both in a real
// node-red process, started fresh for each measurement) and a plain-Node server, in turns.
// A case with `netns: true` runs (servers, load, admin API calls) inside a network namespace
// created for that case and deleted when it ends (bench/netns.js).
// A case with `idle: true` (idle-rss) deploys no flow and has no load: node-red starts with
// --expose-gc, the window starts once the runtime is idle and settled (POST /bench/settle), and the
// server's RSS is sampled over it. Its ours/core column is a difference (ours − core) instead of a ratio.
// A case with `devices` (the request cases) starts that process first (devices listening) and
// gives what it reports (their ports) to the flow and the raw client, which poll them.
// A case with `connections` (tcp-10k-devices, ws-10k-idle) opens thousands of connections and is
// measured by bench/connections.js (accept time, memory per connection, every message delivered).
const fs = require('fs');
const path = require('path');
const ipc = require('./ipc');
const netns = require('./netns');
const { NodeRedServer, freePort, snapshotPackage, snapshotBaseline } = require('./servers/node-red');
const { ProcessWatch, sleep } = require('./metrics');
const report = require('./report');
const profiles = require('./profile');
const allCases = require('./cases');
const connections = require('./connections');

function parseArgs(argv) {
  const opts = { reps: 3, window: 4, smoke: false, profile: false, only: null, servers: null, baseline: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--only') opts.only = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg === '--reps') opts.reps = Number(value());
    else if (arg === '--window') opts.window = opts.windowGiven = Number(value());
    else if (arg === '--servers') opts.servers = value().split(',').map((s) => s.trim());
    else if (arg === '--smoke') opts.smoke = true;
    else if (arg === '--profile') opts.profile = true;
    else if (arg === '--baseline') opts.baseline = value();
    else throw new Error(`unknown option ${arg} (use --only <case>, --reps N, --window S, --smoke, --profile, --servers ours,core,raw,ceiling,before, --baseline <checkout>)`);
  }
  if (opts.smoke) Object.assign(opts, { reps: 1, window: 1 });
  if (!(opts.reps >= 1 && opts.window > 0)) throw new Error('--reps must be >= 1 and --window > 0');
  opts.warmup = Math.min(1, opts.window / 2);
  return opts;
}

/**
 * The measurement window of a case: --window when given (or smoke), else the case's own
 * `window` (cases that reach a steady state fast use a shorter one, so the full run fits in
 * 20 minutes), else the default.
 */
function windowOf(testCase, opts) {
  return opts.smoke || opts.windowGiven !== undefined || !testCase.window ? opts.window : testCase.window;
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms)))]).finally(() => clearTimeout(timer));
}

const ROOT_NS = netns.currentNamespace();
const CPU_PER_MESSAGE = 'CPU µs per message';
const ADMIN_TIMEOUT_MS = 60000;

function serversOf(testCase, opts) {
  const servers = testCase.servers ?? ['ours', ...(testCase.flows.core ? ['core'] : []), 'raw', ...(testCase.flows.ceiling ? ['ceiling'] : [])];
  return opts.baseline && servers.includes('ours') ? servers.flatMap((s) => (s === 'ours' ? ['ours', 'before'] : [s])) : servers;
}
/** The flow a server runs: `before` runs the same flow as ours, with the baseline's package. */
const flowOf = (testCase, flavour) => testCase.flows[flavour === 'before' ? 'ours' : flavour];
/** The ceiling has no network: bench-source emits the messages itself. */
const hasLoad = (testCase, flavour) => Boolean(testCase.load) && flavour !== 'ceiling';

/** Starts the server under test: the raw server (it picks a port), or node-red running the case's flow (none for an idle case). */
// testCase.port: 'nodered' when the load connects to Node-RED's own HTTP port (WebSocket);
// otherwise the flow gets a free port of testCase.portKind ('tcp' or 'udp').
// nofile: the open-file limit to start it with (the connection cases, bench/connections.js).
// devices: what the case's devices process said when ready (request cases: {ports}); flows and
// the raw server's args (a function then) get it.
async function startServer(testCase, flavour, execArgv, ns, nofile, devices) {
  if (flavour === 'raw') {
    const args = typeof testCase.raw.args === 'function' ? testCase.raw.args(devices) : testCase.raw.args;
    const raw = ipc.start(path.join(__dirname, testCase.raw.script), [JSON.stringify(args)], { execArgv, netns: ns, nofile });
    const { port } = await withTimeout(raw.ready, 10000, 'raw server to listen').catch(async (err) => {
      await raw.stop();
      throw err;
    });
    return { pid: raw.pid, port, reset: () => raw.call('reset'), resetLoop: () => raw.call('reset', { loopOnly: true }), memory: () => raw.call('memory'), stats: () => raw.call('stats'), stop: () => raw.stop() };
  }
  const red = new NodeRedServer(flavour, { execArgv, netns: ns, nofile });
  let port = hasLoad(testCase, flavour) && testCase.port !== 'nodered' ? await freePort(testCase.portKind) : undefined;
  try {
    await red.start();
    if (testCase.port === 'nodered') port = red.port;
    if (!testCase.idle) await red.deploy(flowOf(testCase, flavour)(port, devices));
  } catch (err) {
    await red.stop();
    throw err;
  }
  // A failed admin call says whether node-red is still running, and shows the end of its log.
  const explained = (call) => () =>
    call().catch((err) => {
      const state = red.child.exitCode !== null || red.child.signalCode !== null ? `node-red exited (${red.child.exitCode ?? red.child.signalCode})` : 'node-red still running';
      throw new Error(`${err.message}${err.cause ? ` (${err.cause.code || err.cause.message})` : ''}; ${state}; log: ${red.log.slice(-600)}`);
    });
  return {
    pid: red.pid,
    port,
    reset: explained(() => red.reset()),
    resetLoop: explained(() => red.request('POST', '/bench/reset', { loopOnly: true })),
    memory: explained(() => red.request('POST', '/bench/memory')),
    stats: explained(() => red.stats()),
    settle: explained(() => red.settle()),
    stop: () => red.stop(),
  };
}

const COMPARISON_SERVERS = new Set(['core', 'ceiling', 'before']);

async function measure(testCase, flavour, opts, rep, ns) {
  const profileName = `${testCase.name}-${flavour}-rep${rep}.cpuprofile`;
  const execArgv = opts.profile ? ['--cpu-prof', '--cpu-prof-dir', opts.profileDir, '--cpu-prof-name', profileName] : [];
  if (opts.profile) fs.rmSync(path.join(opts.profileDir, profileName), { force: true });
  if (testCase.idle || testCase.connections) execArgv.push('--expose-gc');
  if (testCase.connections) return connections.measure({ testCase, flavour, opts, ns, execArgv, window: windowOf(testCase, opts), startServer });
  let server;
  let load;
  try {
    let devices;
    if (testCase.devices) {
      // the request cases: the devices listen first, the server under test connects to them
      load = ipc.start(path.join(__dirname, testCase.devices.script), [JSON.stringify(testCase.devices.args)], { netns: ns });
      devices = await withTimeout(load.ready, 15000, `${testCase.devices.script} to listen`);
    }
    server = await startServer(testCase, flavour, execArgv, ns, undefined, devices);
    const settled = testCase.idle ? await withTimeout(server.settle(), ADMIN_TIMEOUT_MS, 'settle') : undefined;
    if (hasLoad(testCase, flavour)) {
      const spec = testCase.load(server.port, { rootNs: ROOT_NS });
      load = ipc.start(path.join(__dirname, spec.script), [JSON.stringify(spec.args)], { netns: ns });
      await withTimeout(load.ready, 15000, `${spec.script} to connect`);
    }
    const window = windowOf(testCase, opts);
    if (!testCase.idle) await sleep(Math.min(opts.warmup, window / 2) * 1000);
    const watch = new ProcessWatch(server.pid, load?.pid);
    // A flooded core node-red can take many seconds to answer its admin API (same event loop).
    await withTimeout(Promise.all([server.reset(), load?.call('reset')]), ADMIN_TIMEOUT_MS, 'reset');
    watch.start();
    let serverStats, loadStats, proc;
    try {
      await sleep(window * 1000);
      [serverStats, loadStats] = await withTimeout(Promise.all([server.stats(), load?.call('stats')]), ADMIN_TIMEOUT_MS, 'stats');
    } finally {
      // also on failure: its sampling timer would keep the run from exiting
      try {
        proc = watch.stop();
      } catch {
        // the server is gone; the error above says why
      }
    }
    const measured = testCase.measure({ server: serverStats, load: loadStats, settled, proc });
    // CPU per message: steadier than the rate when other processes share the cores
    if (testCase.metrics.includes(CPU_PER_MESSAGE)) measured[CPU_PER_MESSAGE] = (proc.cpuPercent * 1e4) / measured['msgs/s'];
    return { ...measured, ...proc, windowS: window, maxLoopDelayMs: serverStats.maxLoopDelayMs, ...(serverStats.memoryMb ? { memoryMb: serverStats.memoryMb } : {}), ...(serverStats.windowUs ? { windowUs: serverStats.windowUs } : {}) };
  } finally {
    await load?.stop();
    await server?.stop();
  }
}

/** The profile's owner shares over the measurement window (the server has exited and written it). */
function profileOf(testCase, flavour, rep, values, opts) {
  const file = path.join(opts.profileDir, `${testCase.name}-${flavour}-rep${rep}.cpuprofile`);
  if (!values.windowUs || !fs.existsSync(file)) return undefined;
  const { owners, rows } = profiles.summarize(file, 8, values.windowUs);
  return { owners, busy: profiles.busyShares(owners), top: rows };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const known = allCases.map((c) => c.name);
  const unknown = (opts.only ?? []).filter((name) => !known.includes(name));
  if (unknown.length) throw new Error(`unknown case ${unknown.join(', ')}; cases: ${known.join(', ')}`);
  const cases = opts.only ? allCases.filter((c) => opts.only.includes(c.name)) : allCases;
  const resultsDir = path.join(__dirname, 'results');
  fs.mkdirSync(resultsDir, { recursive: true });
  if (opts.profile) fs.mkdirSync((opts.profileDir = path.join(resultsDir, 'profiles')), { recursive: true });

  const started = Date.now();
  opts.package = snapshotPackage();
  if (opts.baseline) opts.package.baseline = snapshotBaseline(opts.baseline);
  const results = [];
  let failures = 0;
  for (const testCase of cases) {
    const servers = serversOf(testCase, opts).filter((s) => !opts.servers || opts.servers.includes(s));
    const runs = [];
    let ns;
    try {
      if (testCase.netns) ns = netns.create(`netcast-bench-${process.pid}`);
      for (let rep = 1; rep <= opts.reps; rep++) {
        // Rotate the order each repetition, so no server always runs first (or last).
        const order = servers.map((_, i) => servers[(i + rep - 1) % servers.length]);
        for (const flavour of order) {
          const t0 = Date.now();
          try {
            const values = await measure(testCase, flavour, opts, rep, ns);
            if (opts.profile) {
              const profile = profileOf(testCase, flavour, rep, values, opts);
              if (profile) {
                values.profile = profile;
                console.error(`  profile ${report.profileLine(profile)}`);
              }
            }
            runs.push({ rep, server: flavour, values });
            console.error(`${testCase.name} rep ${rep} ${flavour}: ${report.brief(testCase, values)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
          } catch (err) {
            // A comparison server (core, ceiling, before) that drowns under a flood is a finding of the
            // run, shown in the table; only our own server failing, or raw Node's, means the bench broke.
            if (!COMPARISON_SERVERS.has(flavour)) failures += 1;
            runs.push({ rep, server: flavour, error: err.message });
            console.error(`${testCase.name} rep ${rep} ${flavour}: FAILED ${err.message}`);
          }
        }
      }
    } catch (err) {
      failures += 1;
      runs.push({ rep: 0, server: 'all', error: err.message });
      console.error(`${testCase.name}: FAILED ${err.message}`);
    } finally {
      if (ns) netns.remove(ns);
    }
    results.push(report.summarizeCase(testCase, servers, runs));
  }

  const output = report.build(results, { ...opts, seconds: (Date.now() - started) / 1000 });
  const base = opts.smoke ? 'smoke' : opts.only ? 'only' : 'latest';
  fs.writeFileSync(path.join(resultsDir, `${base}.json`), JSON.stringify(output, null, 2) + '\n');
  fs.writeFileSync(path.join(resultsDir, `${base}.md`), output.markdown);
  console.log(output.markdown);
  console.error(`bench: ${cases.length} case(s) in ${output.meta.seconds.toFixed(0)} s; results in bench/results/${base}.{json,md}`);
  if (failures) {
    console.error(`bench: ${failures} measurement(s) failed`);
    process.exitCode = 1;
  }
}

main().catch((err) => {
  console.error(`bench: ${err.message}`);
  process.exitCode = 1;
});
