'use strict';
// Node-RED keeps each node set's editor HTML in memory as one string for as long as it runs. One
// character outside ASCII makes V8 store the whole string with two bytes per character: the UDP
// and multicast editors held 85 KB more than needed for one arrow each. Write such characters as
// escapes (\u2192 in scripts, &rarr; in markup). Help and catalogs (locales/) are not concerned:
// Node-RED reads help only when the editor asks for it, and zh-CN is not ASCII anyway.
require('should');
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const pkg = require('../../package.json');
const { expandIncludes } = require('../../scripts/copy-editor-files');

describe('editor HTML kept in memory by Node-RED', function () {
  for (const file of Object.values(pkg['node-red'].nodes)) {
    const base = path.basename(file, '.js');
    it(`nodes/${base}.html is ASCII once its includes are expanded`, function () {
      const html = expandIncludes(path.join(ROOT, 'nodes', `${base}.html`));
      const lines = html.split('\n').flatMap((line, i) => (/[^\x00-\x7f]/.test(line) ? [`${i + 1}: ${line.trim().slice(0, 120)}`] : []));
      lines.should.be.empty();
    });
  }
});
