'use strict';
// settings.js socketTimeout, as core's tcp in honours it, closes silent connections of a netcast
// TCP server whose Idle timeout is blank; a value in the node still wins.
require('should');
const { helper, load, nodeSet, useHelper, listeningPort } = require('../support/red');
const { collect } = require('../support/events');
const { connectClient, closeQuietly } = require('../support/peers');

const tcpNodes = nodeSet('tcp');

function flow(endpoint) {
  return [
    { id: 'tab', type: 'tab' },
    { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'server', host: '127.0.0.1', port: 0, configVersion: 1, ...endpoint },
    { id: 'in', type: 'netcast-tcp-in', z: 'tab', endpoint: 'ep', output: 'utf8', events: true, wires: [[], ['events']] },
    { id: 'events', type: 'helper', z: 'tab' },
  ];
}

describe('core settings.js values on netcast endpoints', function () {
  useHelper();
  const sockets = [];
  afterEach(async () => {
    helper.settings({ socketTimeout: undefined });
    await Promise.all(sockets.splice(0).map(closeQuietly));
  });

  it('socketTimeout closes a silent connection of a server whose Idle timeout is blank', async function () {
    helper.settings({ socketTimeout: 200 });
    await load([tcpNodes], flow({ idleTimeout: '' }));
    const events = collect(helper.getNode('events'), 2);
    const socket = await connectClient(await listeningPort('ep'));
    sockets.push(socket);
    await socket.whenClosed;
    (await events)[1].payload.reason.should.equal('no data for 0.2 s');
  });

  it('a value typed into the node wins over socketTimeout', async function () {
    helper.settings({ socketTimeout: 60000 });
    await load([tcpNodes], flow({ idleTimeout: 0.1 }));
    const events = collect(helper.getNode('events'), 2);
    const socket = await connectClient(await listeningPort('ep'));
    sockets.push(socket);
    await socket.whenClosed;
    (await events)[1].payload.reason.should.equal('no data for 0.1 s');
  });
});
