'use strict';
// Loaded by the benchmark's node-red processes through settings.nodesDir (never shipped).
// bench-sink counts what reaches it (an array payload counts as that many frames); bench-source
// emits ready-made messages as fast as the runtime takes them. A sink with `seq` set reads a
// sequence number (uint32 LE) from the first bytes of each Buffer payload (the UDP senders write
// one), so loss is counted exactly: the numbers missing between the first and last seen. GET /bench/stats and
// POST /bench/reset on the admin API read and restart the counters and the event-loop monitor.
const { monitorEventLoopDelay, performance } = require('perf_hooks');

module.exports = function (RED) {
  const loop = monitorEventLoopDelay({ resolution: 1 }); // reported: the longest gap between 1 ms ticks, less the 1 ms
  loop.enable();
  const counts = { msgs: 0, frames: 0, seqFirst: -1, seqLast: -1 };
  let resetAt = performance.now();

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

  RED.nodes.registerType('bench-sink', BenchSink);
  RED.nodes.registerType('bench-source', BenchSource);

  RED.httpAdmin.get('/bench/stats', (req, res) => {
    const mb = (bytes) => Math.round(bytes / 1048576);
    const memory = process.memoryUsage();
    res.json({
      ...counts,
      elapsedMs: performance.now() - resetAt,
      maxLoopDelayMs: Math.max(0, loop.max / 1e6 - 1),
      memoryMb: { rss: mb(memory.rss), heapUsed: mb(memory.heapUsed), heapTotal: mb(memory.heapTotal), external: mb(memory.external), arrayBuffers: mb(memory.arrayBuffers) },
    });
  });
  RED.httpAdmin.post('/bench/reset', (req, res) => {
    counts.msgs = 0;
    counts.frames = 0;
    counts.seqFirst = -1;
    counts.seqLast = -1;
    loop.reset();
    resetAt = performance.now();
    res.json({ ok: true });
  });
};
