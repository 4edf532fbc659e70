'use strict';
// Top self-time functions of a .cpuprofile (written by `npm run bench -- --profile`, one per
// server process). Usage: node bench/profile.js <file.cpuprofile> [top=25]
const fs = require('fs');
const path = require('path');

function summarize(file, top = 25) {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8'));
  const selfUs = new Map(); // node id -> µs of samples
  const { samples, timeDeltas, nodes } = profile;
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i], (selfUs.get(samples[i]) || 0) + (timeDeltas[i] || 0));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const byFunction = new Map();
  for (const node of nodes) {
    const us = selfUs.get(node.id) || 0;
    if (!us) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${shorten(url)}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'} ${where}`.trim();
    byFunction.set(key, (byFunction.get(key) || 0) + us);
  }
  const rows = [...byFunction.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  return { total, rows: rows.map(([fn, us]) => ({ fn, ms: us / 1000, percent: (100 * us) / total })) };
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
  const { total, rows } = summarize(file, Number(top) || 25);
  console.log(`${path.basename(file)}: ${(total / 1000).toFixed(0)} ms sampled`);
  for (const row of rows) console.log(`${row.percent.toFixed(1).padStart(5)} %  ${row.ms.toFixed(0).padStart(6)} ms  ${row.fn}`);
}

module.exports = { summarize };
