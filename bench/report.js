'use strict';
// Turns the measurements into per-case summaries (median, min–max over repetitions; ratios
// computed per repetition), a JSON document and a Markdown table. A case with `difference: true`
// (idle-rss) gets ours − core per repetition instead of ratios (`differences`), shown in the
// ours/core column as "+x MB added".
const { execFileSync } = require('child_process');
const os = require('os');
const path = require('path');
const { summarize } = require('./metrics');
const targets = require('./targets');

const RESOURCES = [
  ['cpuPercent', 'server CPU %'],
  ['peakRssMb', 'peak RSS MB'],
  ['maxLoopDelayMs', 'max loop delay ms'],
  ['otherCpuPercent', 'other CPU %'],
];
const SERVERS = ['ours', 'before', 'core', 'raw', 'ceiling'];
const RATIOS = [
  ['ours/core', 'ours', 'core'],
  ['ours/raw', 'ours', 'raw'],
  ['ours/ceiling', 'ours', 'ceiling'],
  ['ours/before', 'ours', 'before'],
];
// The profile table's columns (bench/profile.js owners), as shares of the server's busy time.
const PROFILE_OWNERS = ['Node-RED', 'netcast', 'ws', 'Node.js', 'GC', 'V8 (program)', 'bench nodes', 'other modules'];

function fmt(value) {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 100) return Math.round(value).toLocaleString('en-US');
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}
const fmtRatio = (value) => (Number.isFinite(value) ? value.toFixed(3) : '–');
const fmtDifference = (value) => (Number.isFinite(value) ? `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}` : '–');

function cell(stats, format = fmt) {
  if (!stats) return '–';
  return stats.n > 1 ? `${format(stats.median)} (${format(stats.min)}–${format(stats.max)})` : format(stats.median);
}

/** A profile's shares of the busy time, for the progress log. */
function profileLine(profile) {
  const shares = PROFILE_OWNERS.filter((o) => profile.busy[o] >= 0.5).map((o) => `${o} ${profile.busy[o].toFixed(0)} %`);
  return `${shares.join(', ')} of busy time (idle ${profile.owners.idle.toFixed(0)} %); top: ${profile.top.slice(0, 3).map((r) => `${r.fn.split(' ')[0]} ${r.percent.toFixed(1)} %`).join(', ')}`;
}

/** One line for the progress log. */
function brief(testCase, values) {
  const main = testCase.metrics.map((m) => `${fmt(values[m])} ${m}`).join(', ');
  return `${main}; CPU ${fmt(values.cpuPercent)} %, RSS ${fmt(values.peakRssMb)} MB, loop ${fmt(values.maxLoopDelayMs)} ms; load CPU ${fmt(values.loadCpuPercent)} %, others ${fmt(values.otherCpuPercent)} %`;
}

function summarizeCase(testCase, servers, runs) {
  const keys = [...testCase.metrics, ...RESOURCES.map(([key]) => key)];
  const ok = runs.filter((run) => run.values);
  const byServer = {};
  for (const server of servers) {
    byServer[server] = {};
    for (const key of keys) byServer[server][key] = summarize(ok.filter((r) => r.server === server).map((r) => r.values[key]));
  }
  const perRep = (top, bottom, key, combine) => {
    const values = [];
    for (const run of ok.filter((r) => r.server === top)) {
      const other = ok.find((r) => r.server === bottom && r.rep === run.rep);
      if (other) values.push(combine(run.values[key], other.values[key]));
    }
    return summarize(values);
  };
  const ratios = {};
  const differences = {};
  for (const [name, top, bottom] of RATIOS) {
    if (!servers.includes(top) || !servers.includes(bottom)) continue;
    const into = testCase.difference ? (differences[`${top}-${bottom}`] = {}) : (ratios[name] = {});
    for (const key of keys) {
      if (testCase.noRatio?.includes(key)) continue; // e.g. loss %: a ratio of near-zeros says nothing
      into[key] = perRep(top, bottom, key, testCase.difference ? (a, b) => a - b : (a, b) => a / b);
    }
  }
  const windowS = ok.find((run) => run.values.windowS)?.values.windowS;
  // profile shares (of busy time) per server: median (min–max) over the repetitions
  const profile = {};
  for (const server of servers) {
    const profiled = ok.filter((r) => r.server === server && r.values.profile);
    if (!profiled.length) continue;
    profile[server] = Object.fromEntries(PROFILE_OWNERS.map((o) => [o, summarize(profiled.map((r) => r.values.profile.busy[o]))]));
    profile[server].idle = summarize(profiled.map((r) => r.values.profile.owners.idle));
  }
  return {
    name: testCase.name,
    note: testCase.note,
    metrics: testCase.metrics,
    windowS,
    servers,
    runs,
    summary: byServer,
    ratios,
    ...(testCase.difference ? { differences } : {}),
    ...(Object.keys(profile).length ? { profile } : {}),
  };
}

function table(results) {
  // ours, core and raw always; before and ceiling when some case ran them
  const servers = SERVERS.filter((s) => ['ours', 'core', 'raw'].includes(s) || results.some((r) => r.servers.includes(s)));
  const ratios = RATIOS.filter(([, top, bottom]) => servers.includes(top) && servers.includes(bottom));
  const names = servers.join(' / ');
  const lines = [
    `| case | metric | ${servers.join(' | ')} | ${ratios.map(([name]) => name).join(' | ')} | server CPU % ${names} | peak RSS MB ${names} | max loop delay ms ${names} | CPU % of other processes ${names} |`,
    `|---|---|${servers.map(() => '---|').join('')}${ratios.map(() => '---|').join('')}---|---|---|---|`,
  ];
  const triple = (result, key) => servers.map((s) => (result.summary[s] ? fmt(result.summary[s][key]?.median) : '–')).join(' / ');
  for (const result of results) {
    result.metrics.forEach((metric, i) => {
      const row = [
        i === 0 ? result.name : '',
        metric,
        ...servers.map((s) => cell(result.summary[s]?.[metric])),
        ...ratios.map(([name, top, bottom]) => {
          if (!result.differences) return cell(result.ratios[name]?.[metric], fmtRatio);
          const difference = result.differences[`${top}-${bottom}`]?.[metric];
          return difference ? `${cell(difference, fmtDifference)} MB added` : '–';
        }),
        ...RESOURCES.map(([key]) => (i === 0 ? triple(result, key) : '')),
      ];
      lines.push(`| ${row.join(' | ')} |`);
    });
  }
  return lines.join('\n');
}

/** Where each server's busy time went over the measurement window (only with --profile). */
function profileTable(results) {
  const rows = results.flatMap((result) =>
    Object.entries(result.profile ?? {}).map(([server, shares]) => `| ${result.name} | ${server} | ${PROFILE_OWNERS.map((o) => cell(shares[o], (v) => v.toFixed(1))).join(' | ')} | ${cell(shares.idle, (v) => v.toFixed(1))} |`),
  );
  if (!rows.length) return [];
  return [
    'Profile (--profile): share of each server\'s busy CPU time over the measurement window, % median (min–max) over the repetitions. A function of Node.js or V8 counts for the nearest caller with an owner (Buffer#toString called by our decoder is netcast\'s, EventEmitter#emit called by Node-RED is Node-RED\'s); Node.js: the event loop, socket reads and timers no package asked for; idle: % of all samples.',
    '',
    `| case | server | ${PROFILE_OWNERS.join(' | ')} | idle |`,
    `|---|---|${PROFILE_OWNERS.map(() => '---|').join('')}---|`,
    ...rows,
    '',
  ];
}

function machine() {
  let commit = 'unknown';
  try {
    const root = path.join(__dirname, '..');
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    if (execFileSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' }).trim()) commit += ' (src modified)';
  } catch {
    // not a git checkout
  }
  return {
    date: new Date().toISOString(),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    nodeRed: require('node-red/package.json').version,
    commit,
  };
}

function build(results, opts) {
  const meta = { ...machine(), reps: opts.reps, windowS: opts.window, warmupS: opts.warmup, smoke: opts.smoke, profile: opts.profile, seconds: opts.seconds, package: opts.package };
  const checks = opts.smoke ? [] : targets.evaluate(results);
  const windowNote = (r) => (r.windowS && r.windowS !== meta.windowS ? `window ${r.windowS} s` : '');
  const notes = results
    .filter((r) => r.note || windowNote(r))
    .map((r) => `- ${r.name}: ${[windowNote(r), r.note].filter(Boolean).join('; ')}`);
  const failed = results.flatMap((r) => r.runs.filter((run) => run.error).map((run) => `- ${r.name} rep ${run.rep} ${run.server}: ${run.error.split('\n')[0]}`));
  const markdown = [
    `reps=${meta.reps} window=${meta.windowS}s${results.some(windowNote) ? ' (shorter where the notes say)' : ''} warmup=${meta.warmupS}s ${meta.smoke ? '(smoke: not a measurement) ' : ''}node=${meta.node} node-red=${meta.nodeRed} commit=${meta.commit} dist built ${meta.package?.built ?? '?'}`,
    `machine: ${meta.cores} × ${meta.cpu}, ${meta.memoryGb} GB, Linux ${meta.kernel}; ${meta.date}`,
    '',
    `Median (min–max) over the repetitions; ratios are computed per repetition, the servers take turns within each. ours = netcast nodes in node-red, core = Node-RED\'s own nodes in node-red, raw = plain Node without Node-RED${meta.package?.baseline ? `, before = the same flows with the build of ${meta.package.baseline.commit} (--baseline)` : ''}${results.some((r) => r.servers.includes('ceiling')) ? ', ceiling = stock node-red where bench-source emits ready-made 64 B messages (no _msgid: Node-RED generates them) into the same sink, no network' : ''}. Server CPU % is utime+stime of the server process over the window (100 = one core); peak RSS is its VmHWM; max loop delay is the longest event-loop stall in the window; CPU % of other processes is what the rest of the machine (not the server, not the load generator) used during the window: high values mean a disturbed measurement.`,
    '',
    table(results),
    '',
    ...profileTable(results),
    ...(notes.length ? ['Notes:', ...notes, ''] : []),
    ...(checks.length ? ['Targets (issues 6 and 13):', ...checks.map((c) => `- ${c.met === true ? 'MET' : c.met === false ? 'MISSED' : 'n/a'} — ${c.target}: ${c.detail}`), ''] : []),
    ...(failed.length ? ['Failed measurements:', ...failed, ''] : []),
  ].join('\n');
  return { meta, cases: results, targets: checks, markdown };
}

module.exports = { brief, profileLine, summarizeCase, build, fmt };
