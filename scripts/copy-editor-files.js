'use strict';
// Node-RED loads a node's editor HTML, locales and icons from the folder of its JS file,
// so the build puts them next to the compiled adapters in dist/nodes.
//
// A line `<!-- netcast:include shared/framing-editor.html -->` in nodes/*.html is replaced by
// that file's content (path relative to nodes/). Node sets can be disabled one by one, so each
// set's HTML carries its own copy of what it shares; nodes/shared itself is not copied.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const source = path.join(root, 'nodes');
const target = path.join(root, 'dist', 'nodes');
const INCLUDE = /^[ \t]*<!--\s*netcast:include\s+(\S+)\s*-->[ \t]*$/gm;
const NOT_COPIED = new Set(['shared']);

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) copyDir(src, dest);
    else fs.copyFileSync(src, dest);
  }
}

function expandIncludes(file, seen = []) {
  if (seen.includes(file)) throw new Error(`include cycle: ${[...seen, file].map((f) => path.relative(root, f)).join(' -> ')}`);
  const text = fs.readFileSync(file, 'utf8');
  return text.replace(INCLUDE, (_line, name) => {
    const included = path.resolve(source, name);
    if (!included.startsWith(source + path.sep) || !fs.existsSync(included)) {
      throw new Error(`${path.relative(root, file)}: cannot include ${name}: no such file under nodes/`);
    }
    return expandIncludes(included, [...seen, file]).replace(/\s+$/, '');
  });
}

fs.mkdirSync(target, { recursive: true });
for (const name of fs.readdirSync(source)) {
  const from = path.join(source, name);
  if (fs.statSync(from).isDirectory()) {
    if (!NOT_COPIED.has(name)) copyDir(from, path.join(target, name));
  } else if (name.endsWith('.html')) {
    fs.writeFileSync(path.join(target, name), expandIncludes(from));
  }
}
copyDir(path.join(root, 'icons'), path.join(target, 'icons'));
