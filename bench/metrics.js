'use strict';
// Server-side measurements read from /proc, and the summary statistics used in the report.
const fs = require('fs');

const CLOCK_TICKS = 100; // sysconf(_SC_CLK_TCK) on Linux

/** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/<pid>/stat). */
function cpuTicks(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function statusKb(pid, key) {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) : NaN;
}

/** Busy ticks of the whole machine, all CPUs (/proc/stat: everything but idle and iowait). */
function machineBusyTicks() {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  return fields.reduce((a, b) => a + b, 0) - fields[3] - fields[4];
}

/**
 * Watches the server process over a measurement window: CPU % and peak RSS (VmHWM, and sampled
 * VmRSS), and the median of the VmRSS samples (one every 100 ms; the idle-rss case's measure). Also the CPU used by everything else on the machine but the load process (other people's
 * work on a shared machine), so a disturbed window can be seen.
 */
class ProcessWatch {
  constructor(pid, loadPid) {
    this.pid = pid;
    this.loadPid = loadPid;
  }

  start() {
    this.t0 = process.hrtime.bigint();
    this.ticks0 = cpuTicks(this.pid);
    this.loadTicks0 = this.loadPid ? cpuTicks(this.loadPid) : 0;
    this.busy0 = machineBusyTicks();
    this.rssSamplesKb = [statusKb(this.pid, 'VmRSS')];
    this.maxRssKb = this.rssSamplesKb[0];
    this.timer = setInterval(() => {
      try {
        const rssKb = statusKb(this.pid, 'VmRSS');
        this.rssSamplesKb.push(rssKb);
        this.maxRssKb = Math.max(this.maxRssKb, rssKb);
      } catch {
        // the process ended; stop() reports what was seen
      }
    }, 100);
  }

  stop() {
    clearInterval(this.timer);
    if (this.stopped) return this.stopped;
    const seconds = Number(process.hrtime.bigint() - this.t0) / 1e9;
    const ticks = cpuTicks(this.pid) - this.ticks0;
    const loadTicks = this.loadPid ? cpuTicks(this.loadPid) - this.loadTicks0 : 0;
    const otherTicks = machineBusyTicks() - this.busy0 - ticks - loadTicks;
    const hwmKb = statusKb(this.pid, 'VmHWM');
    const percent = (n) => (100 * n) / CLOCK_TICKS / seconds;
    return (this.stopped = {
      cpuPercent: percent(ticks),
      loadCpuPercent: percent(loadTicks),
      otherCpuPercent: Math.max(0, percent(otherTicks)),
      // VmHWM: the peak over the process's life (it is started fresh for every measurement).
      peakRssMb: Math.max(hwmKb, this.maxRssKb) / 1024,
      medianRssMb: median(this.rssSamplesKb) / 1024,
      rssSamples: this.rssSamplesKb.length,
    });
  }
}

function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** {median, min, max, n} of the finite values. */
function summarize(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return null;
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

module.exports = { ProcessWatch, cpuTicks, summarize, median, sleep };
