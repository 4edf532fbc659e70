'use strict';
require('should');
const { payloadToBuffer, bufferToPayload } = require('../../dist/nodes/shared/payload');
const { readInteger, readPort, readChoice } = require('../../dist/nodes/shared/config-values');

describe('payload conversion', function () {
  it('sends Buffers as they are, strings as UTF-8, objects and arrays as JSON', function () {
    const bytes = Buffer.from([1, 2, 3]);
    payloadToBuffer(bytes).should.equal(bytes);
    payloadToBuffer('héllo').should.eql(Buffer.from('héllo', 'utf8'));
    payloadToBuffer({ a: [1, 2] }).toString().should.equal('{"a":[1,2]}');
    payloadToBuffer([1, 'two']).toString().should.equal('[1,"two"]');
    payloadToBuffer(42).toString().should.equal('42');
    payloadToBuffer(false).toString().should.equal('false');
    payloadToBuffer('').length.should.equal(0);
  });

  it('turns a Buffer that went through JSON back into bytes', function () {
    const travelled = JSON.parse(JSON.stringify(Buffer.from([0xde, 0xad])));
    payloadToBuffer(travelled).should.eql(Buffer.from([0xde, 0xad]));
  });

  it('decodes hex and base64 strings when configured, and says what is wrong with a bad one', function () {
    payloadToBuffer('de ad BE EF', 'hex').should.eql(Buffer.from('deadbeef', 'hex'));
    payloadToBuffer('aGVsbG8=', 'base64').toString().should.equal('hello');
    (() => payloadToBuffer('xyz', 'hex')).should.throw(/not valid hex .*pairs of hex digits/);
    (() => payloadToBuffer('!!!', 'base64')).should.throw(/not valid base64/);
  });

  it('refuses what cannot be sent with a sentence naming the fix', function () {
    const loop = {};
    loop.loop = loop;
    (() => payloadToBuffer(loop)).should.throw(/circular reference; send a Buffer, a string, or a plain object/);
    (() => payloadToBuffer(undefined)).should.throw(/msg.payload is missing/);
    (() => payloadToBuffer(() => 1)).should.throw(/is a function and cannot be sent/);
    (() => payloadToBuffer({ big: 10n })).should.throw(/cannot be turned into JSON/);
  });

  it('emits received bytes in each output format', function () {
    const bytes = Buffer.from('{"t":1}');
    bufferToPayload(bytes, 'buffer').should.equal(bytes);
    bufferToPayload(bytes, 'utf8').should.equal('{"t":1}');
    bufferToPayload(bytes, 'hex').should.equal(bytes.toString('hex'));
    bufferToPayload(bytes, 'base64').should.equal(bytes.toString('base64'));
    bufferToPayload(bytes, 'json').should.eql({ t: 1 });
    (() => bufferToPayload(Buffer.from('nope'), 'json')).should.throw(/received data is not valid JSON \("nope"\)/);
  });
});

describe('config values', function () {
  it('accepts numbers the editor stored as strings and names a bad field', function () {
    readInteger({ n: '42' }, 'n', { label: 'Queue size', min: 0, max: 100 }).should.equal(42);
    readInteger({}, 'n', { label: 'Queue size', min: 0, max: 100, fallback: 7 }).should.equal(7);
    (() => readPort({ port: '70000' })).should.throw('Port must be a whole number from 1 to 65535 (got "70000")');
    (() => readPort({ port: 'abc' })).should.throw(/Port must be a whole number/);
    (() => readPort({ port: '' })).should.throw(/Port is empty/);
    (() => readChoice({ mode: 'both' }, 'mode', 'Mode', ['server', 'client'], 'server')).should.throw('Mode must be one of server, client (got "both")');
  });
});
