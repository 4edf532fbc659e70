'use strict';
require('should');
const { nodeHasReusePort, checkReusePort, REUSE_PORT_NODE } = require('../../dist/transport/reuse-port');

describe('reusePort support', function () {
  it('is there from Node 22.12 and 23.1 on, not before', function () {
    for (const version of ['18.20.4', '20.20.2', '22.11.0', '23.0.0']) nodeHasReusePort(version).should.be.false(version);
    for (const version of ['22.12.0', '22.21.1', '23.1.0', '24.0.0', '25.2.1']) nodeHasReusePort(version).should.be.true(version);
  });

  it('refuses the option on an older Node with a coded error naming the version needed, and allows it off', function () {
    (() => checkReusePort(false, '20.20.2')).should.not.throw();
    (() => checkReusePort(true, '22.12.0')).should.not.throw();
    (() => checkReusePort(true, '20.20.2')).should.throw({ code: 'ERR_NETCAST_REUSEPORT_UNSUPPORTED' });
    (() => checkReusePort(true, '20.20.2')).should.throw(new RegExp(`needs Node\\.js ${REUSE_PORT_NODE.replace('.', '\\.')} or later.*Node\\.js 20\\.20\\.2`));
  });
});
