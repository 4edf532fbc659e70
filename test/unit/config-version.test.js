'use strict';
// Config versions and admin defaults, without Node-RED: the upgrade steps, the setting names, and
// that the editor (dist/nodes/*.html) saves the version the runtime expects for every type.
require('should');
const fs = require('fs');
const path = require('path');
const { upgradeConfig, currentConfigVersion, STEPS, FIELDS } = require('../../dist/nodes/shared/config-version');
const { applySiteDefaults, registeredSettings, camelType, SITE_SETTINGS } = require('../../dist/nodes/shared/site-defaults');

const root = path.join(__dirname, '..', '..');
const pkg = require(path.join(root, 'package.json'));
const TYPES = Object.keys(FIELDS);

describe('config versions: upgrade steps', function () {
  it('knows all 15 node types, each at version 1 with one step', function () {
    TYPES.length.should.equal(15);
    for (const type of TYPES) {
      currentConfigVersion(type).should.equal(1, type);
      STEPS[type].length.should.equal(1, type);
    }
  });

  it('upgrades an editor-typed version 0 TCP endpoint: numbers and booleans from text, missing properties from the runtime defaults', function () {
    const saved = { id: 'ep', type: 'netcast-tcp-endpoint', mode: 'client', host: '10.0.0.5', port: '502', keepAlive: 'false', noDelay: 'true', idleTimeout: '', connectTimeout: '2.5', framing: 'length', lengthSize: '4', lengthOffset: '0', mystery: 'kept' };
    const { config, from, to } = upgradeConfig('netcast-tcp-endpoint', saved);
    from.should.equal(0);
    to.should.equal(1);
    config.should.containEql({ configVersion: 1, id: 'ep', mode: 'client', host: '10.0.0.5', port: 502, keepAlive: false, noDelay: true, connectTimeout: 2.5, lengthSize: 4, lengthOffset: 0, mystery: 'kept' });
    // properties the flow did not have, with the values the runtime always used for them
    config.should.containEql({ queuePolicy: 'drop-oldest', keepAliveDelay: 30, reconnectFactor: 2, delimiter: '\\n', markerFormat: 'hex', allowlist: '', useTls: false });
    // fields an admin can default stay blank, so settings.js still applies to them
    config.maxFrame.should.equal('');
    config.reconnectMax.should.equal('');
    config.idleTimeout.should.equal('', 'settings.js socketTimeout or netcastTcpEndpointIdleTimeout still applies');
    saved.port.should.equal('502', 'the saved config is not changed');
  });

  it('keeps text that is not a number and values it does not understand, so the node can still name them', function () {
    const { config } = upgradeConfig('netcast-tcp-endpoint', { type: 'netcast-tcp-endpoint', port: 'abc', keepAlive: 'yes', delimiter: '' });
    config.port.should.equal('abc');
    config.keepAlive.should.equal('yes');
    config.delimiter.should.equal('', 'a blank delimiter is an error the user must see, not a default');
  });

  it('turns a multicast group list written as text into the list the editor keeps', function () {
    const { config } = upgradeConfig('netcast-multicast-group', { type: 'netcast-multicast-group', groups: '239.1.2.3, 232.1.1.1@10.0.0.5', port: '5000', loopback: 'false' });
    config.groups.should.eql([{ group: '239.1.2.3', source: '' }, { group: '232.1.1.1', source: '10.0.0.5' }]);
    config.should.containEql({ port: 5000, loopback: false, reuseAddr: true, ttl: '', renewInterval: '', receiveBufferSize: 0, sendBufferSize: 0 });
  });

  it('turns WebSocket headers written as an object into [{name, value}] instead of ignoring them', function () {
    const { config } = upgradeConfig('netcast-websocket-endpoint', { type: 'netcast-websocket-endpoint', mode: 'client', url: 'ws://h/x', headers: { 'X-Api-Key': 'k', 'X-N': 5 } });
    config.headers.should.eql([{ name: 'X-Api-Key', value: 'k' }, { name: 'X-N', value: '5' }]);
    upgradeConfig('netcast-websocket-endpoint', { type: 'netcast-websocket-endpoint' }).config.headers.should.eql([]);
  });

  it('gives an in node with events its second output', function () {
    upgradeConfig('netcast-tcp-in', { type: 'netcast-tcp-in', events: 'true' }).config.should.containEql({ events: true, outputs: 2, output: 'utf8', batch: false });
    upgradeConfig('netcast-websocket-in', { type: 'netcast-websocket-in' }).config.should.containEql({ events: false, outputs: 1, output: 'auto', headers: false });
    upgradeConfig('netcast-udp-in', { type: 'netcast-udp-in', output: '' }).config.output.should.equal('buffer');
  });

  it('leaves a current config alone and does not downgrade one from a newer netcast', function () {
    const current = { type: 'netcast-udp-out', configVersion: 1, encoding: 'hex', allowMsgDestination: 'false' };
    upgradeConfig('netcast-udp-out', current).config.should.eql(current);
    const newer = upgradeConfig('netcast-udp-out', { type: 'netcast-udp-out', configVersion: 7 });
    newer.config.configVersion.should.equal(7);
    newer.problem.should.match(/newer netcast/);
    upgradeConfig('netcast-udp-out', { type: 'netcast-udp-out', configVersion: '1' }).from.should.equal(1);
  });

  it('is idempotent: upgrading an upgraded config changes nothing', function () {
    for (const type of TYPES) {
      const once = upgradeConfig(type, { type }).config;
      upgradeConfig(type, once).config.should.eql(once, type);
    }
  });
});

describe('admin defaults (registerType settings)', function () {
  it('names every setting the way Node-RED requires: the camel-cased type first', function () {
    camelType('netcast-tcp-endpoint').should.equal('netcastTcpEndpoint');
    const normalise = require(require.resolve('@node-red/util/lib/util.js', { paths: [path.dirname(require.resolve('node-red/package.json'))] })).normaliseNodeTypeName;
    for (const type of Object.keys(SITE_SETTINGS)) {
      camelType(type).should.equal(normalise(type));
      for (const [name, entry] of Object.entries(registeredSettings(type))) {
        name.startsWith(normalise(type)).should.be.true();
        entry.exportable.should.be.true();
        entry.value.should.be.a.Number();
      }
    }
    Object.keys(registeredSettings('netcast-tcp-endpoint')).should.containEql('netcastTcpEndpointMaxFrame');
    Object.keys(registeredSettings('netcast-tcp-endpoint')).should.containEql('netcastTcpEndpointReconnectMax');
  });

  it('fills blank fields only, and skips a setting that is not a usable number with a warning', function () {
    const warnings = [];
    const settings = { netcastTcpEndpointMaxFrame: 4096, netcastTcpEndpointReconnectMax: 'soon', netcastTcpEndpointQueueSize: '50' };
    const config = applySiteDefaults('netcast-tcp-endpoint', { maxFrame: '', reconnectMax: '', queueSize: 10 }, settings, (w) => warnings.push(w));
    config.should.containEql({ maxFrame: 4096, reconnectMax: '', queueSize: 10 });
    warnings.should.have.length(1);
    warnings[0].should.match(/netcastTcpEndpointReconnectMax must be a number from 0.01 to 86400 \(got "soon"\); using the built-in 30/);
  });
});

describe('the editor saves what the runtime expects', function () {
  const html = Object.values(pkg['node-red'].nodes).map((file) => fs.readFileSync(path.join(root, file.replace(/\.js$/, '.html')), 'utf8')).join('\n');
  const blocks = html.split(/(?=RED\.nodes\.registerType\(")/).slice(1);

  it('gives every type a configVersion default equal to its number of upgrade steps', function () {
    const seen = {};
    for (const block of blocks) {
      const type = /^RED\.nodes\.registerType\("([^"]+)"/.exec(block)[1];
      const version = /configVersion: \{ value: (\d+) \}/.exec(block) || /var endpointDefaults[\s\S]*?configVersion: \{ value: (\d+) \}/.exec(html);
      seen[type] = Number(version[1]);
    }
    for (const type of TYPES) (seen[type] ?? 'missing').should.equal(currentConfigVersion(type), type);
  });

  it('uses exactly the admin settings the runtime registers', function () {
    const inEditor = new Set(html.match(/"netcast[A-Z][A-Za-z]+"/g).map((s) => s.slice(1, -1)));
    const registered = Object.keys(SITE_SETTINGS).flatMap((type) => Object.keys(registeredSettings(type)));
    [...inEditor].sort().should.eql(registered.sort());
  });
});
