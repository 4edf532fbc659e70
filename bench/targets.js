'use strict';
// The targets of issues 6 and 13, checked against a run's summaries (reported, never asserted: timings
// do not gate anything). Ratios use the median of the per-repetition ratios (differences, for
// idle-rss, the median of the per-repetition differences); loop delay uses the worst repetition.
const r3 = (v) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const ms = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} ms` : '–');

const CPU = 'CPU µs per message';
const ratio = (result, name, key) => result.ratios[name]?.[key]?.median;
const difference = (result, name, key) => result.differences?.[name]?.[key]?.median;
const mb = (v) => (Number.isFinite(v) ? `${v.toFixed(2)} MB` : '–');
const worst = (result, server, key) => result.summary[server]?.[key]?.max;

function check(parts) {
  const met = parts.every((p) => Number.isFinite(p.value)) ? parts.every((p) => p.ok(p.value)) : null;
  return { met, detail: parts.map((p) => p.label).join(', ') };
}

const atLeast = (label, value, min, show = r3) => ({ label: `${label} ${show(value)} (>= ${show(min)})`, value, ok: (v) => v >= min });
const atMost = (label, value, max, show = r3) => ({ label: `${label} ${show(value)} (<= ${show(max)})`, value, ok: (v) => v <= max });
const below = (label, value, max, show = ms) => ({ label: `${label} ${show(value)} (< ${show(max)})`, value, ok: (v) => v < max });

const TARGETS = [
  ['tcp-in-64B-1c', 'tcp in 64 B, 1 connection: >= 1.3x core, loop delay < 20 ms, RSS <= 0.6x core', (r) => [
    atLeast('ours/core msgs/s', ratio(r, 'ours/core', 'msgs/s'), 1.3),
    below('ours max loop delay', worst(r, 'ours', 'maxLoopDelayMs'), 20),
    atMost('ours/core RSS', ratio(r, 'ours/core', 'peakRssMb'), 0.6),
  ]],
  ['tcp-in-64B-16c', 'tcp in 64 B, 16 connections: >= 2x core, loop delay < 20 ms, RSS <= 0.6x core', (r) => [
    atLeast('ours/core msgs/s', ratio(r, 'ours/core', 'msgs/s'), 2),
    below('ours max loop delay', worst(r, 'ours', 'maxLoopDelayMs'), 20),
    atMost('ours/core RSS', ratio(r, 'ours/core', 'peakRssMb'), 0.6),
  ]],
  ['tcp-in-64B-1c-batch', 'batch output >= 10x core frames/s', (r) => [atLeast('ours/core frames/s', ratio(r, 'ours/core', 'frames/s'), 10)]],
  ['tcp-in-64KiB-1c', 'tcp in 64 KiB lines >= 0.9x raw', (r) => [atLeast('ours/raw msgs/s', ratio(r, 'ours/raw', 'msgs/s'), 0.9)]],
  ['tcp-in-1MiB-1c', 'tcp in 1 MiB lines >= 0.8x raw', (r) => [atLeast('ours/raw msgs/s', ratio(r, 'ours/raw', 'msgs/s'), 0.8)]],
  ['tcp-echo-w256', 'echo, 256 in flight >= 2x core', (r) => [atLeast('ours/core replies/s', ratio(r, 'ours/core', 'replies/s'), 2)]],
  ['tcp-echo-w1', 'echo, 1 in flight: p50 and p99 within 1.1x raw', (r) => [
    atMost('ours/raw p50', ratio(r, 'ours/raw', 'p50 µs'), 1.1),
    atMost('ours/raw p99', ratio(r, 'ours/raw', 'p99 µs'), 1.1),
  ]],
  ['udp-in-200k', 'udp in 200k/s: loss <= 0.05% with the receive buffer set, CPU <= core', (r) => [
    atMost('ours loss %', r.summary.ours?.['loss %']?.median, 0.05, (v) => (Number.isFinite(v) ? `${v.toFixed(2)} %` : '–')),
    atMost('ours/core CPU', ratio(r, 'ours/core', 'cpuPercent'), 1),
  ]],
  ['ws-in-1c', 'ws in 1 client >= 1.5x core, loop delay < 20 ms, RSS <= 0.5x core', (r) => [
    atLeast('ours/core msgs/s', ratio(r, 'ours/core', 'msgs/s'), 1.5),
    below('ours max loop delay', worst(r, 'ours', 'maxLoopDelayMs'), 20),
    atMost('ours/core RSS', ratio(r, 'ours/core', 'peakRssMb'), 0.5),
  ]],
  ['ws-out-bcast-10', 'ws out broadcast to 10 clients >= 5x core msgs/s per client', (r) => [atLeast('ours/core', ratio(r, 'ours/core', 'msgs/s per client'), 5)]],
  // issue 13: per-message cost against the runtime's own path (ceiling) and core
  ['tcp-in-64B-1c', 'issue 13: tcp in 64 B, 1 connection >= 1.0x the runtime ceiling and >= 1.6x core', (r) => [
    atLeast('ours/ceiling msgs/s', ratio(r, 'ours/ceiling', 'msgs/s'), 1),
    atLeast('ours/core msgs/s', ratio(r, 'ours/core', 'msgs/s'), 1.6),
  ]],
  ['tcp-in-64B-1c', 'issue 13, in CPU per message (steadier on a shared machine): ours <= the ceiling, <= 1/1.6 of core', (r) => [
    atMost('ours/ceiling CPU µs per message', ratio(r, 'ours/ceiling', CPU), 1),
    atMost('ours/core CPU µs per message', ratio(r, 'ours/core', CPU), 1 / 1.6),
  ]],
  ['ws-in-1c', 'issue 13: ws in 1 client >= 0.8x the runtime ceiling', (r) => [atLeast('ours/ceiling msgs/s', ratio(r, 'ours/ceiling', 'msgs/s'), 0.8)]],
  ['ws-in-1c', 'issue 13, in CPU per message: ours <= 1/0.8 of the ceiling', (r) => [atMost('ours/ceiling CPU µs per message', ratio(r, 'ours/ceiling', CPU), 1 / 0.8)]],
  ['ws-in-16c', 'issue 13: ws in 16 clients >= 2x core', (r) => [atLeast('ours/core msgs/s', ratio(r, 'ours/core', 'msgs/s'), 2)]],
  ['tcp-echo-w1', 'issue 13: echo, 1 in flight: p50 and p99 no worse than core', (r) => [
    atMost('ours/core p50', ratio(r, 'ours/core', 'p50 µs'), 1),
    atMost('ours/core p99', ratio(r, 'ours/core', 'p99 µs'), 1),
  ]],
  ['tcp-echo-w256', 'issue 13: echo, 256 in flight >= 3x core', (r) => [atLeast('ours/core replies/s', ratio(r, 'ours/core', 'replies/s'), 3)]],
  ['idle-rss', "Loading the package adds at most 5 MB to an idle Node-RED's RSS", (r) => [atMost('idle RSS added (ours − core)', difference(r, 'ours-core', 'idle RSS MB'), 5, mb)]],
];

function evaluate(results) {
  const out = [];
  for (const [name, target, parts] of TARGETS) {
    const result = results.find((r) => r.name === name);
    if (!result) continue;
    const { met, detail } = check(parts(result));
    out.push({ case: name, target, met, detail });
  }
  return out;
}

module.exports = { evaluate };
