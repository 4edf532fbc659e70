'use strict';
// Multicast across hosts under network faults, inside the namespaces scripts/reliability-netns.js
// builds (never in the root namespace). Node-RED runs here (namespace "nr", eth0 on a bridge with
// IGMP snooping on and flooding of unknown groups off, so only joined groups reach it); a device in
// namespace "h2" sends numbered datagrams. After each fault reception resumes by itself:
// interface down/up, address removed and re-added, the bridge's memberships flushed.
const { execFileSync, spawn } = require('child_process');
const { runPart, startRed, sleep } = require('./lib/harness');
const tools = require('../support/tools');

const GROUP = '239.77.0.1';
const PORT = 5077;
const RENEW_S = 2;
const RESUME_MS = 15000;

const topology = process.env.NETCAST_REL_NETNS ? JSON.parse(process.env.NETCAST_REL_NETNS) : undefined;
function requireNamespace() {
  const current = execFileSync(tools.ip(), ['netns', 'identify', String(process.pid)], { encoding: 'utf8' }).trim();
  if (!topology || current !== topology.nr) {
    throw new Error(`refusing to run multicast outside its network namespace (in "${current || 'the root namespace'}"); run: node scripts/reliability-netns.js`);
  }
}

const sh = (args) => execFileSync(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const inNs = (ns, args) => sh(['ip', 'netns', 'exec', ns, ...args]);

function startSender() {
  const code = `
const dgram = require('dgram');
const s = dgram.createSocket('udp4');
s.bind(0, '10.201.1.2', () => {
  s.setMulticastInterface('10.201.1.2');
  s.setMulticastTTL(1);
  let n = 0;
  setInterval(() => s.send('mc' + (++n), ${PORT}, '${GROUP}', () => {}), 20);
});`;
  return spawn(tools.ip(), ['netns', 'exec', topology.h2, process.execPath, '-e', code], { stdio: 'ignore' });
}

runPart('netns-multicast', async (result, onCleanup) => {
  requireNamespace();
  const red = await startRed();
  onCleanup(() => red.stop());
  const logFrom = red.log.length;
  await red.deploy([
    { id: 'tab', type: 'tab', label: 'multicast faults' },
    { id: 'mcGroup', type: 'netcast-multicast-group', groups: GROUP, port: PORT, iface: 'eth0', renewInterval: RENEW_S, loopback: false },
    { id: 'mcIn', type: 'netcast-multicast-in', z: 'tab', endpoint: 'mcGroup', output: 'utf8', wires: [['got']] },
    { id: 'got', type: 'reliability-collect', z: 'tab', wires: [] },
  ]);
  result.add('deploys', 1);
  const sender = startSender();
  onCleanup(() => sender.kill());
  const count = async () => (await red.collected('got')).count;
  const resumes = async (what) => {
    const from = await count();
    const started = Date.now();
    while (Date.now() - started < RESUME_MS) {
      if ((await count()) >= from + 10) return { ok: true, ms: Date.now() - started };
      await sleep(100);
    }
    return { ok: false, ms: Date.now() - started, what };
  };
  const first = await resumes('first datagrams');
  result.check('multicast across namespaces: datagrams arrive through the snooping bridge', first.ok, `after ${first.ms} ms`);

  const faults = [
    ['interface down 1.5 s, then up', async () => {
      sh(['ip', 'link', 'set', 'eth0', 'down']);
      await sleep(1500);
      sh(['ip', 'link', 'set', 'eth0', 'up']);
    }],
    ['address removed 1.5 s, then re-added', async () => {
      sh(['ip', 'addr', 'del', '10.201.1.1/24', 'dev', 'eth0']);
      await sleep(1500);
      sh(['ip', 'addr', 'add', '10.201.1.1/24', 'dev', 'eth0', 'broadcast', '+']);
    }],
    ['bridge memberships flushed (snooping off and on)', async () => {
      inNs(topology.br, ['ip', 'link', 'set', 'lan', 'type', 'bridge', 'mcast_snooping', '0']);
      inNs(topology.br, ['ip', 'link', 'set', 'lan', 'type', 'bridge', 'mcast_snooping', '1']);
    }],
    ['bridge port of Node-RED down 1.5 s, then up (cable pulled at the switch)', async () => {
      inNs(topology.br, ['ip', 'link', 'set', 'nr0', 'down']);
      await sleep(1500);
      inNs(topology.br, ['ip', 'link', 'set', 'nr0', 'up']);
    }],
  ];
  for (const [what, fault] of faults) {
    await fault();
    result.add('faults', 1);
    const before = await count();
    await sleep(300);
    const resumed = await resumes(what);
    result.check(`multicast: ${what}: reception resumes by itself`, resumed.ok, `${resumed.ok ? `resumed within ${resumed.ms} ms` : `nothing new in ${resumed.ms} ms`} (renew every ${RENEW_S} s; ${before} datagrams before)`);
  }
  const info = await red.endpoint('mcGroup');
  result.check('multicast endpoint ready again after the faults', info.state.phase === 'ready', JSON.stringify(info.state));
  const delivered = await count();
  result.add('delivered', delivered);
  const unexpected = red.problems(logFrom).filter((line) => !/network interface .* is not on this machine yet|cannot join/.test(line));
  result.check('no unexpected warning or error in the log', unexpected.length === 0, unexpected.slice(0, 5).join(' | '));
  result.rss(red.maxRssKb);
});
