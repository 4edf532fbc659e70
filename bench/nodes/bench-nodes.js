'use strict';
// Loaded by the benchmark's node-red processes through settings.nodesDir (never shipped).
// bench-sink counts what reaches it (an array payload counts as that many frames); bench-source
// emits ready-made messages as fast as the runtime takes them. A sink with `seq` set reads a
// sequence number (uint32 LE) from the first bytes of each Buffer payload (the UDP senders write
// one), so loss is counted exactly: the numbers missing between the first and last seen. GET /bench/stats and
// POST /bench/reset on the admin API read and restart the counters and the event-loop monitor.
// bench-requester (the request cases) keeps `window` requests outstanding per device port through
// the request node it is wired to and back, and records each round trip (GET /bench/stats: requests).
// POST /bench/memory: memory after a full GC. POST /bench/settle (the idle-rss case) answers once the runtime is idle: see settle() below.
const { createHistogram, monitorEventLoopDelay, performance } = require('perf_hooks');
const v8 = require('v8');

// An idle Node-RED's RSS still holds a young generation grown to 32 MB during start-up until V8's
// memory reducer shrinks it, 20-40 s after start. V8 also shrinks it in any full GC once the
// allocation rate it measured over its last 5 s is low, so /bench/settle forces a GC every second
// until that happens (about 6 s after flows:started). MIN_NEW_SPACE_MB: the smallest young
// generation (two 512 KB semi-spaces on 64-bit), in case it never grew.
const MAX_SETTLE_GCS = 20;
const MIN_NEW_SPACE_MB = 1;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const newSpaceMb = () => v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space').space_size / 1048576;

module.exports = function (RED) {
  const loop = monitorEventLoopDelay({ resolution: 1 }); // reported: the longest gap between 1 ms ticks, less the 1 ms
  loop.enable();
  const counts = { msgs: 0, frames: 0, seqFirst: -1, seqLast: -1 };
  let resetAt = performance.now();
  // the window in µs of the monotonic clock V8's profiler stamps samples with (bench/profile.js)
  const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);
  let resetAtUs = monotonicUs();
  // Also fires for an empty flow file: the runtime has loaded everything and started nothing.
  // Resolves to the RSS at that moment (before any settling).
  const flowsStarted = new Promise((resolve) => RED.events.once('flows:started', () => resolve(process.memoryUsage.rss())));

  /**
   * Waits until the flows have started, then forces a full GC every second (node-red must run with
   * --expose-gc) until V8 has shrunk the young generation, and one second more for the pages it
   * gave up to be unmapped (a background thread does that; nothing signals it): what remains is
   * what the idle runtime keeps. Answers the GCs it took and the heap sizes after the last one.
   */
  async function settle() {
    if (typeof global.gc !== 'function') throw new Error('node-red runs without --expose-gc');
    const rssAtStart = await flowsStarted;
    const grown = newSpaceMb();
    let gcs = 0;
    while (gcs < MAX_SETTLE_GCS) {
      await sleep(1000);
      global.gc();
      gcs += 1;
      if (newSpaceMb() < grown || newSpaceMb() <= MIN_NEW_SPACE_MB) break;
    }
    await sleep(1000);
    const mb = (bytes) => bytes / 1048576;
    const heap = v8.getHeapStatistics();
    const memory = process.memoryUsage();
    return {
      gcs,
      rssAtStartMb: mb(rssAtStart),
      newSpaceMb: newSpaceMb(),
      heapUsedMb: mb(memory.heapUsed),
      heapPhysicalMb: mb(heap.total_physical_size),
      mallocedMb: mb(heap.malloced_memory),
      externalMb: mb(memory.external),
    };
  }

  function BenchSink(config) {
    RED.nodes.createNode(this, config);
    if (config.seq) {
      this.on('input', (msg) => {
        counts.msgs += 1;
        counts.frames += 1;
        const seq = msg.payload.readUInt32LE(0);
        if (counts.seqFirst < 0) counts.seqFirst = seq;
        if (seq > counts.seqLast) counts.seqLast = seq;
      });
      return;
    }
    this.on('input', (msg) => {
      counts.msgs += 1;
      counts.frames += Array.isArray(msg.payload) ? msg.payload.length : 1;
    });
  }

  function BenchSource(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const perTurn = Number(config.perTurn) || 64;
    const payload = Buffer.alloc(Number(config.size) || 64, 'a').toString();
    let running = true;
    const tick = () => {
      if (!running) return;
      for (let i = 0; i < perTurn; i++) node.send({ payload });
      setImmediate(tick);
    };
    setImmediate(tick);
    node.on('close', () => {
      running = false;
    });
  }

  // The request cases' closed loop, the same as bench/servers/raw-tcp-request.js: each answer
  // ("<id>:ok", a string or Buffer; core's tcp request emits its connection's last message, so the
  // id is read from the answer, never from the message) releases the next request to that device.
  // Ids are 9 digits, so a request node can match them at bytes 0-8. Messages carry a _msgid of
  // their own, as an inject node's would after its first, so the runtime's generateId is not billed.
  let latency = createHistogram();
  function BenchRequester(config) {
    RED.nodes.createNode(this, config);
    const node = this;
    const ports = config.ports;
    const window = Number(config.window) || 1;
    const suffix = config.newline ? ':read\n' : ':read';
    const outstanding = new Map(); // id -> [send time, port]
    let nextId = 1;
    let running = true;
    const ask = (port) => {
      const id = nextId++;
      outstanding.set(id, [performance.now(), port]);
      node.send({ _msgid: `r${id}`, payload: `${String(id).padStart(9, '0')}${suffix}`, host: '127.0.0.1', port });
    };
    this.on('input', (msg) => {
      const id = parseInt(String(msg.payload), 10);
      const entry = outstanding.get(id);
      if (!entry) return;
      outstanding.delete(id);
      latency.record(Math.max(1, Math.round((performance.now() - entry[0]) * 1000)));
      counts.msgs += 1;
      counts.frames += 1;
      if (running) ask(entry[1]);
    });
    // started once the flows run (the request nodes' endpoints connect on the next turn)
    const started = () => {
      for (const port of ports) for (let w = 0; w < window; w++) ask(port);
    };
    RED.events.once('flows:started', started);
    node.on('close', () => {
      running = false;
      RED.events.removeListener('flows:started', started);
    });
  }

  RED.nodes.registerType('bench-sink', BenchSink);
  RED.nodes.registerType('bench-requester', BenchRequester);
  RED.nodes.registerType('bench-source', BenchSource);

  RED.httpAdmin.get('/bench/stats', (req, res) => {
    const mb = (bytes) => Math.round(bytes / 1048576);
    const memory = process.memoryUsage();
    res.json({
      ...counts,
      elapsedMs: performance.now() - resetAt,
      requests: { p50Us: latency.percentile(50), p99Us: latency.percentile(99) },
      windowUs: { fromUs: resetAtUs, toUs: monotonicUs() },
      maxLoopDelayMs: Math.max(0, loop.max / 1e6 - 1),
      memoryMb: { rss: mb(memory.rss), heapUsed: mb(memory.heapUsed), heapTotal: mb(memory.heapTotal), external: mb(memory.external), arrayBuffers: mb(memory.arrayBuffers) },
    });
  });
  RED.httpAdmin.post('/bench/settle', (req, res) => {
    settle().then(
      (result) => res.json(result),
      (err) => res.status(500).send(err.message),
    );
  });
  // bench/connections.js: a full GC (node-red runs with --expose-gc there), then the memory in bytes
  RED.httpAdmin.post('/bench/memory', (req, res) => {
    global.gc?.();
    res.json(process.memoryUsage());
  });
  // body {loopOnly: true}: restart the loop monitor only, keep the counts (bench/connections.js)
  RED.httpAdmin.post('/bench/reset', (req, res) => {
    if (req.body?.loopOnly) {
      loop.reset();
      res.json({ ok: true });
      return;
    }
    counts.msgs = 0;
    counts.frames = 0;
    counts.seqFirst = -1;
    counts.seqLast = -1;
    latency = createHistogram();
    loop.reset();
    resetAt = performance.now();
    resetAtUs = monotonicUs();
    res.json({ ok: true });
  });
};
