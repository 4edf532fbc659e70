'use strict';
// The core network nodes' settings.js values as defaults of blank netcast fields.
require('should');
const { applySiteDefaults, registeredSettings } = require('../../dist/nodes/shared/site-defaults');

const CORE = { socketTimeout: 120000, socketReconnectTime: 10000, tcpMsgQueueSize: 2000 };
const TYPE = 'netcast-tcp-endpoint';
const blank = { idleTimeout: '', reconnectInitial: '', queueSize: '' };

describe('core settings as defaults of blank fields', function () {
  it('socketTimeout (ms) fills Idle timeout (s), socketReconnectTime the first retry, tcpMsgQueueSize the queue', function () {
    applySiteDefaults(TYPE, blank, CORE, () => undefined).should.containEql({ idleTimeout: 120, reconnectInitial: 10, queueSize: 2000 });
  });

  it('a netcast setting wins over the core one, and a value in the node over both', function () {
    const settings = { ...CORE, netcastTcpEndpointIdleTimeout: 30 };
    applySiteDefaults(TYPE, { ...blank, queueSize: 5 }, settings, () => undefined).should.containEql({ idleTimeout: 30, reconnectInitial: 10, queueSize: 5 });
  });

  it('an unusable core value is ignored and the built-in applies', function () {
    applySiteDefaults(TYPE, blank, { socketTimeout: 'soon', tcpMsgQueueSize: -1 }, () => undefined).should.containEql(blank);
  });

  it('the editor is offered the core value as the default of new nodes', function () {
    registeredSettings(TYPE, CORE).should.containEql({
      netcastTcpEndpointIdleTimeout: { value: 120, exportable: true },
      netcastTcpEndpointReconnectInitial: { value: 10, exportable: true },
      netcastTcpEndpointQueueSize: { value: 2000, exportable: true },
    });
    registeredSettings(TYPE).netcastTcpEndpointIdleTimeout.value.should.equal(0);
  });
});
