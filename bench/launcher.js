'use strict';
// How the bench starts node: as it is, inside a network namespace (`ip netns exec`), and/or with
// a raised open-file limit, the way a user raises it for a service: `ulimit -n` in the shell that
// starts it (a systemd unit says LimitNOFILE=; see the README's "Many connections"). Every
// wrapper execs node in place, so the pid and the IPC channel are node's own.
const fs = require('fs');
const tools = require('../test/support/tools');

/** The command that starts node: [executable, ...arguments before node's own]. */
function launcher({ netns, nofile } = {}) {
  const node = nofile ? ['sh', '-c', `ulimit -n ${Number(nofile)} && exec "$@"`, 'sh', process.execPath] : [process.execPath];
  return netns ? [tools.ip(), 'netns', 'exec', netns, ...node] : node;
}

/** The hard open-file limit of this process (what `ulimit -n` may raise the soft limit to without root). */
function hardNofile() {
  const line = fs.readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
  const hard = line ? line.trim().split(/\s{2,}/)[2] : 'unlimited';
  return hard === 'unlimited' ? Infinity : Number(hard);
}

module.exports = { launcher, hardNofile };
