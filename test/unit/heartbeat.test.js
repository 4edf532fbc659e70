'use strict';
require('should');
const { SharedHeartbeat } = require('../../dist/transport/websocket/heartbeat');
const { until } = require('../support/events');

describe('SharedHeartbeat', function () {
  it('probes each client once per interval, one slice of the clients per tick', async function () {
    const clients = new Set();
    const heartbeat = new SharedHeartbeat(100, () => clients.values());
    const probes = [];
    for (let i = 0; i < 25; i++) {
      const client = { i, probes: 0, probe: () => probes.push({ i, round: ++client.probes }) };
      clients.add(client);
      heartbeat.add(client);
    }
    try {
      await until(() => new Set(probes.map((p) => p.i)).size === 25, 5000, 'every client probed');
      // every client was probed in its own slice before any was probed a second time
      const firstRound = probes.findIndex((p) => p.round === 2);
      (firstRound === -1 ? probes.length : firstRound).should.equal(25);
      // the slices were probed in separate ticks, never all 25 in one
      const ticks = new Set(probes.slice(0, 25).map((p) => p.i % 10));
      ticks.size.should.equal(10);
    } finally {
      heartbeat.stop();
    }
  });

  it('does nothing when the heartbeat is off (interval 0)', function () {
    const heartbeat = new SharedHeartbeat(0, () => []);
    heartbeat.add({ probe: () => { throw new Error('probed with the heartbeat off'); } });
    heartbeat.stop();
  });
});
