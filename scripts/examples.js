'use strict';
// The example flows, for `npm start` and the tests that deploy them. Multicast examples join and
// send to groups on the machine's real network, so they are left out of anything that starts by
// itself; users import them from Import > Examples, and the network-namespace tests run them.
const fs = require('fs');
const path = require('path');

const examplesDir = path.join(__dirname, '..', 'examples');

function usesMulticast(flow) {
  // a udp request in discovery mode sends to a broadcast or multicast address
  return flow.some((node) => typeof node.type === 'string' && (node.type.startsWith('netcast-multicast') || (node.type === 'netcast-udp-request' && node.mode === 'discover')));
}

/** @returns {{file: string, flow: object[]}[]} every example, optionally without the multicast ones */
function loadExamples({ includeMulticast = false } = {}) {
  return fs.readdirSync(examplesDir, { recursive: true }).map(String).filter((file) => file.endsWith('.json')).sort()
    .map((file) => ({ file, flow: JSON.parse(fs.readFileSync(path.join(examplesDir, file), 'utf8')) }))
    .filter(({ flow }) => includeMulticast || !usesMulticast(flow));
}

module.exports = { loadExamples, usesMulticast };
