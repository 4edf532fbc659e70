#!/usr/bin/env node
'use strict';
// npm run test:reliability: runs every part of the reliability suite (test/reliability/) against
// real Node-RED processes, one part at a time, each in its own process with a time limit, then
// prints one summary. Exits non-zero when any check failed. The multicast part runs inside
// network namespaces (scripts/reliability-netns.js) and is skipped, loudly, without root.
//   RELIABILITY_PARTS=fuzz,soak   run only some parts
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { prepareUserDir } = require('../test/support/node-red-process');

const root = path.join(__dirname, '..');
const PARTS = [
  { name: 'fuzz', args: ['test/reliability/fuzz.js'], limitS: 120 },
  { name: 'regressions', args: ['test/reliability/regressions.js'], limitS: 60 },
  { name: 'bad-inputs', args: ['test/reliability/bad-inputs-runner.js'], limitS: 240 },
  { name: 'floods', args: ['test/reliability/floods.js'], limitS: 240 },
  { name: 'peer-faults', args: ['test/reliability/peer-faults.js'], limitS: 240 },
  { name: 'soak', args: ['test/reliability/soak.js'], limitS: 240 },
  { name: 'netns-multicast', args: ['scripts/reliability-netns.js'], limitS: 180, needsRoot: true },
  // devices -> HAProxy -> two Node-RED hosts -> Mosquitto, in network namespaces (about 1 minute)
  { name: 'gateway', args: ['test/reliability/gateway.js'], limitS: 180, needsRoot: true },
  // a real Prometheus scraping /netcast/metrics, in a network namespace (about 20 s)
  { name: 'prometheus', args: ['test/reliability/prometheus.js'], limitS: 120, needsRoot: true },
];

function runPart(part, env) {
  const resultFile = path.join(env.RELIABILITY_TMP, `${part.name}.json`);
  return new Promise((resolve) => {
    const started = Date.now();
    console.log(`\n=== ${part.name} ===`);
    const child = spawn(process.execPath, part.args, { cwd: root, env: { ...env, RELIABILITY_RESULT_FILE: resultFile }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.on('data', (chunk) => {
      for (const line of chunk.toString().split('\n')) if (line && !line.startsWith('RELIABILITY-RESULT ')) process.stdout.write(`${line}\n`);
    });
    const timer = setTimeout(() => {
      console.log(`*** ${part.name} ran over its ${part.limitS} s limit: stopping it ***`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 10000).unref();
    }, part.limitS * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      let result;
      try {
        result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
      } catch {
        result = { name: part.name, ok: false, counts: {}, checks: [{ what: `${part.name} reported a result`, ok: false, detail: `exit code ${code}` }], notes: [], table: [], maxRssMb: 0 };
      }
      result.ok = result.ok && code === 0;
      result.seconds = Math.round((Date.now() - started) / 100) / 10;
      resolve(result);
    });
  });
}

function printTable(rows) {
  const columns = ['ok', 'node', 'field', 'value', 'expected', 'got'];
  const widths = { ok: 5, node: 18, field: 22, value: 28, expected: 44, got: 60 };
  const cell = (text, width) => {
    const value = String(text).replace(/\s+/g, ' ');
    return (value.length > width ? `${value.slice(0, width - 1)}…` : value).padEnd(width);
  };
  console.log(columns.map((column) => cell(column, widths[column])).join(' '));
  for (const row of rows) console.log(columns.map((column) => cell(row[column], widths[column])).join(' '));
}

async function main() {
  const started = Date.now();
  const only = process.env.RELIABILITY_PARTS ? process.env.RELIABILITY_PARTS.split(',') : undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-reliability-'));
  console.log('packing the package and installing it into a Node-RED user dir...');
  const template = prepareUserDir();
  const env = { ...process.env, RELIABILITY_USERDIR_TEMPLATE: template, RELIABILITY_TMP: tmp };
  const results = [];
  const skipped = [];
  try {
    for (const part of PARTS) {
      if (only && !only.includes(part.name)) continue;
      if (part.needsRoot && (process.getuid?.() !== 0 || process.platform !== 'linux')) {
        skipped.push(`${part.name} (needs root on Linux for network namespaces)`);
        continue;
      }
      results.push(await runPart(part, env));
    }
  } finally {
    fs.rmSync(template, { recursive: true, force: true });
    fs.rmSync(tmp, { recursive: true, force: true });
  }

  const total = { deploys: 0, faults: 0, sent: 0, delivered: 0, dropped: 0, lostUncounted: 0, badInputs: 0, fuzzIterations: 0 };
  for (const result of results) for (const key of Object.keys(total)) total[key] += result.counts[key] || 0;
  const maxRss = results.reduce((max, result) => (result.maxRssMb > max.mb ? { mb: result.maxRssMb, part: result.name } : max), { mb: 0, part: '' });
  const table = results.flatMap((result) => result.table || []);
  if (table.length > 0) {
    console.log('\n=== bad input table ===');
    printTable(table);
  }
  console.log('\n=== reliability summary ===');
  for (const result of results) {
    const checks = result.checks.length;
    const failed = result.checks.filter((check) => !check.ok).length;
    console.log(`${result.ok ? 'PASS' : 'FAIL'}  ${result.name.padEnd(16)} ${String(result.seconds).padStart(6)} s  ${checks - failed}/${checks} checks  max RSS ${result.maxRssMb} MB`);
  }
  for (const part of skipped) console.log(`SKIPPED  ${part}`);
  console.log(`deploys done:            ${total.deploys}`);
  console.log(`faults injected:         ${total.faults}`);
  console.log(`messages sent:           ${total.sent}`);
  console.log(`messages delivered:      ${total.delivered}`);
  console.log(`dropped (as counted):    ${total.dropped}`);
  console.log(`lost uncounted:          ${total.lostUncounted} (in the kernel's socket buffers when their peer died: see notes)`);
  console.log(`bad inputs tried:        ${total.badInputs}`);
  console.log(`fuzz iterations:         ${total.fuzzIterations}`);
  console.log(`max RSS:                 ${maxRss.mb} MB (${maxRss.part}; node-red process, or the fuzzing process for fuzz)`);
  const notes = results.flatMap((result) => result.notes.map((note) => `${result.name}: ${note}`));
  if (notes.length > 0) {
    console.log('\nnotes:');
    for (const note of notes) console.log(`  - ${note}`);
  }
  const failures = results.flatMap((result) => result.checks.filter((check) => !check.ok).map((check) => `${result.name}: ${check.what} — ${check.detail}`));
  if (failures.length > 0) {
    console.log('\nfailed checks:');
    for (const failure of failures) console.log(`  - ${failure.slice(0, 600)}`);
  }
  console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(0)} s — ${failures.length === 0 && results.every((result) => result.ok) ? 'reliability suite passed' : 'RELIABILITY SUITE FAILED'}`);
  return failures.length === 0 && results.every((result) => result.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
