'use strict';
// What loading the package costs an idle Node-RED. Ours: node-red with this package installed,
// core: the same node-red without it (both load only the bench nodes besides); neither deploys a
// flow, and there is no load and no raw server. Each measurement waits for the runtime's
// flows:started, then until it is idle and a forced GC has shrunk the young generation (POST
// /bench/settle: about 8 s, see bench/nodes/bench-nodes.js), then samples VmRSS from /proc every
// 100 ms over the window. idle RSS MB is the median of those samples (the target's measure); heap
// used MB is V8's heap after that GC; RSS at start MB is the RSS when flows:started fired, before
// settling, with the young generation still grown (what a look at a freshly started Node-RED
// shows: a few MB noisier). The ours/core column holds ours − core per repetition: the MB loading
// the package adds.
// Noise: V8's heap after the GCs repeats within 0.2 MB, but the memory glibc keeps in its malloc
// arenas after start-up varies by 2-8 MB from one start to the next (same for ours and core), so a
// single difference can be off by several MB either way: judge the median of 5 or more repetitions,
// and heap used MB (the package's share of V8's heap, about 1 MB) for small changes.
module.exports = [
  {
    name: 'idle-rss',
    note: 'no flow, no load; node-red with (ours) and without (core) the package; idle RSS: once flows have started and forced GCs have shrunk the young generation as V8 does in an idle runtime, the median of the VmRSS samples (one per 100 ms over the window); RSS at start: when flows:started fired, before settling; the ours/core column is ours − core per repetition: MB added by loading the package',
    metrics: ['idle RSS MB', 'heap used MB', 'RSS at start MB'],
    servers: ['ours', 'core'],
    idle: true,
    difference: true,
    // RSS is flat once settled: 20 samples are plenty
    window: 2,
    measure: ({ settled, proc }) => ({ 'idle RSS MB': proc.medianRssMb, 'heap used MB': settled.heapUsedMb, 'RSS at start MB': settled.rssAtStartMb, settled }),
  },
];
