'use strict';
// The operations view's metrics with Debian's real Prometheus tools (README "Metrics"): a Node-RED
// with `netcast: { metrics: true }` and a TCP server endpoint, a device sending lines to it, and a
// real `prometheus` server scraping /netcast/metrics, all inside one network namespace this part
// creates and removes (root only), so the fixed ports (1880, 7100, 9090) never meet the machine's.
// Checks: `promtool check metrics` accepts the exposition; Prometheus scrapes it and answers a
// query with the number of lines the device sent, and the session gauge with the one connection.
const { execFileSync, spawn, spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { runPart, sleep, prepareUserDir } = require('./lib/harness');
const tools = require('../support/tools');

const ns = `ncprom-${process.pid}`;
const NODE_RED = 'http://127.0.0.1:1880';
const PROMETHEUS = 'http://127.0.0.1:9090';
const DEVICE_PORT = 7100;
const LINES = 250;
const redJs = require.resolve('node-red/red.js');

const ip = (args) => execFileSync(tools.ip(), args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

function startIn(command, args) {
  const child = spawn(tools.ip(), ['netns', 'exec', ns, command, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.log = '';
  child.stdout.on('data', (chunk) => (child.log += chunk));
  child.stderr.on('data', (chunk) => (child.log += chunk));
  child.exited = new Promise((resolve) => child.once('exit', resolve));
  return child;
}

async function stop(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10000);
  await child.exited;
  clearTimeout(timer);
}

/** GET inside the namespace (the test process itself stays in the root namespace). */
function getIn(url) {
  const script = `fetch(${JSON.stringify(url)}).then(async (r) => { process.stdout.write(await r.text()); process.exit(r.ok ? 0 : 2); }, (e) => { console.error(e.cause ? e.cause.code : e.message); process.exit(1); })`;
  const result = spawnSync(tools.ip(), ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8', timeout: 15000 });
  return { ok: result.status === 0, text: result.stdout, error: result.stderr };
}

async function until(what, ms, probe) {
  const deadline = Date.now() + ms;
  let last;
  while (Date.now() < deadline) {
    last = probe();
    if (last.done) return last;
    await sleep(250);
  }
  throw new Error(`${what} within ${ms / 1000} s; last: ${JSON.stringify(last).slice(0, 800)}`);
}

function query(expr) {
  const answer = getIn(`${PROMETHEUS}/api/v1/query?query=${encodeURIComponent(expr)}`);
  if (!answer.ok) return { done: false, error: answer.error || answer.text };
  const body = JSON.parse(answer.text);
  const sample = body.data && body.data.result && body.data.result[0];
  return { value: sample ? Number(sample.value[1]) : undefined, metric: sample && sample.metric };
}

runPart('prometheus', async (result, onCleanup) => {
  ip(['netns', 'add', ns]);
  onCleanup(() => ip(['netns', 'del', ns]));
  ip(['netns', 'exec', ns, 'ip', 'link', 'set', 'lo', 'up']);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'netcast-prom-'));
  onCleanup(() => fs.rmSync(tmp, { recursive: true, force: true }));

  // Node-RED with the metrics opt-in and a TCP server endpoint
  const template = process.env.RELIABILITY_USERDIR_TEMPLATE && fs.existsSync(process.env.RELIABILITY_USERDIR_TEMPLATE) ? process.env.RELIABILITY_USERDIR_TEMPLATE : prepareUserDir();
  const userDir = path.join(tmp, 'node-red');
  fs.cpSync(template, userDir, { recursive: true });
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify([
    { id: 'tab', type: 'tab', label: 'metrics' },
    { id: 'plc', type: 'netcast-tcp-endpoint', name: 'line "A"', mode: 'server', host: '127.0.0.1', port: DEVICE_PORT, framing: 'delimiter', delimiter: '\\n' },
    { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'plc', output: 'utf8', x: 100, y: 100, wires: [[]] },
  ]));
  fs.writeFileSync(path.join(userDir, 'settings.js'), `module.exports = { uiHost: '127.0.0.1', uiPort: 1880, flowFile: 'flows.json', credentialSecret: false,
  telemetry: { enabled: false, updateNotification: false }, diagnostics: { enabled: false }, logging: { console: { level: 'info' } },
  netcast: { metrics: true } };\n`);
  const red = startIn(process.execPath, [redJs, '--userDir', userDir, '--settings', path.join(userDir, 'settings.js')]);
  onCleanup(() => stop(red));
  await until('node-red started its flows', 60000, () => ({ done: /Started flows/.test(red.log), exit: red.exitCode, log: red.log.slice(-300) }));

  // a device: sends LINES lines and stays connected
  const device = startIn(process.execPath, ['-e', `const s = require('net').connect(${DEVICE_PORT}, '127.0.0.1', () => {
    for (let i = 0; i < ${LINES}; i++) s.write('reading ' + i + '\\n');
    console.log('sent');
  }); s.on('error', (e) => { console.error(e.message); process.exit(1); }); setInterval(() => {}, 1000);`]);
  onCleanup(() => stop(device));
  await until('the device sent its lines', 10000, () => ({ done: /sent/.test(device.log), log: device.log }));
  await until('node-red counted every line', 10000, () => {
    const answer = getIn(`${NODE_RED}/netcast/endpoints/plc`);
    const body = answer.ok ? JSON.parse(answer.text) : {};
    return { done: body.counters && body.counters.messagesIn === LINES, counters: body.counters, error: answer.error };
  });

  // promtool check metrics
  const exposition = getIn(`${NODE_RED}/netcast/metrics`);
  result.check('GET /netcast/metrics answers', exposition.ok, exposition.error);
  const lint = spawnSync(tools.command('promtool'), ['check', 'metrics'], { input: exposition.text, encoding: 'utf8' });
  result.check('promtool check metrics accepts the exposition, with no lint problem', lint.status === 0 && `${lint.stdout}${lint.stderr}`.trim() === '', `exit ${lint.status}: ${lint.stdout}${lint.stderr}`);
  result.check('the exposition has the received counter of the endpoint', exposition.text.includes(`netcast_messages_received_total{endpoint="plc",transport="tcp"} ${LINES}`), exposition.text.slice(0, 600));
  result.check('label values are escaped (a name with quotes)', exposition.text.includes('name="line \\"A\\""'), exposition.text.split('\n').find((line) => line.startsWith('netcast_endpoint_info')));

  // a real Prometheus scrapes it
  const config = path.join(tmp, 'prometheus.yml');
  fs.writeFileSync(config, `global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nscrape_configs:\n  - job_name: node-red\n    metrics_path: /netcast/metrics\n    static_configs:\n      - targets: ['127.0.0.1:1880']\n`);
  const check = spawnSync(tools.command('promtool'), ['check', 'config', config], { encoding: 'utf8' });
  result.check('promtool check config accepts the scrape config', check.status === 0, `${check.stdout}${check.stderr}`);
  const prometheus = startIn(tools.command('prometheus'), [`--config.file=${config}`, `--storage.tsdb.path=${path.join(tmp, 'tsdb')}`, '--web.listen-address=127.0.0.1:9090']);
  onCleanup(() => stop(prometheus));
  const started = Date.now();
  const received = await until('Prometheus to answer the received counter', 45000, () => {
    const answer = query('netcast_messages_received_total{endpoint="plc"}');
    return { ...answer, done: answer.value === LINES, log: prometheus.exitCode !== null ? prometheus.log.slice(-500) : undefined };
  }).catch((err) => ({ error: err.message }));
  result.check(`Prometheus scraped the metrics and answers netcast_messages_received_total{endpoint="plc"} = ${LINES}`, received.value === LINES, JSON.stringify(received).slice(0, 600));
  const sessions = query('netcast_sessions{endpoint="plc",transport="tcp"}');
  result.check('Prometheus answers netcast_sessions{endpoint="plc"} = 1 (the device\'s connection)', sessions.value === 1, JSON.stringify(sessions));
  const up = query('netcast_endpoint_up{endpoint="plc"}');
  result.check('netcast_endpoint_up{endpoint="plc"} = 1 while listening', up.value === 1, JSON.stringify(up));
  result.add('scraped lines', received.value || 0);
  result.note(`prometheus ${spawnSync(tools.command('prometheus'), ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]}: first answer ${((Date.now() - started) / 1000).toFixed(1)} s after it started`);
});
