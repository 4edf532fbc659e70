'use strict';
// One table per node type (src/nodes/shared/field-tables.ts) states each field once. This test
// derives from it what the editor, the admin settings and the runtime each use, and finds them
// equal: the editor's registerType defaults (the built dist/nodes/*.html, run in a sandbox), the
// settings registered for settings.js, and what the runtime reads from an empty config.
require('should');
const fs = require('fs');
const path = require('path');
const vm = require('vm');
const { FIELD_TABLES } = require('../../dist/nodes/shared/field-tables');
const { readField } = require('../../dist/nodes/shared/fields');
const { registeredSettings, camelType } = require('../../dist/nodes/shared/site-defaults');
const { upgradeConfig } = require('../../dist/nodes/shared/config-version');

const root = path.join(__dirname, '..', '..');
const pkg = require(path.join(root, 'package.json'));

/** registerType(type, definition) of every node set's built editor, run with a stand-in RED and jQuery. */
function editorDefinitions() {
  const types = {};
  // whatever else an editor touches while loading (RED.sidebar, $(...)) is a callable no-op
  const empty = new Proxy(function () {}, { get: (_target, key) => (key === 'length' ? 0 : empty), apply: () => empty });
  const extend = (...args) => {
    if (args[0] === true) args.shift();
    const target = args.shift() || {};
    for (const source of args) Object.assign(target, source);
    return target;
  };
  const $ = Object.assign(() => empty, { extend });
  for (const file of Object.values(pkg['node-red'].nodes)) {
    const html = fs.readFileSync(path.join(root, file.replace(/\.js$/, '.html')), 'utf8');
    const RED = new Proxy({ nodes: { registerType: (type, def) => (types[type] = def) }, settings: {} }, { get: (target, key) => (key in target ? target[key] : empty) });
    const sandbox = { $, jQuery: $, RED, console: { warn() {} } };
    sandbox.window = sandbox;
    const context = vm.createContext(sandbox);
    for (const match of html.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)) vm.runInContext(match[1], context);
  }
  return types;
}

/** What a new node's dialog should start with for a field: its default; blank where blank means the default. */
function editorValue(field) {
  if (field.kind === 'integer' || field.kind === 'number') return field.value === undefined || field.blankStays ? '' : field.value;
  return field.value;
}

describe('field tables: one source for every config field', function () {
  let editor;
  before(function () {
    editor = editorDefinitions();
  });

  it('covers exactly the node types the editor registers', function () {
    Object.keys(FIELD_TABLES).sort().should.eql(Object.keys(editor).sort());
  });

  it("gives every editor default the table's value, and the editor no field the table lacks", function () {
    const problems = [];
    for (const [type, fields] of Object.entries(FIELD_TABLES)) {
      const defaults = editor[type].defaults;
      for (const key of Object.keys(defaults)) if (key !== 'configVersion' && !fields[key]) problems.push(`${type}.${key}: in the editor, not in the table`);
      for (const field of Object.values(fields)) {
        if (!defaults[field.key]) {
          problems.push(`${type}.${field.key}: in the table, not in the editor`);
          continue;
        }
        if (field.kind === 'list') continue; // a new node's example row is the editor's own
        if (field.key === 'outputs' && field.value === undefined) continue; // Node-RED's wire count: 1 in a new node, else from events (config-version.ts)
        const got = defaults[field.key].value;
        if (got !== editorValue(field)) problems.push(`${type}.${field.key}: editor ${JSON.stringify(got)}, table ${JSON.stringify(editorValue(field))}`);
      }
    }
    problems.should.eql([]);
  });

  it("registers for settings.js exactly the table's site fields, with its defaults", function () {
    for (const [type, fields] of Object.entries(FIELD_TABLES)) {
      const expected = {};
      for (const field of Object.values(fields)) if (field.site) expected[camelType(type) + field.site] = { value: field.value, exportable: true };
      registeredSettings(type).should.eql(expected, type);
    }
  });

  it('reads an empty saved config as the table says, for every field with a default', function () {
    for (const [type, fields] of Object.entries(FIELD_TABLES)) {
      const config = upgradeConfig(type, { type }).config;
      for (const field of Object.values(fields)) {
        if (field.kind === 'list' || (field.value === undefined && field.kind !== 'text')) continue;
        readField(config, field).should.eql(field.value, `${type}.${field.key}`);
      }
    }
  });

  it('reads the field as the table says: its range and its choices, with the label in the error', function () {
    const { TCP_ENDPOINT, WEBSOCKET_ENDPOINT } = require('../../dist/nodes/shared/field-tables');
    (() => readField({ maxConnections: 0 }, TCP_ENDPOINT.maxConnections)).should.throw(/^Max connections must be a whole number from 1 to 100000/);
    readField({ maxConnections: '100000' }, TCP_ENDPOINT.maxConnections).should.equal(100000);
    (() => readField({ queuePolicy: 'random' }, WEBSOCKET_ENDPOINT.queuePolicy)).should.throw(/When the queue is full must be one of drop-oldest, drop-newest/);
    (() => readField({ keepAlive: 'yes' }, TCP_ENDPOINT.keepAlive)).should.throw(/^Keepalive must be true or false \(got "yes"\)/);
    readField({ keepAlive: ' FALSE ' }, TCP_ENDPOINT.keepAlive).should.equal(false);
  });
});

describe('framing modes: every dialog offers the framing library\'s', function () {
  const { FRAMING_MODES } = require('../../dist/framing');
  // UDP has no idle gap: every datagram is already one message (src/nodes/udp.ts refuses it)
  const offered = { 'netcast-tcp-endpoint': FRAMING_MODES, 'netcast-udp-endpoint': FRAMING_MODES.filter((mode) => mode !== 'idle') };

  it('lists every mode in the framing drop-down, in the library\'s order, in each node set that has one', function () {
    for (const file of Object.values(pkg['node-red'].nodes)) {
      const html = fs.readFileSync(path.join(root, file.replace(/\.js$/, '.html')), 'utf8');
      const select = /<select id="node-config-input-framing"[^>]*>([\s\S]*?)<\/select>/.exec(html);
      if (!select) continue;
      [...select[1].matchAll(/<option value="([^"]+)"/g)].map((m) => m[1]).should.eql([...FRAMING_MODES], file);
    }
  });

  it("accepts exactly the modes each endpoint offers (the editor's validator)", function () {
    const editor = editorDefinitions();
    const types = Object.keys(editor).filter((type) => editor[type].defaults.framing);
    types.sort().should.eql(Object.keys(offered).sort());
    for (const type of types) {
      const validate = editor[type].defaults.framing.validate;
      const accepted = [...FRAMING_MODES, 'zigzag'].filter((mode) => validate.call({ framing: mode }, mode) === true);
      accepted.should.eql([...offered[type]], type);
    }
  });

  it('has one framing catalog per language, and no node set writes it again except where it differs on purpose', function () {
    for (const lang of ['en-US', 'zh-CN']) {
      for (const base of ['tcp', 'udp']) {
        const own = JSON.parse(fs.readFileSync(path.join(root, 'nodes', 'locales', lang, `${base}.json`), 'utf8'))[`netcast-${base}`].framing;
        const leaves = own ? JSON.stringify(own).match(/":"/g).length : 0;
        leaves.should.be.belowOrEqual(2, `${lang}/${base}.json repeats the shared framing catalog`);
      }
    }
  });
});
