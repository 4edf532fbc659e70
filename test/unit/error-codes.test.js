'use strict';
// Every error netcast raises carries a code a Catch flow can switch on (msg.error.code), and
// README.md's "Error codes" table lists each of netcast's own codes, no more and no fewer.
const fs = require('fs');
const path = require('path');
require('should');

const root = path.join(__dirname, '..', '..');
const srcDir = path.join(root, 'src');

function sources(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [{ file: path.relative(root, full), text: fs.readFileSync(full, 'utf8') }] : [];
  });
}

function readmeCodes() {
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('#### Error codes'));
  const table = section.slice(0, section.search(/\n#/));
  return [...table.matchAll(/^\| `(ERR_NETCAST[A-Z_]*)` \|/gm)].map((match) => match[1]);
}

describe('error codes', function () {
  const files = sources(srcDir);

  it('src raises no bare Error, TypeError or RangeError (each error has a class or NetcastError with a code)', function () {
    const bare = [];
    for (const { file, text } of files) {
      for (const [index, line] of text.split('\n').entries()) {
        if (/\bnew (Error|TypeError|RangeError)\(/.test(line) || /Object\.assign\(new /.test(line)) bare.push(`${file}:${index + 1}: ${line.trim()}`);
      }
    }
    bare.should.deepEqual([]);
  });

  it('every error class in src sets a code', function () {
    const missing = [];
    for (const { file, text } of files) {
      for (const match of text.matchAll(/class (\w+) extends (\w+) \{([\s\S]*?)\n\}/g)) {
        const [, name, base, body] = match;
        if (!/Error$/.test(base)) continue;
        const coded = base !== 'Error' || /readonly code = '|readonly code: string/.test(body);
        if (!coded) missing.push(`${file}: ${name}`);
      }
    }
    missing.should.deepEqual([]);
  });

  it('README lists every code src raises, once, and no code src does not raise', function () {
    const inSrc = new Set(files.flatMap(({ text }) => [...text.matchAll(/'(ERR_NETCAST[A-Z_]*)'/g)].map((match) => match[1])));
    const inReadme = readmeCodes();
    inReadme.length.should.equal(new Set(inReadme).size, 'a code is listed twice');
    [...inSrc].filter((code) => !inReadme.includes(code)).should.deepEqual([], 'codes raised but not in the README table');
    inReadme.filter((code) => !inSrc.has(code)).should.deepEqual([], 'codes in the README table that src never raises');
  });

  it('the two kinds of gone session have codes of their own', function () {
    const { SessionGoneError } = require('../../dist/transport/tcp/tcp-endpoint');
    const { WebSocketSessionGoneError } = require('../../dist/transport/websocket/websocket-endpoint');
    new SessionGoneError('a').code.should.equal('ERR_NETCAST_SESSION_GONE');
    new WebSocketSessionGoneError('a').code.should.equal('ERR_NETCAST_WS_SESSION_GONE');
  });
});
