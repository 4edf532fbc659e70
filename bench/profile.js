'use strict';
// What a .cpuprofile (written by `npm run bench -- --profile`, one per server process) says about
// where the time went: top self-time functions, and the share of each owner — Node-RED, netcast
// (ours), the ws library, the bench's own nodes, Node.js itself, the garbage collector, idle.
// A sample counts for the owner of its function; a function of Node.js or V8 (node:*, native)
// counts for the nearest caller that has an owner (Buffer#toString called by our decoder is
// ours, EventEmitter#emit called by Node-RED's Node.receive is Node-RED's), and for Node.js when
// no caller has one (the event loop, socket reads, timers).
// With a window (µs of the monotonic clock, as process.hrtime and V8's profiler use), only the
// samples inside it count: the measurement, not the start-up.
// Usage: node bench/profile.js <file.cpuprofile> [top=25]
const fs = require('fs');
const path = require('path');

const OWNERS = ['Node-RED', 'netcast', 'ws', 'bench nodes', 'other modules', 'Node.js', 'GC', 'idle', 'V8 (program)'];

function ownerOfUrl(url) {
  if (!url || url.startsWith('node:')) return undefined;
  const file = url.replace(/^file:\/\//, '');
  if (/\/node_modules\/(@node-red\/|node-red\/)/.test(file)) return 'Node-RED';
  if (/\/node_modules\/ws\//.test(file)) return 'ws';
  if (/\/bench\/\.package[^/]*\/|\/dist\/(nodes|transport|framing)\//.test(file)) return 'netcast';
  if (/\/bench\/nodes\//.test(file)) return 'bench nodes';
  if (/\/node_modules\//.test(file)) return 'other modules';
  return undefined;
}

const SPECIAL = new Map([
  ['(garbage collector)', 'GC'],
  ['(idle)', 'idle'],
  ['(program)', 'V8 (program)'],
]);

/** µs of self time per profile node id, counting only samples inside the window when one is given. */
function selfTimes(profile, window) {
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i] || 0;
    if (window && (t < window.fromUs || t > window.toUs)) continue;
    selfUs.set(samples[i], (selfUs.get(samples[i]) || 0) + (timeDeltas[i] || 0));
  }
  return selfUs;
}

function summarize(file, top = 25, window) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const selfUs = selfTimes(profile, window);
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const owner = new Map();
  const visit = (id, inherited) => {
    const node = byId.get(id);
    const name = node.callFrame.functionName;
    const own = SPECIAL.get(name) ?? ownerOfUrl(node.callFrame.url) ?? inherited;
    owner.set(id, own);
    for (const child of node.children || []) visit(child, own);
  };
  visit(profile.nodes[0].id, 'Node.js');
  const owners = Object.fromEntries(OWNERS.map((o) => [o, 0]));
  const byFunction = new Map();
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) || 0;
    if (!us) continue;
    owners[owner.get(node.id)] += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shorten(url)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) || 0) + us);
  }
  const rows = [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const percent = (us) => (total ? (100 * us) / total : 0);
  return {
    total,
    owners: Object.fromEntries(Object.entries(owners).map(([o, us]) => [o, percent(us)])),
    rows: rows.map(([fn, us]) => ({ fn, ms: us / 1000, percent: percent(us) })),
  };
}

/** The owners' shares of the busy time (idle left out), in percent. */
function busyShares(owners) {
  const busy = 100 - (owners.idle || 0);
  return Object.fromEntries(OWNERS.filter((o) => o !== 'idle').map((o) => [o, busy > 0 ? (100 * (owners[o] || 0)) / busy : 0]));
}

function shorten(url) {
  const file = url.replace(/^file:\/\//, '');
  const nm = file.lastIndexOf('node_modules/');
  if (nm !== -1) return file.slice(nm + 'node_modules/'.length);
  const root = path.join(__dirname, '..') + path.sep;
  return file.startsWith(root) ? file.slice(root.length) : file;
}

if (require.main === module) {
  const [file, top] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node bench/profile.js <file.cpuprofile> [top]');
    process.exit(2);
  }
  const { total, owners, rows } = summarize(file, Number(top) || 25);
  console.log(`${path.basename(file)}: ${(total / 1000).toFixed(0)} ms sampled (start-up included)`);
  console.log(Object.entries(owners).map(([o, p]) => `${o} ${p.toFixed(1)} %`).join(', '));
  for (const row of rows) console.log(`${row.percent.toFixed(1).padStart(5)} %  ${row.ms.toFixed(0).padStart(6)} ms  ${row.fn}`);
}

module.exports = { summarize, busyShares, OWNERS };
