'use strict';
// Node-RED loads a node's editor HTML, locales and icons from the folder of its JS file,
// so the build puts them next to the compiled adapters in dist/nodes.
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const target = path.join(root, 'dist', 'nodes');

function copyDir(from, to) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) copyDir(source, dest);
    else fs.copyFileSync(source, dest);
  }
}

fs.mkdirSync(target, { recursive: true });
for (const name of fs.readdirSync(path.join(root, 'nodes'))) {
  const source = path.join(root, 'nodes', name);
  if (fs.statSync(source).isDirectory()) copyDir(source, path.join(target, name));
  else if (name.endsWith('.html')) fs.copyFileSync(source, path.join(target, name));
}
copyDir(path.join(root, 'icons'), path.join(target, 'icons'));
