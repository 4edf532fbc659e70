'use strict';
// What every part of the reliability suite shares: a real node-red process with the package
// installed from `npm pack` (and the test-only probe nodes), /proc readings of that process,
// log checks, and the result each part reports to scripts/reliability.js.
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { prepareUserDir, freePort, settingsFile: baseSettingsFile } = require('../../support/node-red-process');
const { withTimeout, until } = require('../../support/events');

const root = path.join(__dirname, '..', '..', '..');
const redJs = require.resolve('node-red/red.js');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let templateDir;
/** One npm pack + install per process; each Node-RED gets a copy of that user dir. */
function userDirWithProbe() {
  const shared = process.env.RELIABILITY_USERDIR_TEMPLATE;
  if (!templateDir) templateDir = shared && fs.existsSync(shared) ? shared : prepareUserDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-rel-'));
  fs.cpSync(templateDir, dir, { recursive: true });
  fs.mkdirSync(path.join(dir, 'nodes'), { recursive: true });
  for (const file of ['reliability-probe.js', 'reliability-probe.html']) fs.copyFileSync(path.join(__dirname, 'probe', file), path.join(dir, 'nodes', file));
  return dir;
}

// the bad-input table deploys flows holding 10 MB strings
const settingsFile = (port, extra) => baseSettingsFile(port, `apiMaxLength: '50mb',\n  ${extra || ''}`);

class Red {
  constructor(userDir, port, child) {
    this.userDir = userDir;
    this.port = port;
    this.child = child;
    this.pid = child.pid;
    this.log = '';
    // a hostile 10 MB value echoed into the log would make every later look at it slow: long runs
    // of one character are kept as a marker with their length
    this.flowStarts = 0;
    const keep = (chunk) => {
      const text = String(chunk);
      // POST /flows answers before the flows have started; deploy() waits for this count to grow
      this.flowStarts += (text.match(/Started (flows|modified flows|modified nodes)/g) || []).length;
      this.log += text.replace(/(.)\1{999,}/g, (run, char) => `${char}{repeated ${run.length}}`);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.maxRssKb = 0;
    this.sampler = setInterval(() => this.sampleRss(), 100);
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  get alive() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async request(method, route, body, headers = {}) {
    let response;
    try {
      response = await fetch(`${this.url}${route}`, {
        method,
        headers: { 'content-type': 'application/json', connection: 'close', ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(60000),
      });
    } catch (err) {
      throw new Error(`${method} ${route} failed: ${err.cause ? err.cause.message || err.cause.code : err.message}; node-red ${this.alive ? 'running' : 'exited'}: ${this.log.slice(-1500).replace(/x{200,}/g, '[x…]')}`);
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${route} -> ${response.status} ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : undefined;
  }

  async deploy(flow, type = 'full') {
    const before = this.flowStarts;
    const result = await this.request('POST', '/flows', flow, { 'Node-RED-Deployment-Type': type });
    const deadline = Date.now() + 30000;
    while (this.flowStarts === before) {
      if (Date.now() > deadline || !this.alive) throw new Error(`the deployed flows did not start: ${this.log.slice(-1500)}`);
      await new Promise((resolve) => this.child.stdout.once('data', resolve));
    }
    return result;
  }

  endpoint(id) {
    return this.request('GET', `/reliability/endpoint/${id}`);
  }

  /** Waits until the endpoint's phase is one of `phases` (and `extra(info)` holds, if given). */
  async waitEndpoint(id, phases, ms = 10000, extra = () => true) {
    const deadline = Date.now() + ms;
    let info;
    for (;;) {
      info = await this.endpoint(id).catch((err) => ({ error: err.message }));
      if (info.state && phases.includes(info.state.phase) && extra(info)) return info;
      if (Date.now() > deadline) throw new Error(`endpoint ${id} not ${phases.join('/')} within ${ms} ms: ${JSON.stringify(info)}`);
      await sleep(20);
    }
  }

  collected(id) {
    return this.request('GET', `/reliability/collect/${id}`);
  }

  sampleRss() {
    const kb = rssKb(this.pid);
    if (kb > this.maxRssKb) this.maxRssKb = kb;
    return kb;
  }

  /** Lines of the runtime log at [warn] or [error] since `from` (a log offset). */
  problems(from = 0) {
    return this.log.slice(from).split('\n').filter((line) => /\[(warn|error)\]/.test(line));
  }

  async stop() {
    clearInterval(this.sampler);
    if (this.alive) {
      this.child.kill('SIGINT');
      await withTimeout(this.exited, 15000, 'node-red to exit').catch(() => this.child.kill('SIGKILL'));
    }
    fs.rmSync(this.userDir, { recursive: true, force: true });
  }
}

/** Starts node-red (with the probe nodes); resolves when its admin API answers. */
async function startRed({ settings = '', nodeArgs = [] } = {}) {
  const userDir = userDirWithProbe();
  const port = await freePort();
  fs.writeFileSync(path.join(userDir, 'settings.js'), settingsFile(port, settings));
  const child = spawn(process.execPath, [...nodeArgs, redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')], { stdio: ['ignore', 'pipe', 'pipe'] });
  const red = new Red(userDir, port, child);
  await withTimeout(new Promise((resolve, reject) => {
    const onData = () => red.log.includes('Server now running') && red.log.includes('Started flows') && resolve();
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`node-red exited with ${code}:\n${red.log}`)));
  }), 60000, 'node-red to start');
  const types = (await red.request('GET', '/nodes', undefined, { accept: 'application/json' })).flatMap((set) => set.types);
  for (const type of ['reliability-gen', 'reliability-collect', 'netcast-tcp-endpoint', 'netcast-websocket-endpoint', 'netcast-udp-endpoint']) {
    if (!types.includes(type)) throw new Error(`node type ${type} did not load:\n${red.log}`);
  }
  return red;
}

function rssKb(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function socketInodes(pid) {
  const inodes = new Set();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // closed while we looked
    }
  }
  return inodes;
}

function hexPort(text) {
  return parseInt(text.split(':')[1], 16);
}

/**
 * What the process holds, from /proc: open fds, TCP ports it listens on, TCP connections and UDP
 * sockets it owns (by socket inode).
 */
function procSnapshot(pid) {
  const inodes = socketInodes(pid);
  const listening = [];
  let tcpConnections = 0;
  let udpSockets = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6', '/proc/net/udp', '/proc/net/udp6']) {
    let text = '';
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || !inodes.has(fields[9])) continue;
      if (file.includes('udp')) udpSockets += 1;
      else if (fields[3] === '0A') listening.push(hexPort(fields[1]));
      else tcpConnections += 1;
    }
  }
  return { fds: fs.readdirSync(`/proc/${pid}/fd`).length, listening: listening.sort((a, b) => a - b), tcpConnections, udpSockets, rssKb: rssKb(pid) };
}

/** A part's findings, printed as one line scripts/reliability.js picks up. */
class Result {
  constructor(name) {
    this.name = name;
    this.started = Date.now();
    this.counts = { deploys: 0, faults: 0, sent: 0, delivered: 0, dropped: 0, lostUncounted: 0, badInputs: 0, fuzzIterations: 0 };
    this.maxRssMb = 0;
    this.checks = [];
    this.notes = [];
    this.table = [];
  }

  add(key, n) {
    this.counts[key] += n;
  }

  rss(kb) {
    this.maxRssMb = Math.max(this.maxRssMb, Math.round(kb / 102.4) / 10);
  }

  /** A checked property: recorded whatever the outcome, so the summary shows what was verified. */
  check(what, ok, detail = '') {
    this.checks.push({ what, ok: Boolean(ok), detail: String(detail) });
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? ` — ${detail}` : ''}`);
    return Boolean(ok);
  }

  note(text) {
    this.notes.push(text);
    console.log(`  note: ${text}`);
  }

  get ok() {
    return this.checks.every((check) => check.ok);
  }

  emit() {
    const out = { name: this.name, ok: this.ok, seconds: Math.round((Date.now() - this.started) / 100) / 10, counts: this.counts, maxRssMb: this.maxRssMb, checks: this.checks, notes: this.notes, table: this.table };
    console.log(`RELIABILITY-RESULT ${JSON.stringify(out)}`);
    if (process.env.RELIABILITY_RESULT_FILE) fs.writeFileSync(process.env.RELIABILITY_RESULT_FILE, JSON.stringify(out));
  }
}

/** Runs a part: prints its result line even when it throws, exits non-zero on failure. */
function runPart(name, body) {
  const result = new Result(name);
  const cleanups = [];
  const onExit = async () => {
    for (const cleanup of cleanups.reverse()) await Promise.resolve().then(cleanup).catch((err) => console.error(`cleanup: ${err.message}`));
  };
  process.once('SIGINT', () => onExit().then(() => process.exit(130)));
  process.once('SIGTERM', () => onExit().then(() => process.exit(143)));
  (async () => {
    try {
      await body(result, (fn) => cleanups.push(fn));
    } catch (err) {
      result.check(`${name} ran to the end`, false, err.stack || err.message);
    } finally {
      await onExit();
    }
    result.emit();
    process.exit(result.ok ? 0 : 1);
  })();
}

/** Reads a stream of `prefix<seq>` lines: the sequence numbers in the order they came. */
function sequencesIn(text, prefix = 'm') {
  const seqs = [];
  let partial = 0;
  const lines = text.split('\n');
  const last = lines.pop();
  if (last) partial += 1;
  for (const line of lines) {
    if (!line.startsWith(prefix)) {
      partial += 1;
      continue;
    }
    const value = Number(line.slice(prefix.length).trim());
    if (Number.isInteger(value)) seqs.push(value);
    else partial += 1;
  }
  return { seqs, partial };
}

/**
 * sent 1..n; `arrived` in arrival order. In order and exactly once: strictly increasing.
 * Returns what arrived, what is missing, duplicates and order breaks.
 */
function accountSequence(sent, arrived) {
  const seen = new Set();
  let duplicates = 0;
  let outOfOrder = 0;
  let previous = 0;
  for (const seq of arrived) {
    if (seen.has(seq)) duplicates += 1;
    else seen.add(seq);
    if (seq <= previous) outOfOrder += 1;
    previous = Math.max(previous, seq);
  }
  const missing = [];
  for (let seq = 1; seq <= sent; seq += 1) if (!seen.has(seq)) missing.push(seq);
  return { delivered: seen.size, missing, duplicates, outOfOrder };
}

/** "12-15, 40" */
function ranges(numbers, limit = 8) {
  const parts = [];
  for (let i = 0; i < numbers.length && parts.length < limit; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j] + 1) j += 1;
    parts.push(i === j ? `${numbers[i]}` : `${numbers[i]}-${numbers[j]}`);
    i = j + 1;
  }
  return parts.join(', ') + (parts.length === limit ? ', …' : '');
}

module.exports = { root, sleep, until, withTimeout, startRed, freePort, procSnapshot, rssKb, runPart, Result, sequencesIn, accountSequence, ranges, prepareUserDir };
